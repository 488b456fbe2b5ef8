#!/bin/sh
# metric.sh -- liq watch: metric filters with CloudWatch's semantics (issue 19, docs/watch.md)
#
# Over archives (--replay, so every answer is fixed): the documented examples of the
# CloudWatch Logs User Guide ("Filter pattern syntax for metric filters"): the space-delimited
# Apache log with [ip, user, username, timestamp, request = "*.html*", status_code = 4*, bytes]
# and metric value $bytes (a "-" in bytes publishes nothing), the JSON pattern
# { $.latency = * } with $.latency (a non-numeric value publishes nothing), a term pattern
# counting ERROR with defaultValue 0 (a period with records and no match gives 0, one without
# records nothing), dimensions from JSON fields, percentiles, --metric-query, and the limits:
# at most 3 dimensions, no default value with dimensions, and the filter disabled once its
# dimensions made 1,000 name/value pairs within an hour.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-watch-metric.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
. "$SRCDIR/tests/cli/out_lib.sh"

# ----- space-delimited: the Guide's Apache log, metric value $bytes -----
cat >"$tmp/access.log" <<'EOF'
127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534
127.0.0.1 Prod frank [10/Oct/2000:13:35:22 -0700] "GET /images/src/triangle.png HTTP/1.0" 404 40
127.0.0.1 Prod frank [10/Oct/2000:13:25:32 -0700] "GET /index.html HTTP/1.0" 404 1534
127.0.0.1 Prod frank [10/Oct/2000:13:50:35 -0700] "GET /index.html HTTP/1.0" 200 1534
127.0.0.1 Prod frank [10/Oct/2000:13:51:35 -0700] "GET /index.html HTTP/1.0" 404 -
127.0.0.1 Prod frank [10/Oct/2000:14:05:00 -0700] "GET /about.html HTTP/1.0" 410 2000
EOF
run watch --replay --start 2000-10-10T20:00:00Z --end 2000-10-10T22:00:00Z \
    --metric-name BytesNotFound --metric-namespace MyApp --unit Bytes \
    --filter-pattern '[ip, user, username, timestamp, request = "*.html*", status_code = 4*, bytes]' \
    --metric-value '$bytes' --period 3600 "$tmp/access.log"
expect_rc 0 "space-delimited \$bytes"
want '{"type":"datapoint","Namespace":"MyApp","MetricName":"BytesNotFound","Dimensions":[],"Timestamp":"2000-10-10T20:00:00.000Z","Period":3600,"Unit":"Bytes","StatisticValues":{"SampleCount":2,"Sum":3068,"Minimum":1534,"Maximum":1534},"Average":1534}' \
    '{"type":"datapoint","Namespace":"MyApp","MetricName":"BytesNotFound","Dimensions":[],"Timestamp":"2000-10-10T21:00:00.000Z","Period":3600,"Unit":"Bytes","StatisticValues":{"SampleCount":1,"Sum":2000,"Minimum":2000,"Maximum":2000},"Average":2000}'
expect_out "space-delimited \$bytes (a 200 and a .png left out, '-' publishes nothing)"

# the same pattern counting matches (metric value 1, the default)
run watch --replay --start 2000-10-10T20:00:00Z --end 2000-10-10T21:00:00Z \
    --metric-name NotFound --metric-namespace MyApp \
    --filter-pattern '[ip, user, username, timestamp, request = "*.html*", status_code = 4*, bytes]' \
    --period 3600 "$tmp/access.log"
expect_out_has '"StatisticValues":{"SampleCount":3,"Sum":3,"Minimum":1,"Maximum":1}' \
    "value 1 counts every match (the '-' line too)"

# ----- JSON: { $.latency = * } with $.latency; a dimension -----
cat >"$tmp/app.log" <<'EOF'
{"timestamp":"2024-01-01T00:00:05Z","eventType":"UpdateTrail","latency":12,"svc":"api"}
{"timestamp":"2024-01-01T00:00:35Z","eventType":"UpdateTrail","latency":"n/a","svc":"api"}
{"timestamp":"2024-01-01T00:00:40Z","eventType":"UpdateTrail","latency":"8","svc":"web"}
{"timestamp":"2024-01-01T00:00:50Z","eventType":"UpdateTrail","svc":"web"}
{"timestamp":"2024-01-01T00:01:05Z","eventType":"Other","latency":30,"svc":"web"}
{"timestamp":"2024-01-01T00:03:05Z","eventType":"UpdateTrail","latency":50,"svc":"web"}
{"timestamp":"2024-01-01T00:03:15Z","eventType":"UpdateTrail","latency":70,"svc":"web"}
EOF
range="--replay --start 2024-01-01T00:00:00Z --end 2024-01-01T00:05:00Z"
# shellcheck disable=SC2086
run watch $range --metric-name Latency --metric-namespace App --unit Milliseconds \
    --filter-pattern '{ $.latency = * }' --metric-value '$.latency' "$tmp/app.log"
expect_rc 0 "JSON \$.latency"
want '{"type":"datapoint","Namespace":"App","MetricName":"Latency","Dimensions":[],"Timestamp":"2024-01-01T00:00:00.000Z","Period":60,"Unit":"Milliseconds","StatisticValues":{"SampleCount":2,"Sum":20,"Minimum":8,"Maximum":12},"Average":10}' \
    '{"type":"datapoint","Namespace":"App","MetricName":"Latency","Dimensions":[],"Timestamp":"2024-01-01T00:01:00.000Z","Period":60,"Unit":"Milliseconds","StatisticValues":{"SampleCount":1,"Sum":30,"Minimum":30,"Maximum":30},"Average":30}' \
    '{"type":"datapoint","Namespace":"App","MetricName":"Latency","Dimensions":[],"Timestamp":"2024-01-01T00:03:00.000Z","Period":60,"Unit":"Milliseconds","StatisticValues":{"SampleCount":2,"Sum":120,"Minimum":50,"Maximum":70},"Average":60}'
expect_out "JSON \$.latency (\"n/a\" publishes nothing, \"8\" counts, no key: no match)"

# dimensions: one point per combination of values
# shellcheck disable=SC2086
run watch $range --metric-name Latency --metric-namespace App \
    --filter-pattern '{ $.eventType = "UpdateTrail" }' --metric-value '$.latency' \
    --dimensions 'Service=$.svc' "$tmp/app.log"
want '{"type":"datapoint","Namespace":"App","MetricName":"Latency","Dimensions":[{"Name":"Service","Value":"api"}],"Timestamp":"2024-01-01T00:00:00.000Z","Period":60,"Unit":"None","StatisticValues":{"SampleCount":1,"Sum":12,"Minimum":12,"Maximum":12},"Average":12}' \
    '{"type":"datapoint","Namespace":"App","MetricName":"Latency","Dimensions":[{"Name":"Service","Value":"web"}],"Timestamp":"2024-01-01T00:00:00.000Z","Period":60,"Unit":"None","StatisticValues":{"SampleCount":1,"Sum":8,"Minimum":8,"Maximum":8},"Average":8}' \
    '{"type":"datapoint","Namespace":"App","MetricName":"Latency","Dimensions":[{"Name":"Service","Value":"web"}],"Timestamp":"2024-01-01T00:03:00.000Z","Period":60,"Unit":"None","StatisticValues":{"SampleCount":2,"Sum":120,"Minimum":50,"Maximum":70},"Average":60}'
expect_out "dimension Service=\$.svc"

# percentiles an alarm asks for come with the points (nearest rank)
# shellcheck disable=SC2086
run watch $range --metric-name Latency --metric-namespace App \
    --filter-pattern '{ $.latency = * }' --metric-value '$.latency' \
    --alarm-name slow --extended-statistic p90 --threshold 100 \
    --comparison-operator GreaterThanThreshold --evaluation-periods 1 "$tmp/app.log"
expect_out_has '"Timestamp":"2024-01-01T00:03:00.000Z","Period":60,"Unit":"None","StatisticValues":{"SampleCount":2,"Sum":120,"Minimum":50,"Maximum":70},"Average":60,"ExtendedStatistics":{"p90":70}}' \
    "p90 of an alarm's --extended-statistic"

# ----- defaultValue: a period with records and no match gives it; one without, nothing -----
cat >"$tmp/svc.log" <<'EOF'
2024-01-01T00:00:05Z ERROR timeout
2024-01-01T00:00:06Z ERROR timeout
2024-01-01T00:01:10Z INFO ok
2024-01-01T00:03:10Z INFO ok
2024-01-01T00:04:10Z ERROR refused
EOF
# shellcheck disable=SC2086
run watch $range --metric-name Errors --metric-namespace App --filter-pattern ERROR \
    --default-value 0 "$tmp/svc.log"
expect_rc 0 "default value"
tr -d '\n' <"$tmp/out" | sed 's/}{/}\n{/g; s/$/\n/' | sed -n 's/.*"Timestamp":"\([^"]*\)".*"Sum":\([0-9]*\).*/\1 \2/p' >"$tmp/sums"
printf '%s\n' '2024-01-01T00:00:00.000Z 2' '2024-01-01T00:01:00.000Z 0' \
    '2024-01-01T00:03:00.000Z 0' '2024-01-01T00:04:00.000Z 1' >"$tmp/want"
if cmp -s "$tmp/want" "$tmp/sums"; then ok "default value 0 for 00:01 and 00:03 (records, no ERROR), none for 00:02"; else
    not_ok "default value periods"; diff "$tmp/want" "$tmp/sums" | show /dev/stdin; fi
if [ "$(grep -c '"DefaultValue":true' "$tmp/out")" -eq 2 ]; then ok "default points marked DefaultValue"; else
    not_ok "DefaultValue marks"; show "$tmp/out"; fi

# ----- --metric-query: any query 'stats ... by bin(P)' -----
# shellcheck disable=SC2086
run watch $range --metric-name ErrorRate --metric-namespace App \
    --metric-query 'stats sum(strcontains(@message, "ERROR")) * 100 / count(*) as rate by bin(1m)' \
    "$tmp/svc.log"
expect_out_has '"Timestamp":"2024-01-01T00:01:00.000Z","Period":60,"Unit":"None","StatisticValues":{"SampleCount":1,"Sum":0,' \
    "--metric-query: the first column after the keys is the value"
expect_out_has '"Timestamp":"2024-01-01T00:00:00.000Z","Period":60,"Unit":"None","StatisticValues":{"SampleCount":1,"Sum":100,' \
    "--metric-query: 100% errors at 00:00"

# ----- limits -----
# shellcheck disable=SC2086
run watch $range --metric-name L --metric-namespace App --period 45 "$tmp/app.log"
expect_rc 2 "a 45 s period"
expect_err_has "--period wants seconds (10, 30 or a multiple of 60)" "a 45 s period"
# shellcheck disable=SC2086
run watch $range --metric-name L --metric-namespace App \
    --metric-query 'stats count(*) by bin(45s)' "$tmp/app.log"
expect_rc 2 "a metric query binned by 45 s"
# shellcheck disable=SC2086
run watch $range --metric-name L --metric-namespace App --metric-value '$.latency' \
    --dimensions 'A=$.a,B=$.b,C=$.c,D=$.d' "$tmp/app.log"
expect_rc 2 "four dimensions"
expect_err_has "at most 3 dimensions" "four dimensions"
# shellcheck disable=SC2086
run watch $range --metric-name L --metric-namespace App --metric-value '$.latency' \
    --dimensions 'Service=$.svc' --default-value 0 "$tmp/app.log"
expect_rc 2 "default value with dimensions"
expect_err_has "a default value and dimensions cannot go together" "default value with dimensions"
# shellcheck disable=SC2086
run watch $range --metric-name L --metric-namespace App --metric-value 'latency' "$tmp/app.log"
expect_rc 2 "a metric value that is no field"
expect_err_has "neither a number nor a field" "a metric value that is no field"
# shellcheck disable=SC2086
run watch $range --metric-name L --metric-namespace App --filter-pattern '{ $.a = ' "$tmp/app.log"
expect_rc 2 "a broken filter pattern"
expect_err_has "in filter pattern" "a broken filter pattern"

# standard input: read once, so one run only
# shellcheck disable=SC2086
run_in "$tmp/svc.log" watch $range --metric-name Errors --metric-namespace App --filter-pattern ERROR -
expect_out_has '"Timestamp":"2024-01-01T00:00:00.000Z","Period":60,"Unit":"None","StatisticValues":{"SampleCount":2,' \
    "standard input, one metric"
# shellcheck disable=SC2086
run_in "$tmp/svc.log" watch $range --metric-name Errors --metric-namespace App --filter-pattern ERROR \
    --default-value 0 -
expect_rc 2 "standard input with a default value (two runs)"

# the dimension cap: 1,000 name/value pairs within an hour disable the filter
awk 'BEGIN { for (i = 0; i < 1200; i++)
    printf "{\"timestamp\":\"2024-01-01T00:%02d:%02dZ\",\"user\":\"u%d\"}\n", int(i / 60) % 60, i % 60, i }' \
    >"$tmp/users.log"
run watch --replay --start 2024-01-01T00:00:00Z --end 2024-01-01T01:00:00Z --metric-name Hits \
    --metric-namespace App --dimensions 'User=$.user' "$tmp/users.log"
expect_rc 0 "dimension cap"
expect_err_has "disabled: its dimensions made 1000 different name/value pairs within an hour" \
    "dimension cap"
pts=$(grep -c '"type":"datapoint"' "$tmp/out")
if [ "$pts" -eq 999 ]; then ok "dimension cap: 999 points, then the filter is disabled"; else
    not_ok "dimension cap: $pts points, expected 999"; fi

finish
