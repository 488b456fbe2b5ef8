#!/bin/sh
# sort_prefix.sh -- CLI test: a sort without limit orders by key prefixes as by the comparator (issue 21)
#
# A sort that keeps every row gives each record a 16-byte normalised prefix of its keys and
# compares rows by it, decoding them only on equal prefixes; it sorts on as many threads as
# workers gave rows and merges the sorted halves (engine/exec/op_sort.c, "Sorting the
# records"). LIQ_SORT_PREFIX=0 sorts with the comparator alone on one thread, as before: the
# reference. Over 30,000 records in two files whose keys are awkward values -- numbers
# negative, -0, 0, 1e300, 1e-300, more than 15 digits (equal doubles, different values),
# numeric strings ("10" against 10, "1e3"), strings with digit runs ("a2" < "a10", "a02" =
# "a2"), upper and lower case, the empty string, bytes 0x00-0x03, UTF-8, common prefixes of
# more than 16 bytes, digit runs of more than 255 digits, digit-only strings, booleans, maps,
# lists, nulls and missing fields, ties -- each query (one key both ways, two and three keys
# mixing directions, @timestamp, Q10's shape) gives the reference's bytes at --threads 1 and
# 2, with tiny batches, spilled under a small --memory-limit and merged from two --partial
# results. The row number in the output shows that ties keep input order.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 pass, 1 fail.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-cli-sort-prefix.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

. "$SRCDIR/tests/cli/out_lib.sh"

# 30,000 records, 15,000 a file: v and w drawn from the awkward values (w from a shorter list,
# so (v, w) pairs repeat: ties), k a number with repeats, s a word, a @timestamp with repeats
awk -v d="$tmp" 'BEGIN {
    nv = split("0|-0|0.0|-0.0|1|-1|1.5|-2.5|2|10|10.0|1e300|-1e300|1e-300|-1e-300|" \
        "123456789012345678901|123456789012345678902|123456789012345678901.5|0.1|" \
        "0.10000000000000000001|9007199254740993|9007199254740992|1e3|" \
        "\"10\"|\"2\"|\"-3\"|\"1e3\"|\"0.1\"|\"007\"|\"a2\"|\"a10\"|\"a02\"|\"a1b\"|\"a1\"|\"A10\"|" \
        "\"a\"|\"A\"|\"b\"|\"B\"|\"\"|\"abc\"|\"ab\"|\"ab!\"|\"ab5\"|\"ab05x\"|\"ab5!\"|" \
        "\"ab\\u0000\"|\"ab\\u0001\"|\"ab\\u0002\"|\"ab\\u0003\"|\"ab\\u00015\"|" \
        "\"abcdefghijklmnopqrstuvwxyz0123\"|\"abcdefghijklmnopqrstuvwxyz0124\"|" \
        "\"abcdefghijklmnopqrstuvwxyza\"|\"abcdefghijklmnopqrstuvwxyz\"|" \
        "\"abcdefghijklmnopq1\"|\"abcdefghijklmnopq01x\"|\"x1\"|\"x01\"|\"x001y\"|" \
        "\"1a\"|\"9z\"|\"!\"|\"~\"|\"0abc\"|\"abc7\"|\"abc007\"|\"abc70\"|" \
        "\"\\u00e9\"|\"\\u00fc1\"|\"\\u65e5\\u672c\"|\"e\\u0301\"|true|false|null|MISSING|" \
        "{\"o\":1}|[1,2]|\"true\"|\"null\"|\" 5\"|\"5 \"|\"-\"|\"1-2\"|\"2024-05-01\"|" \
        "\"v1.10.2\"|\"v1.9.10\"|\"v1.9.9\"|\"file10.txt\"|\"file9.txt\"|\"File9.txt\"", v, "|")
    p = ""; for (i = 0; i < 300; i++) p = p (i % 10)
    v[++nv] = "\"x" p "\""; v[++nv] = "\"x" p "1\""; v[++nv] = "\"x0" p "\""; v[++nv] = "\"" p "\""
    v[++nv] = "\"" p "9\""
    nw = split("\"a\"|\"b\"|\"a10\"|\"a9\"|3|-3|null|MISSING|\"\"|2.5", w, "|")
    for (i = 0; i < 30000; i++) {
        f = d "/" (i < 15000 ? "a" : "b") ".jsonl"
        line = "{\"i\":" i
        x = v[1 + (i * 7919) % nv]; if (x != "MISSING") line = line ",\"v\":" x
        y = w[1 + (i * 104729) % nw]; if (y != "MISSING") line = line ",\"w\":" y
        line = line ",\"k\":" ((i * 7) % 3001) ",\"s\":\"" substr("qwertyuiopasdfgh", 1 + i % 11, 6) "\""
        line = line ",\"@timestamp\":\"2024-05-01T" sprintf("%02d:%02d", (i * 13) % 24, (i * 31) % 60) ":00Z\"}"
        print line > f
    }
}'
in="$tmp/a.jsonl $tmp/b.jsonl"

# runs NAME QUERY [m]: every mode gives the bytes of LIQ_SORT_PREFIX=0 --threads 1 (m: also
# merged from two partial results)
runs() {
    name=$1 q=$2 modes="1 2 b s ${3:-}"
    # shellcheck disable=SC2086
    LIQ_SORT_PREFIX=0 "$LIQ" --format csv --threads 1 "$q" $in >"$tmp/$name.ref" 2>"$tmp/err" ||
        echo "exit $?" >>"$tmp/$name.ref"
    # shellcheck disable=SC2086
    "$LIQ" --format csv --threads 1 "$q" $in >"$tmp/$name.1" 2>>"$tmp/err"
    # shellcheck disable=SC2086
    "$LIQ" --format csv --threads 2 "$q" $in >"$tmp/$name.2" 2>>"$tmp/err"
    # shellcheck disable=SC2086
    "$LIQ" --format csv --threads 2 --debug-batch-rows 7 "$q" $in >"$tmp/$name.b" 2>>"$tmp/err"
    # shellcheck disable=SC2086
    "$LIQ" --format csv --threads 2 --memory-limit 4M --temp-dir "$tmp" "$q" $in \
        >"$tmp/$name.s" 2>>"$tmp/err"
    if [ -n "${3:-}" ]; then
        "$LIQ" --threads 2 --partial --part-index 0 "$q" "$tmp/a.jsonl" >"$tmp/p1" 2>>"$tmp/err"
        "$LIQ" --threads 2 --partial --part-index 1 "$q" "$tmp/b.jsonl" >"$tmp/p2" 2>>"$tmp/err"
        "$LIQ" --format csv --merge "$q" "$tmp/p1" "$tmp/p2" >"$tmp/$name.m" 2>>"$tmp/err"
    fi
    for m in $modes; do
        if cmp -s "$tmp/$name.ref" "$tmp/$name.$m"; then r=same; else
            r="differ: $(diff "$tmp/$name.ref" "$tmp/$name.$m" | head -4 | tr '\n' ' ')"; fi
        check "$name: mode $m as the comparator alone" same "$r"
    done
    check "$name: all rows" 30001 "$(wc -l <"$tmp/$name.ref" | tr -d ' ')"
}

runs v 'sort v | fields i, v' m
runs vdesc 'sort v desc | fields i, v' m
runs vw 'sort v, w desc | fields i, v, w'
runs wvk 'sort w desc, v, k desc | fields i, w, v, k'
runs ts 'sort @timestamp desc, v | fields i, @timestamp, v'
runs q10 'sort k desc, s | fields i, k, s' m

check "no diagnostics" "" "$(cat "$tmp/err")"
# the reference's order is the natural one (a sample): a2 before a10 before A10? no: by code
# point A10 < a10; digit runs by value; nulls last; text before numbers
first() { grep -an "^[0-9]*,$1\$" "$tmp/v.ref" | head -1 | cut -d: -f1; }
lt() { [ -n "$1" ] && [ -n "$2" ] && [ "$1" -lt "$2" ] && echo yes || echo "no ($1, $2)"; }
check "A10 before a2" yes "$(lt "$(first A10)" "$(first a2)")"
check "a2 before a10" yes "$(lt "$(first a2)" "$(first a10)")"
check "text before numbers" yes "$(lt "$(first '~')" "$(first -1e300)")"
check "-1 before 1" yes "$(lt "$(first -1)" "$(first 1)")"
check "nulls last" "" "$(tail -n 100 "$tmp/v.ref" | grep -av ',$')"

echo "1..$n"
[ "$failures" -eq 0 ]
