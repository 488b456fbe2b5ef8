#!/bin/sh
# out_defaults.sh -- CLI test: --insights-defaults (L1)
#
# Without stats and sort, the console shows the newest events first and at most 10000 of them:
# 'sort @timestamp desc' goes before the first dedup or limit (head too; dedup keeps the newest,
# limit N the newest N), else at the end (so after tail), and 'limit 10000' at the end. Queries
# with stats or sort are left alone; 'stats'/'sort' inside a regex, a string, a comment or as a
# field name are not commands. The stages are added to the compiled query (the text is compiled
# once): errors and warnings point into the query as written, each once.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed (each check prints an ok/not ok line).
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
unset COLUMNS

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-out-defaults.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# ===== helpers =====
. "$SRCDIR/tests/cli/out_lib.sh"

# ids in input order; newest first is 4 (:09), 5 (:07), 2 (:05), 1 (:02), 3 (:01). (Several
# fields commands show the union of their fields, so display picks the one column.)
{
    printf '%s\n' '{"ts":"2024-01-01T00:00:02Z","u":"a","id":1}'
    printf '%s\n' '{"ts":"2024-01-01T00:00:05Z","u":"b","id":2,"m":"stats and sort"}'
    printf '%s\n' '{"ts":"2024-01-01T00:00:01Z","u":"a","id":3}'
    printf '%s\n' '{"ts":"2024-01-01T00:00:09Z","u":"a","id":4}'
    printf '%s\n' '{"ts":"2024-01-01T00:00:07Z","u":"b","id":5,"m":"sort"}'
} >"$tmp/in.log"

# both QUERY WANT_DEFAULT WANT_INSIGHTS: the ids (one line, space-separated) without and with
# --insights-defaults
both() {
    run --format csv --no-header "$1" "$tmp/in.log"
    printf '%s\n' $2 >"$tmp/want"
    expect_out "$1"
    run --format csv --no-header --insights-defaults "$1" "$tmp/in.log"
    printf '%s\n' $3 >"$tmp/want"
    expect_out "$1 --insights-defaults"
}

both 'fields id' '1 2 3 4 5' '4 5 2 1 3'
both 'fields id, u | dedup u | display id' '1 2' '4 5'
both 'fields id | limit 2' '1 2' '4 5'
both 'filter u = "a" | fields id | limit 2 | fields id' '1 3' '4 1'
both 'fields id # a comment at the very end' '1 2 3 4 5' '4 5 2 1 3'
both 'filter m like /stats|sort/ | fields id' '2 5' '5 2'
both 'filter m = "stats and sort" or id = 1 | fields id' '1 2' '2 1'
both 'fields id, stats, sort | display id' '1 2 3 4 5' '4 5 2 1 3'
both 'FIELDS id | LIMIT 3' '1 2 3' '4 5 2'
both 'fields id | head 2' '1 2' '4 5'
both 'fields id | tail 2' '4 5' '4 5'
both 'fields id | tail 3' '3 4 5' '4 5 3'
# left alone: stats and sort (any case) already decide the order
both 'stats count(*) as n by u | fields n' '3 2' '3 2'
both 'fields id | sort id desc' '5 4 3 2 1' '5 4 3 2 1'
both 'fields id | SORT id' '1 2 3 4 5' '1 2 3 4 5'

run --insights-defaults --explain 'fields id | dedup u' "$tmp/in.log"
expect_out_has 'sort @timestamp desc' "--explain shows the added sort"
expect_out_has 'stops after 10000 rows' "--explain shows the cap"
run --insights-defaults --explain 'fields id | limit 2' "$tmp/in.log"
expect_out_has 'keeps the first 2 rows (top N)' "--explain: limit after the added sort is a top N"

# the cap: 10005 events, 10000 rows, the newest first
awk 'BEGIN { for (i = 0; i < 10005; i++)
    printf "{\"ts\":%d,\"id\":%d}\n", 1700000000000 + i * 1000, i }' >"$tmp/many.log"
run --format csv --no-header --insights-defaults 'fields id' "$tmp/many.log"
if [ "$(wc -l <"$tmp/out")" -eq 10000 ] && [ "$(head -n 1 "$tmp/out")" = 10004 ] &&
    [ "$(tail -n 1 "$tmp/out")" = 5 ]; then
    ok "cap at 10000 rows, newest first"
else
    not_ok "cap: $(wc -l <"$tmp/out") rows, first $(head -n 1 "$tmp/out")"
fi

# an error points into the query as written, with or without the option
run --format csv 'fields id | filter (u = 1' "$tmp/in.log"
cp "$tmp/err" "$tmp/err_plain"
run --format csv --insights-defaults 'fields id | filter (u = 1' "$tmp/in.log"
expect_rc 2 "error with --insights-defaults"
if cmp -s "$tmp/err_plain" "$tmp/err"; then ok "error: same message as without the option"; else
    not_ok "error: message differs"; diff -u "$tmp/err_plain" "$tmp/err" | show /dev/stdin; fi

# a warning of the query is printed once, as without the option
run --format csv --no-header 'fields bin(300s) as b | display id' "$tmp/in.log"
cp "$tmp/err" "$tmp/err_plain"
run --format csv --no-header --insights-defaults 'fields bin(300s) as b | display id' \
    "$tmp/in.log"
want 4 5 2 1 3
expect_out "a warning with --insights-defaults: rows"
if [ "$(grep -c 'warning at 1:12' "$tmp/err")" = 1 ] && cmp -s "$tmp/err_plain" "$tmp/err"; then
    ok "a warning with --insights-defaults: once, as without the option"
else
    not_ok "a warning with --insights-defaults"; show "$tmp/err"
fi

finish
