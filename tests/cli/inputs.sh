#!/bin/sh
# inputs.sh -- CLI test: where records come from (L1 input order, style B7 tests/cli)
#
# Standard input when no input is named or for '-'; inputs in the order given; directories
# read recursively in sorted path order with hidden files and directories skipped (a hidden
# file named explicitly is read); every file read once, whatever names and links reach it,
# and directory loops reported once, not followed (issue 11); a last line without a newline; CRLF line ends (the CR is not
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
# expect_err_is NAME LINE...: stderr is exactly these lines
expect_err_is() {
    _name=$1; shift
    printf '%s\n' "$@" >"$tmp/want_err"
    if cmp -s "$tmp/want_err" "$tmp/err"; then ok "$_name: stderr"; else
        not_ok "$_name: stderr differs"; diff -u "$tmp/want_err" "$tmp/err" | show /dev/stdin; fi
}

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
run $CSV "$Q" "$tmp/last.log" "$tmp/first.log"
want last first
expect_out "files in the order given"

# the same file named twice is read once, where it comes first (a warning says so, exit 0)
run $CSV "$Q" "$tmp/last.log" "$tmp/first.log" "$tmp/last.log"
expect_rc 0 "a file named twice"
want last first
expect_out "a file named twice is read once"
expect_err_is "a file named twice" "liq: warning: $tmp/last.log: named more than once; read once"

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

# ===== links: every file read once, loops not followed (issue 11) =====
# 100 records in 2024/app.log; current.log -> 2024/app.log and latest -> 2024 counted 300
# before; sub/up -> .. counted 33 times (until the depth limit), both together without end.
L=$tmp/links
mkdir -p "$L/2024"
awk 'BEGIN { for (i = 1; i <= 100; i++) printf("{\"i\":%d}\n", i) }' >"$L/2024/app.log"
ln -s 2024/app.log "$L/current.log"
ln -s 2024 "$L/latest"
run $CSV 'stats count(*), sum(i)' "$L"
expect_rc 0 "a file and its directory linked"
want 100,5050
expect_out "a file and its directory linked: read once"
expect_err_empty "a file and its directory linked (links to files taken are not news)"

run $CSV 'stats count(*) by @logStream' "$L"
want 2024/app.log,100
expect_out "the file is read under the name that comes first in sorted order"

mkdir -p "$tmp/loop/sub"
cp "$L/2024/app.log" "$tmp/loop/a.log"
ln -s .. "$tmp/loop/sub/up"
run $CSV 'stats count(*), sum(i)' "$tmp/loop"
expect_rc 0 "a link to a directory above"
want 100,5050
expect_out "a link to a directory above: every record once"
expect_err_is "a link to a directory above" "liq: warning: $tmp/loop/sub/up: a link to $tmp/loop, a directory it is in: a loop, not followed"

mkdir -p "$L/2024/deep/er"
ln -s ../../.. "$L/2024/deep/er/top"
ln -s ../.. "$L/2024/deep/er/year"
timeout 60 "$LIQ" $CSV 'stats count(*), sum(i)' "$L" </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
expect_rc 0 "file links, directory links and two loops"
want 100,5050
expect_out "file links, directory links and two loops: every record once"
expect_err_is "two loops" \
    "liq: warning: $L/2024/deep/er/top: a link to $L, a directory it is in: a loop, not followed" \
    "liq: warning: $L/2024/deep/er/year: a link to $L/2024, a directory it is in: a loop, not followed"
rm "$L/2024/deep/er/top" "$L/2024/deep/er/year"

# the same file named and found, a hard link, a directory named twice or inside one named
ln "$L/2024/app.log" "$tmp/hard.log"
run $CSV 'stats count(*)' "$L/current.log" "$L" "$tmp/hard.log"
expect_rc 0 "a file named, found in a directory and hard-linked"
want 100
expect_out "a file named, found in a directory and hard-linked: read once"
expect_err_is "a hard link" "liq: warning: $tmp/hard.log: the same file as $L/current.log; read once"

run $CSV 'stats count(*) by @logStream' "$L/current.log" "$L"
want current.log,100
expect_out "named first, the file is read under that name"

run $CSV 'stats count(*)' "$L" "$L/2024" "$L/"
expect_rc 0 "directories named again"
want 100
expect_out "directories named again: read once"
expect_err_is "directories named again" "liq: warning: $L/2024: found in $L already; read once" \
    "liq: warning: $L/: the same directory as $L; read once"

run $CSV 'stats count(*)' "$L/latest" "$L/latest"
want 100
expect_out "a linked directory named twice: read once"
expect_err_is "a linked directory named twice" "liq: warning: $L/latest: named more than once; read once"

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
