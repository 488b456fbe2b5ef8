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

# NAME.csv beside the saved queries, when no --lookup names the table; --lookup wins
mkdir -p "$HOME/.config/liq/queries"
printf 'code,text\n200,OK from the config dir\n' >"$HOME/.config/liq/queries/codes.csv"
printf '{"status":200}\n' >"$tmp/codes.log"
"$LIQ" --format csv 'lookup codes code as status OUTPUT text | fields text' "$tmp/codes.log" \
    >"$tmp/out" 2>&1
printf '%s\n' text 'OK from the config dir' >"$tmp/want"
if cmp -s "$tmp/out" "$tmp/want"; then echo "ok - codes.csv beside the saved queries"; else
    echo "not ok - codes.csv beside the saved queries"; sed 's/^/  | /' "$tmp/out"; rc=1; fi
"$LIQ" --format csv --lookup codes="$data/codes.csv" 'lookup codes code as status OUTPUT text | fields text' \
    "$tmp/codes.log" >"$tmp/out" 2>&1
printf '%s\n' text OK >"$tmp/want"
if cmp -s "$tmp/out" "$tmp/want"; then echo "ok - --lookup wins over the config dir"; else
    echo "not ok - --lookup wins over the config dir"; sed 's/^/  | /' "$tmp/out"; rc=1; fi

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
        echo "ok - a 12.6 MB table is read, with a warning ($threads threads)"
    else
        echo "not ok - a 12.6 MB table is read, with a warning ($threads threads)"
        sed 's/^/  | /' "$tmp/out" "$tmp/err"
        rc=1
    fi
done

# a join past CloudWatch's 50,000 right-side keys, and a subquery with as many values
awk 'BEGIN { for (i = 0; i < 60000; i++) printf "{\"k\":\"k%05d\",\"v\":%d}\n", i, i }' >"$tmp/right.log"
awk 'BEGIN { for (i = 0; i < 70000; i += 7) printf "{\"k\":\"k%05d\"}\n", i }' >"$tmp/left.log"
for threads in 1 4; do
    "$LIQ" --threads $threads --format csv --log-group /l="$tmp/left.log" --log-group /r="$tmp/right.log" \
        "SOURCE '/l' | join left=a right=b where a.k = b.k (SOURCE '/r') | stats count(*) as n, sum(b.v) as s" \
        >"$tmp/out" 2>"$tmp/err"
    # keys k00000, k00007, ... below 60000: 8572 of them, their v summing to 257147142
    printf '%s\n' 'n,s' '8572,257147142' >"$tmp/want"
    if cmp -s "$tmp/out" "$tmp/want" && [ ! -s "$tmp/err" ]; then
        echo "ok - a join with 60,000 right-side keys ($threads threads)"
    else
        echo "not ok - a join with 60,000 right-side keys ($threads threads)"
        sed 's/^/  | /' "$tmp/out" "$tmp/err"
        rc=1
    fi
    "$LIQ" --threads $threads --format csv --log-group /l="$tmp/left.log" --log-group /r="$tmp/right.log" \
        "SOURCE '/l' | filter k in (SOURCE '/r' | fields k) | stats count(*) as n" >"$tmp/out" 2>"$tmp/err"
    printf '%s\n' 'n' '8572' >"$tmp/want"
    if cmp -s "$tmp/out" "$tmp/want"; then
        echo "ok - a subquery with 60,000 values ($threads threads)"
    else
        echo "not ok - a subquery with 60,000 values ($threads threads)"
        sed 's/^/  | /' "$tmp/out" "$tmp/err"
        rc=1
    fi
done
exit $rc
