#!/bin/sh
# gen_partial_seeds.sh -- writes the seeds of fuzz_partial (fuzz/corpus/partial/qN-*) anew
#
# Usage: fuzz/gen_partial_seeds.sh LIQ [CORPUS_DIR]   (default: fuzz/corpus/partial beside it)
#
# For each query of fuzz/fuzz_partial.c (their order there, N from 0): two parts of a small
# generated log (fields k, x, m, @timestamp; some records not JSON, some without a field, so
# the census and the tally travel too) as real partials (qN-partial0, qN-partial1: selector
# bytes N and 1, then the container), both concatenated (qN-stream), and the states alone
# (qN-state0, qN-state1: selector bytes N and 0, then the container's body) for the queries
# with a breaker. Run it after a change of the partial format; the queries here must be
# fuzz_partial.c's.
#
# SPDX-License-Identifier: Apache-2.0
set -eu
liq=${1:?usage: $0 LIQ [CORPUS_DIR]}
out=$(cd "${2:-$(dirname "$0")/corpus/partial}" && pwd)
case $liq in /*) ;; *) liq=$(pwd)/$liq ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-seeds.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
awk 'BEGIN { srand(3)
    for (i = 0; i < 60; i++) {
        f = "p" (i < 30 ? 0 : 1) ".jsonl"
        t = 1717200000 + i * 1800
        if (i % 13 == 5) { printf "{\"k\":\"k%d\",}\n", i % 4 > f; continue }
        if (i < 25) m = sprintf("GET /a/%d status=%d latency=%dms", i, 200, 20 + i % 7)
        else if (i > 54) m = "ERROR disk full vol" i % 3
        else m = sprintf("user %s in", substr("abcdef", 1 + i % 6, 1))
        printf "{\"@timestamp\":%d000,\"k\":\"k%d\",%s\"m\":\"%s\"}\n", t, i % 4,
            i % 9 ? sprintf("\"x\":%s,", i % 11 ? sprintf("%.2f", rand() * 10) : "\"s\"") : "",
            m > f
    } }'
# the queries, in fuzz_partial.c's order
n=0
while IFS= read -r q; do
    for k in 0 1; do
        "$liq" --partial --part-index $k "$q" p$k.jsonl >c$k 2>/dev/null
        { printf "\\$(printf %o $n)\\001"; cat c$k; } >"$out/q$n-partial$k"
        if [ "$q" != "filter x > 1 | fields k, x" ]; then # a state: the container's body
            /usr/bin/python3 -c 'import struct, sys
b = open(sys.argv[1], "rb").read()
d, body = struct.unpack_from("<IQ", b, 52)[0], struct.unpack_from("<Q", b, 56)[0]
sys.stdout.buffer.write(bytes([int(sys.argv[2]), 0]) + b[64 + d:64 + d + body])' \
                c$k $n >"$out/q$n-state$k"
        fi
    done
    { printf "\\$(printf %o $n)\\001"; cat c0 c1; } >"$out/q$n-stream"
    n=$((n + 1))
done <<'Q'
stats count(*) as c, count(x) as cx, sum(x), avg(x), stddev(x), min(x), max(x), pct(x, 50), count_distinct(x), earliest(x), latest(x), sortsFirst(x), sortsLast(x) by k
sort x desc | limit 5
dedup k
accum x as total
filter x > 1 | fields k, x
pattern m | anomaly
pattern m
relevantfields where x > 1
sort k, x desc
Q
echo "gen_partial_seeds.sh: $n queries' seeds in $out"
