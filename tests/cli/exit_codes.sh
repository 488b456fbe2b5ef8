#!/bin/sh
# exit_codes.sh -- CLI test: exit codes and what each failure prints where (L23, style B4.10)
#
# 0 success; 2 usage or query error, nothing ran (unknown option, bad --format, bad --threads,
# a missing option value, no query, a query error, a --start/--end that is not a time or a
# --start after --end); 3 the run finished but some input was missing: results of the other
# inputs are still printed. --start/--end themselves (L24: inclusive, millisecond precision,
# records without a timestamp left out) are checked at the end.
# Every case checks the exit code, stdout and stderr separately: usage and query errors print
# nothing on stdout, not even a header.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed (each check prints an ok/not ok line).
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-cli-exit.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# ===== helpers =====
. "$SRCDIR/tests/cli/out_lib.sh"
# a check inside todo_begin/todo_end covers a known liq bug (listed in the test report): its
# failure prints "not ok ... # TODO" and does not fail the script
todo=
todo_begin() { todo=$1; }
todo_end() { todo=; }
not_ok() {
    n=$((n + 1))
    if [ -n "$todo" ]; then echo "not ok $n - $1 # TODO known bug: $todo"; else
        failures=$((failures + 1)); echo "not ok $n - $1"; fi
}
expect_out_lacks() {
    if grep -qF -- "$1" "$tmp/out"; then not_ok "$2: stdout has '$1'"; show "$tmp/out"; else
        ok "$2: stdout lacks '$1'"; fi
}

# ===== inputs =====
printf '{"a":1,"b":"x"}\n{"a":2,"b":"y"}\n' >"$tmp/one.log"
printf '{"a":3,"b":"z"}\n' >"$tmp/two.log"

# ===== 0: success =====
run --format csv 'fields a, b' "$tmp/one.log"
expect_rc 0 "ok run"
want 'a,b' '1,x' '2,y'
expect_out "ok run"
expect_err_empty "ok run"

run --format csv 'filter a > 100 | fields a' "$tmp/one.log"
expect_rc 0 "no rows match"
want 'a'
expect_out "no rows match"
expect_err_empty "no rows match"

# ===== 2: usage errors =====
run --bogus 'fields a' "$tmp/one.log"
expect_rc 2 "unknown long option"
expect_out_empty "unknown long option"
expect_err_has "liq: error: unknown option '--bogus'" "unknown long option"
expect_err_has "hint: 'liq --help' lists the options" "unknown long option"

run -x 'fields a' "$tmp/one.log"
expect_rc 2 "unknown short option"
expect_out_empty "unknown short option"
expect_err_has "unknown option '-x'" "unknown short option"

run --format xml 'fields a' "$tmp/one.log"
expect_rc 2 "bad --format"
expect_out_empty "bad --format"
expect_err_has "unknown format 'xml'" "bad --format"

run --format=CSV 'fields a' "$tmp/one.log"
expect_rc 2 "--format is case-sensitive"
expect_out_empty "--format is case-sensitive"

for bad in 0 -1 abc 1025 '' 4x; do
    run --threads "$bad" 'fields a' "$tmp/one.log"
    expect_rc 2 "bad --threads '$bad'"
    expect_out_empty "bad --threads '$bad'"
    expect_err_has "--threads takes a number from 1 to 1024" "bad --threads '$bad'"
done

run 'fields a' "$tmp/one.log" --format
expect_rc 2 "option without its value"
expect_out_empty "option without its value"
expect_err_has "option '--format' needs a value" "option without its value"

run
expect_rc 2 "no query"
expect_out_empty "no query"
expect_err_has "liq: error: no query given" "no query"

run --format csv
expect_rc 2 "options but no query"
expect_out_empty "options but no query"

for opt in --start --end; do
    for bad in yesterday 2026-13-01 -2x ''; do
        run "$opt" "$bad" 'fields a' "$tmp/one.log"
        expect_rc 2 "$opt '$bad'"
        expect_out_empty "$opt '$bad'"
        expect_err_has "$opt takes a time such as" "$opt '$bad'"
    done
done

run --start 2026-11-24 --end 2026-11-23 'fields a' "$tmp/one.log"
expect_rc 2 "--start after --end"
expect_out_empty "--start after --end"
expect_err_has "--start is after --end" "--start after --end"

run -f "$tmp/no-such-query-file" "$tmp/one.log"
expect_rc 2 "missing query file"
expect_out_empty "missing query file"
expect_err_has "cannot read query file" "missing query file"

# ===== 2: query errors (nothing runs: no header, inputs not opened) =====
run --format csv 'fields a,' "$tmp/one.log"
expect_rc 2 "syntax error"
expect_out_empty "syntax error"
expect_err_has "liq: error at 1:10: unexpected end of query" "syntax error"

run --format csv 'stats cuont(*)' "$tmp/one.log"
expect_rc 2 "unknown function"
expect_out_empty "unknown function"
expect_err_has "liq: error at 1:7: unknown function 'cuont'" "unknown function"
expect_err_has "hint: did you mean 'count'?" "unknown function"

run --format csv 'fields a | bogus' "$tmp/no-such-file"
expect_rc 2 "query error wins over a missing input"
expect_out_empty "query error wins over a missing input"
expect_err_has "unknown command 'bogus'" "query error wins over a missing input"
if grep -qF 'no-such-file' "$tmp/err"; then
    not_ok "query error: the input was opened"
else
    ok "query error: the input was not opened"
fi

run --format csv 'fields a, | sort b c' "$tmp/one.log"
expect_rc 2 "two errors"
expect_out_empty "two errors"
expect_err_has "liq: 2 errors in query" "two errors"

run --format csv '' "$tmp/one.log"
expect_rc 2 "empty query"
expect_out_empty "empty query"
expect_err_has "liq: error: empty query" "empty query"

printf 'fields a\n| filter b = )\n' >"$tmp/bad.q"
run -f "$tmp/bad.q" "$tmp/one.log"
expect_rc 2 "query file with an error"
expect_out_empty "query file with an error"
expect_err_has "liq: error at 2:14: " "query file with an error"

# ===== 3: a missing input; the others are still read =====
run --format csv 'fields a, b' "$tmp/one.log" "$tmp/missing.log" "$tmp/two.log"
expect_rc 3 "missing input among others"
want 'a,b' '1,x' '2,y' '3,z'
expect_out "missing input among others"
expect_err_has "missing.log" "missing input among others"
expect_out_lacks "missing.log" "missing input among others"
expect_out_lacks "liq:" "missing input among others"

run --format csv 'stats count(*) as n' "$tmp/missing.log" "$tmp/one.log"
expect_rc 3 "missing input first, stats over the rest"
want 'n' '2'
expect_out "missing input first, stats over the rest"

run --format csv 'fields a' "$tmp/missing1.log" "$tmp/missing2.log"
expect_rc 3 "every input missing"
expect_err_has "missing1.log" "every input missing"
expect_err_has "missing2.log" "every input missing"

run --format csv 'fields a' "$tmp/no-such-dir/"
expect_rc 3 "missing directory"

if [ "$(id -u)" != 0 ]; then
    cp "$tmp/two.log" "$tmp/locked.log"
    chmod 000 "$tmp/locked.log"
    run --format csv 'fields a' "$tmp/one.log" "$tmp/locked.log"
    expect_rc 3 "unreadable input"
    want 'a' '1' '2'
    expect_out "unreadable input"
    expect_err_has "locked.log" "unreadable input"
    chmod 600 "$tmp/locked.log"
else
    echo "ok - unreadable input: skipped (running as root)"
fi

# a generated query far longer than anyone types: it runs, or fails with a message (exit 2)
awk 'BEGIN { printf "filter x = 0"; for (i = 1; i < 40000; i++) printf " or x = %d", i; print "" }' \
    >"$tmp/long.q"
printf '{"x":39999}\n{"x":40000}\n' >"$tmp/x.log"
run -f "$tmp/long.q" --format csv --no-header 'fields x' "$tmp/x.log"
todo_begin "deep expression trees overflow the C stack in sema_check (SIGSEGV, exit 139)"
case $rc in
0 | 2) ok "40000-term query: exit $rc" ;;
*) not_ok "40000-term query: exit $rc, expected 0 or 2" ;;
esac
todo_end

# ===== 3: corrupt or truncated compressed input; a record cut at --max-line (L23) =====
seq 1 50000 | sed 's/^/line /' >"$tmp/plain.log"
if command -v gzip >/dev/null 2>&1; then
    gzip -c "$tmp/plain.log" >"$tmp/whole.log.gz"
    run --format csv --no-header 'stats count(*)' "$tmp/whole.log.gz"
    expect_rc 0 "gzip input"
    want 50000
    expect_out "gzip input"
    head -c 40000 "$tmp/whole.log.gz" >"$tmp/cut.log.gz"
    run --format csv --no-header 'filter @message = "line 3" | fields @message' \
        "$tmp/one.log" "$tmp/cut.log.gz"
    expect_rc 3 "truncated gzip"
    want 'line 3'
    expect_out "truncated gzip: what was read is still used"
    expect_err_has "cut.log.gz: truncated gzip stream" "truncated gzip"
else
    echo "ok - gzip inputs: skipped (gzip missing)"
fi
if command -v zstd >/dev/null 2>&1; then
    zstd -q -c "$tmp/plain.log" >"$tmp/whole.log.zst"
    run --format csv --no-header 'stats count(*)' "$tmp/whole.log.zst"
    expect_rc 0 "zstd input"
    want 50000
    expect_out "zstd input"
    head -c 30000 "$tmp/whole.log.zst" >"$tmp/cut.log.zst"
    run --format csv --no-header 'stats count(*)' "$tmp/cut.log.zst"
    expect_rc 3 "truncated zstd"
    expect_err_has "cut.log.zst: truncated zstd stream" "truncated zstd"
else
    echo "ok - zstd inputs: skipped (zstd missing)"
fi

# a 4 MiB line between two short ones, through a pipe and from a file
awk 'BEGIN { print "short1"; s = "y"; while (length(s) < 4000000) s = s s; print s; print "short2" }' \
    >"$tmp/longline.log"
cat "$tmp/longline.log" | "$LIQ" --max-line 2000000 --format csv --no-header \
    'fields strlen(@message)' >"$tmp/out" 2>"$tmp/err"
rc=$?
expect_rc 3 "line over --max-line, piped"
want 6 2000000 6
expect_out "line over --max-line, piped: cut, the next line intact"
expect_err_has "a line is longer than --max-line" "line over --max-line, piped"
todo_begin "the message is built with apr_pvsprintf, which has no %zu: it prints '(%zu bytes)'"
expect_err_has "(2000000 bytes)" "line over --max-line, piped: the limit in the message"
todo_end

run --max-line 2000000 --format csv --no-header 'fields strlen(@message)' "$tmp/longline.log"
todo_begin "--max-line is not enforced for regular files (mapped inputs): the line is read whole, exit 0"
expect_rc 3 "line over --max-line in a file"
want 6 2000000 6
expect_out "line over --max-line in a file"
todo_end

# ===== --start/--end (L24): inclusive bounds, millisecond precision =====
printf '%s\n' '2026-11-23T10:00:00.000Z a' '2026-11-23T10:00:00.999Z b' \
    '2026-11-23T10:00:01.000Z c' '2026-11-23T10:00:02.000Z d' 'no timestamp e' \
    '2001-01-01T00:00:00Z old' >"$tmp/times.log"
run --format csv --no-header --start 2026-11-23T10:00:00.999Z --end 2026-11-23T10:00:01Z \
    'fields @message' "$tmp/times.log"
expect_rc 0 "--start/--end"
want '2026-11-23T10:00:00.999Z b' '2026-11-23T10:00:01.000Z c'
expect_out "--start/--end: both bounds inclusive, ms precision"
expect_err_empty "--start/--end"

run --format csv --no-header --start 1795428001 'fields @message' "$tmp/times.log"
want '2026-11-23T10:00:01.000Z c' '2026-11-23T10:00:02.000Z d'
expect_out "--start in epoch seconds"

run --format csv --no-header --end 1795428000000 'fields @message' "$tmp/times.log"
want '2026-11-23T10:00:00.000Z a' '2001-01-01T00:00:00Z old'
expect_out "--end in epoch milliseconds"

run --format csv --no-header --end now 'filter @message like /old/ | fields @message' \
    "$tmp/times.log"
want '2001-01-01T00:00:00Z old'
expect_out "--end now"

run --format csv --no-header --start -1w 'filter @message like /old/ | fields @message' \
    "$tmp/times.log"
: >"$tmp/want"
expect_out "--start relative to now"

run --format csv --no-header --end -1d 'filter @message like /old/ | fields @message' \
    "$tmp/times.log"
want '2001-01-01T00:00:00Z old'
expect_out "--end relative to now"

# ===== 0 again: help, version, function list =====
for opt in --help -h --version --list-functions; do
    run "$opt"
    expect_rc 0 "$opt"
    expect_err_empty "$opt"
done

finish
