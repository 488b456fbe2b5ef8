#!/bin/bash
# prometheus.sh -- liq watch's metrics endpoint (watch/prom.c) scraped by a real Prometheus
#
# tests/watch/prom_serve serves fixed points (its header lists them) on a loopback port; the
# endpoint's HTTP answers are checked with curl (text format linted by `promtool check
# metrics`, OpenMetrics when asked, HEAD, 405 with Allow, 404), then Debian's prometheus is
# started on a free loopback port with its own data directory, scraping the endpoint each
# second; once /api/v1/targets says the target is up (waited for, hang guard 60 s), the
# values are read back with /api/v1/query: counters, gauges, a percentile, an escaped label
# value, the alarm's state and change count. Then `liq watch` itself, following an hour of
# JSON lines with an alarm and --metrics-listen on a free loopback port, is scraped too (a
# second job): once liq has printed the datapoints of the hour's complete periods, Prometheus
# must come to show the totals, the last period's statistics and the alarm's state and change
# count that liq's NDJSON says. All are stopped by PID.
# Skips (77) without /usr/bin/prometheus and /usr/bin/promtool (scripts/setup.sh installs them).
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
PY=/usr/bin/python3
PROMETHEUS=/usr/bin/prometheus
PROMTOOL=/usr/bin/promtool
if [ ! -x "$PROMETHEUS" ] || [ ! -x "$PROMTOOL" ]; then
    echo "SKIP: Debian's prometheus is needed (scripts/setup.sh installs it)"
    exit 77
fi
DRIVER=$(dirname "$LIQ")/tests/watch/prom_serve
tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-prom.XXXXXX")
SERVE_PID=""
PROM_PID=""
WATCH_PID=""
cleanup() {
    for p in $SERVE_PID $PROM_PID $WATCH_PID; do kill "$p" 2>/dev/null; done
    for p in $SERVE_PID $PROM_PID $WATCH_PID; do wait "$p" 2>/dev/null; done
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
check() { # check LABEL COMMAND...: ok when the command succeeds
    local label=$1
    shift
    if "$@" >"$tmp/check.out" 2>&1; then ok "$label"; else notok "$label" "$tmp/check.out"; fi
}

# the endpoint
"$DRIVER" --serve "$tmp/port" 2>"$tmp/serve.log" &
SERVE_PID=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 300 ] && kill -0 "$SERVE_PID" 2>/dev/null; do
    sleep 0.1
    i=$((i + 1))
done
if [ ! -s "$tmp/port" ]; then
    echo "Bail out! prom_serve did not start"
    sed 's/^/  | /' "$tmp/serve.log"
    exit 1
fi
PORT=$(cat "$tmp/port")
URL=http://127.0.0.1:$PORT

# HTTP: the text format by default (what promtool's linter accepts), OpenMetrics when asked
curl -sS -D "$tmp/h" -o "$tmp/text" "$URL/metrics"
check "GET /metrics: 200, text format 0.0.4" grep -qi '^content-type: text/plain; version=0.0.4' "$tmp/h"
check "the text format passes promtool check metrics" sh -c "\"$PROMTOOL\" check metrics <\"$tmp/text\""
check "text format: a counter with _total in its TYPE line" \
    grep -qx '# TYPE liq_my_app_latency_sum_total counter' "$tmp/text"
curl -sS -D "$tmp/h" -o "$tmp/om" -H 'Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' "$URL/metrics"
check "OpenMetrics when the Accept header asks for it" \
    grep -qi '^content-type: application/openmetrics-text; version=1.0.0' "$tmp/h"
check "OpenMetrics: counter families without _total, # EOF last" sh -c \
    "grep -qx '# TYPE liq_my_app_latency_sum counter' \"$tmp/om\" && [ \"\$(tail -n 1 \"$tmp/om\")\" = '# EOF' ]"
curl -sS -I -o "$tmp/h" "$URL/metrics"
check "HEAD /metrics: 200, headers only" sh -c "head -n 1 \"$tmp/h\" | grep -q ' 200 ' && grep -qi '^content-type: text/plain' \"$tmp/h\""
curl -sS -X POST -d x=1 -D "$tmp/h" -o "$tmp/body" "$URL/metrics"
check "POST /metrics: 405 with Allow: GET, HEAD" sh -c "head -n 1 \"$tmp/h\" | grep -q ' 405 ' && grep -qi '^allow: GET, HEAD' \"$tmp/h\""
curl -sS -D "$tmp/h" -o "$tmp/body" "$URL/"
check "GET /: 404" sh -c "head -n 1 \"$tmp/h\" | grep -q ' 404 '"
curl -sS -D "$tmp/h" -o "$tmp/body" "$URL/metrics/x"
check "GET /metrics/x: 404" sh -c "head -n 1 \"$tmp/h\" | grep -q ' 404 '"

# a free loopback port (bound and released; a lost race is retried)
free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# liq watch following an hour of JSON lines (2024-01-01T00:00:00Z, one record every 6 s, routes
# /a and /b), latency by route, an alarm on /a's Average; its endpoint on a free port
"$PY" - "$tmp/app.log" <<'EOF'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(600):
        t = 1704067200 + i * 6
        f.write(json.dumps({"@timestamp": "2024-01-01T%02d:%02d:%02dZ" % (t // 3600 % 24, t // 60 % 60, t % 60),
                            "latency": i % 50, "route": "/a" if i % 2 else "/b"}) + "\n")
EOF
"$LIQ" watch --metric-name Latency --metric-namespace MyApp --metric-value '$.latency' \
    --dimensions 'Route=$.route' --alarm-name HighLatency --statistic Average --threshold 20 \
    --comparison-operator GreaterThanThreshold --evaluation-periods 1 --alarm-dimensions Route=/a \
    --lateness 0s --now 2024-01-01T00:00:00Z --metrics-listen 127.0.0.1:0 "$tmp/app.log" >"$tmp/watch.ndjson" 2>"$tmp/watch.err" &
WATCH_PID=$!
# its port (stderr: "liq watch: metrics at GET /metrics on port N"), then at least the 59
# complete minutes of 2 routes: 118 datapoints (00:59 may stay open while followed)
complete() { grep '"type":"datapoint"' "$tmp/watch.ndjson" | grep -vc '"Incomplete"'; }
i=0
while { ! grep -q 'on port [0-9]' "$tmp/watch.err" || [ "$(complete)" -lt 118 ]; } &&
    [ $i -lt 600 ] && kill -0 "$WATCH_PID" 2>/dev/null; do
    sleep 0.1
    i=$((i + 1))
done
WPORT=$(sed -n 's/.*on port \([0-9][0-9]*\).*/\1/p' "$tmp/watch.err" | head -n 1)
if [ -z "$WPORT" ] || [ "$(complete)" -lt 118 ]; then
    echo "Bail out! liq watch did not serve the hour's datapoints"
    sed 's/^/  | /' "$tmp/watch.err"
    exit 1
fi

cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: liq
    static_configs:
      - targets: ['127.0.0.1:$PORT']
  - job_name: watch
    static_configs:
      - targets: ['127.0.0.1:$WPORT']
EOF
up=""
for attempt in 1 2 3; do
    PPORT=$(free_port)
    "$PROMETHEUS" --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
        --web.listen-address="127.0.0.1:$PPORT" --log.level=warn 2>"$tmp/prometheus.log" &
    PROM_PID=$!
    PURL=http://127.0.0.1:$PPORT
    # waits for the first scrape of the target, or for Prometheus to end (a port taken)
    i=0
    while [ $i -lt 600 ] && kill -0 "$PROM_PID" 2>/dev/null; do
        if curl -sf "$PURL/api/v1/targets" -o "$tmp/targets" &&
            "$PY" - "$tmp/targets" "127.0.0.1:$PORT" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))["data"]["activeTargets"]
sys.exit(0 if sum(x["health"] == "up" for x in t) == 2 else 1)
EOF
        then
            up=1
            break
        fi
        sleep 0.1
        i=$((i + 1))
    done
    [ -n "$up" ] && break
    kill "$PROM_PID" 2>/dev/null
    wait "$PROM_PID" 2>/dev/null
    PROM_PID=""
done
if [ -z "$up" ]; then
    echo "Bail out! Prometheus did not scrape the endpoint"
    sed 's/^/  | /' "$tmp/prometheus.log"
    [ -f "$tmp/targets" ] && sed 's/^/  | /' "$tmp/targets"
    exit 1
fi
ok "Prometheus scraped both endpoints (targets up)"

# query QUERY WANT: the one series QUERY selects has the value WANT (and labels as LABELS=...)
query() {
    curl -sf -G "$PURL/api/v1/query" --data-urlencode "query=$1" -o "$tmp/q" &&
        "$PY" - "$tmp/q" "$2" "${3:-}" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["data"]["result"]
if len(r) != 1:
    sys.exit("want one series, got %r" % r)
got = float(r[0]["value"][1])
if got != float(sys.argv[2]):
    sys.exit("value %r, want %s (%r)" % (got, sys.argv[2], r[0]))
for kv in filter(None, sys.argv[3].split("|")):
    k, v = kv.split("=", 1)
    if r[0]["metric"].get(k) != v:
        sys.exit("label %s = %r, want %r (%r)" % (k, r[0]["metric"].get(k), v, r[0]["metric"]))
EOF
}
check "sum counter, with the dimensions as labels (a quote in a value)" \
    query 'liq_my_app_latency_sum_total{job="liq"}' 130 'dimension_Route=/a"b|dimension_Service=api'
check "sample count counter" query 'liq_my_app_latency_sample_count_total{job="liq"}' 6
check "Average of the last period" query 'liq_my_app_latency_average{dimension_Route="/a\"b"}' 15
check "Minimum and Maximum of the last period" \
    query 'liq_my_app_latency_maximum{job="liq"} - liq_my_app_latency_minimum{job="liq"}' 10
check "percentile p99 of the last period" query 'liq_my_app_latency_p99{job="liq"}' 19.5
check "a default period: gauges set, counters unchanged" \
    query 'liq_my_app_errors_average{job="liq"} + liq_my_app_errors_sum_total{job="liq"}' 0
check "alarm state ALARM" query 'liq_alarm_state{job="liq",alarm_name="HighLatency",state="ALARM"}' 1
check "alarm state OK is 0" query 'liq_alarm_state{job="liq",alarm_name="HighLatency",state="OK"}' 0
check "alarm state changes" query 'liq_alarm_state_changes_total{job="liq"}' 1
check "series held" query 'liq_watch_series{job="liq"}' 2

# liq watch's endpoint: what its NDJSON says. Each try reads the NDJSON printed so far and
# queries Prometheus; liq writes a point to stdout and the exporter under one lock, and
# Prometheus scrapes each second, so the two come to agree (hang guard 60 s)
cat >"$tmp/agree.py" <<'EOF'
import json, sys, urllib.parse, urllib.request
ndjson, purl, verbose = sys.argv[1], sys.argv[2], len(sys.argv) > 3
tot, last, events = {}, {}, []
for line in open(ndjson):
    if not line.endswith("\n"):
        break  # a line being written
    j = json.loads(line)
    if j["type"] == "datapoint" and not j.get("Incomplete"):
        r = j["Dimensions"][0]["Value"]
        c, s = tot.get(r, (0, 0))
        tot[r] = (c + j["StatisticValues"]["SampleCount"], s + j["StatisticValues"]["Sum"])
        if r not in last or j["Timestamp"] > last[r]["Timestamp"]:
            last[r] = j
    elif j["type"] == "state-change":
        events.append(j["NewStateValue"])
want = {}
for r in sorted(tot):
    sel = '{job="watch",dimension_Route="%s"}' % r
    want["liq_my_app_latency_sample_count_total" + sel] = tot[r][0]
    want["liq_my_app_latency_sum_total" + sel] = tot[r][1]
    want["liq_my_app_latency_average" + sel] = last[r]["Average"]
    want["liq_my_app_latency_minimum" + sel] = last[r]["StatisticValues"]["Minimum"]
    want["liq_my_app_latency_maximum" + sel] = last[r]["StatisticValues"]["Maximum"]
for st in ("OK", "ALARM", "INSUFFICIENT_DATA"):
    want['liq_alarm_state{job="watch",alarm_name="HighLatency",state="%s"}' % st] = int(events[-1] == st)
want['liq_alarm_state_changes_total{job="watch",alarm_name="HighLatency"}'] = len(events)
bad = 0
for q, v in want.items():
    u = purl + "/api/v1/query?" + urllib.parse.urlencode({"query": q})
    r = json.load(urllib.request.urlopen(u))["data"]["result"]
    got = float(r[0]["value"][1]) if len(r) == 1 else None
    ok = got is not None and abs(got - v) <= 1e-9 * max(1, abs(v))
    bad += not ok
    if verbose:
        print("%s - liq watch: %s = %r%s" % ("ok" if ok else "not ok", q, v, "" if ok else " (Prometheus: %r)" % r))
sys.exit(1 if bad or len(events) < 2 else 0)
EOF
i=0
until "$PY" "$tmp/agree.py" "$tmp/watch.ndjson" "$PURL" 2>/dev/null || [ $i -ge 600 ]; do
    sleep 0.1
    i=$((i + 1))
done
"$PY" "$tmp/agree.py" "$tmp/watch.ndjson" "$PURL" -v >"$tmp/agree" 2>&1
rc=$?
while read -r line; do
    case $line in
    "ok - "*) ok "${line#ok - }" ;;
    "not ok - "*) notok "${line#not ok - }" ;;
    *) echo "  | $line" ;;
    esac
done <"$tmp/agree"
check "liq watch's endpoint agrees with its NDJSON (two state changes at least)" [ "$rc" -eq 0 ]

kill "$PROM_PID"
wait "$PROM_PID"
rc=$?
PROM_PID=""
check "Prometheus stopped by SIGTERM (exit 0)" [ "$rc" -eq 0 ]
kill "$SERVE_PID"
wait "$SERVE_PID"
rc=$?
SERVE_PID=""
check "the endpoint stopped (exit 0)" [ "$rc" -eq 0 ]
kill "$WATCH_PID"
wait "$WATCH_PID"
rc=$?
WATCH_PID=""
check "liq watch stopped by SIGTERM (exit 0)" [ "$rc" -eq 0 ]
echo "1..$n"
[ "$fails" -eq 0 ]
