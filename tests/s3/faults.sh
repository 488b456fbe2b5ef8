#!/bin/bash
# faults.sh -- S3 test: retries, resumed bodies and the messages for faults liq cannot cure
#
# A loopback proxy (tests/s3/proxy.py) in front of s3rver answers 500/503 for the first
# tries, resets connections, answers nothing until --s3-read-timeout gives up, cuts bodies
# short (resumed with a Range request), reports objects as GLACIER in listings (skipped
# without a request) and answers wrong-region redirects (301 with x-amz-bucket-region, 400
# AuthorizationHeaderMalformed with <Region>: followed once per request, said once per
# bucket). Results must equal the same query over local copies; what cannot be read is named
# on one line and the run exits 3 after reading the rest.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 node/npm missing.
#
# SPDX-License-Identifier: Apache-2.0
set -u
. "$SRCDIR/tests/s3/lib.sh"

s3_start
L="$tmp/local"
mkdir -p "$L/app"
"$PY" - "$L/app" <<'EOF'
import gzip, sys
with open(sys.argv[1] + "/a.log", "w") as fp:
    for i in range(3000):
        fp.write('{"i": %d, "level": "%s", "msg": "plain line %d"}\n' % (i, "ERROR" if i % 5 == 0 else "INFO", i))
with gzip.open(sys.argv[1] + "/b.log.gz", "wt") as fp:
    for i in range(2000):
        fp.write('{"i": %d, "level": "%s", "msg": "zipped line %d"}\n' % (i, "WARN" if i % 3 == 0 else "INFO", i))
with open(sys.argv[1] + "/c.log", "w") as fp:
    fp.write('{"i": 1, "level": "ERROR", "msg": "small"}\n')
EOF
s3_put logs "$L/" ""
export AWS_MAX_ATTEMPTS=4
q='stats count(*) as n, sum(i) as s by level | sort level'
run --format csv "$q" "$L/app"
cp "$tmp/out" "$tmp/local.out"
# count PATTERN NAME: requests in $tmp/NAME.log matching the extended regex PATTERN
count() { grep -cE "$1" "$tmp/$2.log"; }
expect_count() {
    local got i=0
    got=$(count "$1" "$2")
    while [ "$got" -lt "$3" ] && [ $i -lt 600 ]; do # a request given up is logged when it ends
        sleep 0.1
        i=$((i + 1))
        got=$(count "$1" "$2")
    done
    if [ "$got" -eq "$3" ]; then ok "$4: $3 requests like '$1'"; else
        not_ok "$4: $got requests like '$1', expected $3"; show "$tmp/$2.log"; fi
}

# ===== retried =====
proxy_start p1 --status 503:2:'/app/a\.log' --status 500:1:'list-type' --status 502:1:'/b\.log'
run --format csv --endpoint-url "$PROXY_URL" "$q" s3://logs/app/
expect_rc 0 "503 SlowDown, 500, 502 retried"
expect_same "$tmp/local.out" "503 SlowDown, 500, 502 retried"
expect_count 'a\.log .* -> 503' p1 2 "503 SlowDown"
expect_count 'a\.log .* -> 200' p1 1 "503 SlowDown, then the object"
expect_count 'list-type.* -> 500' p1 1 "500 on the listing"

proxy_start p2 --reset 2:'/a\.log'
run --format csv --endpoint-url "$PROXY_URL" "$q" s3://logs/app/
expect_rc 0 "connection resets retried"
expect_same "$tmp/local.out" "connection resets retried"
expect_count 'a\.log .* -> reset' p2 2 "connection resets"

# the first try of c.log is never answered (until liq hangs up): only liq's read timeout ends
# it, whatever the machine's speed; a liq without one never ends (hang guard: exit 124)
proxy_start p3 --hang 1:'/c\.log'
run_guarded 60 --format csv --s3-read-timeout 1 --endpoint-url "$PROXY_URL" "$q" s3://logs/app/
expect_rc 0 "a try that times out is retried"
expect_same "$tmp/local.out" "a try that times out is retried"
expect_count 'c\.log .* -> client gone unanswered$' p3 1 "timeout: the first try abandoned by liq"
expect_count 'c\.log .* -> 200' p3 1 "timeout: then answered"

# ===== bodies cut short: resumed with Range =====
proxy_start p4 --cut 50000:1:'/a\.log' --cut 777:2:'/b\.log\.gz'
run --format csv --endpoint-url "$PROXY_URL" "$q" s3://logs/app/
expect_rc 0 "bodies cut short"
expect_same "$tmp/local.out" "bodies cut short"
expect_count 'a\.log range=bytes=50000- -> 206' p4 1 "plain body resumed with Range"
expect_count 'b\.log\.gz range=bytes=777- -> 206 cut at 777' p4 1 "gzip body cut twice"
expect_count 'b\.log\.gz range=bytes=1554- -> 206$' p4 1 "gzip body resumed twice"

# ===== given up: named, the rest read, exit 3 =====
proxy_start p5 --status 500:0:'/a\.log'
run --format csv --endpoint-url "$PROXY_URL" "$q" s3://logs/app/
expect_rc 3 "an object that keeps failing"
expect_err_has "s3://logs/app/a.log: HTTP 500 InternalError: injected by proxy.py (gave up after 4 tries)" \
    "an object that keeps failing"
expect_err_lines 2 "an object that keeps failing: one line and the summary"
expect_count 'a\.log' p5 4 "AWS_MAX_ATTEMPTS=4 tries"
run --format csv "$q" "$L/app/b.log.gz" "$L/app/c.log"
cp "$tmp/out" "$tmp/rest.out"
run --format csv --endpoint-url "$PROXY_URL" "$q" s3://logs/app/
expect_same "$tmp/rest.out" "the other objects are read"

proxy_start p6 --status 404:0:'/a\.log'
run --format csv --endpoint-url "$PROXY_URL" "$q" s3://logs/app/a.log
expect_rc 3 "4xx is not retried"
expect_count 'a\.log' p6 1 "4xx is not retried"

# ===== archived objects: skipped without a request =====
proxy_start p7 --glacier '^app/a\.log$'
run --format csv --endpoint-url "$PROXY_URL" "$q" s3://logs/app/
expect_rc 3 "GLACIER object"
expect_same "$tmp/rest.out" "GLACIER object skipped"
expect_err_has "s3://logs/app/a.log: in storage class GLACIER: restore it before reading; skipped" \
    "GLACIER object named"
expect_count 'GET /logs/app/a\.log' p7 0 "GLACIER object: no request"

proxy_start p9 --status 403/InvalidObjectState:0:'/a\.log'
run --format csv --endpoint-url "$PROXY_URL" "$q" s3://logs/app/a.log
expect_rc 3 "an archived object named directly"
expect_err_has "s3://logs/app/a.log: archived (Glacier or Deep Archive): restore it before reading (403 InvalidObjectState" \
    "an archived object named directly"

# ===== wrong region: followed once, said once =====
cp "$L/app/c.log" "$tmp/c-copy.log" # the S3 run reads c.log twice; a local file named twice, once
run --format csv "$q" "$L/app" "$tmp/c-copy.log"
cp "$tmp/out" "$tmp/region.out"
proxy_start p8 --redirect eu-west-3
run --format csv --endpoint-url "$PROXY_URL" "$q" s3://logs/app/ s3://logs/app/c.log
expect_rc 0 "wrong region (301 with x-amz-bucket-region)"
expect_same "$tmp/region.out" "wrong region (301): followed"
expect_err_has "liq: warning: s3://logs: the bucket is in region eu-west-3, not us-east-1: requests go there (set AWS_REGION=eu-west-3" \
    "wrong region (301): said"
expect_err_lines 1 "wrong region (301): said once"
expect_count ' -> 301 signed=us-east-1$' p8 1 "wrong region (301): one redirect"
expect_count ' -> 200 signed=eu-west-3$' p8 5 "wrong region (301): the listing and 4 GETs signed for eu-west-3"

proxy_start p10 --redirect eu-west-3/400
run --format csv --s3-concurrency 1 --endpoint-url "$PROXY_URL" "$q" s3://logs/app/a.log \
    s3://logs/app/b.log.gz s3://logs/app/c.log
expect_rc 0 "wrong region (400 AuthorizationHeaderMalformed)"
expect_same "$tmp/local.out" "wrong region (400): followed"
expect_err_lines 1 "wrong region (400): said once"
expect_count ' -> 400 signed=us-east-1$' p10 1 "wrong region (400): one redirect"
run -q --format csv --endpoint-url "$PROXY_URL" "$q" s3://logs/app/c.log
expect_err_lines 0 "wrong region: --quiet says nothing"

proxy_start p11 --redirect eu-west-3/always
run --format csv --endpoint-url "$PROXY_URL" "$q" s3://logs/app/c.log
expect_rc 3 "redirected again after following"
expect_err_has "s3://logs/app/c.log: the bucket is in another region than eu-west-3 (301 PermanentRedirect" \
    "redirected again after following"
expect_count 'c\.log' p11 2 "a redirect is followed once"

proxy_start p12 --redirect none
AWS_REGION=eu-west-3 run --format csv --endpoint-url "$PROXY_URL" "$q" s3://logs/app/c.log
expect_rc 3 "redirected without a region"
expect_err_has "s3://logs/app/c.log: the bucket is in another region than eu-west-3 (301" \
    "redirected without a region"
expect_count 'c\.log' p12 1 "redirected without a region: not retried"

finish
