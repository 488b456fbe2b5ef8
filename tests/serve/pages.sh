#!/bin/sh
# pages.sh -- FilterLogEvents' nextToken pages (issue 17): tests/serve/pages.py with boto3
# over a group whose streams share timestamps and a group that grows between two pages.
# SPDX-License-Identifier: Apache-2.0
. "$SRCDIR/tests/serve/lib.sh"

# /aws/eq: three streams, 7 events a second for 5 seconds in each; s3 also has 4 events of
# 00:00:02 written after its 00:00:04 ones (out of order in the file)
"$PY" - "$tmp/eq" <<'EOP'
import json, os, sys
d = sys.argv[1]
for s in ("s1", "s2", "s3"):
    os.makedirs("%s/%s" % (d, s))
    with open("%s/%s/a.log" % (d, s), "w") as f:
        k = 0
        for sec in range(5):
            for j in range(7):
                f.write(json.dumps({"timestamp": "2024-01-01T00:00:%02dZ" % sec,
                                    "msg": "%s %d %s" % (s, k, "odd" if k % 2 else "even")}) + "\n")
                k += 1
        if s == "s3":
            for j in range(4):
                f.write(json.dumps({"timestamp": "2024-01-01T00:00:02Z",
                                    "msg": "%s late %d odd" % (s, j)}) + "\n")
EOP
# /aws/grow: one stream of 10 events from 00:01:00
mkdir -p "$tmp/grow/b1"
"$PY" -c 'import json
for i in range(10): print(json.dumps({"timestamp": "2024-01-01T00:01:%02dZ" % i, "msg": "late %d" % i}))' \
    >"$tmp/grow/b1/late.log"
LIQ_SERVE_ACCESS_KEY_ID=AKIDTEST LIQ_SERVE_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY \
    serve_start --log-group /aws/eq=$tmp/eq --log-group /aws/grow=$tmp/grow
timeout 300 "$PY" "$SRCDIR/tests/serve/pages.py" "$URL" "$tmp"
rc=$?
serve_stop
[ "$serve_rc" -eq 0 ] || { echo "not ok - SIGTERM: exit $serve_rc"; exit 1; }
exit $rc
