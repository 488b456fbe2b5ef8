#!/bin/sh
# shellcheck disable=SC2016  # the checks are awk programs, single-quoted on purpose
# memlimit.sh -- benchmark (not in make check): high-cardinality queries under a memory limit
# far below what their state needs in memory (issue 15, docs/memory.md)
#
# N distinct keys (default 50 M) are generated on the fly by awk and piped into liq on stdin:
# {"k":"kI","v":I%1000} for I = 0 .. N-1. Each query runs under --memory-limit LIMIT (default
# 256M); the answer is checked line by line against what it must be (natural sort orders kI
# by I, so the expected rows are arithmetic), and peak RSS (/usr/bin/time %M), wall and CPU
# time are reported:
#   stats count(*) by k        N groups k0 .. kN-1 in order, each count 1 (spills)
#   stats sum(v) by k | sort   the same groups by a sort after (unordered groups, spill)
#   sort k desc                N rows kN-1 .. k0 (spills)
#   dedup k                    N rows k0 .. kN-1 in input order (spills)
# Usage: bench/memlimit.sh [LIQ] (default build/liq); N=, LIMIT=, THREADS= (default 2),
# TMPDIR= (where spill files go), ONLY= (a word of the names: run only those, e.g. ONLY=dedup).
#
# SPDX-License-Identifier: Apache-2.0
set -u
LIQ=${1:-build/liq}
N=${N:-50000000}
LIMIT=${LIMIT:-256M}
THREADS=${THREADS:-2}
LC_ALL=C
export LC_ALL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-memlimit.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
fail=0

gen() {
    awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++) printf "{\"k\":\"k%d\",\"v\":%d}\n", i, i % 1000 }'
}

# bench NAME QUERY CHECK: runs QUERY over the generated keys; CHECK (an awk program over the
# tsv output without header) prints "ok" or what is wrong
bench() {
    case $1 in *"${ONLY:-}"*) ;; *) return ;; esac
    name=$1
    query=$2
    check=$3
    gen | /usr/bin/time -f '%M %e %U %S' -o "$tmp/time" "$LIQ" --threads "$THREADS" \
        --memory-limit "$LIMIT" --no-header --format tsv --stats "$query" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    tail -n 1 "$tmp/time" >"$tmp/t1"
    read -r rss wall user sys <"$tmp/t1"
    verdict=$(awk -v n="$N" "$check" "$tmp/out")
    held=$(sed -n 's/.*states held at most \([0-9.]* MB\).*/\1/p' "$tmp/err")
    printf '%-28s exit %d  %s  peak RSS %d MB  wall %s s  CPU %s s (user %s, sys %s)  states held %s\n' \
        "$name" "$rc" "$verdict" $((rss / 1024)) "$wall" "$(echo "$user + $sys" | bc)" "$user" \
        "$sys" "${held:-?}"
    case $verdict in ok*) ;; *) fail=1; sed 's/^/  | /' "$tmp/err" ;; esac
}

echo "liq: $LIQ; N = $N distinct keys, --memory-limit $LIMIT, --threads $THREADS"
bench "stats count(*) by k" 'stats count(*) by k' \
    '$1 != "k" (NR - 1) || $2 != 1 { bad++ } END { print (NR == n && !bad) ? "ok: " NR " groups in order, each 1" : "WRONG: " NR " rows, " bad " bad" }'
bench "stats sum(v) by k | sort" 'stats sum(v) as s by k | sort s desc, k | fields k, s' \
    'BEGIN { prev = 1e9 } { if ($2 > prev) bad++; prev = $2; sum += $2 } END { want = (n / 1000) * 499500 + 0; print (NR == n && !bad && sum == want) ? "ok: " NR " groups, sum " sprintf("%.0f", sum) : "WRONG: " NR " rows, " bad " out of order, sum " sprintf("%.0f", sum) }'
bench "sort k desc" 'sort k desc | fields k' \
    '$1 != "k" (n - NR) { bad++ } END { print (NR == n && !bad) ? "ok: " NR " rows in order" : "WRONG: " NR " rows, " bad " bad" }'
bench "dedup k" 'dedup k | fields k' \
    '$1 != "k" (NR - 1) { bad++ } END { print (NR == n && !bad) ? "ok: " NR " rows in input order" : "WRONG: " NR " rows, " bad " bad" }'
exit $fail
