#!/bin/sh
# stats.sh -- CLI test: the run's statistics (issue 14)
#
# Records matched is defined as the records that passed the first stage's commands (SOURCE,
# filter, ...) up to the point the output stopped, counted in input order (engine/liq.h
# LiqRunStats): under a limit it must not depend on how far the workers ran ahead, so each
# query runs three times at 1, 2, 4 and 8 threads and with tiny batches, and every run must
# give the number worked out below. Bytes scanned count a container document (CloudTrail,
# subscription records) whole: they were 0. The table's footer prints them to the byte.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 pass, 1 fail.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-cli-stats.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

. "$SRCDIR/tests/cli/out_lib.sh"

# 200,000 records over 12 MB (a dozen morsels); k = i % 3, so 66,667 have k = 1
awk 'BEGIN { for (i = 0; i < 200000; i++)
    printf "{\"i\":%d,\"k\":%d,\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}\n", i, i % 3 }' \
    >"$tmp/m.jsonl"

# matched DESC EXPECTED QUERY: records matched of every run (--stats), all equal to EXPECTED
matched() {
    desc=$1 want=$2 q=$3 got=
    for t in 1 2 4 8 3b; do
        case $t in
        3b) set -- --threads 3 --debug-batch-rows 7 ;;
        *) set -- --threads "$t" ;;
        esac
        for k in 1 2 3; do
            m=$("$LIQ" "$@" --stats "$q" "$tmp/m.jsonl" 2>&1 >/dev/null |
                sed -n 's/.* scanned, \([0-9]*\) matched.*/\1/p')
            [ "$m" = "$want" ] || got="$got $t:$m"
        done
    done
    check "$desc" "" "$got"
}
matched "filter | limit 10000: 10,000 at every thread count" 10000 'filter k = 1 | limit 10000'
matched "limit 5 without a filter" 5 'limit 5'
matched "a limit past the matches: every match" 66667 'filter k = 1 | limit 100000'
matched "a limit mid-morsel, late in the input" 60001 'filter k = 1 | limit 60001'
matched "no limit" 66667 'filter k = 1 | fields i'
matched "stats reads everything" 66667 'filter k = 1 | stats count(*)'

# footer [OPTION...] FILE: the bytes scanned the table footer gives
footer() {
    "$LIQ" --format table 'stats count(*)' "$@" 2>&1 >/dev/null |
        sed -n 's/.* records* (\([0-9]* B\)) scanned.*/\1/p'
}
printf '{"Records":[{"eventTime":"2024-01-01T00:00:00Z","eventName":"A"},{"eventTime":"2024-01-01T00:00:01Z","eventName":"B"}]}\n' >"$tmp/ct.json"
check "CloudTrail: bytes scanned" "$(wc -c <"$tmp/ct.json" | tr -d ' ') B" "$(footer "$tmp/ct.json")"
gzip -c "$tmp/ct.json" >"$tmp/ct.json.gz"
check "CloudTrail, gzip: plain bytes scanned" "$(wc -c <"$tmp/ct.json" | tr -d ' ') B" \
    "$(footer "$tmp/ct.json.gz")"
printf '{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"a","logStream":"s","subscriptionFilters":[],"logEvents":[{"id":"1","timestamp":1,"message":"x"}]}\n' >"$tmp/fh.json"
check "subscription records: bytes scanned" "$(wc -c <"$tmp/fh.json" | tr -d ' ') B" \
    "$(footer "$tmp/fh.json")"
check "subscription records on stdin: bytes scanned" "$(wc -c <"$tmp/fh.json" | tr -d ' ') B" \
    "$("$LIQ" --format table 'stats count(*)' <"$tmp/fh.json" 2>&1 >/dev/null |
        sed -n 's/.* records* (\([0-9]* B\)) scanned.*/\1/p')"
printf '{"Records":[]}\n' >"$tmp/empty.json"
check "a container without records: its bytes still scanned" "15 B" \
    "$(footer --input-format cloudtrail "$tmp/empty.json")"

echo "1..$n"
[ "$failures" -eq 0 ] || exit 1
exit 0
