#!/bin/sh
# state_bytes.sh -- CLI test: the bytes a stats group, a sorted row and a dedup key take
# (issue 15, docs/memory.md "Bytes per state")
#
# A stats group, a row of a sort without limit and a row dedup keeps are compact records
# (engine/exec/arena.h): a group of count(*) by an 11-byte key is a 40-byte record and its
# share of the hash index, a row its order key, its values encoded (a null 1 byte, a string
# its bytes and 2) and a pointer; a dedup row its key hash too, and its share of an index of
# 4-byte entries. What the states charge the run's budget (--stats: "states held at most N
# bytes") follows what they hold; over 30000 distinct keys at 1 and 2 threads it must stay
# under 75 bytes a group, 120 bytes a row and 140 bytes a dedup key (the 24-byte value slots
# before took 95-122 bytes a group, 157-200 a row and 194-291 a dedup key here). The answers
# are checked too: every group, every row in order.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-cli-state-bytes.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

. "$SRCDIR/tests/cli/out_lib.sh"

# 30000 records, 30000 distinct users, messages of about 60 bytes
awk 'BEGIN { for (i = 1; i <= 30000; i++) {
    w = ""; for (j = i; j > 0; j = int(j / 26)) w = w substr("abcdefghijklmnopqrstuvwxyz", j % 26 + 1, 1)
    printf "{\"user\":\"user-%06d\",\"ms\":%d,\"msg\":\"request %s failed\"}\n", i, i % 997, w } }' \
    >"$tmp/in.jsonl"

# held QUERY MAX: run at 1 and 2 threads with --stats, the states' peak at most MAX bytes
# per key, and the output checked by the awk program CHECK
held() {
    for t in 1 2; do
        run --threads "$t" --stats --no-header --format tsv "$1" "$tmp/in.jsonl"
        expect_rc 0 "$1 (--threads $t)"
        verdict=$(awk "$3" "$tmp/out")
        if [ "$verdict" = ok ]; then ok "$1 (--threads $t): the answer"; else
            not_ok "$1 (--threads $t): $verdict"; fi
        b=$(sed -n 's/.*states held at most .* (\([0-9]*\) bytes).*/\1/p' "$tmp/err")
        if [ -n "$b" ] && [ "$b" -le $(($2 * 30000)) ]; then
            ok "$1 (--threads $t): $((b / 30000)) bytes a key"
        else
            not_ok "$1 (--threads $t): held '$b' bytes, over $2 a key"; show "$tmp/err"
        fi
    done
}
held 'stats count(*) by user' 75 \
    '$1 != sprintf("user-%06d", NR) || $2 != 1 { bad++ } END { print (NR == 30000 && !bad) ? "ok" : NR " rows, " bad " wrong" }'
held 'sort user desc' 120 \
    '{ u = $0; sub(/.*"user":"/, "", u); sub(/".*/, "", u) } u != sprintf("user-%06d", 30001 - NR) { bad++ } END { print (NR == 30000 && !bad) ? "ok" : NR " rows, " bad " wrong" }'
held 'dedup user' 140 \
    '{ u = $0; sub(/.*"user":"/, "", u); sub(/".*/, "", u) } u != sprintf("user-%06d", NR) { bad++ } END { print (NR == 30000 && !bad) ? "ok" : NR " rows, " bad " wrong" }'

finish
