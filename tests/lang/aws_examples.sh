#!/bin/sh
# aws_examples.sh -- every example query of AWS's CloudWatch Logs Insights documentation
# compiles (issue 20): tests/lang/aws_examples.txt holds them, each after a line '@@ SOURCE';
# each is compiled with 'liq --explain' (no input is read; a '%% args' line gives the options
# it needs, @DATA@ standing for tests/golden/files/data) and must exit 0. A query that does
# not compile is printed with liq's message. The count of queries is printed, and checked
# against the entries of the file so that none is skipped unseen.
# Env: LIQ (the binary), SRCDIR. Exit 0 pass, 1 fail.
set -u
t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
f="$SRCDIR/tests/lang/aws_examples.txt"
# split the file into one query file per entry
awk -v dir="$t" '
    /^@@ / { n++; out = sprintf("%s/q%04d", dir, n); printf "" > out; printf "" > (out ".args"); next }
    n && /^%% args / { sub(/^%% args /, ""); print > (out ".args"); next }
    n { print >> out }
' "$f"
want=$(grep -c '^@@ ' "$f")
n=0 fail=0
data="$SRCDIR/tests/golden/files/data"
for q in "$t"/q????; do
    n=$((n + 1))
    args=$(sed "s|@DATA@|$data|g" "$q.args")
    # shellcheck disable=SC2086 # the options are words without blanks
    if ! "$LIQ" --explain $args -f "$q" >"$t/out" 2>"$t/err"; then
        fail=$((fail + 1))
        echo "does not compile (entry $n):"
        sed 's/^/    /' "$q"
        sed 's/^/  /' "$t/err"
    fi
done
echo "$n example queries, $fail do not compile"
[ "$n" -eq "$want" ] || { echo "expected $want entries, ran $n"; exit 1; }
[ "$fail" -eq 0 ]
