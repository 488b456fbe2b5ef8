#!/bin/sh
# errors.sh -- liq serve's refusals in AWS's shape (issue 17): unsigned, incomplete, expired,
# unknown-key and wrong-signature requests; a credentials file with two keys; bad queries
# (MalformedQueryException with the location), unknown log groups, bad parameters, too many
# queries (LimitExceededException), a body past --max-body; clients that disconnect in the
# middle of a request or before reading the answer; --no-auth and plain HTTP refused off
# loopback; TLS on loopback; SIGTERM with a query running: exit 0; --config files; idle
# connections closed after --timeout; --keep 0 drops finished queries' results.
# SPDX-License-Identifier: Apache-2.0
. "$SRCDIR/tests/serve/lib.sh"

# signed OPERATION BODY [ARGS]: a SigV4-signed request (tests/serve/signed.py): status line
# then body in $tmp/out
signed() {
    timeout 60 "$PY" "$SRCDIR/tests/serve/signed.py" "$URL" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}
status() { head -1 "$tmp/out"; }
body_q() { tail -n +2 "$tmp/out" >"$tmp/body"; "$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$tmp/body" "$1"; }

cat >"$tmp/creds" <<EOC
[default]
aws_access_key_id = AKIDTEST
aws_secret_access_key = $AWS_SECRET_ACCESS_KEY

[second]
aws_access_key_id=AKIDSECOND
aws_secret_access_key=secondsecret0123456789
EOC
mkfifo "$tmp/live.fifo"
(printf '{"timestamp":"2024-01-01T00:00:00Z","level":"INFO"}\n'; sleep 600) >"$tmp/live.fifo" &
pids="$pids $!"
serve_start --credentials "$tmp/creds" --max-queries 1 --max-body 4096 \
    --log-group /aws/app=$tmp/app --log-group /aws/live=$tmp/live.fifo

# ---- signatures
aws logs describe-log-groups
expect_rc 0 "a signed request"
AWS_ACCESS_KEY_ID=AKIDSECOND AWS_SECRET_ACCESS_KEY=secondsecret0123456789 aws logs describe-log-groups
expect_rc 0 "the second key of the credentials file"
aws logs describe-log-groups --no-sign-request
expect_err_has "(MissingAuthenticationTokenException)" "unsigned"
AWS_SECRET_ACCESS_KEY=wrongsecret0123456789 aws logs describe-log-groups
expect_err_has "(InvalidSignatureException)" "a wrong secret"
AWS_ACCESS_KEY_ID=AKIDUNKNOWN aws logs describe-log-groups
expect_err_has "(UnrecognizedClientException)" "an unknown access key"
signed DescribeLogGroups '{}' --skew 900
expect_eq "$(status) $(body_q 'j["__type"], j["message"].startswith("Signature expired")')" \
    "400 ('InvalidSignatureException', True)" "a signature 15 minutes old: expired"
timeout 60 curl -s -X POST -H 'X-Amz-Target: Logs_20140328.DescribeLogGroups' \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=AKIDTEST/20240101/us-east-1/logs/aws4_request' \
    -d '{}' "$URL/" >"$tmp/out"
expect_eq "$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["__type"])' "$tmp/out")" \
    IncompleteSignatureException "an Authorization header without SignedHeaders and Signature"
signed DescribeLogGroups '{}'
expect_eq "$(status)" 200 "botocore's signature"

# ---- bad requests
aws logs start-query --log-group-name /aws/app --start-time 1 --end-time 2 \
    --query-string 'fields a | stats count(*) by'
expect_err_has "(MalformedQueryException)" "a bad query"
expect_err_has "error at 1:29: unexpected end of query" "a bad query: liq's message"
signed StartQuery '{"logGroupName":"/aws/app","startTime":1,"endTime":2,"queryString":"fields a | filter a = = 1"}'
expect_eq "$(status) $(body_q 'j["__type"], j["queryCompileError"]["location"]')" \
    "400 ('MalformedQueryException', {'startCharOffset': 22, 'endCharOffset': 22})" \
    "MalformedQueryException: the location"
aws logs start-query --log-group-name /aws/nope --start-time 1 --end-time 2 --query-string 'fields a'
expect_err_has "(ResourceNotFoundException)" "an unknown log group"
aws logs start-query --log-group-names /aws/app /aws/nope --start-time 1 --end-time 2 --query-string 'fields a'
expect_err_has "(ResourceNotFoundException)" "one unknown log group of two"
aws logs start-query --log-group-name /aws/app --start-time 20 --end-time 2 --query-string 'fields a'
expect_err_has "(InvalidParameterException)" "endTime before startTime"
aws logs start-query --start-time 1 --end-time 2 --query-string 'fields a'
expect_err_has "(InvalidParameterException)" "no log group and no SOURCE"
aws logs get-query-results --query-id 00000000-0000-0000-0000-000000000000
expect_err_has "(ResourceNotFoundException)" "an unknown query id"
aws logs filter-log-events --log-group-name /aws/nope
expect_err_has "(ResourceNotFoundException)" "filter-log-events: an unknown log group"
aws logs describe-log-groups --log-group-name-prefix /a --log-group-name-pattern a
expect_err_has "(InvalidParameterException)" "prefix and pattern together"
signed DescribeLogGroups "{\"logGroupNamePrefix\":\"$(head -c 5000 /dev/zero | tr '\0' a)\"}"
expect_eq "$(status) $(body_q 'j["__type"]')" "413 SerializationException" "a body past --max-body"
signed DescribeLogGroups 'not json'
expect_eq "$(status) $(body_q 'j["__type"]')" "400 SerializationException" "a body that is not JSON"

# ---- SOURCE instead of logGroupName
aws logs start-query --start-time 1704067200 --end-time 1704069000 \
    --query-string "SOURCE '/aws/app' | stats count(*) as n"
poll "$(pyq 'j["queryId"]')"
expect_eq "$(pyq 'j["results"]')" "[[{'field': 'n', 'value': '516'}]]" "SOURCE in the query names the group"

# ---- too many queries: one may run (--max-queries 1)
aws logs start-query --log-group-name /aws/live --start-time 1704067200 --end-time 1704069000 \
    --query-string 'stats count(*)'
expect_rc 0 "a query that runs until stopped"
live=$(pyq 'j["queryId"]')
aws logs start-query --log-group-name /aws/app --start-time 1704067200 --end-time 1704069000 \
    --query-string 'stats count(*)'
expect_err_has "(LimitExceededException)" "a second query past --max-queries 1"

# ---- clients that go away
signed GetQueryResults "{\"queryId\":\"$live\"}" --drop
signed FilterLogEvents '{"logGroupName":"/aws/app"}' --drop
signed DescribeLogGroups '{"logGroupNamePrefix":"/aws"}' --half
aws logs describe-log-groups
expect_rc 0 "the server answers after clients that went away"

# ---- off loopback: TLS and signatures required
"$LIQ" serve --listen 0.0.0.0:0 --no-auth --log-group /a=$tmp/app 2>"$tmp/err"
rc=$?
expect_rc 2 "--no-auth off loopback"
"$LIQ" serve --listen 0.0.0.0:0 --credentials "$tmp/creds" --log-group /a=$tmp/app 2>"$tmp/err"
rc=$?
expect_rc 2 "off loopback without TLS"
expect_err_has "needs TLS" "off loopback without TLS: the message"
"$LIQ" serve --log-group /a=$tmp/app 2>"$tmp/err"
rc=$?
expect_rc 2 "no credentials and no --no-auth"

# ---- SIGTERM with a query running: it is cancelled, exit 0
aws logs describe-queries --status Running
expect_eq "$(pyq 'len(j["queries"])')" 1 "a query is running"
# a listing of the live group reads the FIFO until cancelled: SIGTERM cancels it too (when the
# request came in before the signal; else its connection is refused: both end)
timeout 60 "$AWS" --endpoint-url "$URL" logs describe-log-streams --log-group-name /aws/live \
    >"$tmp/bg.out" 2>&1 &
bg=$!
i=0
while [ $i -lt 50 ] && ! grep -q live "$tmp/serve.log" && kill -0 $bg 2>/dev/null; do
    sleep 0.1 # a moment for the request to arrive (the test holds either way)
    i=$((i + 1))
done
serve_stop
expect_eq "$serve_rc" 0 "SIGTERM with a running query and a listing in progress: exit 0"
wait $bg
bg_rc=$?
if [ "$bg_rc" -ne 124 ]; then ok "the listing's client got an answer or a closed connection"; else
    not_ok "the listing's client hung"; fi
if grep -q "SIGTERM: stopping: running queries cancelled" "$tmp/serve.log"; then
    ok "SIGTERM: the log says so"; else not_ok "SIGTERM: not in the log"; show "$tmp/serve.log"; fi
for s in "$AWS_SECRET_ACCESS_KEY" secondsecret0123456789 wrongsecret0123456789; do
    if grep -q "$s" "$tmp/serve.log"; then not_ok "the log shows a secret"; fi
done
ok "the log shows no secret"

# ---- TLS on loopback (libmicrohttpd's, GnuTLS)
if command -v openssl >/dev/null 2>&1; then
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
        -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
    serve_start --credentials "$tmp/creds" --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem" \
        --log-group /aws/app=$tmp/app
    URL=https://127.0.0.1:$PORT
    AWS_CA_BUNDLE=$tmp/cert.pem aws logs describe-log-groups
    expect_eq "$rc $(pyq 'j["logGroups"][0]["logGroupName"]')" "0 /aws/app" "HTTPS with the server's certificate"
    serve_stop
    expect_eq "$serve_rc" 0 "TLS server: SIGTERM, exit 0"
fi
# ---- --max-kept 2: the oldest finished query goes when a third has finished
serve_start --no-auth --max-kept 2 --log-group /aws/app=$tmp/app
URL=http://127.0.0.1:$PORT
ids=""
for k in 1 2 3; do
    aws logs start-query --log-group-name /aws/app --start-time 1704067200 --end-time 1704069000 \
        --query-string "stats count(*) as n$k"
    id=$(pyq 'j["queryId"]')
    ids="$ids $id"
    poll "$id"
done
i=0
while [ $i -lt 300 ]; do # the sweep runs once a second
    aws logs describe-queries
    [ "$(pyq 'len(j["queries"])')" = 2 ] && break
    sleep 0.1
    i=$((i + 1))
done
set -- $ids
expect_eq "$(pyq '[q["queryId"] for q in j["queries"]]')" "['$3', '$2']" "--max-kept 2: the two newest kept"
aws logs get-query-results --query-id "$1"
expect_err_has "(ResourceNotFoundException)" "--max-kept 2: the oldest is gone"
serve_stop
# ---- --query-timeout 1: a query still reading the FIFO after a second ends as Timeout
serve_start --no-auth --query-timeout 1 --log-group /aws/live=$tmp/live.fifo \
    --log-group /aws/app=$tmp/app
URL=http://127.0.0.1:$PORT
aws logs start-query --log-group-name /aws/live --start-time 1704067200 --end-time 1704069000 \
    --query-string 'stats count(*)'
poll "$(pyq 'j["queryId"]')"
expect_eq "$(pyq 'j["status"], j["results"]')" "('Timeout', [])" "--query-timeout: status Timeout, no cut result"

# ---- a query reads only the configured groups: SOURCE naming a path reads nothing, and a
# lookup table (a file) is not available to it
aws logs start-query --start-time 1704067200 --end-time 1704069000 \
    --query-string "SOURCE '$tmp/app/host1/app.log' | stats count(*) as n"
poll "$(pyq 'j["queryId"]')"
expect_eq "$(pyq 'j["status"], j["results"]')" "('Complete', [[{'field': 'n', 'value': '0'}]])" \
    "SOURCE naming a file outside the groups: nothing read"
aws logs start-query --log-group-name /aws/app --start-time 1704067200 --end-time 1704069000 \
    --query-string "lookup passwd level OUTPUT shell"
expect_err_has "(MalformedQueryException)" "lookup of a file: not available"
serve_stop
expect_eq "$serve_rc" 0 "SIGTERM: exit 0"

# ---- --config FILE: the options as lines; --timeout closes idle connections
cat >"$tmp/serve.conf" <<EOC
# a comment line, then settings as 'name value'
log-group /aws/conf/a=$tmp/app/host1
  log-group /aws/conf/b=$tmp/app/host2
no-auth
max-queries 2
timeout 1
keep 0
EOC
serve_start --config "$tmp/serve.conf"
URL=http://127.0.0.1:$PORT
aws logs describe-log-groups
expect_eq "$rc $(pyq '[g["logGroupName"] for g in j["logGroups"]]')" "0 ['/aws/conf/a', '/aws/conf/b']" \
    "--config: the log groups and --no-auth of the file"
# a connection that sends nothing is closed after --timeout 1 (hang guard: 30 s)
"$PY" - "$PORT" >"$tmp/idle" <<'EOP'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(30)
try:
    print("closed" if s.recv(1) == b"" else "data")
except socket.timeout:
    print("still open")
EOP
expect_eq "$(cat "$tmp/idle")" closed "--timeout 1: an idle connection is closed"
aws logs describe-log-groups
expect_rc 0 "... and the server answers the next one"
# keep 0: a finished query's results go at the next sweep (once a second; hang guard 300 polls)
aws logs start-query --log-group-name /aws/conf/a --start-time 1704067200 --end-time 1704069000 \
    --query-string 'stats count(*) as n'
kid=$(pyq 'j["queryId"]')
i=0
while [ $i -lt 300 ]; do
    aws logs get-query-results --query-id "$kid"
    [ $rc -ne 0 ] && break
    sleep 0.1
    i=$((i + 1))
done
expect_err_has "(ResourceNotFoundException)" "--keep 0: a finished query's results are gone"
serve_stop
expect_eq "$serve_rc" 0 "SIGTERM: exit 0"
printf 'max-queries lots\n' >"$tmp/bad.conf"
"$LIQ" serve --config "$tmp/bad.conf" --no-auth --log-group /a=$tmp/app 2>"$tmp/err"
rc=$?
expect_rc 2 "--config with a bad value"
expect_err_has "max-queries wants a number" "--config with a bad value: the message"
finish
