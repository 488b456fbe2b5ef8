#!/bin/bash
# promtool.sh -- liq watch's OpenMetrics files (watch/prom.c) imported by Debian's promtool
#
# tests/watch/prom_serve --openmetrics writes a replay's file: 72 five-minute periods of two
# series of MyApp Latency and an alarm, given newest first. `promtool tsdb create-blocks-from
# openmetrics` must import it whole (it refuses samples out of time order within a series and
# families split apart), into 3 two-hour blocks, and `promtool tsdb dump` must give back
# every sample written: the test computes them from the rules in prom_serve.c's header
# (counters as running totals, gauges per period, the alarm's state set and change count)
# and compares the two sets. A file cut before "# EOF" is refused.
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
echo "1..$n"
[ "$fails" -eq 0 ]
