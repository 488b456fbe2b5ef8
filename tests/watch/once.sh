#!/bin/sh
# once.sh -- liq watch --once: the last complete periods before now, the exit code of the
# worst state, --state-file between runs (issue 19, docs/watch.md)
#
# --now fixes "now" (2024-01-01T00:10:30Z: the complete periods of 1 minute end at 00:10; an
# alarm with EvaluationPeriods 1 looks at its range, 00:07 to 00:10). Exit 1 when an alarm is
# in ALARM, 6 when one is in INSUFFICIENT_DATA and none in ALARM, 0 when all are OK. With
# --treat-missing-data ignore a run without data keeps the state: the state file carries it
# (ALARM again, exit 1, no state change printed); without the file the alarm stays in its
# initial INSUFFICIENT_DATA (exit 6). The alarm action (a command, no shell) gets the
# CloudWatch message on its stdin before --once exits. The 00:10 record is past the complete
# periods and not read.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-watch-once.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
. "$SRCDIR/tests/cli/out_lib.sh"

cat >"$tmp/app.log" <<'EOF'
2024-01-01T00:08:05Z INFO ok
2024-01-01T00:09:05Z ERROR boom
2024-01-01T00:09:15Z ERROR boom
2024-01-01T00:10:05Z ERROR late
EOF
alarm="--metric-name Errors --metric-namespace App --filter-pattern ERROR --alarm-name errors
--statistic Sum --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1"

# shellcheck disable=SC2086
run watch --once --now 2024-01-01T00:10:30Z $alarm --alarm-actions "tee $tmp/action.json" \
    --threshold 2 "$tmp/app.log"
expect_rc 1 "ALARM"
expect_out_has '"type":"state-change","AlarmName":"errors"' "ALARM: the change printed"
expect_out_has '"NewStateValue":"ALARM"' "ALARM: new state"
expect_out_has '"Timestamp":"2024-01-01T00:09:00.000Z","Period":60,"Unit":"None","StatisticValues":{"SampleCount":2,"Sum":2,' \
    "ALARM: the 00:09 datapoint (the 00:10 record not read)"
if grep -q '"NewStateValue":"ALARM"' "$tmp/action.json" 2>/dev/null; then
    ok "the alarm action read the message on stdin before --once ended"; else
    not_ok "the alarm action"; [ -f "$tmp/action.json" ] && show "$tmp/action.json"; show "$tmp/err"; fi

# shellcheck disable=SC2086
run watch --once --now 2024-01-01T00:10:30Z $alarm --threshold 3 "$tmp/app.log"
expect_rc 0 "OK"
expect_out_has '"NewStateValue":"OK"' "OK: new state"

# no records in the range: INSUFFICIENT_DATA (missing data, the default)
# shellcheck disable=SC2086
run watch --once --now 2024-01-01T01:00:30Z $alarm --threshold 2 "$tmp/app.log"
expect_rc 6 "INSUFFICIENT_DATA"
expect_out_empty "INSUFFICIENT_DATA: no change from the initial state"

# ignore keeps the previous state, through --state-file
# shellcheck disable=SC2086
run watch --once --now 2024-01-01T00:10:30Z $alarm --threshold 2 --treat-missing-data ignore \
    --state-file "$tmp/state.json" "$tmp/app.log"
expect_rc 1 "ignore, first run: ALARM"
if [ -s "$tmp/state.json" ] && grep -q '"StateValue":"ALARM"' "$tmp/state.json"; then
    ok "the state file holds ALARM"; else not_ok "state file"; [ -f "$tmp/state.json" ] && show "$tmp/state.json"; fi
# shellcheck disable=SC2086
run watch --once --now 2024-01-01T01:00:30Z $alarm --threshold 2 --treat-missing-data ignore \
    --state-file "$tmp/state.json" "$tmp/app.log"
expect_rc 1 "ignore, a run without data: ALARM kept"
expect_out_empty "ignore, a run without data: no state change"
# shellcheck disable=SC2086
run watch --once --now 2024-01-01T01:00:30Z $alarm --threshold 2 --treat-missing-data ignore \
    "$tmp/app.log"
expect_rc 6 "ignore without --state-file: INSUFFICIENT_DATA kept"

# usage
# shellcheck disable=SC2086
run watch --once --replay $alarm --threshold 2 "$tmp/app.log"
expect_rc 2 "--once with --replay"
# shellcheck disable=SC2086
run watch --replay --start 2024-01-01T00:00:00Z --end 2024-01-01T01:00:00Z $alarm \
    --threshold 2 --state-file "$tmp/x" "$tmp/app.log"
expect_rc 2 "--state-file with --replay"
run watch --once --now 2024-01-01T00:10:30Z --metric-name E --alarm-name a --statistic Sum \
    --threshold 1 "$tmp/app.log"
expect_rc 2 "an alarm without --comparison-operator"
expect_err_has "--comparison-operator" "an alarm without --comparison-operator"

finish
