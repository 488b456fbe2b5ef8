#!/usr/bin/env python3
"""gen_topn.py -- writes topn.ndjson, the input of tests/golden/engine/topn.test

3000 JSON records: i (0..2999, the input order), x = (i * 37) % 50 (60 records share each x,
spread over the whole file), s = "s" + (i * 7) % 9, and g = i % 3 == 0 ("a") or "b". More rows
than the 1024 a sort | limit or limit state holds before it cuts itself to its best rows
(engine/exec/op_sort.c), so ties are decided across cuts.
Usage: python3 gen_topn.py > topn.ndjson
"""
for i in range(3000):
    print('{"i": %d, "x": %d, "s": "s%d", "g": "%s"}' % (i, (i * 37) % 50, (i * 7) % 9,
                                                          "a" if i % 3 == 0 else "b"))
