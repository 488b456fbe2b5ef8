#!/bin/sh
# threads.sh -- CLI test: output is identical for every --threads value (L1)
#
# Inputs over 1 MiB are cut into 1 MiB morsels that workers read in parallel, so a multi-MB
# input exercises morsel boundaries (lines of varied length fall across them) and the merge
# back into input order. Each query runs with --threads 1, 2 and 4 (and 3 threads with 7-row
# batches); the outputs must be byte-identical, and a few are also checked against awk so that
# "identical" cannot mean "identically wrong" (every line read exactly once, in order).
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 awk missing.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
if ! command -v awk >/dev/null 2>&1; then
    echo "threads: awk not found, skipped"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-cli-threads.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# ===== helpers =====
n=0
failures=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n - $1"; }
show() { sed 's/^/  | /' "$1"; }

# same DESC ARGS...: liq ARGS with --threads 1, 2, 4 and with 3 threads and 7-row batches;
# all exit 0 with empty stderr and the same stdout, left in $tmp/t1.out
same() {
    desc=$1
    shift
    good=1
    for t in 1 2 4 3b; do
        case $t in
        3b) set -- --threads 3 --debug-batch-rows 7 "$@" ;;
        *) set -- --threads "$t" "$@" ;;
        esac
        "$LIQ" "$@" </dev/null >"$tmp/t$t.out" 2>"$tmp/t$t.err"
        rc=$?
        shift 2
        [ "$t" = 3b ] && shift 2
        if [ "$rc" -ne 0 ] || [ -s "$tmp/t$t.err" ]; then
            not_ok "$desc: --threads $t: exit $rc"
            show "$tmp/t$t.err"
            good=0
        elif [ "$t" != 1 ] && ! cmp -s "$tmp/t1.out" "$tmp/t$t.out"; then
            not_ok "$desc: --threads $t differs from --threads 1"
            diff "$tmp/t1.out" "$tmp/t$t.out" | head -n 10 | show /dev/stdin
            good=0
        fi
    done
    [ "$good" = 1 ] && ok "$desc: identical for 1, 2, 4 threads and tiny batches"
}

# expect_t1 DESC: $tmp/t1.out equals $tmp/want
expect_t1() {
    if cmp -s "$tmp/want" "$tmp/t1.out"; then ok "$1: matches awk"; else
        not_ok "$1: differs from awk"
        diff "$tmp/want" "$tmp/t1.out" | head -n 10 | show /dev/stdin
    fi
}

# ===== inputs =====
# text: ~6 MB, line lengths 20..200 so 1 MiB boundaries fall inside lines
awk 'BEGIN {
    pad = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (i = 0; i < 60000; i++) {
        s = sprintf("2026-11-23T10:%02d:%02dZ req=%d lvl=%s ", (i / 60) % 60, i % 60, i,
                    (i % 13 == 0) ? "ERROR" : "INFO");
        k = (i * 7919) % 180;
        while (length(s) < 20 + k) s = s pad;
        print substr(s, 1, 20 + k);
    }
}' >"$tmp/text.log"
# JSON: ~5 MB
awk 'BEGIN {
    for (i = 0; i < 70000; i++)
        printf "{\"i\":%d,\"k\":\"k%d\",\"v\":%d.5,\"g\":%d,\"msg\":\"event %d of many, padded\"}\n",
               i, i % 11, i % 100, i % 3, i
}' >"$tmp/data.json"
size=$(wc -c <"$tmp/data.json")
if [ "$size" -gt 3145728 ]; then ok "JSON input is $size bytes (several morsels)"; else
    not_ok "JSON input only $size bytes"; fi

# ===== text: every line exactly once, in order =====
same "text lines" --no-header --format tsv 'fields @message' "$tmp/text.log"
cp "$tmp/text.log" "$tmp/want"
expect_t1 "text lines"

same "text count" --no-header 'stats count(*)' "$tmp/text.log"
wc -l <"$tmp/text.log" | tr -d ' ' >"$tmp/want"
expect_t1 "text count"

same "text regex filter" --no-header --format tsv \
    'filter @message like /lvl=ERROR/ | fields @message' "$tmp/text.log"
grep 'lvl=ERROR' "$tmp/text.log" >"$tmp/want"
expect_t1 "text regex filter"

# ===== JSON =====
same "JSON filter and fields" --no-header --format csv \
    'filter i % 997 = 0 | fields i, k' "$tmp/data.json"
awk 'BEGIN { for (i = 0; i < 70000; i += 997) printf "%d,k%d\n", i, i % 11 }' >"$tmp/want"
expect_t1 "JSON filter and fields"

same "JSON stats by key" --format csv \
    'stats count(*) as n, sum(v) as s, min(i) as lo, max(i) as hi by k' "$tmp/data.json"
same "JSON stats by two keys" --format csv 'stats count(*) as n, avg(v) as a by g, k' \
    "$tmp/data.json"
same "JSON global stats" --format csv 'stats count(*) as n, sum(i) as s' "$tmp/data.json"
printf 'n,s\n70000,2449965000\n' >"$tmp/want"
expect_t1 "JSON global stats"

same "JSON sort with ties (stable)" --no-header --format csv \
    'filter i % 50 = 0 | fields g, i | sort g desc' "$tmp/data.json"
awk 'BEGIN { for (g = 2; g >= 0; g--) for (i = 0; i < 70000; i += 50) if (i % 3 == g) printf "%d,%d\n", g, i }' \
    >"$tmp/want"
expect_t1 "JSON sort with ties keeps input order"

same "JSON limit" --no-header --format csv 'filter v > 99 | fields i | limit 5' "$tmp/data.json"
printf '99\n199\n299\n399\n499\n' >"$tmp/want"
expect_t1 "JSON limit keeps the first rows"

same "JSON ndjson output" --format ndjson 'filter i < 3000 | fields i, msg, v' "$tmp/data.json"

# ===== several inputs: order across files and directories =====
mkdir -p "$tmp/dir/a" "$tmp/dir/b"
cp "$tmp/data.json" "$tmp/dir/b/2.json"
head -n 30000 "$tmp/data.json" >"$tmp/dir/a/1.json"
same "directory of JSON files" --no-header --format csv 'filter i % 5000 = 0 | fields i' \
    "$tmp/dir"
awk 'BEGIN { for (i = 0; i < 30000; i += 5000) print i; for (i = 0; i < 70000; i += 5000) print i }' \
    >"$tmp/want"
expect_t1 "directory of JSON files, files in path order"

cp "$tmp/text.log" "$tmp/text2.log" # a copy: the same file named twice is read once
same "file, directory, file" --no-header 'stats count(*)' "$tmp/text.log" "$tmp/dir" \
    "$tmp/text2.log"
echo $((60000 + 30000 + 70000 + 60000)) >"$tmp/want"
expect_t1 "file, directory, file"

echo "$n checks, $failures failed"
[ "$failures" -eq 0 ]
