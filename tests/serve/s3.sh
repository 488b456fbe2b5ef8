#!/bin/bash
# s3.sh -- liq serve over a log group in S3 (s3rver on loopback behind tests/s3/proxy.py,
# which logs every request; issue 17): queries equal the liq CLI's over the same files,
# DescribeLogStreams lists (and reads) the prefix once per --refresh period, GetLogRecord and
# FilterLogEvents read S3 objects, and the server's S3 secret is not in its log.
# Skips (77) without node/npm (s3rver) or without Debian's awscli and python3-boto3.
# SPDX-License-Identifier: Apache-2.0
set -u
. "$SRCDIR/tests/s3/lib.sh"
. "$SRCDIR/tests/serve/lib.sh"

s3_start
s3_put logs "$tmp/app/" "app/"
proxy_start px
# the server reads S3 with s3rver's key; its clients sign with the test key
client_secret=testsecret0123456789
export AWS_ACCESS_KEY_ID=AKIDTEST AWS_SECRET_ACCESS_KEY=$client_secret
AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_ENDPOINT_URL_S3=$PROXY_URL \
    LIQ_SERVE_ACCESS_KEY_ID=AKIDTEST LIQ_SERVE_SECRET_ACCESS_KEY=$client_secret \
    serve_start --log-group /aws/s3app=s3://logs/app/ --refresh 3600

S=1704067200 E=1704069000
q='stats count(*) as n, max(latency) as mx by @logStream, level | sort @logStream, level'
aws logs start-query --log-group-name /aws/s3app --start-time $S --end-time $E --query-string "$q"
poll "$(pyq 'j["queryId"]')"
cp "$tmp/out" "$tmp/res.json"
"$LIQ" --insights-defaults --log-group "/aws/s3app=$tmp/app" --start $S --end $E --format csv \
    "$q" >"$tmp/cli.csv" 2>"$tmp/cli.err"
if "$PY" "$SRCDIR/tests/serve/compare.py" "$tmp/res.json" "$tmp/cli.csv" >"$tmp/cmp"; then
    ok "a query over the S3 group: the liq CLI's rows over the same files ($(cat "$tmp/cmp"))"
else
    not_ok "a query over the S3 group differs from the CLI's"; show "$tmp/cmp"
fi

lists() { grep -c 'list-type=2' "$tmp/px.log"; }
aws logs describe-log-streams --log-group-name /aws/s3app
expect_eq "$(pyq '[s["logStreamName"] for s in j["logStreams"]]')" \
    "['host1/app.log', 'host2/app.log']" "describe-log-streams over S3"
n1=$(lists)
aws logs describe-log-streams --log-group-name /aws/s3app --descending
expect_eq "$(pyq '[s["logStreamName"] for s in j["logStreams"]]')" \
    "['host2/app.log', 'host1/app.log']" "describe-log-streams again"
expect_eq "$(lists)" "$n1" "... from the kept listing: S3 not listed again within --refresh"

aws logs start-query --log-group-name /aws/s3app --start-time $S --end-time $E \
    --query-string 'filter msg = "request 9 from host1"'
poll "$(pyq 'j["queryId"]')"
ptr=$(pyq '[f["value"] for f in j["results"][0] if f["field"] == "@ptr"][0]')
aws logs get-log-record --log-record-pointer "$ptr"
expect_eq "$(pyq 'j["logRecord"]["msg"], j["logRecord"]["@logStream"]')" \
    "('request 9 from host1', 'host1/app.log')" "get-log-record over S3"
aws logs filter-log-events --log-group-name /aws/s3app --filter-pattern '"request 9 from"' \
    --page-size 1
expect_eq "$(pyq '[e["logStreamName"] for e in j["events"]]')" "['host1/app.log', 'host2/app.log']" \
    "filter-log-events over S3, pages of 1"
serve_stop
expect_eq "$serve_rc" 0 "SIGTERM: exit 0"
if grep -q "S3RVER\|$AWS_SECRET_ACCESS_KEY" "$tmp/serve.log"; then not_ok "the log shows a secret";
else ok "the log shows no secret"; fi
finish
