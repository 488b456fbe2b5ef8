#!/bin/bash
# prune.sh -- S3 test: --start/--end skip objects by the date path of their key, before any
# download, and never lose late-arriving events
#
# Layouts (engine/s3/s3_prune.h): Firehose YYYY/MM/DD/HH/ prefixes are arrival hours (an object
# is skipped only when its hour, plus Firehose's 15-minute buffer, ended before --start; an
# object that arrived after --end is read, since it may hold older events), AWSLogs/.../
# YYYY/MM/DD/ delivery days (one day of slack on each side), and export-task keys (no date,
# never skipped, even when a Lambda stream name looks like a date). Results must equal the
# same query over local copies (where nothing is pruned); the proxy's log shows that pruned
# keys were never requested; --stats counts them.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 node/npm missing.
#
# SPDX-License-Identifier: Apache-2.0
set -u
. "$SRCDIR/tests/s3/lib.sh"

s3_start
L="$tmp/local"
ev() { printf '{"timestamp":"2026-11-%sZ","msg":"%s"}\n' "$1" "$2"; }
# Firehose: arrival hours 10, 11, 12 and 14 of 2026-11-20
F="$L/fh/2026/11/20"
mkdir -p "$F/10" "$F/11" "$F/12" "$F/14"
ev 20T10:05:00 "fh arrived 10" >"$F/10/s-1-2026-11-20-10-05-00-aaaa"
{ ev 20T11:10:00 "fh arrived 11"; ev 20T12:10:00 "fh buffered past the hour"; } \
    >"$F/11/s-1-2026-11-20-11-59-00-bbbb"
ev 20T12:05:00 "fh arrived 12" | gzip >"$F/12/s-1-2026-11-20-12-05-00-cccc.gz"
ev 20T12:30:00 "fh late arrival" >"$F/14/s-1-2026-11-20-14-00-00-dddd"
# VPC flow logs: delivery days 18, 19, 21, 22
V="$L/AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11"
mkdir -p "$V/18" "$V/19" "$V/21" "$V/22"
ev 18T12:00:00 "vpc day 18" >"$V/18/a.log"
ev 20T12:20:00 "vpc day 19 (event after delivery day)" >"$V/19/b.log"
ev 20T12:40:00 "vpc day 21 (delivered the next day)" >"$V/21/c.log"
ev 22T12:00:00 "vpc day 22" >"$V/22/d.log"
# an export task: a Lambda stream name that looks like a date
X="$L/exp/task-1/2026/11/01/[\$LATEST]abc"
mkdir -p "$X"
ev 20T12:45:00 "export" | gzip >"$X/000000.gz"
s3_put logs "$L/" ""
proxy_start p
rng='--start 2026-11-20T12:00:00Z --end 2026-11-20T12:59:59Z'
q='fields @timestamp, msg | sort @timestamp'

run --format csv $rng "$q" "$L/fh" "$L/AWSLogs" "$L/exp"
cp "$tmp/out" "$tmp/local.out"
want '@timestamp,msg' '2026-11-20 12:05:00.000,fh arrived 12' \
    '2026-11-20 12:10:00.000,fh buffered past the hour' \
    '2026-11-20 12:20:00.000,vpc day 19 (event after delivery day)' \
    '2026-11-20 12:30:00.000,fh late arrival' '2026-11-20 12:40:00.000,vpc day 21 (delivered the next day)' \
    '2026-11-20 12:45:00.000,export'
if cmp -s "$tmp/want" "$tmp/local.out"; then ok "the local copies hold the expected events"; else
    not_ok "local copies"; show "$tmp/local.out"; fi

run --format csv --stats --endpoint-url "$PROXY_URL" $rng "$q" s3://logs/fh/ s3://logs/AWSLogs/ s3://logs/exp/
expect_rc 0 "pruned run"
expect_same "$tmp/local.out" "pruned run: late arrivals and slack kept"
expect_err_has "liq: stats: S3 objects: 3 pruned by their date path (--start/--end), 0 read from --cache-dir" \
    "--stats counts the pruned objects"
for k in 'fh/2026/11/20/10/' 'vpcflowlogs/us-east-1/2026/11/18/' 'vpcflowlogs/us-east-1/2026/11/22/'; do
    if grep -q "^GET /logs/[^?]*$k" "$tmp/p.log"; then not_ok "pruned key $k was requested"; show "$tmp/p.log"; else
        ok "pruned key $k not requested"; fi
done
got=$(grep -c "^GET /logs/[^?]* range=" "$tmp/p.log")
if [ "$got" -eq 6 ]; then ok "6 objects downloaded of 9"; else not_ok "$got objects downloaded, expected 6"; show "$tmp/p.log"; fi

# a glob, --start only, --end only
run --format csv --endpoint-url "$PROXY_URL" --start 2026-11-20T12:00:00Z 'stats count(*) as n' 's3://logs/fh/*/*/*/*/*'
want n 3
expect_out "--start alone over a glob"
run --format csv --stats --endpoint-url "$PROXY_URL" --end 2026-11-19T00:00:00Z 'stats count(*) as n' \
    s3://logs/fh/ s3://logs/AWSLogs/
want n 1
expect_out "--end alone: Firehose objects after --end are still read"
expect_err_has "S3 objects: 2 pruned" "--end alone prunes AWSLogs days 21 and 22 only"
run --format csv --stats --endpoint-url "$PROXY_URL" --start 2026-11-01T00:00:00Z 'stats count(*) as n' \
    s3://logs/exp/
expect_err_has "S3 objects: 0 pruned by their date path" "--stats says when nothing was pruned"
# everything pruned: no error
run --format csv --endpoint-url "$PROXY_URL" --start 2027-01-01T00:00:00Z --end 2027-01-02T00:00:00Z \
    'stats count(*) as n' s3://logs/AWSLogs/
expect_rc 0 "every object pruned"
want n 0
expect_out "every object pruned"

finish
