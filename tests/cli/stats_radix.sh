#!/bin/sh
# stats_radix.sh -- CLI test: stats over many groups, the partitioned merge (issue 21)
#
# Past 16384 groups a worker's stats table is partitioned by the top 4 bits of each group's
# hash, and the workers' tables are merged partition by partition on as many threads at the
# end (engine/exec/op_stats.c, "Partitioned merge"). The answer must not change: over 80,000
# records and about 40,000 distinct keys (a spread of counts, most keys in both files, a few
# hot ones), with a number key spelled two ways (7 and 7.0: one group, spelled by its earliest
# row), each query (groups ordered by their keys, a sort | limit, a sort without limit, two
# keys) gives the same bytes at --threads 1, at --threads 2, at --threads 2 with tiny batches
# (workers interleave), spilled under a small --memory-limit, and merged from two --partial
# results; the counts equal sort | uniq -c over the keys, and the top 10 equals the first 10
# rows of the whole sorted result. (tests/unit/test_stats.c checks the merge itself.)
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 pass, 1 fail.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-cli-stats-radix.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

. "$SRCDIR/tests/cli/out_lib.sh"

# 80,000 records in two files (a morsel each at least, so both workers build large tables):
# keys k<j> for j < 40000 (a spread of counts), every 50th record a hot key, every 97th the
# number 7 (written 7 or 7.0), a JSON-ish second key and a value to sum
awk -v d="$tmp" 'BEGIN { for (i = 0; i < 80000; i++) {
        j = (i * 7919) % 40000; if (i % 3 == 0) j = int(j / 3)
        f = d "/" (i < 40000 ? "a" : "b")
        if (i % 50 == 0) k = "\"hot" (i % 7) "\""; else if (i % 97 == 0) k = (i % 2 ? "7" : "7.0")
        else k = "\"k" j "\""
        printf "{\"k\":%s,\"g\":%d,\"x\":%d,\"pad\":\"%060d\"}\n", k, i % 3, i % 1000, i > (f ".jsonl")
        print (k ~ /^"/ ? substr(k, 2, length(k) - 2) : "7") > (f ".keys") } }'
in="$tmp/a.jsonl $tmp/b.jsonl"

# runs NAME QUERY: the query's output under every mode must be the same; prints it to NAME
runs() {
    name=$1 q=$2
    # shellcheck disable=SC2086
    "$LIQ" --format csv --threads 1 "$q" $in >"$tmp/$name.1" 2>"$tmp/err" || echo "exit $?" >>"$tmp/$name.1"
    # shellcheck disable=SC2086
    "$LIQ" --format csv --threads 2 "$q" $in >"$tmp/$name.2" 2>>"$tmp/err"
    # shellcheck disable=SC2086
    "$LIQ" --format csv --threads 2 --debug-batch-rows 7 "$q" $in >"$tmp/$name.b" 2>>"$tmp/err"
    # shellcheck disable=SC2086
    "$LIQ" --format csv --threads 2 --memory-limit 2M --temp-dir "$tmp" "$q" $in \
        >"$tmp/$name.s" 2>>"$tmp/err"
    "$LIQ" --threads 2 --partial --part-index 0 "$q" "$tmp/a.jsonl" >"$tmp/p1" 2>>"$tmp/err"
    "$LIQ" --threads 2 --partial --part-index 1 "$q" "$tmp/b.jsonl" >"$tmp/p2" 2>>"$tmp/err"
    "$LIQ" --format csv --merge "$q" "$tmp/p1" "$tmp/p2" >"$tmp/$name.m" 2>>"$tmp/err"
    for m in 2 b s m; do
        if cmp -s "$tmp/$name.1" "$tmp/$name.$m"; then r=same; else
            r="differ: $(diff "$tmp/$name.1" "$tmp/$name.$m" | head -4 | tr '\n' ' ')"; fi
        check "$name: --threads 1 and mode $m" same "$r"
    done
}

runs sorted 'stats count(*) as n, sum(x) as s, count_distinct(g) as d by k'
runs top 'stats count(*) as n by k | sort n desc | limit 10'
runs bysort 'stats count(*) as n, min(x) as lo by k | sort lo asc, n desc'
runs two 'stats count(*) as n by k, g | sort n desc, k | limit 25'

check "no diagnostics" "" "$(cat "$tmp/err")"
check "groups: as many as distinct keys" "$(sort -u "$tmp/a.keys" "$tmp/b.keys" | wc -l)" \
    "$(($(wc -l <"$tmp/sorted.1") - 1))"
# the counts, as sort | uniq -c gives them (keys in byte order; the 7 group as 7)
sort "$tmp/a.keys" "$tmp/b.keys" | uniq -c | awk '{ print $2 "," $1 }' >"$tmp/want"
sed 1d "$tmp/sorted.1" | cut -d, -f1,2 | sort >"$tmp/got"
if cmp -s "$tmp/want" "$tmp/got"; then r=same; else r="differ: $(diff "$tmp/want" "$tmp/got" | head -4 | tr '\n' ' ')"; fi
check "counts equal sort | uniq -c" same "$r"
# the top 10 by count (ties by the natural order of the key: k10 before k9)
"$LIQ" --format csv 'stats count(*) as n by k | sort n desc' $in | head -11 >"$tmp/want"
check "top 10 = the first 10 of the whole sort" "$(cat "$tmp/want")" "$(cat "$tmp/top.1")"

echo "1..$n"
[ "$failures" -eq 0 ]
