#!/bin/sh
# out_progress.sh -- CLI test: --stats=verbose (rows and time per operator) and the progress bar
#
# --stats=verbose prints, after the --stats totals, one line per stage of the plan: pipeline,
# name, rows in and out (exact, the same at every thread count), seconds (present), and the
# command as written. The progress bar is drawn on stderr only when stderr is a terminal (so
# never here, unless forced), never with -q; --progress forces it through a pipe, where it
# ends with one final line: bytes of the total, the percentage, the rate and ETA; with stdin
# (size unknown) only bytes and rate. stdout is never touched by either.
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

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-out-progress.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# ===== helpers =====
. "$SRCDIR/tests/cli/out_lib.sh"

# 5000 records: every 10th an ERROR, 7 services
awk 'BEGIN { for (i = 1; i <= 5000; i++)
    printf "{\"level\":\"%s\",\"n\":%d,\"svc\":\"s%d\"}\n", i % 10 ? "INFO" : "ERROR", i, i % 7 }' \
    >"$tmp/app.json"

# ===== --stats=verbose =====
q='filter level = "ERROR" | filter n > 1000 | stats count(*) as c by svc | filter c > 57 | sort svc desc'
for t in 1 4; do
    run --stats=verbose --format csv --threads $t --debug-batch-rows 100 "$q" "$tmp/app.json"
    expect_rc 0 "--stats=verbose, --threads $t"
    want 'svc,c' 's2,58'
    expect_out "--stats=verbose, --threads $t"
    # times vary: T; the commands as written are checked apart (their text is the planner's)
    grep '^liq: stats: \[' "$tmp/err" | sed 's/, [0-9][0-9]*\.[0-9][0-9][0-9] s/, T s/; s/  (.*)$//' \
        >"$tmp/ops"
    printf '%s\n' \
        'liq: stats: [0] scan: 5000 rows in, 5000 out, T s' \
        'liq: stats: [0] prefilter: 5000 rows in, 500 out, T s' \
        'liq: stats: [0] filter: 500 rows in, 500 out, T s' \
        'liq: stats: [0] filter: 500 rows in, 400 out, T s' \
        'liq: stats: [0] stats: 400 rows in, 7 out, T s' \
        'liq: stats: [1] rows: 7 rows in, 7 out, T s' \
        'liq: stats: [1] filter: 7 rows in, 1 out, T s' \
        'liq: stats: [1] sort: 1 rows in, 1 out, T s' \
        'liq: stats: [2] rows: 1 rows in, 1 out, T s' \
        'liq: stats: [2] output: 1 rows in, 1 out, T s' >"$tmp/want_ops"
    if cmp -s "$tmp/want_ops" "$tmp/ops"; then ok "--stats=verbose, --threads $t: operators"
    else not_ok "--stats=verbose, --threads $t: operators differ"
        diff -u "$tmp/want_ops" "$tmp/ops" | show /dev/stdin; fi
    if grep -Eq '^liq: stats: \[0\] filter: 500 rows in, 400 out, [0-9]+\.[0-9]{3} s  \(filter n > 1000\)$' \
        "$tmp/err"; then ok "--stats=verbose, --threads $t: seconds and the command"
    else not_ok "--stats=verbose, --threads $t: no seconds or command"; show "$tmp/err"; fi
    expect_err_has 'liq: stats: 5000 records scanned, 400 matched, 1 rows out' \
        "--stats=verbose, --threads $t: totals first"
done

# a streaming query: time range, output rows after the sequencer's limit
run --stats=verbose --format csv --start 0 --end now 'fields n | limit 3' "$tmp/app.json"
expect_err_has 'liq: stats: [0] time range: 5000 rows in, 0 out' "--stats=verbose: time range"
expect_err_has 'liq: stats: [0] output: 0 rows in, 0 out' "--stats=verbose: output"

run --stats=verbose --stats 'stats count(*)' "$tmp/app.json"
if grep -q '^liq: stats: \[' "$tmp/err"; then not_ok "a later --stats: no operators"
else ok "a later --stats: no operators"; fi
run --stats=fast 'stats count(*)' "$tmp/app.json"
expect_rc 2 "--stats=fast"

# ===== the progress bar =====
size=$(wc -c <"$tmp/app.json" | tr -d ' ')
run --progress --format csv 'stats count(*) as n' "$tmp/app.json"
expect_rc 0 "--progress"
want 'n' '5000'
expect_out "--progress: stdout untouched"
tr '\r' '\n' <"$tmp/err" | grep -v '^$' | tail -n 1 >"$tmp/last"
if grep -Eq "^\[#+\]  100%  [0-9.]+ kB of [0-9.]+ kB  [0-9.]+ [kMG]?B/s  ETA 0:00 *$" "$tmp/last"
then ok "--progress: a final line, 100%"
else not_ok "--progress: no final line"; show "$tmp/err"; fi
if [ "$(tail -c 1 "$tmp/err" | od -An -c | tr -d ' ')" = '\n' ]; then
    ok "--progress: the final line ends"; else not_ok "--progress: no newline at the end"; fi

gzip -c "$tmp/app.json" >"$tmp/app.json.gz"
gz=$(wc -c <"$tmp/app.json.gz" | tr -d ' ')
run --progress --format csv 'stats count(*) as n' "$tmp/app.json.gz"
tr '\r' '\n' <"$tmp/err" | grep -v '^$' | tail -n 1 >"$tmp/last"
kb=$(awk -v b="$gz" 'BEGIN { printf "%.1f kB", b / 1000 }')
if grep -q "100%  $kb of $kb" "$tmp/last"; then ok "--progress: compressed bytes of a .gz"
else not_ok "--progress: not $kb of $kb"; show "$tmp/last"; fi

"$LIQ" --progress --format csv 'stats count(*) as n' <"$tmp/app.json" >"$tmp/out" 2>"$tmp/err"
tr '\r' '\n' <"$tmp/err" | grep -v '^$' | tail -n 1 >"$tmp/last"
kb=$(awk -v b="$size" 'BEGIN { printf "%.1f kB", b / 1000 }')
if grep -Eq "^$kb  [0-9.]+ [kMG]?B/s *$" "$tmp/last"; then ok "--progress: stdin, no total"
else not_ok "--progress: stdin"; show "$tmp/last"; fi

# never in a pipe by default, never with --no-progress or -q
for args in "" "--no-progress" "--progress -q" "--progress --no-progress"; do
    # shellcheck disable=SC2086
    run $args --format csv 'stats count(*) as n' "$tmp/app.json"
    expect_err_empty "no bar: '$args'"
done

finish
