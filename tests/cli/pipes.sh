#!/bin/sh
# pipes.sh -- CLI test: rows of a streaming query reach stdout as records arrive (issue 14)
#
# `tail -f app.log | liq 'filter ...'`: a query whose rows stream (no stats, sort, dedup, ...)
# writes each record's row while its input is still open. Every check here is causal, not
# timed: liq reads a FIFO whose writer (this script, on fd 3) writes the first records, waits
# until liq's output shows their rows, and only then writes the next ones and closes the FIFO.
# A liq that waits for the end of its input never shows the first rows, and the wait gives up
# (a hang guard of a few hundred tries, then 'not ok'). Covered: every output format (the
# table fixes its widths when the input pauses), several threads (rows in input order), the
# first line shorter than a compression magic number, timestamped text (multi-line records:
# the last record is handed on once the input pauses), pretty-printed JSON, a named FIFO as
# INPUT, and `limit N`, after which liq exits without waiting for the input to end.
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

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-pipes.XXXXXX")
trap 'exec 3>&-; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
trap "" PIPE # a liq that ended early must not end the script: its writes fail instead

# ===== helpers =====
. "$SRCDIR/tests/cli/out_lib.sh"

if ! command -v mkfifo >/dev/null 2>&1 || ! command -v timeout >/dev/null 2>&1; then
    echo "ok - pipes: skipped (mkfifo or timeout missing)"
    finish
fi

# start [--path] ARGS...: liq ARGS in the background ($pid) reading a new FIFO (on stdin, or
# named as its INPUT with --path), stdout in $tmp/out; this script writes the FIFO on fd 3
start() {
    rm -f "$tmp/fifo" "$tmp/out" "$tmp/err"
    mkfifo "$tmp/fifo"
    : >"$tmp/out"
    if [ "$1" = --path ]; then
        shift
        timeout 60 "$LIQ" "$@" "$tmp/fifo" </dev/null >"$tmp/out" 2>"$tmp/err" &
    else
        timeout 60 "$LIQ" "$@" <"$tmp/fifo" >"$tmp/out" 2>"$tmp/err" &
    fi
    pid=$!
    exec 3>"$tmp/fifo"
}
# await TEXT: 0 once liq's stdout holds TEXT; 1 when it still does not after 600 tries (a
# hang guard: a liq that holds its rows back until the input ends never shows them)
await() {
    _i=0
    while ! grep -qF -- "$1" "$tmp/out"; do
        _i=$((_i + 1))
        [ "$_i" -le 600 ] || return 1
        sleep 0.05
    done
    return 0
}
# stream DESC TEXT: the check that TEXT reached stdout while the input is still open
stream() {
    if await "$2"; then ok "$1: '$2' out before the input ended"; else
        not_ok "$1: '$2' not out while the input is open"; show "$tmp/out"; fi
}
# close: ends the input and waits for liq; $rc
close() {
    exec 3>&-
    wait "$pid"
    rc=$?
}

# ===== one line, a pause, then the rest: every format =====
for fmt in csv tsv ndjson json table; do
    start --format "$fmt" 'fields @message'
    printf 'a\n' >&3 # shorter than a compression magic number: no waiting for more bytes
    stream "$fmt" a
    printf 'bb\n' >&3
    close
    expect_rc 0 "$fmt"
    case $fmt in
    csv) want '@message' a bb ;;
    tsv) want '@message' a bb ;;
    ndjson) want '{"@message":"a"}' '{"@message":"bb"}' ;;
    json) want '[' '{"@message":"a"},' '{"@message":"bb"}' ']' ;;
    table) want '@message' '--------' a bb ;;
    esac
    expect_out "$fmt: all rows, in order"
    [ "$fmt" = table ] || expect_err_empty "$fmt"
done

# the table fixes its widths when the input pauses; a wider cell later widens its column from
# its row on (off a terminal always; on one while the line fits)
start --format table 'fields n, m'
printf '{"m":"first","n":1}\n' >&3
stream "table widths" first
printf '{"m":"a much longer message","n":22}\n{"m":"z","n":3}\n' >&3
close
want 'n | m' '--+------' '1 | first' '22 | a much longer message' ' 3 | z'
expect_out "table: widths of the rows before the pause, widened by a later wider cell"

# ===== several threads: rows in input order, each batch as it comes =====
start --format csv --threads 4 'filter n % 2 = 0 | fields n'
seq 1 3000 | sed 's/.*/{"n":&}/' >&3
stream "4 threads" 3000
seq 3001 3004 | sed 's/.*/{"n":&}/' >&3
stream "4 threads, second write" 3004
seq 3005 6000 | sed 's/.*/{"n":&}/' >&3
close
expect_rc 0 "4 threads"
{ echo n; seq 2 2 6000; } >"$tmp/want"
expect_out "4 threads: every row, in input order"
expect_err_empty "4 threads"

# ===== timestamped text: the last record may go on in continuation lines, so it waits for
# the next record or a pause of the input =====
start --format csv 'fields @message'
printf '2024-05-01T10:00:00Z start\n2024-05-01T10:00:01Z boom\n  at Foo.bar(Foo.java:1)\n' >&3
stream "multi-line records" 'at Foo.bar'
printf '2024-05-01T10:00:02Z later\n' >&3
close
printf '@message\n2024-05-01T10:00:00Z start\n"2024-05-01T10:00:01Z boom\n  at Foo.bar(Foo.java:1)"\n2024-05-01T10:00:02Z later\n' >"$tmp/want"
expect_out "multi-line records: all, whole"

# ===== pretty-printed JSON: records as their closing brace arrives =====
start --format csv 'fields a'
printf '{\n  "a": 1\n}\n' >&3
stream "pretty JSON" 1
printf '{\n  "a": 2\n}\n' >&3
close
want a 1 2
expect_out "pretty JSON: both records"

# ===== a FIFO named as the input =====
start --path --format csv 'fields @message'
printf 'named\n' >&3
stream "named FIFO" named
printf 'fifo\n' >&3
close
want '@message' named fifo
expect_out "named FIFO: both rows"

# ===== limit N: liq ends once N rows are out, while the input stays open =====
for threads in 1 4; do
    start --format csv --threads "$threads" 'fields @message | limit 2'
    printf 'one\ntwo\nthree\n' >&3
    i=0
    while kill -0 "$pid" 2>/dev/null && [ "$i" -le 600 ]; do
        i=$((i + 1))
        sleep 0.05
    done
    if kill -0 "$pid" 2>/dev/null; then
        not_ok "limit 2, $threads thread(s): liq still waits for the input to end"
    else
        ok "limit 2, $threads thread(s): liq ended with the input open"
    fi
    close
    expect_rc 0 "limit 2, $threads thread(s)"
    want '@message' one two
    expect_out "limit 2, $threads thread(s): the first two rows"
done

finish
