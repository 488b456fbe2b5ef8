#!/bin/sh
# spill.sh -- CLI test: stats by keys, dedup and sort without limit spill past --memory-limit
# (issue 15, docs/memory.md)
#
# The same queries with a tiny --memory-limit (a sort writes sorted runs to --temp-dir and
# merges them; a stats writes its groups with their aggregate states to hash partitions and
# reads them back one at a time; a dedup writes its rows to hash partitions, dedups each one
# alone and merges them by input order) and without a limit, at --threads 1, 2 and 4:
# byte-identical output, for every aggregate (pct, count_distinct, earliest/latest, sortsFirst/sortsLast,
# sums of fractions), ties (many rows per key) broken as in memory, rows holding JSON lists
# and maps, keys with nulls, stages after the spilled one. Spill files leave no name in --temp-dir, after the run and after SIGTERM; an
# unusable --temp-dir and a write that fails (the file size limit, as a full disk would)
# stop the query with exit 4 and a message naming the directory.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-cli-spill.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

. "$SRCDIR/tests/cli/out_lib.sh"

# 40000 records (over 1 MiB: several morsels), 97 values of n (ties), a list and a map
# a @timestamp (minutes, with repeats), users that repeat (i * 7919 % 20011), a null key now
# and then
awk 'BEGIN { for (i = 1; i <= 40000; i++)
    printf "{\"@timestamp\":\"2024-05-%02dT%02d:%02d:00Z\",\"user\":%s,\"n\":%d,\"f\":%s,\"tags\":[\"t%d\",%d],\"m\":{\"k\":%d},\"pad\":\"%s\"}\n",
        1 + i % 28, i % 24, i % 60, (i % 101 == 0 ? "null" : sprintf("\"u%05d\"", (i * 7919) % 20011)),
        i % 97, (i % 13 == 0 ? "\"x\"" : i % 5 / 4), i % 7, i, i % 3,
        substr("abcdefghijklmnopqrstuvwxyz", 1, i % 26) }' >"$tmp/in.jsonl"
mkdir "$tmp/spill"

# same DESC QUERY [LIMIT]: unlimited, then --memory-limit LIMIT (256K) at 1, 2, 4 threads:
# the same bytes
same() {
    "$LIQ" --threads 2 --memory-limit 0 --format ndjson "$2" "$tmp/in.jsonl" >"$tmp/want" 2>"$tmp/err"
    if [ $? -ne 0 ] || [ ! -s "$tmp/want" ]; then not_ok "$1: the unlimited run failed"; show "$tmp/err"; return; fi
    for t in 1 2 4; do
        run --threads "$t" --memory-limit "${3:-256K}" --temp-dir "$tmp/spill" --format ndjson --stats "$2" "$tmp/in.jsonl"
        if [ "$rc" -eq 0 ] && cmp -s "$tmp/want" "$tmp/out"; then ok "$1 (--threads $t)"; else
            not_ok "$1 (--threads $t): exit $rc"; show "$tmp/err"; diff "$tmp/want" "$tmp/out" | head -5 | show /dev/stdin; fi
        if [ -z "$(ls -A "$tmp/spill")" ]; then ok "$1 (--threads $t): --temp-dir left empty"; else
            not_ok "$1 (--threads $t): files left in --temp-dir"; ls -la "$tmp/spill"; fi
    done
}
same "sort asc" 'sort user'
same "sort desc, ties by input order" 'sort n desc'
same "sort by two keys, mixed types" 'sort f, n desc'
same "rows with lists and maps" 'sort n | fields user, tags, m, pad'
same "a stage after the sort" 'sort n, user desc | stats count(*) as c, earliest(user) by n | sort c, n'
same "sort | dedup" 'sort n | dedup n'
same "stats count by a key with nulls" 'stats count(*) by user'
same "stats, every aggregate" 'stats count(*), count(f), sum(f), avg(f), min(f), max(pad), stddev(n), pct(n, 50), pct(f, 99.9), count_distinct(n), count_distinct(pad), earliest(pad), latest(n), sortsFirst(pad), sortsLast(f) by user' 2M
same "stats by two keys" 'stats sum(n), earliest(m) by user, n % 3'
same "stats | sort (unordered groups)" 'stats count(*) as c, max(n) as mx by user | sort c desc, mx'
same "stats | sort | limit (top groups)" 'stats count(*) as c by user, f | sort c desc | limit 20'
same "stats by bin" 'stats count(*), pct(n, 90) by bin(1h)'
same "stats by a number key written two ways" 'stats count(*) by n * 1.0, n'
# dedup: partitions by key hash, read back one at a time; rows with a null key kept in order
same "dedup by a key with nulls" 'dedup user'
same "dedup by two keys (nearly every row kept)" 'dedup user, f'
same "dedup, number keys in their short form" 'fields n * 1.0 as nn, user | dedup nn, f'
same "dedup by a JSON list" 'dedup tags | fields tags, m, pad'
same "dedup, a stage after it" 'dedup m, user | stats count(*) as c by n | sort c, n'
same "sort | dedup (earliest rows by sort order)" 'sort pad desc | dedup n, f'

# a dedup state loaded from a partial result (no budget while it loads) spills when finalized
# under the limit (before: exit 5): the bytes of the unlimited merge, which are the query's
"$LIQ" --memory-limit 0 --partial 'dedup user, f | fields user, f, n' "$tmp/in.jsonl" >"$tmp/w.part"
"$LIQ" --memory-limit 0 --merge --format ndjson 'dedup user, f | fields user, f, n' "$tmp/w.part" >"$tmp/want"
for t in 1 2; do
    run --threads "$t" --memory-limit 256K --temp-dir "$tmp/spill" --merge --format ndjson \
        'dedup user, f | fields user, f, n' "$tmp/w.part"
    if [ "$rc" -eq 0 ] && [ -s "$tmp/want" ] && cmp -s "$tmp/want" "$tmp/out"; then
        ok "dedup --merge under 256K (--threads $t)"; else
        not_ok "dedup --merge under 256K (--threads $t): exit $rc"; show "$tmp/err"; fi
done

# the state held stays near the limit: --stats says so
run --threads 2 --memory-limit 256K --temp-dir "$tmp/spill" --stats 'sort user' "$tmp/in.jsonl"
held=$(sed -n 's/.*states held at most .* (\([0-9]*\) bytes).*/\1/p' "$tmp/err")
if [ -n "$held" ] && [ "$held" -le 262144 ]; then ok "the states held at most $held bytes"; else
    not_ok "the states held '$held' bytes, over 256K"; show "$tmp/err"; fi

# an unusable --temp-dir
run --memory-limit 256K --temp-dir "$tmp/nonexistent" --format ndjson 'sort user' "$tmp/in.jsonl"
expect_rc 4 "--temp-dir that does not exist"
expect_err_has "liq: error: cannot write a spill file in $tmp/nonexistent: No such file or directory" "--temp-dir that does not exist"
expect_err_has "hint: give a directory with room with --temp-dir DIR" "--temp-dir that does not exist"
expect_out_empty "--temp-dir that does not exist"
: >"$tmp/afile"
run --memory-limit 256K --temp-dir "$tmp/afile" 'sort user' "$tmp/in.jsonl"
expect_rc 4 "--temp-dir that is a file"
expect_err_has "cannot write a spill file in $tmp/afile" "--temp-dir that is a file"

# a write that fails: files may not grow past 8 KiB (EFBIG, as ENOSPC on a full disk)
(trap '' XFSZ; ulimit -f 16; exec "$LIQ" --memory-limit 256K --temp-dir "$tmp/spill" 'sort user' "$tmp/in.jsonl") \
    </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
expect_rc 4 "a spill write that fails"
expect_err_has "liq: error: cannot write a spill file in $tmp/spill: File too large" "a spill write that fails"

# SIGTERM in the middle: nothing left in --temp-dir
mkfifo "$tmp/fifo"
"$LIQ" --memory-limit 256K --temp-dir "$tmp/spill" 'sort user' "$tmp/fifo" >"$tmp/out" 2>"$tmp/err" &
pid=$!
exec 3>"$tmp/fifo"
cat "$tmp/in.jsonl" "$tmp/in.jsonl" >&3
sleep 1
kill -TERM "$pid"
exec 3>&-
wait "$pid"
rc=$?
expect_rc 143 "SIGTERM while spilled"
if [ -z "$(ls -A "$tmp/spill")" ]; then ok "SIGTERM: --temp-dir left empty"; else
    not_ok "SIGTERM: files left in --temp-dir"; ls -la "$tmp/spill"; fi

finish
