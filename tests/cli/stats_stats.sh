#!/bin/sh
# stats_stats.sh -- CLI test: 'stats ... | stats ...' leaves the first stats' groups unordered
# when the second reads only their counts (issue 21)
#
# Sorting millions of groups by the natural order of their keys was most of the time of
# 'stats count(*) as n by u | stats count(*) by n'. The first stats skips that sort when the
# second reads nothing but integral results (count, count_distinct) of it: --explain says so on
# the first stats' line. The answer must be the one of the sorted path, which a 'fields' between
# the two keeps (checked at 1 and 2 threads, with tiny batches, and spilled under a small
# --memory-limit). A second stats that reads a group key or a min (values whose spelling the
# order of the rows could decide) keeps the sort.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 pass, 1 fail.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-cli-stats-stats.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

. "$SRCDIR/tests/cli/out_lib.sh"

# 60,000 records, 20,000 users (u0 .. u19999, their counts 1 to 5), a second key g
awk 'BEGIN { for (i = 0; i < 60000; i++) { u = (i * 7919) % 20000; if (i % 11 == 0) u = i % 97
    printf "{\"u\":\"u%d\",\"g\":%d,\"x\":%d}\n", u, i % 5, i % 13 } }' >"$tmp/in.jsonl"

unordered='(groups unordered: the next stats reads only their counts)'
# explained DESC YES|NO QUERY: whether --explain says the first stats skips its sort
explained() {
    if "$LIQ" --explain "$3" "$tmp/in.jsonl" | grep -F -q "$unordered"; then got=YES; else got=NO; fi
    check "$1" "$2" "$got"
}
explained "count by count: unordered" YES \
    'stats count(*) as n by u | stats count(*) as users by n'
explained "aggregates of counts, no key: unordered" YES \
    'stats count(*) as n, count_distinct(g) as d by u | stats max(n), sum(n), pct(n, 50), min(d)'
explained "a key of the first read by the second: sorted" NO \
    'stats count(*) as n by u, g | stats count(*) by u'
explained "a min of the first read by the second: sorted" NO \
    'stats min(x) as m by u | stats count(*) by m'
explained "a fields between: sorted" NO \
    'stats count(*) as n by u | fields n | stats count(*) by n'
explained "a sum (not integral by type) read: sorted" NO \
    'stats sum(x) as s by u | stats count(*) by s'

# same DESC Q1 Q2 [OPTIONS]: both queries print the same rows
same() {
    desc=$1 q1=$2 q2=$3
    shift 3
    "$LIQ" "$@" "$q1" "$tmp/in.jsonl" >"$tmp/a" 2>&1
    "$LIQ" "$@" "$q2" "$tmp/in.jsonl" >"$tmp/b" 2>&1
    if cmp -s "$tmp/a" "$tmp/b" && [ -s "$tmp/a" ]; then r=same; else r="differ: $(diff "$tmp/a" "$tmp/b" | head -5)"; fi
    check "$desc" same "$r"
}
for opts in "--threads 1" "--threads 2" "--threads 3 --debug-batch-rows 7" "--threads 2 --memory-limit 2M"; do
    # shellcheck disable=SC2086 # the options are words
    same "count by count ($opts)" \
        'stats count(*) as n by u | stats count(*) as users by n | sort n' \
        'stats count(*) as n by u | fields n | stats count(*) as users by n | sort n' $opts
    # shellcheck disable=SC2086
    same "aggregates of counts ($opts)" \
        'stats count(*) as n, count_distinct(g) as d by u | stats max(n), sum(n), avg(n), pct(n, 90), min(d), count(*) by d' \
        'stats count(*) as n, count_distinct(g) as d by u | fields n, d | stats max(n), sum(n), avg(n), pct(n, 90), min(d), count(*) by d' $opts
done
# the answer itself, worked out by awk
want=$(awk -F'"' '{ c[$4]++ } END { for (u in c) h[c[u]]++; for (k in h) print k, h[k] }' \
    "$tmp/in.jsonl" | sort -n | tr '\n' ' ')
got=$("$LIQ" --format tsv --no-header 'stats count(*) as n by u | stats count(*) as users by n' \
    "$tmp/in.jsonl" | tr '\t\n' '  ')
check "count by count: the histogram of counts" "$want" "$got"

echo "1..$n"
[ "$failures" -eq 0 ]
