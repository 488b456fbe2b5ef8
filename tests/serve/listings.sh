#!/bin/sh
# listings.sh -- requests that read a log group in the request (DescribeLogStreams,
# GetLogGroupFields, GetLogRecord, FilterLogEvents, GetLogEvents) are bounded (issue 17): with
# --max-listings 2, two held by a FIFO group that does not end, a third gets ThrottlingException
# in AWS's shape while DescribeLogGroups and queries are answered; once the FIFO ends the held
# ones answer (the second request for the same group waited for the first's listing) and
# listings work again. A listing reading past --query-timeout is stopped with
# ServiceUnavailableException instead of holding its connection.
# SPDX-License-Identifier: Apache-2.0
. "$SRCDIR/tests/serve/lib.sh"
export AWS_MAX_ATTEMPTS=1 AWS_RETRY_MODE=standard # the errors themselves, not the retries

signed() {
    timeout 60 "$PY" "$SRCDIR/tests/serve/signed.py" "$URL" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}
# held BG-NAME: describe-log-streams of /aws/live in the background, its output in $tmp/BG-NAME
held() {
    timeout 120 "$AWS" --endpoint-url "$URL" --output json logs describe-log-streams \
        --log-group-name /aws/live >"$tmp/$1" 2>&1 &
}
# throttled: GetLogGroupFields of /aws/app until it is refused (hang guard: 300 tries)
throttled() {
    local i=0
    while [ $i -lt 300 ]; do
        signed GetLogGroupFields '{"logGroupName":"/aws/app"}'
        [ "$(head -1 "$tmp/out")" = 400 ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

mkfifo "$tmp/live.fifo" "$tmp/gate"
# the writer holds the FIFO open until the gate opens (': ' keeps a shell that runs the last
# command of a subshell in its place from closing the FIFO when cat starts)
(printf '{"timestamp":"2024-01-01T00:00:00Z","level":"INFO"}\n'; cat "$tmp/gate" >/dev/null; :) \
    >"$tmp/live.fifo" &
writer=$!
pids="$pids $writer"
LIQ_SERVE_ACCESS_KEY_ID=AKIDTEST LIQ_SERVE_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY \
    serve_start --max-listings 2 --log-group /aws/app=$tmp/app --log-group /aws/live=$tmp/live.fifo

held bg1.out
bg1=$!
held bg2.out
bg2=$!
if throttled; then ok "a third request reading a group while two are held: refused"; else
    not_ok "a third request reading a group was never refused"; show "$tmp/out"; fi
tail -n +2 "$tmp/out" >"$tmp/body"
expect_eq "$("$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["__type"], "--max-listings" in j["message"])' "$tmp/body")" \
    "ThrottlingException True" "... ThrottlingException in AWS's shape"
aws logs filter-log-events --log-group-name /aws/app --limit 1
expect_err_has "(ThrottlingException)" "the AWS CLI sees ThrottlingException"
aws logs describe-log-groups
expect_eq "$rc $(pyq 'len(j["logGroups"])')" "0 2" "DescribeLogGroups is answered meanwhile"
aws logs start-query --log-group-name /aws/app --start-time 1704067200 --end-time 1704069000 \
    --query-string 'stats count(*) as n'
expect_rc 0 "StartQuery is answered meanwhile"
poll "$(pyq 'j["queryId"]')"
expect_eq "$(pyq 'j["status"], j["results"]')" "('Complete', [[{'field': 'n', 'value': '516'}]])" \
    "a query runs and completes meanwhile"

: >"$tmp/gate" # the FIFO ends: the held listing completes
wait $bg1
r1=$?
wait $bg2
r2=$?
expect_eq "$r1 $r2" "0 0" "the held requests are answered once the group's input ends"
for b in bg1 bg2; do
    expect_eq "$("$PY" -c 'import json,sys; print([s["logStreamName"] for s in json.load(open(sys.argv[1]))["logStreams"]])' "$tmp/$b.out")" \
        "['live.fifo']" "$b: the stream of the group"
done
aws logs get-log-group-fields --log-group-name /aws/app
expect_rc 0 "a listing after them is answered"
serve_stop
expect_eq "$serve_rc" 0 "SIGTERM: exit 0"

# ---- --query-timeout stops a listing that reads too long
(printf '{"timestamp":"2024-01-01T00:00:00Z","level":"INFO"}\n'; cat "$tmp/gate" >/dev/null; :) \
    >"$tmp/live.fifo" &
writer=$!
pids="$pids $writer"
serve_start --no-auth --query-timeout 1 --log-group /aws/live=$tmp/live.fifo
aws logs get-log-group-fields --log-group-name /aws/live
expect_err_has "(ServiceUnavailableException)" "a listing past --query-timeout: stopped"
expect_err_has "query-timeout" "... the message says why"
: >"$tmp/gate"
wait $writer
serve_stop
expect_eq "$serve_rc" 0 "SIGTERM: exit 0"
finish
