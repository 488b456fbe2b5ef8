#!/bin/bash
# s3.sh -- S3 input throughput over loopback: liq --stats reading objects from s3rver
#
#   LIQ=build/liq bench/s3.sh [FILES [LINES]]
#
# Writes FILES (default 30) JSON log files of LINES (default 100000) lines each (about 16 MB
# a file), uploads them to s3rver (tests/s3/lib.sh starts it on a free loopback port), then
# runs the same stats query over the local copies and over s3://bench/big/ with
# --s3-concurrency 1 and 8, with large objects in parallel ranges (the default) and without,
# three times each, printing liq's --stats lines.
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
export LIQ SRCDIR
# shellcheck source=tests/s3/lib.sh  # sets tmp, PY, S3_URL; s3_start, s3_put
. "$SRCDIR/tests/s3/lib.sh"
files=${1:-30}
lines=${2:-100000}

s3_start
mkdir -p "$tmp/big"
"$PY" - "$tmp/big" "$files" "$lines" <<'EOF'
import random, sys
random.seed(1)
lv = ["INFO", "WARN", "ERROR", "DEBUG"]
for f in range(int(sys.argv[2])):
    with open("%s/part%02d.log" % (sys.argv[1], f), "w") as fp:
        fp.write("".join(
            '{"ts":"2026-11-23T10:%02d:%02d.%03dZ","level":"%s","route":"/api/v%d/items",'
            '"latency":%d,"msg":"request handled for user %d with some padding text to make it '
            'longer"}\n' % (i // 6000 % 60, i // 100 % 60, i % 1000, lv[i % 4], i % 3,
                            random.randint(1, 2000), random.randint(1, 99999))
            for i in range(int(sys.argv[3]))))
EOF
s3_put bench "$tmp/big/" big/
q='stats count(*), avg(latency) by level'
echo "local files:"
for _ in 1 2 3; do "$LIQ" --stats "$q" "$tmp/big" 2>&1 >/dev/null | grep stats; done
# parts: the AWS CLI's default settings (objects of 8 MiB or more in 8 MiB ranges, 8 at
# once), then ranges off (a threshold above every object)
printf '[default]\ns3 =\n  multipart_threshold = 1GB\n' >"$tmp/noparts"
for parts in on off; do
    cfg=/dev/null
    [ $parts = off ] && cfg=$tmp/noparts
    for c in 1 8; do
        echo "s3rver, --s3-concurrency $c, ranges $parts:"
        for _ in 1 2 3; do
            AWS_CONFIG_FILE=$cfg "$LIQ" --stats --s3-concurrency $c --endpoint-url "$S3_URL" "$q" \
                s3://bench/big/ 2>&1 >/dev/null | grep stats
        done
    done
done
