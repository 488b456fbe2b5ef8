#!/bin/sh
# memory.sh -- CLI test: --memory-limit (issue 15, docs/memory.md)
#
# States that grow with distinct values (stats groups, dedup keys, sort rows, pattern
# clusters, rows held by window commands, join and unnest, subquery tables) are charged to the
# run's memory budget; a query whose pattern, single stats group, window command, join, unnest
# or subquery table needs more than --memory-limit stops with exit 5 (stats by keys, dedup and
# sort spill: tests/cli/spill.sh) and a message naming the operator and the limit, and
# writes no row of its result, at every thread count. Bounded states (sort | limit, stats
# without by) run under a tiny limit; 0 and none lift it; bad sizes are usage errors.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-cli-memory.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

. "$SRCDIR/tests/cli/out_lib.sh"

# 30000 records, 30000 distinct users (two spellings of nothing: one key each)
# and messages of 30000 templates (words of letters only: no variable a pattern masks)
awk 'BEGIN { for (i = 1; i <= 30000; i++) {
    w = ""; for (j = i; j > 0; j = int(j / 26)) w = w substr("abcdefghijklmnopqrstuvwxyz", j % 26 + 1, 1)
    printf "{\"user\":\"user-%06d\",\"ms\":%d,\"msg\":\"request %s failed\"}\n", i, i % 997, w } }' \
    >"$tmp/in.jsonl"

# stops QUERY OP: under --memory-limit 256K the query stops at OP with exit 5, no rows
stops() {
    for t in 1 2 4; do
        run --threads "$t" --format ndjson --memory-limit 256K "$1" "$tmp/in.jsonl"
        expect_rc 5 "$2 (--threads $t)"
        expect_out_empty "$2 (--threads $t)"
        expect_err_has "liq: error: $2 needs more than the memory limit (--memory-limit 256K)" \
            "$2 (--threads $t)"
        expect_err_has "hint: raise --memory-limit" "$2 (--threads $t)"
    done
}
stops 'stats pct(ms, 50)' stats
stops 'pattern msg' pattern
stops 'relevantfields user, ms where ms > 500' relevantfields # every value is kept (exact scores)

# pattern | anomaly keeps time cells and values per group: 40 groups of up to 512 cells per
# numeric position hold about 6 MB; charged, they stop at 1M (before: 40 groups counted as
# a few KB, the run held 6 MB under --memory-limit 1M with exit 0)
awk 'BEGIN { for (i = 1; i <= 30000; i++) { k = i % 40; w = ""
    for (j = k + 1; j > 0; j = int(j / 26)) w = w substr("abcdefghijklmnopqrstuvwxyz", j % 26 + 1, 1)
    printf "{\"@timestamp\":%d000,\"msg\":\"svc %s request took %d ms code %d\"}\n", 1700000000 + i * 7, w, i % 331, 200 + i % 7 } }' \
    >"$tmp/an.jsonl"
for t in 1 2; do
    run --threads "$t" --memory-limit 1M 'pattern msg | anomaly' "$tmp/an.jsonl"
    expect_rc 5 "pattern | anomaly (--threads $t)"
    expect_err_has "liq: error: pattern needs more than the memory limit (--memory-limit 1M)" \
        "pattern | anomaly (--threads $t)"
done
run --memory-limit 16M 'pattern msg | anomaly' "$tmp/an.jsonl"
expect_rc 0 "pattern | anomaly under 16M"

# rows held before a breaker's end are charged as they come, not when it ends (issue 15): the
# window commands, join and unnest stop with exit 5 naming the command, having held little
# more than the limit (before: the whole input, 4-6 MB here, and 'window' named); a subquery's
# table of values is charged too (before: uncharged, the count 30000 printed with exit 0)
held_stops() { # QUERY OP: stops at OP under 256K at 1, 2, 4 threads, no row, at most 2 MB held
    for t in 1 2 4; do
        run --threads "$t" --format ndjson --memory-limit 256K --stats --log-group app="$tmp/in.jsonl" "$1"
        expect_rc 5 "$2 (--threads $t)"
        expect_err_has "liq: error: $2 needs more than the memory limit (--memory-limit 256K)" \
            "$2 (--threads $t)"
        if grep -q '^{' "$tmp/out"; then not_ok "$2 (--threads $t): rows written"; else
            ok "$2 (--threads $t): no row written"; fi
        held=$(sed -n 's/.*states held at most .* (\([0-9]*\) bytes).*/\1/p' "$tmp/err")
        if [ -n "$held" ] && [ "$held" -le 2097152 ]; then ok "$2 (--threads $t): held $held bytes"; else
            not_ok "$2 (--threads $t): held '$held' bytes, over 2 MB"; show "$tmp/err"; fi
    done
}
held_stops 'SOURCE "app" | accum ms' accum
held_stops 'SOURCE "app" | sessionize user' sessionize
held_stops 'SOURCE "app" | filldown ms' filldown
held_stops 'SOURCE "app" | join type=left left=a right=b where a.user = b.user (SOURCE "app" | filter ms < 10 | fields user) | stats count(*)' join
for t in 1 2; do
    run --threads "$t" --memory-limit 256K --log-group app="$tmp/in.jsonl" \
        'SOURCE "app" | filter user in (SOURCE "app" | fields user) | stats count(*)'
    expect_rc 5 "subquery's table (--threads $t)"
    expect_err_has "liq: error: subquery needs more than the memory limit (--memory-limit 256K)" \
        "subquery's table (--threads $t)"
    expect_err_has "hint: raise --memory-limit" "subquery's table (--threads $t)"
    if grep -q '^[0-9]' "$tmp/out"; then not_ok "subquery's table (--threads $t): a count was written"; else
        ok "subquery's table (--threads $t): no count written"; fi
done
# ... and counts against the outer run: --stats shows the small set held
run --memory-limit 1M --stats --log-group app="$tmp/in.jsonl" \
    'SOURCE "app" | filter user in (SOURCE "app" | filter ms < 10 | fields user) | stats count(*)'
expect_rc 0 "a small subquery table"
held=$(sed -n 's/.*states held at most .* (\([0-9]*\) bytes).*/\1/p' "$tmp/err")
if [ -n "$held" ] && [ "$held" -ge 16384 ]; then ok "the subquery's table is charged ($held bytes)"; else
    not_ok "the subquery's table is not charged ('$held' bytes)"; show "$tmp/err"; fi

# a lookup table (read when the query compiles) counts against every run's limit: 30000 rows
# of 1.3 MB stop under 256K (before: uncharged, the counts printed with exit 0), and fit 4M
awk 'BEGIN { print "user,team,note"; for (i = 1; i <= 30000; i++)
    printf "user-%06d,team%d,a note about this user %d\n", i, i % 7, i }' >"$tmp/users.csv"
for t in 1 2; do
    run --threads "$t" --memory-limit 256K --lookup users="$tmp/users.csv" \
        'lookup users user OUTPUT team | stats count(*) by team' "$tmp/in.jsonl"
    expect_rc 5 "lookup table (--threads $t)"
    expect_err_has "liq: error: lookup needs more than the memory limit (--memory-limit 256K)" \
        "lookup table (--threads $t)"
    if grep -q '^team[0-9]' "$tmp/out"; then not_ok "lookup table (--threads $t): rows written"; else
        ok "lookup table (--threads $t): no row written"; fi
done
run --memory-limit 4M --stats --lookup users="$tmp/users.csv" \
    'lookup users user OUTPUT team | stats count(*) by team' "$tmp/in.jsonl"
expect_rc 0 "lookup table under 4M"
held=$(sed -n 's/.*states held at most .* (\([0-9]*\) bytes).*/\1/p' "$tmp/err")
if [ -n "$held" ] && [ "$held" -ge 1000000 ]; then ok "the lookup table is charged ($held bytes)"; else
    not_ok "the lookup table is not charged ('$held' bytes)"; show "$tmp/err"; fi

# the same queries without a limit, and with one large enough: the same rows
for lim in 0 none 1G; do
    run --threads 2 --format ndjson --memory-limit $lim 'stats count(*) by user' "$tmp/in.jsonl"
    expect_rc 0 "--memory-limit $lim"
    if [ "$(wc -l <"$tmp/out")" -eq 30000 ]; then ok "--memory-limit $lim: 30000 groups"; else
        not_ok "--memory-limit $lim: $(wc -l <"$tmp/out") groups"; fi
done

# bounded states fit a tiny limit: sort | limit holds max(2N, 1024) rows, stats without by one
run --threads 2 --memory-limit 256K 'sort user desc | limit 3 | fields user' "$tmp/in.jsonl"
expect_rc 0 "sort | limit under 256K"
want user user-030000 user-029999 user-029998
expect_out "sort | limit under 256K"
run --threads 2 --memory-limit 64K 'stats count(*), sum(ms)' "$tmp/in.jsonl"
expect_rc 0 "stats without by under 64K"
want 'count(*)	sum(ms)' "30000	$(awk 'BEGIN { for (i = 1; i <= 30000; i++) s += i % 997; print s }')"
expect_out "stats without by under 64K"

# a later stage is charged too: the stats fits, the rows it hands on and the sort do not
run --threads 1 --memory-limit 2M 'stats count(*) as n by ms | sort n desc' "$tmp/in.jsonl"
expect_rc 0 "stats by 997 keys | sort under 2M"
run --threads 1 --format ndjson --memory-limit 2M 'fields user | sort user | stats count(*) by user' "$tmp/in.jsonl"
expect_rc 0 "sort (spilled), then stats (spilled)"
if [ "$(wc -l <"$tmp/out")" -eq 30000 ]; then ok "sort, then stats: 30000 groups"; else
    not_ok "sort, then stats: $(wc -l <"$tmp/out") groups"; fi
# dedup holds the rows it keeps, not every row it saw: 997 keys over 30000 rows fit 1M
run --threads 2 --format ndjson --memory-limit 1M 'dedup ms | fields ms' "$tmp/in.jsonl"
expect_rc 0 "dedup of 997 keys under 1M"
if [ "$(wc -l <"$tmp/out")" -eq 997 ]; then ok "dedup of 997 keys: 997 rows"; else
    not_ok "dedup of 997 keys: $(wc -l <"$tmp/out") rows"; fi

# --stats tells the most the states held
run --stats 'stats count(*) by user' "$tmp/in.jsonl"
expect_rc 0 "--stats"
expect_err_has "liq: stats: states held at most" "--stats"

# sizes
for bad in 12X -1 '' 1.5.5 MB; do
    run --memory-limit "$bad" 'stats count(*)' "$tmp/in.jsonl"
    expect_rc 2 "--memory-limit '$bad'"
    expect_err_has "--memory-limit takes a size" "--memory-limit '$bad'"
done
for good in 1048576 1024K 1M 1MB 1MiB 0.5G 1g; do
    run --memory-limit "$good" 'stats count(*)' "$tmp/in.jsonl"
    expect_rc 0 "--memory-limit '$good'"
done

finish
