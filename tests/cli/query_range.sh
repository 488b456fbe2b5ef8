#!/bin/sh
# query_range.sh -- CLI test: queryStartTime(), queryEndTime(), queryTimeRange() when an input
# cannot be read twice (issue 20, docs/commands-2025.md C31)
#
# Without --start/--end the range comes from a run over the inputs before the query's own; a
# pipe or standard input read by that run would leave the query no records, so liq skips it:
# the records stay the query's and the range is null (with --start and --end, those).
# Environment (set by make check): LIQ = the liq binary. Exit: 0 pass, 1 fail.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
LC_ALL=C
export LC_ALL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-cli-range.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
. "$(dirname "$0")/out_lib.sh"

printf '%s\n' '{"@timestamp":"2025-01-01T00:00:00Z","n":1}' \
    '{"@timestamp":"2025-01-01T00:05:30Z","n":2}' >"$tmp/in.ndjson"

run --format csv 'fields n, queryTimeRange() as r' "$tmp/in.ndjson"
expect_rc 0 "a file"
want n,r 1,330000 2,330000
expect_out "a file"

run_in "$tmp/in.ndjson" --format csv 'fields n, queryTimeRange() as r'
expect_rc 0 "standard input"
want n,r 1, 2,
expect_out "standard input: every record, no range"

run_in "$tmp/in.ndjson" --format csv --start 2025-01-01T00:00:00Z --end 2025-01-01T01:00:00Z \
    'fields n, queryTimeRange() as r'
expect_rc 0 "standard input with --start/--end"
want n,r 1,3600000 2,3600000
expect_out "standard input with --start/--end"

mkfifo "$tmp/fifo"
cat "$tmp/in.ndjson" >"$tmp/fifo" &
writer=$!
run --format csv 'stats count(*) as c, queryStartTime() as s' "$tmp/fifo"
wait "$writer"
expect_rc 0 "a FIFO"
want c,s 2,
expect_out "a FIFO: every record, no range"

echo "1..$n"
[ "$failures" -eq 0 ]
