#!/bin/sh
# defs.sh -- liq watch --definitions: describe-metric-filters and describe-alarms JSON as AWS
# prints it (issue 19, docs/watch.md)
#
# One file holding both lists (as `jq -s add` merges the two outputs): a metric filter with
# dimensions (Service=$.svc) and three alarms on its metric: one on Service=web (its
# Dimensions as describe-alarms lists them), one with ExtendedStatistic p90, one on metric
# math (Metrics: left out with a warning), plus a composite alarm (left out with a warning).
# The replay gives each alarm its changes, from its own series. Then the errors: a file that
# is not JSON, neither list, a filter without metricTransformations, an alarm without
# Threshold, a period AWS refuses (45 s), an alarm whose metric no filter makes (a warning),
# an SNS topic ARN as action (left out with a warning, but in a replay no action runs).
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-watch-defs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
. "$SRCDIR/tests/cli/out_lib.sh"

cat >"$tmp/app.log" <<'EOF'
{"timestamp":"2024-01-01T00:00:05Z","latency":120,"svc":"web"}
{"timestamp":"2024-01-01T00:00:06Z","latency":10,"svc":"api"}
{"timestamp":"2024-01-01T00:01:05Z","latency":20,"svc":"web"}
{"timestamp":"2024-01-01T00:01:06Z","latency":300,"svc":"api"}
{"timestamp":"2024-01-01T00:02:05Z","latency":500,"svc":"web"}
{"timestamp":"2024-01-01T00:02:07Z","latency":15,"svc":"web"}
{"timestamp":"2024-01-01T00:02:09Z","latency":16,"svc":"web"}
EOF
alarm() { # NAME EXTRA-KEYS: one MetricAlarms entry on App Latency, 1 of 1, > 100
    printf '{"AlarmName": "%s", "AlarmArn": "arn:aws:cloudwatch:us-east-1:1:alarm:%s", "ActionsEnabled": true, "OKActions": [], "AlarmActions": ["arn:aws:sns:us-east-1:123456789012:oncall"], "InsufficientDataActions": [], "StateValue": "OK", "MetricName": "Latency", "Namespace": "App", "Period": 60, "EvaluationPeriods": 1, "Threshold": 100.0, "ComparisonOperator": "GreaterThanThreshold", %s}' "$1" "$1" "$2"
}
{
    echo '{"metricFilters": [{"filterName": "latency", "filterPattern": "{ $.latency = * }",'
    echo '  "logGroupName": "/app", "creationTime": 1700000000000, "metricTransformations": [{'
    echo '  "metricName": "Latency", "metricNamespace": "App", "metricValue": "$.latency",'
    echo '  "unit": "Milliseconds", "dimensions": {"Service": "$.svc"}}]}],'
    echo ' "MetricAlarms": ['
    alarm web-max '"Statistic": "Maximum", "Dimensions": [{"Name": "Service", "Value": "web"}]'
    echo ','
    alarm web-p90 '"ExtendedStatistic": "p90", "Dimensions": [{"Name": "Service", "Value": "web"}]'
    echo ','
    alarm ratio '"Metrics": [{"Id": "m1", "ReturnData": true, "Expression": "m2 / m3"}]'
    echo '],'
    echo ' "CompositeAlarms": [{"AlarmName": "both", "AlarmRule": "ALARM(web-max) AND ALARM(web-p90)"}]}'
} >"$tmp/defs.json"

run watch --replay --start 2024-01-01T00:00:00Z --end 2024-01-01T00:03:00Z \
    --definitions "$tmp/defs.json" "$tmp/app.log"
expect_rc 0 "one file, both lists"
sed -n 's/.*"type":"state-change","AlarmName":"\([^"]*\)".*"NewStateValue":"\([A-Z_]*\)".*"StateChangeTime":"2024-01-01T\([0-9:]*\).000+0000".*/\1 \3 \2/p' \
    "$tmp/out" >"$tmp/changes"
printf '%s\n' 'web-max 00:01:00 ALARM' 'web-p90 00:01:00 ALARM' 'web-max 00:02:00 OK' \
    'web-p90 00:02:00 OK' 'web-max 00:03:00 ALARM' 'web-p90 00:03:00 ALARM' >"$tmp/want"
if cmp -s "$tmp/want" "$tmp/changes"; then
    ok "each alarm on its own series (web, not api's 300 at 00:01): Maximum, and p90 by nearest rank (500 of 15, 16, 500 at 00:02)"
else
    not_ok "state changes"; diff "$tmp/want" "$tmp/changes" | show /dev/stdin
fi
expect_err_has "alarm 'ratio' left out: an alarm on metric math (Metrics)" "metric math warned"
expect_err_has "composite alarm 'both' left out" "composite alarm warned"
if grep -q '"Dimensions":\[{"Name":"Service","Value":"api"}\]' "$tmp/out"; then
    ok "the api series has its points too"; else not_ok "api points"; fi

# the ARN of an SNS topic is left out with a warning when actions could run (--once)
run watch --once --now 2024-01-01T00:03:30Z --definitions "$tmp/defs.json" "$tmp/app.log"
expect_err_has "action arn:aws:sns:us-east-1:123456789012:oncall left out: an AWS ARN" \
    "--once: an SNS ARN action"

# errors, each naming the file and the definition
printf 'not json' >"$tmp/bad1.json"
run watch --replay --start 2024-01-01T00:00:00Z --end 2024-01-01T00:03:00Z \
    --definitions "$tmp/bad1.json" "$tmp/app.log"
expect_rc 2 "not JSON"
expect_err_has "bad1.json: not a JSON object" "not JSON"
printf '{"queryDefinitions": []}' >"$tmp/bad2.json"
run watch --replay --start 2024-01-01T00:00:00Z --end 2024-01-01T00:03:00Z \
    --definitions "$tmp/bad2.json" "$tmp/app.log"
expect_rc 2 "neither list"
expect_err_has 'neither "metricFilters"' "neither list"
printf '{"metricFilters": [{"filterName": "f", "filterPattern": "ERROR"}]}' >"$tmp/bad3.json"
run watch --replay --start 2024-01-01T00:00:00Z --end 2024-01-01T00:03:00Z \
    --definitions "$tmp/bad3.json" "$tmp/app.log"
expect_rc 2 "no metricTransformations"
expect_err_has "metric filter 'f': no metricTransformations" "no metricTransformations"
{ printf '{"metricFilters": [], "MetricAlarms": ['; alarm t '"Statistic": "Sum"' | sed 's/"Threshold": 100.0, //'; printf ']}'; } >"$tmp/bad4.json"
run watch --replay --start 2024-01-01T00:00:00Z --end 2024-01-01T00:03:00Z \
    --definitions "$tmp/bad4.json" "$tmp/app.log"
expect_rc 2 "an alarm without Threshold"
expect_err_has "alarm 't': no Threshold" "an alarm without Threshold"
{ printf '{"MetricAlarms": ['; alarm p '"Statistic": "Sum"' | sed 's/"Period": 60/"Period": 45/'; printf ']}'; } >"$tmp/bad5.json"
run watch --replay --start 2024-01-01T00:00:00Z --end 2024-01-01T00:03:00Z \
    --definitions "$tmp/bad5.json" "$tmp/app.log"
expect_rc 2 "a 45 s period"
expect_err_has "45" "a 45 s period"
# an alarm on a metric no filter makes: warned, the filter still runs
{ printf '{"MetricAlarms": ['; alarm other '"Statistic": "Sum"' | sed 's/"MetricName": "Latency"/"MetricName": "Other"/'; printf ']}'; } >"$tmp/other.json"
run watch --replay --start 2024-01-01T00:00:00Z --end 2024-01-01T00:03:00Z \
    --definitions "$tmp/other.json" --metric-name Latency --metric-namespace App \
    --metric-value '$.latency' "$tmp/app.log"
expect_rc 0 "an alarm without its metric"
expect_err_has "alarm 'other' left out: no metric filter makes App/Other" "an alarm without its metric"

finish
