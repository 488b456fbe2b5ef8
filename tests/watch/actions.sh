#!/bin/bash
# actions.sh -- liq watch's alarm actions (watch/action.c) against a real HTTP receiver
#
# tests/watch/action_drv submits state changes of one alarm to the dispatcher and waits for it
# to drain (every delivery made or given up), so every check below follows from the run having
# ended: no sleep, no clock. tests/watch/receiver.py (python3's http.server on 127.0.0.1, a free
# port read from its stdout) records every POST and fails the first N with 503.
#   - retries: 3 failures then 200: 4 POSTs with the same MessageId, one body, shaped as the
#     SNS notification of a CloudWatch alarm (Type, MessageId, TopicArn, Subject, Message as a
#     string holding the alarm JSON: AlarmName, NewStateValue, Trigger, ...), SNS's headers
#   - given up after --attempts, with a warning; 404 not retried, with a warning; neither
#     shows the URL's path (tokens live there)
#   - a command action gets the alarm JSON on stdin; a failing one is a warning
#   - through the CLI: `liq watch --once` with a webhook failing twice: the POST arrives with
#     retries before liq exits, the alarm message of the run's state change in it
#   - never blocking: with the receiver holding the first POST (until the test opens a FIFO),
#     both submits return ("submitted 2" is read while the POST is held); a queue of 1 then
#     drops the second event's action with a warning
# The receiver is stopped by PID.
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
PY=/usr/bin/python3
if [ ! -x "$PY" ]; then
    echo "SKIP: /usr/bin/python3 is needed"
    exit 77
fi
DRV=$(dirname "$LIQ")/tests/watch/action_drv
RECV=$SRCDIR/tests/watch/receiver.py
tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-actions.XXXXXX")
RECV_PID=""
cleanup() {
    [ -n "$RECV_PID" ] && kill "$RECV_PID" 2>/dev/null && wait "$RECV_PID" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

n=0
fails=0
ok() {
    n=$((n + 1))
    echo "ok $n - $1"
}
notok() {
    n=$((n + 1))
    fails=$((fails + 1))
    echo "not ok $n - $1"
    [ $# -gt 1 ] && [ -f "$2" ] && sed 's/^/  | /' "$2"
}
check() { # check LABEL COMMAND...
    local label=$1
    shift
    if "$@" >"$tmp/check.out" 2>&1; then ok "$label"; else notok "$label" "$tmp/check.out"; fi
}

# start_receiver LOG FAIL_FIRST [HOLD_FIFO]: sets PORT and RECV_PID
start_receiver() {
    stop_receiver
    mkfifo "$tmp/port.fifo"
    "$PY" "$RECV" "$@" >"$tmp/port.fifo" &
    RECV_PID=$!
    read -r PORT <"$tmp/port.fifo"
    rm -f "$tmp/port.fifo"
}
stop_receiver() {
    if [ -n "$RECV_PID" ]; then
        kill "$RECV_PID" 2>/dev/null
        wait "$RECV_PID" 2>/dev/null
        RECV_PID=""
    fi
}

# --- retries: 3 x 503, then 200 ---
start_receiver "$tmp/r1.log" 3
"$DRV" --attempts 6 --backoff-ms 10 "http://127.0.0.1:$PORT/hook" >"$tmp/r1.out" 2>"$tmp/r1.err"
check "retried: exit 0, counters" grep -qx 'queued=1 delivered=1 failed=0 dropped=0 retries=3' "$tmp/r1.out"
check "retried: no warning" test ! -s "$tmp/r1.err"
check "retried: 3 POSTs answered 503 then one 200, one MessageId, SNS headers" "$PY" - "$tmp/r1.log" <<'PYEOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert [r["status"] for r in recs] == [503, 503, 503, 200], [r["status"] for r in recs]
assert len({r["id"] for r in recs}) == 1, recs
assert all(r["type"] == "Notification" for r in recs)
assert all(r["topic"] == "arn:aws:sns:us-east-1:000000000000:liq-watch" for r in recs)
assert all(r["content_type"].startswith("text/plain") for r in recs)
assert len({r["body"] for r in recs}) == 1
PYEOF
check "retried: the body is an SNS notification of a CloudWatch alarm" "$PY" - "$tmp/r1.log" <<'PYEOF'
import json, re, sys
rec = [json.loads(l) for l in open(sys.argv[1])][-1]
sns = json.loads(rec["body"])
assert set(sns) == {"Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp"}, sns
assert sns["Type"] == "Notification"
assert sns["MessageId"] == rec["id"]
assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", sns["MessageId"])
assert sns["Subject"] == 'ALARM: "api-errors" in US East (N. Virginia)', sns["Subject"]
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", sns["Timestamp"])
m = json.loads(sns["Message"])
want = {"AlarmName": "api-errors", "AlarmDescription": "5xx from the API",
        "AWSAccountId": "000000000000", "NewStateValue": "ALARM", "OldStateValue": "OK",
        "StateChangeTime": "2026-12-07T10:01:00.000+0000", "Region": "US East (N. Virginia)",
        "AlarmArn": "arn:aws:cloudwatch:us-east-1:000000000000:alarm:api-errors",
        "OKActions": [], "InsufficientDataActions": []}
for k, v in want.items():
    assert m[k] == v, (k, m[k])
assert m["NewStateReason"].startswith("Threshold Crossed: 1 out of the last 1 datapoints [5.0 ")
assert len(m["AlarmActions"]) == 1 and m["AlarmActions"][0].endswith("/hook")
t = m["Trigger"]
assert t["MetricName"] == "Errors" and t["Namespace"] == "App"
assert t["StatisticType"] == "Statistic" and t["Statistic"] == "SUM"
assert t["Period"] == 60 and t["EvaluationPeriods"] == 1 and t["DatapointsToAlarm"] == 1
assert t["ComparisonOperator"] == "GreaterThanThreshold" and t["Threshold"] == 3.0
assert t["TreatMissingData"] == "missing" and t["Dimensions"] == [] and t["Unit"] is None
PYEOF

# --- given up, and refused ---
start_receiver "$tmp/r2.log" 100
"$DRV" --attempts 3 --backoff-ms 10 "http://127.0.0.1:$PORT/hook/T000/secret" \
    "http://127.0.0.1:$PORT/gone?token=secret" >"$tmp/r2.out" 2>"$tmp/r2.err"
check "failures: counters" grep -qx 'queued=2 delivered=0 failed=2 dropped=0 retries=2' "$tmp/r2.out"
check "given up after 3 attempts: warned" grep -qF "liq: warning: alarm 'api-errors' (OK -> ALARM): POST to http://127.0.0.1:$PORT/... failed after 3 attempts (HTTP 503)" "$tmp/r2.err"
check "404: not retried, warned" grep -qF "liq: warning: alarm 'api-errors' (OK -> ALARM): POST to http://127.0.0.1:$PORT/... was refused (HTTP 404; not retried)" "$tmp/r2.err"
check "failures: 3 POSTs to /hook..., 1 to /gone" "$PY" - "$tmp/r2.log" <<'PYEOF'
import json, sys
paths = [json.loads(l)["path"] for l in open(sys.argv[1])]
assert sorted(paths) == ["/gone?token=secret"] + ["/hook/T000/secret"] * 3, paths
PYEOF
check "warnings never show the URL's path" sh -c "! grep -q secret '$tmp/r2.err'"
stop_receiver

# --- commands ---
"$DRV" "sh -c 'cat > \"\$0\"' '$tmp/got.json'" false >"$tmp/c.out" 2>"$tmp/c.err"
check "commands: counters" grep -qx 'queued=2 delivered=1 failed=1 dropped=0 retries=0' "$tmp/c.out"
check "a command reads the alarm JSON on stdin" "$PY" - "$tmp/got.json" <<'PYEOF'
import json, sys
text = open(sys.argv[1]).read()
assert text.endswith("}\n") and text.count("\n") == 1
m = json.loads(text)
assert m["AlarmName"] == "api-errors" and m["NewStateValue"] == "ALARM"
assert m["Trigger"]["ComparisonOperator"] == "GreaterThanThreshold"
PYEOF
check "a failing command is a warning" grep -qxF "liq: warning: alarm 'api-errors' (OK -> ALARM): command failed: false exited with status 1" "$tmp/c.err"

# --- through the CLI: liq watch --once waits for its webhook, retries included ---
printf '%s\n' '2024-01-01T00:08:05Z INFO ok' '2024-01-01T00:09:05Z ERROR boom' \
    '2024-01-01T00:09:15Z ERROR boom' >"$tmp/app.log"
start_receiver "$tmp/r4.log" 2
"$LIQ" watch --once --now 2024-01-01T00:10:30Z --metric-name Errors --metric-namespace App \
    --filter-pattern ERROR --alarm-name errors --statistic Sum --threshold 2 \
    --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 \
    --region eu-west-1 --alarm-actions "http://127.0.0.1:$PORT/hook" -- "$tmp/app.log" \
    >"$tmp/cli.out" 2>"$tmp/cli.err"
check "liq watch --once: exit 1 (ALARM)" test $? -eq 1
check "liq watch --once: the webhook got the state change after two 503s" "$PY" - "$tmp/r4.log" <<'PYEOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert [r["status"] for r in recs] == [503, 503, 200], [r["status"] for r in recs]
sns = json.loads(recs[-1]["body"])
assert sns["Subject"] == 'ALARM: "errors" in EU (Ireland)', sns["Subject"]
assert sns["TopicArn"] == "arn:aws:sns:eu-west-1:000000000000:liq-watch"
m = json.loads(sns["Message"])
assert m["AlarmName"] == "errors" and m["NewStateValue"] == "ALARM"
assert m["OldStateValue"] == "INSUFFICIENT_DATA"
assert m["NewStateReason"] == ("Threshold Crossed: 1 out of the last 1 datapoints [2.0 (01/01/24 "
    "00:09:00)] was greater than or equal to the threshold (2.0) (minimum 1 datapoint for OK -> "
    "ALARM transition)."), m["NewStateReason"]
assert m["Trigger"]["Namespace"] == "App" and m["Trigger"]["Threshold"] == 2.0
PYEOF
stop_receiver

# --- never blocking: the first POST held by the receiver ---
mkfifo "$tmp/hold" "$tmp/drv.fifo"
start_receiver "$tmp/r3.log" 0 "$tmp/hold"
timeout 120 "$DRV" --queue 1 --events 2 "http://127.0.0.1:$PORT/hold" >"$tmp/drv.fifo" 2>"$tmp/h.err" &
DRV_PID=$!
exec 3<"$tmp/drv.fifo"
read -r first <&3
check "both submits returned while the POST is held" test "$first" = "submitted 2"
: >"$tmp/hold" # let the receiver answer
read -r counters <&3
exec 3<&-
wait "$DRV_PID"
check "the held POST was delivered; the second event's action dropped (queue of 1)" test "$counters" = "queued=1 delivered=1 failed=0 dropped=1 retries=0"
check "the drop was warned" grep -qxF "liq: warning: alarm actions queue full (1 waiting): dropped 1 action of alarm 'api-errors' (OK -> ALARM)" "$tmp/h.err"
stop_receiver

echo "1..$n"
[ "$fails" -eq 0 ]
