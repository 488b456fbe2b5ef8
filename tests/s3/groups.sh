#!/bin/bash
# groups.sh -- S3 test: log groups and streams of S3 objects (issue 14, docs/log-groups.md):
# @logStream is the key below the URI's directory (host1/app.log and host2/app.log are two
# streams), --log-group names a prefix's group, and SOURCE never lists (nor reads) the prefix
# of a group it does not select: a group in a bucket that does not exist is no error then.
# Expected values worked out by hand from the keys below.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 node/npm missing.
#
# SPDX-License-Identifier: Apache-2.0
set -u
. "$SRCDIR/tests/s3/lib.sh"

s3_start
L="$tmp/local"
mkdir -p "$L/fn/host1" "$L/fn/host2" "$L/ecs"
echo '{"m":"a"}' >"$L/fn/host1/app.log"
printf '{"m":"b"}\n{"m":"c"}\n' >"$L/fn/host2/app.log"
echo '{"m":"d"}' >"$L/ecs/task.log"
s3_put logs "$L/" ""
ep="--endpoint-url $S3_URL"

run $ep --format csv --no-header 'stats count(*) by @log, @logStream' s3://logs/fn/
want 's3://logs/fn/,host1/app.log,1' 's3://logs/fn/,host2/app.log,2'
expect_out "two hosts' app.log under a prefix are two streams"

run $ep --format csv --no-header 'fields @logStream' 's3://logs/fn/*/app.log'
want 'host1/app.log' 'host2/app.log' 'host2/app.log'
expect_out "a glob: streams below its literal directory"

run $ep --format csv --no-header --log-group /aws/lambda/fn=s3://logs/fn/ \
    --log-group "/aws/ecs/x=$L/ecs" 'fields @log, @logStream, m'
want '/aws/lambda/fn,host1/app.log,a' '/aws/lambda/fn,host2/app.log,b' \
    '/aws/lambda/fn,host2/app.log,c' '/aws/ecs/x,task.log,d'
expect_out "--log-group on an S3 prefix and a directory"

run $ep --format csv --no-header --log-group /aws/lambda/fn=s3://logs/fn/ \
    --log-group /aws/ecs/x=s3://no-such-bucket/ecs/ \
    "SOURCE logGroups(namePrefix: ['/aws/lambda']) | stats count(*) by @log"
expect_rc 0 "SOURCE leaves a group in a missing bucket alone"
want '/aws/lambda/fn,3'
expect_out "SOURCE reads the group it selects"
expect_err_empty "SOURCE leaves a group in a missing bucket alone"

run $ep --format csv --no-header --log-group /aws/lambda/fn=s3://logs/fn/ \
    --log-group /aws/ecs/x=s3://no-such-bucket/ecs/ "SOURCE '/aws/ecs/x' | stats count(*)"
expect_rc 3 "a selected group in a missing bucket"

[ "$failures" -eq 0 ] || { echo "$failures of $n failed"; exit 1; }
exit 0
