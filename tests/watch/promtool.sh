#!/bin/bash
# promtool.sh -- liq watch's OpenMetrics files (watch/prom.c) imported by Debian's promtool
#
# tests/watch/prom_serve --openmetrics writes a replay's file: 72 five-minute periods of two
# series of MyApp Latency and an alarm, given newest first. `promtool tsdb create-blocks-from
# openmetrics` must import it whole (it refuses samples out of time order within a series and
# families split apart), into 3 two-hour blocks, and `promtool tsdb dump` must give back
# every sample written: the test computes them from the rules in prom_serve.c's header
# (counters as running totals, gauges per period, the alarm's state set and change count)
# and compares the two sets. A file cut before "# EOF" is refused. Then `liq watch --replay
# --openmetrics` over an hour of JSON lines with an alarm: promtool imports its file, and the
# dump agrees with liq's NDJSON (each datapoint's statistics, running totals, the alarm's
# state changes and their count).
# Skips (77) without /usr/bin/promtool (scripts/setup.sh installs prometheus).
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
PY=/usr/bin/python3
PROMTOOL=/usr/bin/promtool
if [ ! -x "$PROMTOOL" ]; then
    echo "SKIP: Debian's prometheus (promtool) is needed (scripts/setup.sh installs it)"
    exit 77
fi
DRIVER=$(dirname "$LIQ")/tests/watch/prom_serve
tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-promtool.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

n=0
fails=0
check() { # check LABEL COMMAND...: ok when the command succeeds
    local label=$1
    shift
    n=$((n + 1))
    if "$@" >"$tmp/check.out" 2>&1; then
        echo "ok $n - $label"
    else
        fails=$((fails + 1))
        echo "not ok $n - $label"
        sed 's/^/  | /' "$tmp/check.out"
    fi
}

check "prom_serve writes the file" "$DRIVER" --openmetrics "$tmp/replay.om"
check "the file ends with # EOF" sh -c "[ \"\$(tail -n 1 \"$tmp/replay.om\")\" = '# EOF' ]"
check "promtool imports it" "$PROMTOOL" tsdb create-blocks-from openmetrics "$tmp/replay.om" "$tmp/db"
check "into 3 blocks of two hours" sh -c "[ \$(ls \"$tmp/db\" | wc -l) -eq 3 ]"
mkdir -p "$tmp/db/wal" # promtool tsdb dump reads a WAL, even an empty one
"$PROMTOOL" tsdb dump "$tmp/db" >"$tmp/dump" 2>"$tmp/dump.err"
check "promtool dumps the blocks" [ -s "$tmp/dump" ]

# every sample the file should hold, as promtool dump prints it, against the dump
"$PY" - "$tmp/dump" >"$tmp/cmp" 2>&1 <<'EOF'
import sys
t0 = 1704067200000
want = set()
def add(name, labels, v, t):
    lab = ", ".join(['__name__="%s"' % name] + ['%s="%s"' % kv for kv in labels])
    want.add("{%s} %s %d" % (lab, ("%g" % v) if v != int(v) else "%d" % v, t))
base = "liq_my_app_latency"
tot = {"/a": [0, 0], "/b": [0, 0]}
changes, prev = 0, "INSUFFICIENT_DATA"
for k in range(72):
    t = t0 + k * 300000
    n = 1 + k % 3
    for route, cnt, s, lo, hi, p99 in (("/a", n, n * k, k, k, k), ("/b", 2, 40, 10, 30, None)):
        lab = [("dimension_Route", route)]
        tot[route][0] += cnt
        tot[route][1] += s
        add(base + "_sample_count_total", lab, tot[route][0], t)
        add(base + "_sum_total", lab, tot[route][1], t)
        add(base + "_average", lab, s / cnt, t)
        add(base + "_minimum", lab, lo, t)
        add(base + "_maximum", lab, hi, t)
        if p99 is not None:
            add(base + "_p99", lab, p99, t)
    state = "ALARM" if k % 24 >= 12 else "OK"
    for st in ("ALARM", "INSUFFICIENT_DATA", "OK"):
        add("liq_alarm_state", [("alarm_name", "HighLatency"), ("state", st)], st == state, t)
    if state != prev:
        changes += 1
    prev = state
    add("liq_alarm_state_changes_total", [("alarm_name", "HighLatency")], changes, t)
got = set(l.rstrip("\n") for l in open(sys.argv[1]))
for l in sorted(want - got)[:10]:
    print("missing:", l)
for l in sorted(got - want)[:10]:
    print("unexpected:", l)
print("%d samples written, %d read back" % (len(want), len(got)))
sys.exit(0 if want == got and len(want) == 72 * 15 else 1)
EOF
rc=$?
n=$((n + 1))
if [ $rc -eq 0 ]; then
    echo "ok $n - every sample written is read back: $(tail -n 1 "$tmp/cmp")"
else
    fails=$((fails + 1))
    echo "not ok $n - the dump differs from what was written"
    sed 's/^/  | /' "$tmp/cmp" "$tmp/dump.err"
fi

# a file cut before its end is refused (promtool needs "# EOF": the writer's last line counts)
head -n 100 "$tmp/replay.om" >"$tmp/cut.om"
check "a file without # EOF is refused" sh -c "! \"$PROMTOOL\" tsdb create-blocks-from openmetrics \"$tmp/cut.om\" \"$tmp/db2\""

# liq watch itself: a replay over an hour of JSON lines, with an alarm, written with
# --openmetrics and imported by promtool; the dump must hold, for each datapoint liq printed,
# its Average, Minimum and Maximum at its Timestamp and the running totals of SampleCount and
# Sum, and the alarm's states must change where liq's state-change events say, as many times
"$PY" - "$tmp/app.log" <<'EOF'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(600):  # 2024-01-01T00:00:00Z, every 6 s: 10 a minute, routes /a and /b
        t = 1704067200 + i * 6
        f.write(json.dumps({"@timestamp": "2024-01-01T%02d:%02d:%02dZ" % (t // 3600 % 24, t // 60 % 60, t % 60),
                            "latency": i % 50, "route": "/a" if i % 2 else "/b"}) + "\n")
EOF
"$LIQ" watch --replay --start 2024-01-01T00:00:00Z --end 2024-01-01T01:00:00Z \
    --metric-name Latency --metric-namespace MyApp --metric-value '$.latency' \
    --dimensions 'Route=$.route' --alarm-name HighLatency --statistic Average --threshold 20 \
    --comparison-operator GreaterThanThreshold --evaluation-periods 1 --alarm-dimensions Route=/a \
    --openmetrics "$tmp/watch.om" "$tmp/app.log" >"$tmp/watch.ndjson" 2>"$tmp/watch.err"
rc=$?
check "liq watch --replay --openmetrics: exit 0" sh -c "[ $rc -eq 0 ] || { cat \"$tmp/watch.err\"; false; }"
check "promtool imports liq watch's file" "$PROMTOOL" tsdb create-blocks-from openmetrics "$tmp/watch.om" "$tmp/wdb"
mkdir -p "$tmp/wdb/wal"
"$PROMTOOL" tsdb dump "$tmp/wdb" >"$tmp/wdump" 2>"$tmp/wdump.err"
"$PY" - "$tmp/watch.ndjson" "$tmp/wdump" >"$tmp/cmp" 2>&1 <<'EOF'
import json, re, sys
from datetime import datetime, timezone
def ms(s):
    return int(datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp()) * 1000
pts, events = [], []
for line in open(sys.argv[1]):
    j = json.loads(line)
    if j["type"] == "datapoint":
        pts.append(j)
    elif j["type"] == "state-change":
        events.append((ms(j["StateChangeTime"]), j["NewStateValue"]))
dump = {}
for line in open(sys.argv[2]):
    m = re.match(r'\{__name__="(\w+)"(.*)\} (\S+) (\d+)$', line)
    dump.setdefault((m.group(1), m.group(2)), {})[int(m.group(4))] = float(m.group(3))
bad, tot = [], {}
for p in sorted(pts, key=lambda p: p["Timestamp"]):
    lab = "".join(', dimension_%s="%s"' % (d["Name"], d["Value"]) for d in p["Dimensions"])
    t, sv = ms(p["Timestamp"]), p["StatisticValues"]
    c, s = tot.get(lab, (0, 0))
    tot[lab] = (c + sv["SampleCount"], s + sv["Sum"])
    want = {"sample_count_total": tot[lab][0], "sum_total": tot[lab][1], "average": p["Average"],
            "minimum": sv["Minimum"], "maximum": sv["Maximum"]}
    for k, v in want.items():
        got = dump.get(("liq_my_app_latency_" + k, lab), {}).get(t)
        if got is None or abs(got - v) > 1e-9 * max(1, abs(v)):
            bad.append("%s%s at %d: %r, want %r" % (k, lab, t, got, v))
states = {}
for (name, lab), series in dump.items():
    m = re.search(r'state="(\w+)"', lab)
    if name == "liq_alarm_state" and m:
        for t, v in series.items():
            if v == 1:
                states[t] = m.group(1)
changes, prev = [], "INSUFFICIENT_DATA"
for t in sorted(states):
    if states[t] != prev:
        changes.append((t, states[t]))
    prev = states[t]
if changes != events:
    bad.append("alarm changes %r, events %r" % (changes[:5], events[:5]))
ch = [v for (name, lab), s in dump.items() if name == "liq_alarm_state_changes_total" for t, v in sorted(s.items())]
if not ch or ch[-1] != len(events):
    bad.append("liq_alarm_state_changes_total ends at %r, %d events" % (ch[-1:] or None, len(events)))
for b in bad[:10]:
    print(b)
print("%d datapoints, %d state changes" % (len(pts), len(events)))
sys.exit(1 if bad or len(pts) < 100 or len(events) < 2 else 0)
EOF
rc=$?
n=$((n + 1))
if [ $rc -eq 0 ]; then
    echo "ok $n - liq watch's file read back: $(tail -n 1 "$tmp/cmp")"
else
    fails=$((fails + 1))
    echo "not ok $n - liq watch's file differs from its NDJSON"
    sed 's/^/  | /' "$tmp/cmp" "$tmp/wdump.err"
fi
echo "1..$n"
[ "$fails" -eq 0 ]
