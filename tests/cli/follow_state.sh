#!/bin/sh
# follow_state.sh -- CLI test: liq --follow --state-file survives kill -9 (issue 18, docs/follow.md)
#
# A writer appends six chunks of records (timestamps over half an hour, some out of order,
# some later than --lateness: corrections) to a log, rotates it by rename halfway (writing a
# few lines to the old file after the rename), and liq -F --state-file follows it with
# 'stats count(*), sum(n) by bin(1m)' into a regular file (>>). liq is killed with SIGKILL at
# points chosen by what it did, never by a clock: as soon as its output grew after a chunk
# (the window between writing rows and writing the state), as soon as the state file changed,
# and right after a restart (before it wrote anything). Each restart goes on from the state.
# A last record far later closes every bin; then SIGTERM (exit 0). The bins summed over the
# output rows (a correction row adds to its bin) must equal one run of the same query over
# all the records, bin by bin: nothing lost, nothing counted twice. The same is checked for a
# query whose rows stream ('fields n'): every record once.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 a tool (python3, timeout, tail) missing.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
LC_ALL=C
export LC_ALL
for tool in python3 timeout tail awk sort cmp; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "follow_state: $tool not found, skipped"
        exit 77
    fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-cli-follow-state.XXXXXX")
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
    if [ -f "$tmp/err" ]; then sed 's/^/#   err: /' "$tmp/err"; fi
}

# chunk K: 150 records, timestamps from 10:00 + 5K minutes over 5 minutes, every 15th one 7
# minutes earlier (later than --lateness 30s: a correction once its bin is out)
chunk() {
    awk -v k="$1" 'BEGIN { srand(18 + k)
        for (i = 0; i < 150; i++) {
            s = k * 300 + int(rand() * 300)
            if (i % 15 == 14 && s >= 420) s -= 420
            printf "{\"@timestamp\":\"2026-03-01T10:%02d:%02dZ\",\"n\":%d,\"id\":\"%d-%d\"}\n", int(s / 60), s % 60, int(rand() * 1000), k, i
        } }'
}

# start QUERY: liq -F --state-file into $tmp/out (appended), in the background
start() {
    "$LIQ" -F --lateness 30s --poll 200ms --state-file "$tmp/state" --format ndjson "$1" \
        "$tmp/log" >>"$tmp/out" 2>>"$tmp/err" &
    pid=$!
}
lines() { if [ -f "$tmp/out" ]; then wc -l <"$tmp/out"; else echo 0; fi; }
# grown N: polls until $tmp/out has more than N lines (at most 3000 tries)
grown() {
    _i=0
    while [ "$(lines)" -le "$1" ] && kill -0 "$pid" 2>/dev/null && [ $_i -lt 3000 ]; do
        sleep 0.02
        _i=$((_i + 1))
    done
    [ "$(lines)" -gt "$1" ]
}
# state_changed: polls until the state file differs from $tmp/state.seen (at most 3000 tries)
state_changed() {
    _i=0
    while cmp -s "$tmp/state" "$tmp/state.seen" 2>/dev/null && [ $_i -lt 3000 ]; do
        sleep 0.02
        _i=$((_i + 1))
    done
    ! cmp -s "$tmp/state" "$tmp/state.seen" 2>/dev/null
}
kill9() {
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    pid=
}

# run QUERY NAME: the writer and the kills; leaves $tmp/out and $tmp/all (every record)
run() {
    rm -f "$tmp/out" "$tmp/err" "$tmp/state" "$tmp/log" "$tmp/log.1" "$tmp/all"
    chunk 0 >"$tmp/log"
    start "$1"
    before=0
    grown $before || bad "$2: rows of the first chunk"
    kill9 # 1: right after rows came out
    chunk 1 >>"$tmp/log"
    start "$1"
    kill9 # 2: a restart killed before it wrote anything
    start "$1"
    before=$(lines)
    chunk 2 >>"$tmp/log"
    grown "$before" || bad "$2: rows of the third chunk"
    kill9 # 3: again right after rows
    cp "$tmp/state" "$tmp/state.seen"
    start "$1"
    chunk 3 >"$tmp/c3"
    head -n 100 "$tmp/c3" >>"$tmp/log"
    mv "$tmp/log" "$tmp/log.1" # rotation; the writer finishes its chunk in the old file
    tail -n 50 "$tmp/c3" >>"$tmp/log.1"
    state_changed || bad "$2: the state after the fourth chunk"
    kill9 # 4: as soon as the state changed
    chunk 4 >"$tmp/log"
    start "$1"
    before=$(lines)
    chunk 5 >>"$tmp/log"
    grown "$before" || bad "$2: rows of the last chunks"
    kill9 # 5
    start "$1"
    printf '{"@timestamp":"2026-03-01T12:00:00Z","n":0,"id":"closer"}\n' >>"$tmp/log"
    cat "$tmp/log.1" "$tmp/log" >"$tmp/all"
}

# ----- stats by bin(1m) -----
q='stats count(*) as c, sum(n) as s by bin(1m)'
run "$q" bins
# every bin before the closer's is out once the closer's timestamp passes it
_i=0
while ! grep -q '"2026-03-01 10:29:00.000"' "$tmp/out" && kill -0 "$pid" 2>/dev/null &&
    [ $_i -lt 3000 ]; do
    sleep 0.02
    _i=$((_i + 1))
done
kill -TERM "$pid"
if timeout 60 tail --pid="$pid" -f /dev/null; then wait "$pid"; rc=$?; else kill9; rc=999; fi
pid=
if [ "$rc" = 0 ]; then ok "bins: SIGTERM ends the last follower with exit 0"
else bad "bins: SIGTERM ends the last follower with exit 0 (exit $rc)"; fi
# sums per bin over the rows written (corrections add), against one run over every record
awk -F'"' '{ b = $4; c = $0; sub(/.*"c":/, "", c); sub(/,.*/, "", c); s = $0; sub(/.*"s":/, "", s);
    sub(/}.*/, "", s); C[b] += c; S[b] += s } END { for (b in C) printf "%s %d %d\n", b, C[b], S[b] }' \
    "$tmp/out" | sort >"$tmp/got"
grep -v closer "$tmp/all" | "$LIQ" --format ndjson "$q" |
    awk -F'"' '{ b = $4; c = $0; sub(/.*"c":/, "", c); sub(/,.*/, "", c); s = $0; sub(/.*"s":/, "", s);
    sub(/}.*/, "", s); printf "%s %d %d\n", b, c, s }' | sort >"$tmp/want"
if [ -s "$tmp/want" ] && cmp -s "$tmp/got" "$tmp/want"; then
    ok "bins: totals after 5 kills equal one run ($(wc -l <"$tmp/want") bins)"
else
    bad "bins: totals after 5 kills equal one run"
    diff "$tmp/want" "$tmp/got" | sed 's/^/#   /' | head -20
fi
if grep -q 'liq: error' "$tmp/err"; then bad "bins: no error on stderr"; else ok "bins: no error on stderr"; fi

# ----- a query whose rows stream -----
run 'fields id' rows
_i=0
while ! grep -q '"closer"' "$tmp/out" && kill -0 "$pid" 2>/dev/null && [ $_i -lt 3000 ]; do
    sleep 0.02
    _i=$((_i + 1))
done
kill -TERM "$pid"
if timeout 60 tail --pid="$pid" -f /dev/null; then wait "$pid"; rc=$?; else kill9; rc=999; fi
pid=
sed 's/.*"id":"\([^"]*\)".*/\1/' "$tmp/all" | sort >"$tmp/want"
sed 's/.*"id":"\([^"]*\)".*/\1/' "$tmp/out" | sort >"$tmp/got"
if [ "$rc" = 0 ] && cmp -s "$tmp/got" "$tmp/want"; then
    ok "rows: every record once after 5 kills ($(wc -l <"$tmp/want") records)"
else
    bad "rows: every record once after 5 kills (exit $rc)"
    diff "$tmp/want" "$tmp/got" | sed 's/^/#   /' | head -20
fi

# ----- another query's state is refused -----
if "$LIQ" -F --state-file "$tmp/state" 'fields n' "$tmp/log" >"$tmp/o2" 2>"$tmp/e2"; then rc=0
else rc=$?; fi
if [ "$rc" = 2 ] && grep -q 'the state of another query' "$tmp/e2"; then
    ok "a state of another query is refused"
else
    bad "a state of another query is refused (exit $rc)"
    sed 's/^/#   /' "$tmp/e2"
fi

echo "1..$n"
exit $fail
