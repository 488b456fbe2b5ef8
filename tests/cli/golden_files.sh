#!/bin/sh
# golden_files.sh -- golden tests whose options name files: tests/golden/files/*.test (issue 13)
#
# golden_run (tests/golden_run.c) runs a case in-process at every thread count and batch size
# it knows, but its '%% args' cannot name a file of the source tree, whose path depends on the
# build. This script writes each file with @DATA@ replaced by tests/golden/files/data in the
# source tree (and @HOME@ by a fresh HOME without saved queries) and runs golden_run over it.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 every file passed, 1 otherwise.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-golden-files.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

run=$(dirname "$LIQ")/tests/golden_run
data=$SRCDIR/tests/golden/files/data
mkdir "$tmp/home"
HOME=$tmp/home
unset XDG_CONFIG_HOME
export HOME
rc=0
for t in "$SRCDIR"/tests/golden/files/*.test; do
    name=$(basename "$t")
    sed -e "s|@DATA@|$data|g" -e "s|@HOME@|$HOME|g" "$t" >"$tmp/$name"
    if "$run" --srcdir "$SRCDIR" "$tmp/$name"; then
        echo "ok - $name"
    else
        echo "not ok - $name"
        rc=1
    fi
done

# a table over CloudWatch's 10 MB: a warning, and liq reads it whole
awk 'BEGIN { print "k,v"; for (i = 0; i < 400000; i++) printf "key%07d,value-%07d-padding\n", i, i }' \
    >"$tmp/big.csv"
printf '{"k":"key0000007"}\n{"k":"key0399999"}\n{"k":"nokey"}\n' >"$tmp/big.log"
for threads in 1 4; do
    "$LIQ" --threads $threads --format csv --lookup big="$tmp/big.csv" \
        'lookup big k OUTPUT v | fields k, v' "$tmp/big.log" >"$tmp/out" 2>"$tmp/err"
    printf '%s\n' 'k,v' 'key0000007,value-0000007-padding' 'key0399999,value-0399999-padding' \
        'nokey,' >"$tmp/want"
    if cmp -s "$tmp/out" "$tmp/want" && grep -qF "lookup table 'big' is 12.6 MB: CloudWatch takes up to 10 MB" "$tmp/err"; then
        echo "ok - a 11 MB table is read, with a warning ($threads threads)"
    else
        echo "not ok - a 11 MB table is read, with a warning ($threads threads)"
        sed 's/^/  | /' "$tmp/out" "$tmp/err"
        rc=1
    fi
done
exit $rc
