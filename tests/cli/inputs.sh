#!/bin/sh
# inputs.sh -- CLI test: where records come from (L1 input order, style B7 tests/cli)
#
# Standard input when no input is named or for '-'; inputs in the order given; directories
# read recursively in sorted path order with hidden files and directories skipped (a hidden
# file named explicitly is read); a last line without a newline; CRLF line ends (the CR is not
# part of the record); empty files; FIFOs (a writer in the background, guarded by timeout so a
# hang fails instead of blocking make check), small and over 1 MiB.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed (each check prints an ok/not ok line).
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-cli-inputs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# ===== helpers =====
. "$SRCDIR/tests/cli/out_lib.sh"
have() { command -v "$1" >/dev/null 2>&1; }

Q='fields @message'
CSV='--format csv --no-header'

# ===== standard input =====
printf 'one\ntwo\n' >"$tmp/two.log"
run_in "$tmp/two.log" $CSV "$Q"
expect_rc 0 "stdin without inputs"
want one two
expect_out "stdin without inputs"
expect_err_empty "stdin without inputs"

run_in "$tmp/two.log" $CSV "$Q" -
expect_rc 0 "stdin as '-'"
want one two
expect_out "stdin as '-'"

printf 'first\n' >"$tmp/first.log"
printf 'last\n' >"$tmp/last.log"
run_in "$tmp/two.log" $CSV "$Q" "$tmp/first.log" - "$tmp/last.log"
expect_rc 0 "'-' between files"
want first one two last
expect_out "'-' between files keeps the order given"

run_in /dev/null $CSV "$Q"
expect_rc 0 "empty stdin"
: >"$tmp/want"
expect_out "empty stdin"
expect_err_empty "empty stdin"

# ===== inputs in the order given =====
run $CSV "$Q" "$tmp/last.log" "$tmp/first.log" "$tmp/last.log"
want last first last
expect_out "files in the order given, repeats read again"

# ===== directories: recursive, sorted, hidden entries skipped =====
d=$tmp/logs
mkdir -p "$d/b" "$d/a/deeper" "$d/.hidden-dir" "$d/empty-dir"
printf 'b-1\n' >"$d/b/1.log"
printf 'a-2\n' >"$d/a/2.log"
printf 'a-10\n' >"$d/a/10.log"
printf 'a-1\n' >"$d/a/1.log"
printf 'a-deeper\n' >"$d/a/deeper/x.log"
printf 'Z-top\n' >"$d/Z.log"
printf 'z-top\n' >"$d/z.log"
printf 'hidden file\n' >"$d/.hidden.log"
printf 'in hidden dir\n' >"$d/.hidden-dir/x.log"
printf 'hidden in sub\n' >"$d/a/.x.log"
run $CSV "$Q" "$d"
expect_rc 0 "directory"
want Z-top a-1 a-10 a-2 a-deeper b-1 z-top
expect_out "directory: recursive, sorted by path, hidden skipped"
expect_err_empty "directory"

run $CSV "$Q" "$d/"
want Z-top a-1 a-10 a-2 a-deeper b-1 z-top
expect_out "directory with a trailing slash"

run $CSV "$Q" "$d/b" "$d/a/deeper"
want b-1 a-deeper
expect_out "two directories in the order given"

run $CSV "$Q" "$d/.hidden.log" "$d/.hidden-dir"
expect_rc 0 "hidden inputs named explicitly"
want 'hidden file' 'in hidden dir'
expect_out "hidden inputs named explicitly are read"

run $CSV "$Q" "$d/empty-dir"
expect_rc 0 "empty directory"
: >"$tmp/want"
expect_out "empty directory"

# ===== line ends =====
printf 'a\nb\nno newline at end' >"$tmp/nofinal.log"
run $CSV "$Q" "$tmp/nofinal.log"
expect_rc 0 "no final newline"
want a b 'no newline at end'
expect_out "no final newline: the last line is a record"

printf '{"k":1}\n{"k":2}' >"$tmp/nofinal.json"
run $CSV 'fields k' "$tmp/nofinal.json"
want 1 2
expect_out "no final newline on a JSON line"

printf 'x\r\ny\r\n' >"$tmp/crlf.log"
run $CSV "$Q" "$tmp/crlf.log"
expect_rc 0 "CRLF"
want x y
expect_out "CRLF: the CR is not part of the record"

printf '{"k":"v1"}\r\n{"k":"v2"}\r\n' >"$tmp/crlf.json"
run $CSV 'fields k' "$tmp/crlf.json"
want v1 v2
expect_out "CRLF after JSON objects"

run $CSV 'stats count(*) as n' "$tmp/crlf.log" "$tmp/nofinal.log"
want 5
expect_out "record count over CRLF and unterminated files"

# ===== empty files =====
: >"$tmp/empty.log"
run --format csv "$Q" "$tmp/empty.log"
expect_rc 0 "empty file"
want '@message'
expect_out "empty file: header only"
expect_err_empty "empty file"

run --format csv 'stats count(*) as n' "$tmp/empty.log"
expect_rc 0 "count of an empty file"
want n 0
expect_out "count of an empty file"

run $CSV "$Q" "$tmp/empty.log" "$tmp/first.log" "$tmp/empty.log"
want first
expect_out "empty files between others"

# ===== FIFOs =====
if have mkfifo && have timeout; then
    mkfifo "$tmp/fifo"
    (printf 'f1\nf2\nf3' >"$tmp/fifo") &
    writer=$!
    timeout 20 "$LIQ" $CSV "$Q" "$tmp/fifo" </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
    wait "$writer"
    expect_rc 0 "FIFO"
    want f1 f2 f3
    expect_out "FIFO"
    expect_err_empty "FIFO"

    # a FIFO after a file, with a slow writer
    rm -f "$tmp/fifo"
    mkfifo "$tmp/fifo"
    (printf 'slow1\n'; sleep 1; printf 'slow2\n') >"$tmp/fifo" &
    writer=$!
    timeout 20 "$LIQ" $CSV "$Q" "$tmp/first.log" "$tmp/fifo" </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
    wait "$writer"
    expect_rc 0 "slow FIFO after a file"
    want first slow1 slow2
    expect_out "slow FIFO after a file"

    # more than one morsel through a FIFO, with several threads
    rm -f "$tmp/fifo"
    mkfifo "$tmp/fifo"
    awk 'BEGIN { for (i = 0; i < 120000; i++) printf "{\"i\":%d,\"pad\":\"%s\"}\n", i, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" }' \
        >"$tmp/big.json"
    (cat "$tmp/big.json" >"$tmp/fifo") &
    writer=$!
    timeout 60 "$LIQ" --threads 4 --format csv \
        'stats count(*) as n, sum(i) as s, min(i) as lo, max(i) as hi' "$tmp/fifo" \
        </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
    wait "$writer"
    expect_rc 0 "big FIFO"
    want 'n,s,lo,hi' '120000,7199940000,0,119999'
    expect_out "big FIFO, 4 threads"

    # stdin from a FIFO
    rm -f "$tmp/fifo"
    mkfifo "$tmp/fifo"
    (printf 's1\ns2\n' >"$tmp/fifo") &
    writer=$!
    timeout 20 "$LIQ" $CSV "$Q" <"$tmp/fifo" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    wait "$writer"
    expect_rc 0 "stdin from a FIFO"
    want s1 s2
    expect_out "stdin from a FIFO"
else
    echo "ok - FIFOs: skipped (mkfifo or timeout missing)"
fi

finish
