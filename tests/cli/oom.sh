#!/bin/sh
# oom.sh -- CLI test: the system refuses memory (issue 15, base/mem.h)
#
# Under `ulimit -v` far below what a query needs, with --memory-limit none (so liq's own budget,
# tests/cli/memory.sh, does not stop the run first), high-cardinality stats, sort, dedup,
# pattern and parse queries end the one way base/mem.h promises: exit 5 (MEMORY) and
# "liq: error: out of memory: ..." on stderr, never SIGABRT (134), SIGSEGV (139) or another
# code. The input: 200000 JSON lines, every user and every message distinct; unlimited, these
# queries peak at 110 to 210 MB of resident memory (measured with /usr/bin/time on a 400000-line
# input: stats 110 MB, sort 146 MB, dedup 154 MB, parse 135 MB, pattern 213 MB); the limits
# here, 70 and 85 MB of address space, are reached at different allocations (block buffers,
# hash tables, pools, record chunks), and liq starts under 50 MB. (The second was 100 MB until
# stats groups and sorted rows became compact records, engine/exec/arena.h: stats, sort and
# parse | stats then finished within 100 MB with exit 0.) Before base/mem.h (cad6c22) dedup under
# 70 MB and stats, sort and dedup under 100 MB died with SIGABRT and nothing on stderr.
# Skipped under AddressSanitizer and ThreadSanitizer (their shadow memory reserves terabytes of
# address space: any ulimit -v stops them at start): a liq linked with libasan or libtsan, or
# ASAN_OPTIONS/TSAN_OPTIONS set (scripts/setup.sh sets them for its sanitizer runs).
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 skipped (a sanitizer build, a tool missing).
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
if [ -n "${ASAN_OPTIONS:-}" ] || [ -n "${TSAN_OPTIONS:-}" ]; then
    echo "oom: a sanitizer run (ASAN_OPTIONS/TSAN_OPTIONS set): ulimit -v breaks it, skipped"
    exit 77
fi
if ! command -v ldd >/dev/null 2>&1; then
    echo "oom: ldd not found, skipped"
    exit 77
fi
if ldd "$LIQ" 2>/dev/null | grep -qE 'lib(a|t)san'; then
    echo "oom: liq is built with a sanitizer: ulimit -v breaks it, skipped"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-oom.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

. "$SRCDIR/tests/cli/out_lib.sh"

# 200000 records; u distinct, msg distinct in its words (letters only, so pattern keeps them
# apart)
awk 'BEGIN {
    a = "abcdefghijklmnopqrstuvwxyz"
    for (i = 0; i < 200000; i++) {
        w = ""
        for (k = 0; k < 3; k++) {
            x = i * (7 + 6 * k) + k; s = ""
            for (j = 0; j < 4; j++) { s = s substr(a, x % 26 + 1, 1); x = int(x / 26) }
            w = w s " "
        }
        printf "{\"u\":\"user-%08d\",\"n\":%d,\"msg\":\"%stook %d ms\"}\n", i, i, w, i % 1000
    }
}' >"$tmp/in.jsonl"

# oom LIMIT_KB NAME QUERY: liq under ulimit -v LIMIT_KB exits 5 with the out-of-memory line
oom() {
    ( ulimit -v "$1" && exec timeout 120 "$LIQ" --memory-limit none --format csv "$3" \
        "$tmp/in.jsonl" ) </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
    expect_rc 5 "$2 under ulimit -v $1"
    expect_err_has "liq: error: out of memory: " "$2 under ulimit -v $1"
}

for limit in 70000 85000; do
    oom $limit stats 'stats count(*) as n, sortsLast(msg) by u'
    oom $limit sort 'sort u desc'
    oom $limit dedup 'dedup u'
    oom $limit pattern 'pattern msg'
    oom $limit parse 'parse msg "* * * took * ms" as a, b, c, t | stats count(*) by a, b, c'
done
# so little that no thread can start (the signal watcher is the first): exit 5 too, not 4
oom 30000 "any query" 'fields u'

# the same input and a query of them, unlimited: the runs above stopped for want of memory
run --memory-limit none --format csv 'stats count(*) as n by u | stats count(*) as groups' \
    "$tmp/in.jsonl"
want groups 200000
expect_out "unlimited: stats over the same input"
finish
