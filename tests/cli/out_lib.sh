# out_lib.sh -- helpers the tests/cli/out_*.sh scripts, streams.sh, inputs.sh and
# tests/s3/lib.sh share: numbered ok/not ok checks, running liq into $tmp/out and $tmp/err,
# and expectations on exit code, stdout and stderr.
# Sourced (not run) after the script has set LIQ and tmp.
#
# SPDX-License-Identifier: Apache-2.0
n=0
failures=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n - $1"; }
# check DESC EXPECTED ACTUAL: ok when the two strings are equal, else both shown
check() {
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: expected [$2], got [$3]"; fi
}
# run ARGS...: liq with stdin from /dev/null; $rc, $tmp/out, $tmp/err
run() { "$LIQ" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"; rc=$?; }
# run_in FILE ARGS...: the same with stdin from FILE
run_in() { _in=$1; shift; "$LIQ" "$@" <"$_in" >"$tmp/out" 2>"$tmp/err"; rc=$?; }
show() { sed 's/^/  | /' "$1"; }
expect_rc() {
    if [ "$rc" -eq "$1" ]; then ok "$2: exit $1"; else
        not_ok "$2: exit $rc, expected $1"; echo "  stderr:"; show "$tmp/err"; fi
}
# want LINE...: the expected stdout, one argument per line
want() { printf '%s\n' "$@" >"$tmp/want"; }
expect_out() {
    if cmp -s "$tmp/want" "$tmp/out"; then ok "$1: stdout"; else
        not_ok "$1: stdout differs"; diff -u "$tmp/want" "$tmp/out" | show /dev/stdin; fi
}
expect_out_empty() {
    if [ ! -s "$tmp/out" ]; then ok "$1: stdout empty"; else
        not_ok "$1: stdout not empty"; show "$tmp/out"; fi
}
expect_err_empty() {
    if [ ! -s "$tmp/err" ]; then ok "$1: stderr empty"; else
        not_ok "$1: stderr not empty"; show "$tmp/err"; fi
}
expect_err_has() {
    if grep -qF -- "$1" "$tmp/err"; then ok "$2: stderr has '$1'"; else
        not_ok "$2: stderr lacks '$1'"; show "$tmp/err"; fi
}
expect_out_has() {
    if grep -qF -- "$1" "$tmp/out"; then ok "$2: stdout has '$1'"; else
        not_ok "$2: stdout lacks '$1'"; show "$tmp/out"; fi
}
finish() {
    echo "1..$n"
    [ "$failures" -eq 0 ] || { echo "$failures of $n checks failed"; exit 1; }
    exit 0
}
