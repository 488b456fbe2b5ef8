#!/bin/bash
# select.sh -- S3 test: --include/--exclude on listed keys (issue 5), as on files in
# directories: globs match the key below the URI's literal directory (the prefix up to its last
# '/' before any wildcard) or the key's last segment ('*' also matches '/'); an object named
# directly is always read. Expected lists worked out by hand from the keys below, which come
# in key order.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 node/npm missing.
#
# SPDX-License-Identifier: Apache-2.0
set -u
. "$SRCDIR/tests/s3/lib.sh"

s3_start
L="$tmp/local"
mkdir -p "$L/app/2026/11" "$L/app/old"
for k in app/2026/11/a.log app/2026/11/b.json app/2026/c.log app/old/d.log app/top.log; do
    echo "{\"k\":\"$k\"}" >"$L/$k"
done
s3_put logs "$L/" ""
ep="--endpoint-url $S3_URL"
q='fields k'

run $ep --format csv --no-header --include '*.log' "$q" s3://logs/app/
want app/2026/11/a.log app/2026/c.log app/old/d.log app/top.log
expect_out "--include by the key's last segment"

run $ep --format csv --no-header --include '*.log' --exclude 'old/*' "$q" s3://logs/app/
want app/2026/11/a.log app/2026/c.log app/top.log
expect_out "--exclude by the key below the prefix"

run $ep --format csv --no-header --include '2026/*' "$q" s3://logs/app/
want app/2026/11/a.log app/2026/11/b.json app/2026/c.log
expect_out "--include: '*' crosses '/'"

run $ep --format csv --no-header "$q" 's3://logs/app/*/*/*'
want app/2026/11/a.log app/2026/11/b.json
expect_out "a glob URI (one segment per '*') without filters"
run $ep --format csv --no-header --exclude '2026/11/*.json' "$q" 's3://logs/app/*/*/*'
want app/2026/11/a.log
expect_out "a glob URI: the globs see the key below app/"

run $ep --format csv --no-header --include '*.log' "$q" s3://logs/app/2026/11/b.json
want app/2026/11/b.json
expect_out "an object named directly is read whatever the globs"

[ "$failures" -eq 0 ] || { echo "$failures of $n failed"; exit 1; }
exit 0
