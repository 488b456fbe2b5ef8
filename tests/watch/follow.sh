#!/bin/sh
# follow.sh -- liq watch over live logs: datapoints and alarm state changes as lines are
# appended (issue 19, docs/watch.md)
#
# liq watch follows a file (--lateness 0s: a period is complete once a record of a later
# period is read) with a metric filter counting ERROR (defaultValue 0) and an alarm (Sum >= 1,
# 1 of 1, missing data missing). The script appends lines and waits for what must come (a
# bounded polling loop on the output, never a clock):
#   00:00 ERROR, then a record of 00:01: the 00:00 datapoint (Sum 1) and OK... -> ALARM, the
#     alarm action (a command) run with the message on stdin;
#   a record of 00:02: the 00:01 point is the default value 0 -> OK;
#   a record of 00:09: 00:02 gives 0; 00:03 to 00:08 had no record: no datapoint, and the
#     alarm, fed them as missing, ends in INSUFFICIENT_DATA;
#   the Prometheus endpoint (--metrics-listen 127.0.0.1:0, its port on stderr) counts the
#     matched records (default points set the gauges only) and shows the alarm's state;
#   SIGTERM: exit 0, the open period's point written with "Incomplete":true.
# Then two metric filters from a --definitions file over a directory (a follower each): both
# give their points; and a --metric-query (an error rate) followed, with an alarm. These stand
# the clock (--now) before their records: their periods close in log time only.
# Last, periods closed by the clock when the records stop, and --state-file across a restart
# (below).
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 a tool (python3, timeout, tail, curl) missing.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
LC_ALL=C
export LC_ALL
for tool in python3 timeout tail curl; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "follow: $tool not found, skipped"
        exit 77
    fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-watch-follow.XXXXXX")
pid=
trap 'if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null; fi; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

fail=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() {
    n=$((n + 1))
    echo "not ok $n - $1"
    fail=1
    if [ -f "$tmp/out" ]; then sed 's/^/#   out: /' "$tmp/out"; fi
    if [ -f "$tmp/err" ]; then sed 's/^/#   err: /' "$tmp/err"; fi
}

# a background job of sh starts with SIGINT ignored: run liq with both signals at default
dfl='import os, signal, sys
for s in (signal.SIGINT, signal.SIGTERM):
    signal.signal(s, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])'
start() {
    rm -f "$tmp/out" "$tmp/err"
    : >"$tmp/out"
    python3 -c "$dfl" "$LIQ" "$@" >"$tmp/out" 2>"$tmp/err" &
    pid=$!
}
# wait_in FILE TEXT [COUNT]: polls until FILE holds COUNT (default 1) lines with TEXT, or liq
# ended (at most 3000 tries)
count() { _c=$(grep -cF -- "$2" "$1" 2>/dev/null); echo "${_c:-0}"; }
wait_in() {
    _i=0
    _want=${3:-1}
    while [ "$(count "$1" "$2")" -lt "$_want" ] && kill -0 "$pid" 2>/dev/null &&
        [ $_i -lt 3000 ]; do
        sleep 0.02
        _i=$((_i + 1))
    done
    [ "$(count "$1" "$2")" -ge "$_want" ]
}
wait_for() { wait_in "$tmp/out" "$@"; }
stop() {
    kill "-$1" "$pid" 2>/dev/null
    if timeout 60 tail --pid="$pid" -f /dev/null; then wait "$pid"; rc=$?; else
        kill -KILL "$pid" 2>/dev/null; wait "$pid"; rc=999; fi
    pid=
}

: >"$tmp/app.log"
start watch --now 2024-01-01T00:00:00Z --lateness 0s --poll 100ms --metric-name Errors --metric-namespace App \
    --filter-pattern ERROR --default-value 0 --alarm-name app-errors --statistic Sum \
    --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 \
    --alarm-actions "tee -a $tmp/action.ndjson" --metrics-listen 127.0.0.1:0 "$tmp/app.log"
if wait_in "$tmp/err" "metrics at GET /metrics on port"; then
    port=$(sed -n 's/.*on port \([0-9]*\)$/\1/p' "$tmp/err")
    ok "the endpoint's port on stderr ($port)"
else
    port=0
    bad "no port on stderr"
fi

printf '%s\n' '2024-01-01T00:00:05Z ERROR timeout' '2024-01-01T00:00:10Z INFO ok' >>"$tmp/app.log"
printf '%s\n' '2024-01-01T00:01:05Z INFO ok' >>"$tmp/app.log"
if wait_for '"NewStateValue":"ALARM"'; then ok "00:00 complete: ALARM"; else bad "no ALARM"; fi
if grep -qF '"Timestamp":"2024-01-01T00:00:00.000Z","Period":60,"Unit":"None","StatisticValues":{"SampleCount":1,"Sum":1,' "$tmp/out"; then
    ok "the 00:00 datapoint, Sum 1"; else bad "00:00 datapoint"; fi
if grep -qF '"Timestamp":"2024-01-01T00:01:00.000Z"' "$tmp/out"; then
    bad "00:01 written before it is complete"; else ok "00:01 open: not written"; fi
if wait_in "$tmp/action.ndjson" '"NewStateValue":"ALARM"'; then
    ok "the alarm action got the message"; else bad "alarm action"; fi

printf '%s\n' '2024-01-01T00:02:05Z INFO ok' >>"$tmp/app.log"
if wait_for '"NewStateValue":"OK"'; then ok "00:01 complete (default 0): OK"; else bad "no OK"; fi
if grep -qF '"Timestamp":"2024-01-01T00:01:00.000Z","Period":60,"Unit":"None","StatisticValues":{"SampleCount":1,"Sum":0,"Minimum":0,"Maximum":0},"Average":0,"DefaultValue":true}' "$tmp/out"; then
    ok "the 00:01 default point"; else bad "00:01 default point"; fi

printf '%s\n' '2024-01-01T00:09:05Z ERROR refused' >>"$tmp/app.log"
if wait_for '"NewStateValue":"INSUFFICIENT_DATA"'; then
    ok "00:03 to 00:08 without records: INSUFFICIENT_DATA"; else bad "no INSUFFICIENT_DATA"; fi
pts=$(grep -c '"type":"datapoint"' "$tmp/out")
if [ "$pts" -eq 3 ]; then ok "3 datapoints (00:00, 00:01, 00:02)"; else bad "$pts datapoints"; fi

if [ "$port" -gt 0 ] && curl -sf "http://127.0.0.1:$port/metrics" >"$tmp/scrape"; then
    if grep -q '^liq_app_errors_sample_count_total 1$' "$tmp/scrape" &&
        grep -q '^liq_app_errors_sum_total 1$' "$tmp/scrape" &&
        grep -q '^liq_app_errors_average 0$' "$tmp/scrape" &&
        grep -q '^liq_alarm_state{alarm_name="app-errors",state="INSUFFICIENT_DATA"} 1$' "$tmp/scrape"; then
        ok "the scrape: counters of matched records (default points add none), the last period's average, the alarm's state"
    else
        bad "scrape"; sed 's/^/#   scrape: /' "$tmp/scrape"
    fi
else
    bad "no scrape"
fi

stop TERM
if [ "$rc" -eq 0 ]; then ok "SIGTERM: exit 0"; else bad "SIGTERM: exit $rc"; fi
if grep -qF '"Timestamp":"2024-01-01T00:09:00.000Z","Period":60,"Unit":"None","StatisticValues":{"SampleCount":1,"Sum":1,"Minimum":1,"Maximum":1},"Average":1,"Incomplete":true}' "$tmp/out"; then
    ok "SIGTERM: the open period marked Incomplete"; else bad "open period at SIGTERM"; fi

# ----- two metric filters from --definitions, over a directory -----
mkdir "$tmp/d"
cat >"$tmp/filters.json" <<'EOF'
{"metricFilters": [
  {"filterName": "errors", "filterPattern": "{ $.level = \"ERROR\" }", "logGroupName": "/app",
   "metricTransformations": [{"metricName": "Errors", "metricNamespace": "App", "metricValue": "1"}]},
  {"filterName": "latency", "filterPattern": "{ $.latency = * }", "logGroupName": "/app",
   "metricTransformations": [{"metricName": "Latency", "metricNamespace": "App",
                              "metricValue": "$.latency", "unit": "Milliseconds"}]}
]}
EOF
start watch --now 2024-01-01T00:00:00Z --lateness 0s --poll 100ms --definitions "$tmp/filters.json" "$tmp/d"
printf '%s\n' '{"timestamp":"2024-01-01T00:00:05Z","level":"ERROR","latency":30}' \
    '{"timestamp":"2024-01-01T00:00:07Z","level":"INFO","latency":10}' >"$tmp/d/a.log"
printf '%s\n' '{"timestamp":"2024-01-01T00:01:01Z","level":"INFO","latency":5}' >>"$tmp/d/a.log"
if wait_for '"MetricName":"Errors"' && wait_for '"MetricName":"Latency"'; then
    ok "two filters, two followers: both points"
else
    bad "two filters"
fi
if grep -qF '"MetricName":"Latency","Dimensions":[],"Timestamp":"2024-01-01T00:00:00.000Z","Period":60,"Unit":"Milliseconds","StatisticValues":{"SampleCount":2,"Sum":40,"Minimum":10,"Maximum":30},"Average":20}' "$tmp/out"; then
    ok "the latency point"; else bad "latency point"; fi
stop INT
if [ "$rc" -eq 0 ]; then ok "SIGINT: exit 0"; else bad "SIGINT: exit $rc"; fi

# ----- --metric-query followed: an error rate with an alarm -----
: >"$tmp/rate.log"
start watch --now 2024-01-01T00:00:00Z --lateness 0s --poll 100ms --metric-name ErrorRate --metric-namespace App \
    --metric-query 'stats sum(strcontains(@message, "ERROR")) * 100 / count(*) as rate by bin(1m)' \
    --alarm-name rate --statistic Average --threshold 40 \
    --comparison-operator GreaterThanThreshold --evaluation-periods 1 "$tmp/rate.log"
printf '%s\n' '2024-01-01T00:00:01Z ERROR a' '2024-01-01T00:00:02Z INFO b' \
    '2024-01-01T00:01:01Z INFO c' >>"$tmp/rate.log"
if wait_for '"NewStateValue":"ALARM"' &&
    grep -qF '"MetricName":"ErrorRate","Dimensions":[],"Timestamp":"2024-01-01T00:00:00.000Z","Period":60,"Unit":"None","StatisticValues":{"SampleCount":1,"Sum":50,' "$tmp/out"; then
    ok "--metric-query followed: 50% at 00:00, ALARM"
else
    bad "--metric-query followed"
fi
stop TERM
if [ "$rc" -eq 0 ]; then ok "SIGTERM: exit 0"; else bad "SIGTERM: exit $rc"; fi

# ----- periods closed by the clock: the logs stop, the alarm goes on -----
# --now stands the clock at 00:02:00 (the wall clock otherwise). The records stop at 00:00:24;
# the follower closes 00:00:00 and 00:00:10 in log time and holds 00:00:20 open (no later
# record); the clock closes 00:00:20 (the follower writes it: liq_follow_close_before) and
# 00:00:30 to 00:01:50 without any record: missing, treated as breaching, ALARM once 3 periods
# in a row have none.
printf '%s\n' '2024-01-01T00:00:01Z INFO a' '2024-01-01T00:00:12Z INFO b' \
    '2024-01-01T00:00:24Z INFO c' >"$tmp/quiet.log"
start watch --now 2024-01-01T00:02:00Z --lateness 0s --poll 100ms --period 10 \
    --metric-name Requests --metric-namespace App --alarm-name quiet --statistic SampleCount \
    --threshold 5 --comparison-operator GreaterThanThreshold --evaluation-periods 1 \
    --treat-missing-data breaching "$tmp/quiet.log"
if wait_for '"NewStateValue":"ALARM"'; then
    ok "records stopped: ALARM without a further record"; else bad "no ALARM by the clock"; fi
if grep -F '"NewStateValue":"ALARM"' "$tmp/out" | grep -qF "treated as [Breaching]"; then
    ok "ALARM: missing datapoints treated as breaching"; else bad "ALARM's reason"; fi
p20='"Timestamp":"2024-01-01T00:00:20.000Z","Period":10,"Unit":"None","StatisticValues":{"SampleCount":1,"Sum":1,"Minimum":1,"Maximum":1},"Average":1}'
if grep -n '' "$tmp/out" | grep -F "$p20" | grep -q '^[0-9]*:' &&
    [ "$(grep -nF "$p20" "$tmp/out" | cut -d: -f1)" -lt "$(grep -nF '"NewStateValue":"ALARM"' "$tmp/out" | cut -d: -f1)" ]; then
    ok "00:00:20, held open by the follower, closed by the clock with its record"
else
    bad "00:00:20 closed by the clock"
fi
# a record for 00:00:30 (closed by the clock, none then) and one that moves log time past it
printf '%s\n' '2024-01-01T00:00:35Z INFO late' '2024-01-01T00:00:45Z INFO later' >>"$tmp/quiet.log"
if wait_for '"Timestamp":"2024-01-01T00:00:30.000Z","Period":10,"Unit":"None","StatisticValues":{"SampleCount":1,"Sum":1,"Minimum":1,"Maximum":1},"Average":1,"Correction":true}'; then
    ok "a record for a period the clock closed: a correction"; else bad "no correction"; fi
stop TERM
if [ "$rc" -eq 0 ]; then ok "SIGTERM: exit 0"; else bad "SIGTERM: exit $rc"; fi
if [ "$(count "$tmp/out" '"Timestamp":"2024-01-01T00:00:20.000Z"')" -eq 1 ]; then
    ok "00:00:20 written once (closed by the clock, in the follower: no second row)"
else
    bad "00:00:20 written $(count "$tmp/out" '"Timestamp":"2024-01-01T00:00:20.000Z"') times"
fi
if [ "$(count "$tmp/out" '"type":"state-change"')" -eq 2 ]; then
    ok "2 state changes (OK, ALARM): the correction evaluated nothing"
else
    bad "$(count "$tmp/out" '"type":"state-change"') state changes"
fi

# ----- --state-file: a restart sends no state change again -----
# The same watch with --state-file: ALARM, written to the file at the change; stopped and
# started again over the same log, it reads the periods again (the 00:00:20 point again) but
# they were evaluated before the restart: no state change (without the file, OK then ALARM
# again, as the section above shows).
quiet_watch() {
    start watch --now 2024-01-01T00:02:00Z --lateness 0s --poll 100ms --period 10 \
        --metric-name Requests --metric-namespace App --alarm-name quiet --statistic SampleCount \
        --threshold 5 --comparison-operator GreaterThanThreshold --evaluation-periods 1 \
        --treat-missing-data breaching --state-file "$tmp/quiet.state" "$tmp/quiet.log"
}
printf '%s\n' '2024-01-01T00:00:01Z INFO a' '2024-01-01T00:00:12Z INFO b' \
    '2024-01-01T00:00:24Z INFO c' >"$tmp/quiet.log"
quiet_watch
if wait_for '"NewStateValue":"ALARM"' && wait_in "$tmp/quiet.state" '"StateValue":"ALARM"'; then
    ok "--state-file: ALARM, and the file says so"; else bad "--state-file: no ALARM in the file"; fi
stop TERM
quiet_watch
if wait_for '"Timestamp":"2024-01-01T00:00:20.000Z"'; then
    ok "restarted: the periods read again"; else bad "restarted: no 00:00:20 point"; fi
stop TERM
if [ "$rc" -eq 0 ]; then ok "SIGTERM: exit 0"; else bad "SIGTERM: exit $rc"; fi
if [ "$(count "$tmp/out" '"type":"state-change"')" -eq 0 ]; then
    ok "restarted with --state-file: no state change sent again"
else
    bad "restarted: $(count "$tmp/out" '"type":"state-change"') state changes again"
fi

echo "1..$n"
exit $fail
