#!/bin/sh
# replay.sh -- liq watch --replay over a generated archive, against an awk computation (issue 19)
#
# Six hours of a Lambda-like log (three records a minute, some of them ERROR, a burst of
# errors from 02:00 to 02:30), split over two files, one of them gzipped. A metric filter
# counts ERROR per 5 minutes (defaultValue 0: every period has records, so every period has a
# datapoint) and an alarm fires when the Sum is above 3 in 2 of the last 3 periods. awk
# computes the same from the generated lines: the count of every period, and the state after
# each period (a range with fewer than 3 periods is evaluated as CloudWatch fills it with
# notBreaching); liq's datapoints and state changes (their StateChangeTime: the end of the
# period evaluated) must be exactly those. Also: --replay with an alarm from --definitions
# gives the same changes, and --openmetrics writes the points (counted here; promtool's import
# is tests/watch/promtool.sh).
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-watch-replay.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
. "$SRCDIR/tests/cli/out_lib.sh"

# the archive: minute m of the six hours has records at :00, :20 and :40
awk 'BEGIN {
    x = 12345
    for (m = 0; m < 360; m++) for (s = 0; s < 60; s += 20) {
        x = (x * 1103515245 + 12345) % 2147483648
        r = int(x / 65536) % 100
        err = (m >= 120 && m < 150) ? r < 45 : r < 12
        printf "2024-03-01T%02d:%02d:%02dZ %s RequestId: %d %s\n", int(m / 60), m % 60, s,
            err ? "ERROR" : "INFO", m * 3 + s / 20, err ? "Task timed out" : "done"
    }
}' >"$tmp/all.log"
head -n 540 "$tmp/all.log" >"$tmp/a.log"
tail -n +541 "$tmp/all.log" | gzip >"$tmp/b.log.gz"

# awk's answer: "START COUNT" per period, and "END STATE" at each change
awk '{
    t = substr($1, 12, 5); m = substr(t, 1, 2) * 60 + substr(t, 4, 2); p = int(m / 5)
    if ($2 == "ERROR") n[p]++
} END {
    state = "INSUFFICIENT_DATA"
    for (p = 0; p < 72; p++) {
        printf "%02d:%02d %d\n", int(p * 5 / 60), p * 5 % 60, n[p] + 0 >"/dev/stderr"
        b = 0
        for (k = p - 2; k <= p; k++) if (k >= 0 && n[k] > 3) b++
        s = b >= 2 ? "ALARM" : "OK"
        if (s != state) { e = p * 5 + 5; printf "2024-03-01T%02d:%02d %s\n", int(e / 60), e % 60, s }
        state = s
    }
}' "$tmp/all.log" >"$tmp/want.changes" 2>"$tmp/want.counts"

run watch --replay --start 2024-03-01T00:00:00Z --end 2024-03-01T06:00:00Z \
    --metric-name Errors --metric-namespace Lambda --filter-pattern ERROR --default-value 0 \
    --period 300 --alarm-name lambda-errors --statistic Sum --threshold 3 \
    --comparison-operator GreaterThanThreshold --evaluation-periods 3 --datapoints-to-alarm 2 \
    --treat-missing-data notBreaching --openmetrics "$tmp/om.txt" "$tmp/a.log" "$tmp/b.log.gz"
expect_rc 0 "replay"
sed -n 's/.*"type":"datapoint".*"Timestamp":"2024-03-01T\([0-9:]*\):00.000Z".*"Sum":\([0-9]*\).*/\1 \2/p' \
    "$tmp/out" >"$tmp/counts"
if cmp -s "$tmp/want.counts" "$tmp/counts"; then ok "72 datapoints, each period's ERROR count as awk's"; else
    not_ok "datapoints differ from awk"; diff "$tmp/want.counts" "$tmp/counts" | show /dev/stdin; fi
sed -n 's/.*"type":"state-change".*"NewStateValue":"\([A-Z_]*\)".*"StateChangeTime":"\(2024-03-01T[0-9:]*\):00.000+0000".*/\2 \1/p' \
    "$tmp/out" >"$tmp/changes"
if [ -s "$tmp/changes" ] && cmp -s "$tmp/want.changes" "$tmp/changes"; then
    ok "state changes as awk computes them ($(wc -l <"$tmp/changes") changes)"
else
    not_ok "state changes differ from awk"; diff "$tmp/want.changes" "$tmp/changes" | show /dev/stdin
fi
if grep -q ' ALARM$' "$tmp/changes" && grep -q '^2024-03-01T02:' "$tmp/changes"; then
    ok "the burst at 02:00 alarms"; else not_ok "no ALARM in the burst"; fi
if [ "$(grep -c '^liq_lambda_errors_sum_total' "$tmp/om.txt")" -eq 72 ] && tail -n 1 "$tmp/om.txt" | grep -qx '# EOF'; then
    ok "--openmetrics: 72 samples of the sum counter, # EOF"
else
    not_ok "--openmetrics file"; head -n 20 "$tmp/om.txt" | show /dev/stdin
fi

# the same metric filter and alarm as AWS exports them
cat >"$tmp/filters.json" <<'EOF'
{
    "metricFilters": [
        {
            "filterName": "lambda-errors",
            "filterPattern": "ERROR",
            "metricTransformations": [
                {
                    "metricName": "Errors",
                    "metricNamespace": "Lambda",
                    "metricValue": "1",
                    "defaultValue": 0.0
                }
            ],
            "creationTime": 1709251200000,
            "logGroupName": "/aws/lambda/checkout",
            "applyOnTransformedLogs": false
        }
    ]
}
EOF
cat >"$tmp/alarms.json" <<'EOF'
{
    "MetricAlarms": [
        {
            "AlarmName": "lambda-errors",
            "AlarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:lambda-errors",
            "AlarmConfigurationUpdatedTimestamp": "2024-02-29T10:00:00.000Z",
            "ActionsEnabled": true,
            "OKActions": [],
            "AlarmActions": ["arn:aws:sns:us-east-1:123456789012:oncall"],
            "InsufficientDataActions": [],
            "StateValue": "OK",
            "StateReason": "Threshold Crossed",
            "StateUpdatedTimestamp": "2024-02-29T10:00:00.000Z",
            "MetricName": "Errors",
            "Namespace": "Lambda",
            "Statistic": "Sum",
            "Dimensions": [],
            "Period": 300,
            "EvaluationPeriods": 3,
            "DatapointsToAlarm": 2,
            "Threshold": 3.0,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
            "StateTransitionedTimestamp": "2024-02-29T10:00:00.000Z"
        }
    ],
    "CompositeAlarms": []
}
EOF
run watch --replay --start 2024-03-01T00:00:00Z --end 2024-03-01T06:00:00Z \
    --definitions "$tmp/filters.json" --definitions "$tmp/alarms.json" "$tmp/a.log" "$tmp/b.log.gz"
expect_rc 0 "replay from --definitions"
sed -n 's/.*"type":"state-change".*"NewStateValue":"\([A-Z_]*\)".*"StateChangeTime":"\(2024-03-01T[0-9:]*\):00.000+0000".*/\2 \1/p' \
    "$tmp/out" >"$tmp/changes2"
if [ -s "$tmp/changes2" ] && cmp -s "$tmp/want.changes" "$tmp/changes2"; then
    ok "--definitions: the same state changes"; else
    not_ok "--definitions: state changes differ"; diff "$tmp/want.changes" "$tmp/changes2" | show /dev/stdin; fi
expect_err_empty "--definitions (an SNS topic ARN is a command name to liq: checked only when run)"

finish
