#!/bin/sh
# partial.sh -- CLI test: liq --partial and liq --merge (issue 16, docs/partial-format.md)
#
# Over a generated log of several morsels cut into 3 files: every aggregate of stats by a key,
# sort with ties, sort | limit, dedup, limit, a query without a breaker, and a 2025-26 window
# command give, merged from partials in any order (and concatenated on one stdin), the bytes
# of one run over the three files, a spilled stats (--memory-limit) too; ties break by
# --part-index. --merge refuses another query, another option that changes results and
# another format version (exit 2), and a truncated, bit-flipped or foreign partial (exit 3),
# writing nothing; a partial that did not read an input carries that and the merge exits 3
# with the message, also through a merge tree (--merge --partial: partials merged into one
# partial, then merged with the rest, give the same bytes); two partials of one part index
# are a warning; the warning about a field no record has is that of one run (the parts'
# censuses travel and merge); --partial refuses join and subqueries naming the command, and its
# options' misuse. Sums whose terms cancel across parts are exact: the same bytes, the
# correctly rounded sum. The warnings that count over whole inputs (not JSON, no timestamp,
# records cut) are one run's, in its words and order, over byte ranges of a file too. A sort
# merges its partials' sorted runs (7 ranges; a forged partial in no order too). --merge
# spills to --temp-dir, and a temporary directory it cannot write is said as such (exit 4).
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-cli-partial.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

. "$SRCDIR/tests/cli/out_lib.sh"

# 30000 records over three files (the first over 1 MiB: several morsels): fractions whose sums
# depend on the order of addition, keys that repeat (ties), nulls, a list
awk 'BEGIN { for (i = 1; i <= 30000; i++) {
    f = i <= 14000 ? "a" : i <= 22000 ? "b" : "c"
    printf "{\"@timestamp\":\"2024-05-%02dT%02d:%02d:00Z\",\"k\":%s,\"n\":%d,\"x\":%s,\"tags\":[\"t%d\"],\"pad\":\"%s\"}\n",
        1 + i % 28, i % 24, i % 60, (i % 101 == 0 ? "null" : sprintf("\"k%03d\"", i % 211)),
        i % 17, (i % 13 == 0 ? "\"s\"" : sprintf("%.6f", (i % 997) / 7.0)), i % 5,
        substr("abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz", 1, 20 + i % 30) > ("'"$tmp"'/" f ".jsonl") } }'
cd "$tmp" || exit 1

. "$SRCDIR/tests/cli/partial_lib.sh"

# same3 DESC QUERY [OPTION...]: one run over a b c against the partials of each (partial_lib.sh)
same3() {
    d=$1 q=$2
    shift 2
    units abc a.jsonl b.jsonl c.jsonl
    same "$d" "$q" abc "a.jsonl b.jsonl c.jsonl" "$@"
}

same3 "stats, every aggregate" 'stats count(*) as c, count(x) as cx, sum(x), avg(x), stddev(x),
    min(x), max(x), pct(x, 50), pct(x, 99), count_distinct(n), earliest(n), latest(n),
    sortsFirst(pad), sortsLast(pad) by k'
same3 "stats without by" 'stats sum(x) as s, avg(x) as a, stddev(x) as d, count(*) as c'
same3 "stats spilled" 'stats count(*) as c, sum(x) as s, earliest(pad) by k, n' --memory-limit 64K
same3 "sort with ties" 'sort n | fields n, k, pad'
same3 "sort | limit (top N)" 'sort n desc | limit 25 | fields n, k, @timestamp'
same3 "dedup" 'dedup n, tags.0 | fields n, tags.0, pad'
same3 "limit" 'limit 30 | fields k, n'
same3 "tail" 'tail 7 | fields k, n'
same3 "no breaker (rows in part order)" 'filter n = 3 | fields k, x'
same3 "no breaker, limited" 'filter n > 10 | fields k | limit 40'
same3 "stats | sort after" 'stats count(*) as c by n | sort c desc, n'
same3 "accum (window)" 'filter n = 1 | fields x | accum x as total'

# sort: each --partial writes its rows sorted and --merge merges the sorted runs of all parts
# (a k-way merge, engine/exec/op_sort.c): 7 byte ranges with ties across them, also without
# the key prefixes; and a partial whose rows are in no order (forged: its rows reversed, the
# CRC made right again) is runs of one row each: it merges into one run's bytes too
"$LIQ" --splits 7 a.jsonl b.jsonl c.jsonl >u7
same "sort, 7 ranges merged as sorted runs" 'sort k desc, n | fields k, n, pad' u7 \
    "a.jsonl b.jsonl c.jsonl"
LIQ_SORT_PREFIX=0 "$LIQ" --merge --format csv 'sort k desc, n | fields k, n, pad' p.6 p.0 p.3 \
    p.1 p.5 p.2 p.4 >np.csv
if cmp -s one.csv np.csv; then ok "sort, 7 ranges merged without key prefixes: the same"
else not_ok "sort, 7 ranges merged without key prefixes: other bytes"; fi
/usr/bin/python3 - p.3 rev.part <<'PY'
import struct, sys, zlib
b = open(sys.argv[1], "rb").read()
d, n = struct.unpack_from("<I", b, 52)[0], struct.unpack_from("<Q", b, 56)[0]
body = b[64 + d:64 + d + n]
assert body[:4] == b"LIQR", body[:4]
rows, i = [], 12
while i < len(body):
    k = 4 + struct.unpack_from("<I", body, i)[0]
    rows.append(body[i:i + k])
    i += k
out = b[:64 + d] + body[:12] + b"".join(reversed(rows))
open(sys.argv[2], "wb").write(out + struct.pack("<I", zlib.crc32(out) & 0xFFFFFFFF))
sys.exit(len(rows) < 1000)
PY
[ $? -eq 0 ] || not_ok "forging a sort partial in no order: fewer rows than expected"
run --merge --format csv 'sort k desc, n | fields k, n, pad' p.6 p.0 rev.part p.1 p.5 p.2 p.4
expect_rc 0 "a sort partial whose rows are in no order"
if cmp -s "$tmp/out" one.csv; then ok "a sort partial whose rows are in no order: one run's bytes"
else not_ok "a sort partial whose rows are in no order: other bytes"; fi

# sums whose big terms cancel across the parts (1e20 and -1e20 in different files) leave the
# sum of the small ones: a Neumaier sum per part, merged, differed from one run in the 12th
# digit; exact sums give one run's bytes, and the correctly rounded sum (math.fsum's)
mkdir e && cd e || exit 1
awk 'function r() { s = (s * 16807) % 2147483647; return s / 2147483647 }
BEGIN { s = 42; split("a b c", f, " ")
    for (i = 1; i <= 1500; i++) { x = r() * 1e20
        printf "{\"x\":%.17g}\n", x > (f[1 + int(r() * 3)] ".jsonl")
        printf "{\"x\":%.17g}\n", -x > (f[1 + int(r() * 3)] ".jsonl")
        printf "{\"x\":%.17g}\n", r() > (f[1 + int(r() * 3)] ".jsonl") } }'
same3 "sums that cancel across parts" 'stats sum(x) as s, avg(x) as a, stddev(x) as d'
if grep -q '^747.2993431414009,' one.csv; then ok "the sum is the exact sum rounded once"; else
    not_ok "the sum is not the exact sum rounded once (747.2993431414009)"; show one.csv; fi
cd .. || exit 1

# the warnings that count over whole inputs (engine/exec/tally.h): records that look like JSON
# objects but are not, an input of which no record has a timestamp, records cut at --max-line.
# Parts count their byte ranges; the merge adds them and warns with one run's words and order
# (a.jsonl has timestamps in its first half only: its second half alone has none)
mkdir w && cd w || exit 1
awk 'BEGIN { for (i = 1; i <= 6000; i++) {
        if (i % 7 == 0) printf "{\"a\":%d,}\n", i
        else if (i % 500 == 0) printf "{\"a\":%d,\"pad\":\"%01100d\"}\n", i, 0
        else if (i <= 3000) printf "{\"a\":%d,\"@timestamp\":\"2024-05-01T00:%02d:00Z\"}\n", i, i % 60
        else printf "{\"a\":%d}\n", i }
    for (i = 1; i <= 900; i++) printf "{\"b\":%d%s}\n", i, i % 9 ? "" : "," > "b.jsonl" }' >a.jsonl
"$LIQ" --splits 5 a.jsonl b.jsonl >u5
units ab a.jsonl b.jsonl
for u in u5 ab; do
    same "warnings over inputs ($u)" 'stats count(*), sum(a) by bin(1h)' $u "a.jsonl b.jsonl" \
        --max-line 1024
done
if grep -q 'a.jsonl: 857 records look like JSON' one.err && grep -q 'b.jsonl: 100 records' one.err &&
    grep -q 'b.jsonl: no record has a @timestamp' one.err && ! grep -q 'a.jsonl: no record' one.err &&
    grep -q '^liq: error: 11 records longer than --max-line' one.err; then
    ok "one run's warnings count over whole inputs"
else
    not_ok "one run's warnings are not the expected ones"; show one.err
fi
cd .. || exit 1

q='stats count(*) as c by k'
"$LIQ" --partial "$q" a.jsonl >a.part
"$LIQ" --partial --part-index 1 "$q" b.jsonl >b.part

run --merge 'stats count(*) as c by n' a.part b.part
expect_rc 2 "another query"
expect_err_has "made by another query or with other options" "another query"
expect_out_empty "another query"
run --merge --tz Europe/Paris "$q" a.part
expect_rc 2 "another --tz"
damaged a.part b.part 100 80 "$q"
cp a.part v9.part
printf '\011' | dd of=v9.part bs=1 seek=4 conv=notrunc 2>/dev/null
run --merge "$q" v9.part
expect_rc 2 "format version 9"
expect_err_has "has format version 9" "format version 9"
run --merge "$q" a.jsonl
expect_rc 3 "a log file given to --merge"
expect_err_has "is not a liq partial result" "a log file given to --merge"
cat a.part cut.part >two.part
run --merge "$q" two.part
expect_rc 3 "the second partial of a stream is cut"
expect_err_has "two.part: partial 2 is truncated" "the second partial of a stream is cut"

"$LIQ" --partial "$q" a.jsonl missing.jsonl >m.part 2>m.err
rc=$?
expect_rc 0 "--partial with a missing input writes its partial"
run --merge --format csv "$q" m.part b.part
expect_rc 3 "the merge of a partial that did not read an input"
expect_err_has "missing.jsonl: No such file or directory" "the partial's diagnostic"
expect_err_has "some input was not fully read" "the merge"
if [ -s "$tmp/out" ]; then ok "the merge writes the results it has"; else
    not_ok "the merge wrote nothing"; fi

run --partial 'fields k | filter k in (SOURCE "x" | fields k)' a.jsonl
expect_rc 2 "a subquery"
expect_err_has "--partial cannot split this query: a subquery" "a subquery"
run --partial --format csv "$q" a.jsonl
expect_rc 2 "--partial with --format"
run --part-index 3 "$q" a.jsonl
expect_rc 2 "--part-index without --partial"
run --partial --part-index 4096 "$q" a.jsonl
expect_rc 2 "--part-index 4096"
run --partial --merge "$q" a.jsonl
expect_rc 3 "--merge --partial of a log file"
expect_err_has "is not a liq partial result" "--merge --partial of a log file"
run --partial --merge --part-index 2 "$q" a.part
expect_rc 2 "--merge --partial --part-index"

# incomplete input travels through a merge tree: the inner merge exits 0, the last prints
"$LIQ" --merge --partial "$q" m.part >mt.part 2>mt.err
rc=$?
expect_rc 0 "--merge --partial of a partial that did not read an input"
run --merge --format csv "$q" mt.part b.part
expect_rc 3 "a merge tree over a partial that did not read an input"
expect_err_has "missing.jsonl: No such file or directory" "the diagnostic, through the tree"
# a field no record of one part has but the others' do: no warning, as one run; one no
# record of any part has: the warning and hint of one run (the parts' censuses merged), also
# through a merge tree
printf '%s\n' 'plain text line one' 'plain text line two' >text.log
for cq in 'stats count(*) as c by k' 'stats count(*) as c by kk' 'filter ispresent(pad) | fields k, pad | limit 3'; do
    "$LIQ" --format csv "$cq" a.jsonl text.log >one.csv 2>one.err
    "$LIQ" --partial --part-index 0 "$cq" a.jsonl >ca.part
    "$LIQ" --partial --part-index 1 "$cq" text.log >ct.part
    "$LIQ" --merge --format csv "$cq" ct.part ca.part >m.csv 2>m.err
    "$LIQ" --merge --partial "$cq" ct.part >ctt.part
    "$LIQ" --merge --format csv "$cq" ctt.part ca.part >mt.csv 2>mt.err
    if cmp -s one.err m.err && cmp -s one.csv m.csv && cmp -s one.err mt.err && cmp -s one.csv mt.csv; then
        ok "census over parts ($cq): the warnings of one run ($(wc -l <one.err) lines)"
    else
        not_ok "census over parts ($cq): other warnings"; diff one.err m.err | show /dev/stdin
        diff one.err mt.err | show /dev/stdin
    fi
done

# a census that does not decode (its CRC made right again): corrupt, exit 3, nothing written
/usr/bin/python3 - ca.part badc.part <<'PY'
import struct, sys, zlib
b = bytearray(open(sys.argv[1], "rb").read())
i = b.index(b"LIQC")
# the count of watched names: more than the bytes that follow
b[i + 5:i + 9] = struct.pack("<I", 0x7FFFFFFF)
b[-4:] = struct.pack("<I", zlib.crc32(bytes(b[:-4])) & 0xFFFFFFFF)
open(sys.argv[2], "wb").write(b)
PY
run --merge --format csv "$cq" badc.part
expect_rc 3 "a partial whose census does not decode"
expect_err_has "census of fields does not decode" "a partial whose census does not decode"
expect_out_empty "a partial whose census does not decode"

# the same part index twice (a --part-index left out): a warning, the merge still runs
"$LIQ" --partial "$q" b.jsonl >b0.part
run --merge --format csv "$q" a.part b0.part
expect_rc 0 "two partials of part index 0"
expect_err_has "a.part (partial 1) and b0.part (partial 1) both have part index 0" "two partials of part index 0"
run --merge -q --format csv "$q" a.part b0.part
expect_err_empty "two partials of part index 0, -q"
run --merge --format csv "$q" a.part b.part
expect_err_empty "partials of part indexes 0 and 1"

# a stats partial's groups go to hash partitions on disk while it merges: in --temp-dir (else
# TMPDIR); a directory that cannot hold them stops the merge with the run's message for a
# spill file (exit 4, nothing written), not with 'corrupt'
"$LIQ" --format csv "$q" a.jsonl b.jsonl >td.want
TMPDIR=$tmp/none "$LIQ" --merge --format csv --temp-dir "$tmp" "$q" a.part b.part >td.csv 2>td.err
if [ $? -eq 0 ] && cmp -s td.want td.csv; then ok "--merge spills to --temp-dir (TMPDIR missing)"
else not_ok "--merge spills to --temp-dir (TMPDIR missing)"; show td.err; fi
TMPDIR=$tmp/none "$LIQ" --merge --format csv "$q" a.part b.part </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$? # (run, a function, would keep TMPDIR set in some shells)
expect_rc 4 "--merge with a temporary directory that does not exist"
expect_err_has "a.part: partial 1: cannot write a spill file in $tmp/none: No such file or directory" \
    "--merge with a temporary directory that does not exist"
expect_out_empty "--merge with a temporary directory that does not exist"

[ $failures -eq 0 ]
