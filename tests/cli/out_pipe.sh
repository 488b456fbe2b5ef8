#!/bin/sh
# out_pipe.sh -- CLI test: pipes, SIGPIPE, write errors, exit codes of the output options
#
# 'liq ... | head -1' must end with exit 0 (or 141 when killed by SIGPIPE) and print nothing
# on stderr, in every format and for streaming and stats queries alike; a write error other
# than a closed pipe (a full disk: /dev/full) is exit 4 with one line on stderr. The options of
# the output issue refuse bad values with exit 2 before reading any input.
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

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-out-pipe.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# ===== helpers =====
. "$SRCDIR/tests/cli/out_lib.sh"

# ===== input: 200000 records, far more than a pipe buffer holds =====
awk 'BEGIN { for (i = 0; i < 200000; i++)
    printf "{\"i\":%d,\"k\":\"key%d\",\"msg\":\"a fairly long message to fill the pipe %d\"}\n", i, i % 7, i }' \
    >"$tmp/big.log"

# pipe_head ARGS...: liq ARGS | head -n 1; $rc = liq's exit status, $tmp/out, $tmp/err
pipe_head() {
    { "$LIQ" "$@" 2>"$tmp/err" </dev/null; echo $? >"$tmp/rc"; } | head -n 1 >"$tmp/out"
    rc=$(cat "$tmp/rc")
}
quiet_pipe() {
    if [ "$rc" -eq 0 ] || [ "$rc" -eq 141 ]; then ok "$1: exit $rc (0 or 141)"; else
        not_ok "$1: exit $rc, expected 0 or 141"; show "$tmp/err"; fi
    expect_err_empty "$1"
}

for fmt in csv tsv ndjson json table; do
    pipe_head --format "$fmt" 'fields i, msg' "$tmp/big.log"
    quiet_pipe "| head -1, $fmt"
done
pipe_head --format csv --threads 1 'fields i, msg' "$tmp/big.log"
quiet_pipe "| head -1, one thread"
want 'i,msg'
expect_out "| head -1: the header row"
pipe_head --format csv 'stats count(*) by i' "$tmp/big.log"
quiet_pipe "| head -1, stats with 200000 groups"
pipe_head --format csv --chart-svg "$tmp/x.svg" 'stats count(*) by i' "$tmp/big.log"
quiet_pipe "| head -1, rows after --chart-svg"
pipe_head --chart 'stats count(*) by k' "$tmp/big.log"
quiet_pipe "| head -1, --chart"

# ===== write errors other than a closed pipe =====
if [ -w /dev/full ]; then
    for fmt in csv table json; do
        "$LIQ" --format "$fmt" 'fields i' "$tmp/big.log" >/dev/full 2>"$tmp/err" </dev/null
        rc=$?
        expect_rc 4 "/dev/full, $fmt"
        expect_err_has "liq: error: cannot write the results: No space left on device" \
            "/dev/full, $fmt"
    done
    printf '{"i":1}\n' >"$tmp/one.log"
    "$LIQ" --format csv 'fields i' "$tmp/one.log" >/dev/full 2>"$tmp/err" </dev/null
    rc=$?
    expect_rc 4 "/dev/full, a short result written at exit"
else
    echo "ok - /dev/full: skipped (not writable)"
fi

# ===== exit 2 for bad uses of the output options, before any input is read =====
# (the input is a FIFO nobody writes: opening it would hang)
mkfifo "$tmp/fifo"
check_usage() {
    desc=$1
    text=$2
    shift 2
    run "$@"
    expect_rc 2 "$desc"
    expect_out_empty "$desc"
    expect_err_has "$text" "$desc"
}
check_usage "--chart without stats" "--chart needs a query with stats" \
    --chart 'fields i' "$tmp/fifo"
check_usage "--chart-svg without stats" "--chart-svg needs a query with stats" \
    --chart-svg "$tmp/x.svg" 'filter i > 1' "$tmp/fifo"
check_usage "--chart with --format" "--chart draws instead of printing rows" \
    --chart --format csv 'stats count(*)' "$tmp/fifo"
check_usage "--chart and --chart-svg -" "both write to stdout" \
    --chart --chart-svg - 'stats count(*)' "$tmp/fifo"
check_usage "--chart-svg into a missing directory" "cannot write $tmp/no/such/dir.svg" \
    --chart-svg "$tmp/no/such/dir.svg" 'stats count(*)' "$tmp/fifo"
check_usage "--stats=bogus" "--stats takes no value, or 'verbose', not 'bogus'" \
    --stats=bogus 'fields i' "$tmp/fifo"
check_usage "--explain=1" "option '--explain=1' takes no value" \
    --explain=1 'fields i' "$tmp/fifo"
check_usage "--var without =" "--var takes NAME=VALUE" --var user 'fields i' "$tmp/fifo"
check_usage "--var with a bad name" "--var takes NAME=VALUE" --var '1x=2' 'fields i' "$tmp/fifo"
check_usage "--var with a dash" "--var takes NAME=VALUE" --var 'a-b=2' 'fields i' "$tmp/fifo"
check_usage "undefined \$name" "liq: error at 1:12: no value for '\$who'" \
    'filter k = $who' "$tmp/fifo"
printf '%s\n' "liq: error at 1:12: no value for '\$who'" '  filter k = $who' \
    '             ^^^^' '  hint: pass --var who=VALUE' >"$tmp/want"
if cmp -s "$tmp/want" "$tmp/err"; then ok "undefined \$name: the whole message"; else
    not_ok "undefined \$name: message differs"; diff -u "$tmp/want" "$tmp/err" | show /dev/stdin; fi
check_usage "unknown saved query" "no saved query 'nothing-here'" \
    @nothing-here "$tmp/fifo"

# a chart of a result without numbers: exit 2 after the run, with the reason
printf '%s\n' '{"k":"a"}' '{"k":"b"}' >"$tmp/keys.log"
run --chart 'stats count(*) as n by k | display k' "$tmp/keys.log"
expect_rc 2 "chart of a result without numbers"
expect_err_has "liq: error: cannot chart this result: no column of the result holds numbers" \
    "chart of a result without numbers"
# no rows: nothing to draw, not an error
run --chart 'filter k = "zzz" | stats count(*) by k' "$tmp/keys.log"
expect_rc 0 "chart of no rows"
expect_out_empty "chart of no rows"
expect_err_has "the query returned no rows: no chart drawn" "chart of no rows"
run -q --chart 'filter k = "zzz" | stats count(*) by k' "$tmp/keys.log"
expect_err_empty "chart of no rows, --quiet"
run --chart-svg "$tmp/none.svg" 'filter k = "zzz" | stats count(*) by k' "$tmp/keys.log"
expect_rc 0 "SVG of no rows"
if [ ! -e "$tmp/none.svg" ]; then ok "SVG of no rows: no file left"; else
    not_ok "SVG of no rows: an empty file was left"; fi

finish
