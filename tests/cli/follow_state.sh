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
# query whose rows stream ('fields n'): every record once; and for stats without bins (csv,
# --every 100ms): the last whole result equals one run. Ten more kills at points a seed
# picks (at once after a chunk, once the output grew, once the state changed; the seed is
# printed, LIQ_FOLLOW_SEED repeats it), for bins. A rotated file deleted while liq is
# down loses nothing it had read (the state holds the open bins, nothing is read again);
# SIGTERM keeps the open bins in the state and the restart writes them once (the state holds
# the open bins only, at most 2 after an hour of bins); a limit goes on counting after a
# restart; a file whose name holds a newline (and state-like lines) restarts exactly;
# pattern (csv, --every 100ms), whose groups have a saved form since issue 16: after the same
# five kills, the last whole result equals one run.
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

# start QUERY: liq -F --state-file into $tmp/out (appended), in the background, in format
# $fmt (ndjson) with the options $xopt
fmt=ndjson
xopt=
start() {
    # shellcheck disable=SC2086
    "$LIQ" -F --lateness 30s --poll 200ms $xopt --state-file "$tmp/state" --format "$fmt" "$1" \
        "$tmp/log" >>"$tmp/out" 2>>"$tmp/err" &
    pid=$!
}
# stopped LABEL: SIGTERM to the follower; a check that it ended with exit 0
stopped() {
    kill -TERM "$pid"
    if timeout 60 tail --pid="$pid" -f /dev/null; then wait "$pid"; rc=$?; else kill9; rc=999; fi
    pid=
    if [ "$rc" = 0 ]; then ok "$1: SIGTERM, exit 0"; else bad "$1: SIGTERM, exit 0 (exit $rc)"; fi
}
# read_all FILE: polls until the state file says FILE was read to its end (at most 3000 tries)
read_all() {
    _w="^file [0-9]* $(stat -c %i "$1") $(stat -c %s "$1") "
    _i=0
    while ! grep -qa "$_w" "$tmp/state" 2>/dev/null && kill -0 "$pid" 2>/dev/null &&
        [ $_i -lt 3000 ]; do
        sleep 0.02
        _i=$((_i + 1))
    done
    grep -qa "$_w" "$tmp/state"
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

# ----- kills at random points: 10 rounds, each appends a chunk, then kills at once, once
# the output grew, or once the state changed (chosen by a seed: LIQ_FOLLOW_SEED, else the
# shell's pid; printed), and restarts -----
seed=${LIQ_FOLLOW_SEED:-$$}
rm -f "$tmp/out" "$tmp/err" "$tmp/state" "$tmp/log" "$tmp/all"
: >"$tmp/log"
start "$q"
for k in 0 1 2 3 4 5 6 7 8 9; do
    cp "$tmp/state" "$tmp/state.seen" 2>/dev/null
    before=$(lines)
    chunk "$k" >>"$tmp/log"
    case $(awk -v s="$seed" -v k="$k" 'BEGIN { srand(s * 16 + k); print int(rand() * 3) }') in
    1) grown "$before" || bad "random: rows after chunk $k" ;;
    2) state_changed || bad "random: the state after chunk $k" ;;
    esac
    kill9
    start "$q"
done
printf '{"@timestamp":"2026-03-01T12:00:00Z","n":0,"id":"closer"}\n' >>"$tmp/log"
_i=0
while ! grep -q '"2026-03-01 10:49:00.000"' "$tmp/out" && kill -0 "$pid" 2>/dev/null &&
    [ $_i -lt 3000 ]; do
    sleep 0.02
    _i=$((_i + 1))
done
stopped "random (seed $seed)"
awk -F'"' '{ b = $4; c = $0; sub(/.*"c":/, "", c); sub(/,.*/, "", c); s = $0; sub(/.*"s":/, "", s);
    sub(/}.*/, "", s); C[b] += c; S[b] += s } END { for (b in C) printf "%s %d %d\n", b, C[b], S[b] }' \
    "$tmp/out" | sort >"$tmp/got"
grep -v closer "$tmp/log" | "$LIQ" --format ndjson "$q" |
    awk -F'"' '{ b = $4; c = $0; sub(/.*"c":/, "", c); sub(/,.*/, "", c); s = $0; sub(/.*"s":/, "", s);
    sub(/}.*/, "", s); printf "%s %d %d\n", b, c, s }' | sort >"$tmp/want"
if [ -s "$tmp/want" ] && cmp -s "$tmp/got" "$tmp/want"; then
    ok "random (seed $seed): totals after 10 kills equal one run ($(wc -l <"$tmp/want") bins)"
else
    bad "random (seed $seed): totals after 10 kills equal one run"
    diff "$tmp/want" "$tmp/got" | sed 's/^/#   /' | head -20
fi

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

# ----- stats without bins: the last whole result equals one run -----
fmt=csv
xopt='--every 100ms'
q='parse id "*-*" as k, i | stats count(*) as c, sum(n) as s by k | sort k'
run "$q" others
# the closer's result: its id does not parse, so its group is the one with no k (",1,0"), in
# the result once it was read
_i=0
while ! grep -qx ',1,0' "$tmp/out" && kill -0 "$pid" 2>/dev/null && [ $_i -lt 3000 ]; do
    sleep 0.02
    _i=$((_i + 1))
done
stopped others
# the last result: the lines after the last header line
awk '/^k,c,s$/ { n = 0; delete r; next } { r[++n] = $0 } END { for (i = 1; i <= n; i++) print r[i] }' \
    "$tmp/out" >"$tmp/got"
"$LIQ" --format csv "$q" "$tmp/all" | tail -n +2 >"$tmp/want"
if [ -s "$tmp/want" ] && cmp -s "$tmp/got" "$tmp/want"; then
    ok "others: the last result after 5 kills equals one run ($(wc -l <"$tmp/want") groups)"
else
    bad "others: the last result after 5 kills equals one run"
    diff "$tmp/want" "$tmp/got" | sed 's/^/#   /' | head -20
fi
fmt=ndjson
xopt=

# ----- a rotated file deleted while liq is down: what was read is not lost -----
# (its records are in open bins: the state holds them; nothing of the file is read again)
rm -f "$tmp/out" "$tmp/err" "$tmp/state" "$tmp/log" "$tmp/log.1"
q='stats count(*) as c, sum(n) as s by bin(1m)'
chunk 0 >"$tmp/log"
start "$q"
read_all "$tmp/log" || bad "deleted: the first file read"
kill9
cat "$tmp/log" >"$tmp/all"
mv "$tmp/log" "$tmp/log.1" # rotated, then deleted, while liq is down
rm "$tmp/log.1"
chunk 1 >"$tmp/log"
printf '{"@timestamp":"2026-03-01T12:00:00Z","n":0,"id":"closer"}\n' >>"$tmp/log"
cat "$tmp/log" >>"$tmp/all"
start "$q"
_i=0
while ! grep -q '"2026-03-01 10:09:00.000"' "$tmp/out" && kill -0 "$pid" 2>/dev/null &&
    [ $_i -lt 3000 ]; do
    sleep 0.02
    _i=$((_i + 1))
done
stopped deleted
awk -F'"' '{ b = $4; c = $0; sub(/.*"c":/, "", c); sub(/,.*/, "", c); s = $0; sub(/.*"s":/, "", s);
    sub(/}.*/, "", s); C[b] += c; S[b] += s } END { for (b in C) printf "%s %d %d\n", b, C[b], S[b] }' \
    "$tmp/out" | sort >"$tmp/got"
grep -v closer "$tmp/all" | "$LIQ" --format ndjson "$q" |
    awk -F'"' '{ b = $4; c = $0; sub(/.*"c":/, "", c); sub(/,.*/, "", c); s = $0; sub(/.*"s":/, "", s);
    sub(/}.*/, "", s); printf "%s %d %d\n", b, c, s }' | sort >"$tmp/want"
if [ -s "$tmp/want" ] && cmp -s "$tmp/got" "$tmp/want"; then
    ok "deleted: a rotated file deleted while down loses nothing ($(wc -l <"$tmp/want") bins)"
else
    bad "deleted: a rotated file deleted while down loses nothing"
    diff "$tmp/want" "$tmp/got" | sed 's/^/#   /' | head -20
fi

# ----- SIGTERM with --state-file: the open bins are kept in the state, not written; the
# restart writes them once they close. Closed bins are released: the state holds the open
# ones only (at most 2 here, after 60 minutes of bins) -----
rm -f "$tmp/out" "$tmp/err" "$tmp/state" "$tmp/log"
q='stats count(*) as c, sum(n) as s by bin(1m)'
chunk 0 >"$tmp/log"
start "$q"
read_all "$tmp/log" || bad "sigterm: the file read"
stopped sigterm
nbins=$(grep -ac '^bin ' "$tmp/state")
if [ "$nbins" -ge 1 ] && ! grep -q '"2026-03-01 10:04:00.000"' "$tmp/out"; then
    ok "sigterm: the open bins kept in the state ($nbins), not written"
else bad "sigterm: the open bins kept in the state ($nbins), not written"; fi
cp "$tmp/log" "$tmp/all"
for k in 1 2 3 4 5 6 7 8 9 10 11; do chunk "$k"; done >"$tmp/more"
cat "$tmp/more" >>"$tmp/all"
start "$q"
cat "$tmp/more" >>"$tmp/log"
read_all "$tmp/log" || bad "sigterm: the restart read the file"
nbins=$(grep -ac '^bin ' "$tmp/state")
printf '{"@timestamp":"2026-03-01T12:00:00Z","n":0,"id":"closer"}\n' >>"$tmp/log"
_i=0
while ! grep -q '"2026-03-01 10:59:00.000"' "$tmp/out" && kill -0 "$pid" 2>/dev/null &&
    [ $_i -lt 3000 ]; do
    sleep 0.02
    _i=$((_i + 1))
done
stopped "sigterm restart"
awk -F'"' '{ b = $4; c = $0; sub(/.*"c":/, "", c); sub(/,.*/, "", c); s = $0; sub(/.*"s":/, "", s);
    sub(/}.*/, "", s); C[b] += c; S[b] += s } END { for (b in C) printf "%s %d %d\n", b, C[b], S[b] }' \
    "$tmp/out" | sort >"$tmp/got"
"$LIQ" --format ndjson "$q" "$tmp/all" |
    awk -F'"' '{ b = $4; c = $0; sub(/.*"c":/, "", c); sub(/,.*/, "", c); s = $0; sub(/.*"s":/, "", s);
    sub(/}.*/, "", s); printf "%s %d %d\n", b, c, s }' | sort >"$tmp/want"
if [ -s "$tmp/want" ] && cmp -s "$tmp/got" "$tmp/want"; then
    ok "sigterm: the kept bins written after the restart, once ($(wc -l <"$tmp/want") bins)"
else
    bad "sigterm: the kept bins written after the restart, once"
    diff "$tmp/want" "$tmp/got" | sed 's/^/#   /' | head -20
fi
if [ "$nbins" -le 2 ]; then ok "sigterm: 60 minutes read, $nbins open bins in the state"
else bad "sigterm: 60 minutes read, $nbins open bins in the state (at most 2)"; fi

# ----- a file whose name holds a newline (and what looks like a state line) -----
# (names are written escaped: the restart reads its state, goes on from the offsets)
rm -rf "$tmp/out" "$tmp/err" "$tmp/state" "$tmp/nd"
mkdir -p "$tmp/nd"
odd="$tmp/nd/a
bin 0 5
data
b.log"
chunk 0 >"$odd"
"$LIQ" -F --lateness 30s --poll 200ms --state-file "$tmp/state" --format ndjson "$q" "$tmp/nd" \
    >>"$tmp/out" 2>>"$tmp/err" &
pid=$!
read_all "$odd" || bad "newline: the file read"
kill9
cp "$odd" "$tmp/all"
chunk 1 >>"$odd"
printf '{"@timestamp":"2026-03-01T12:00:00Z","n":0,"id":"closer"}\n' >>"$odd"
cat "$odd" >"$tmp/all"
"$LIQ" -F --lateness 30s --poll 200ms --state-file "$tmp/state" --format ndjson "$q" "$tmp/nd" \
    >>"$tmp/out" 2>>"$tmp/err" &
pid=$!
_i=0
while ! grep -q '"2026-03-01 10:09:00.000"' "$tmp/out" && kill -0 "$pid" 2>/dev/null &&
    [ $_i -lt 3000 ]; do
    sleep 0.02
    _i=$((_i + 1))
done
stopped newline
awk -F'"' '{ b = $4; c = $0; sub(/.*"c":/, "", c); sub(/,.*/, "", c); s = $0; sub(/.*"s":/, "", s);
    sub(/}.*/, "", s); C[b] += c; S[b] += s } END { for (b in C) printf "%s %d %d\n", b, C[b], S[b] }' \
    "$tmp/out" | sort >"$tmp/got"
grep -v closer "$tmp/all" | "$LIQ" --format ndjson "$q" |
    awk -F'"' '{ b = $4; c = $0; sub(/.*"c":/, "", c); sub(/,.*/, "", c); s = $0; sub(/.*"s":/, "", s);
    sub(/}.*/, "", s); printf "%s %d %d\n", b, c, s }' | sort >"$tmp/want"
if [ -s "$tmp/want" ] && cmp -s "$tmp/got" "$tmp/want"; then
    ok "newline: a name with a newline in the state, the restart exact ($(wc -l <"$tmp/want") bins)"
else
    bad "newline: a name with a newline in the state, the restart exact"
    diff "$tmp/want" "$tmp/got" | sed 's/^/#   /' | head -20
fi

# ----- a limit goes on counting after a restart -----
rm -f "$tmp/out" "$tmp/err" "$tmp/state" "$tmp/log"
printf '{"n":1}\n{"n":2}\n' >"$tmp/log"
start 'fields n | limit 3'
grown 1 || bad "limit: the first rows"
read_all "$tmp/log" || bad "limit: the first file read"
kill9
printf '{"n":3}\n{"n":4}\n' >>"$tmp/log"
start 'fields n | limit 3'
if timeout 60 tail --pid="$pid" -f /dev/null; then wait "$pid"; rc=$?; else kill9; rc=999; fi
pid=
printf '{"n":1}\n{"n":2}\n{"n":3}\n' >"$tmp/want"
if [ "$rc" = 0 ] && cmp -s "$tmp/out" "$tmp/want"; then
    ok "limit 3: 2 rows, a kill, a restart writes the third and ends (exit 0)"
else
    bad "limit 3: 2 rows, a kill, a restart writes the third and ends (exit $rc)"
    sed 's/^/#   /' "$tmp/out"
fi

# ----- pattern: its groups are saved (their partial form); the last result is one run's -----
fmt=csv
xopt='--every 100ms'
q='fields if(n < 500, "low value", "high value") as m | pattern m'
run "$q" pattern
"$LIQ" --format csv "$q" "$tmp/all" | tail -n +2 >"$tmp/want"
# last: the last whole result (the lines after the last header) into $tmp/got
last() {
    awk '/^@pattern,/ { n = 0; delete r; next } { r[++n] = $0 }
        END { for (i = 1; i <= n; i++) print r[i] }' "$tmp/out" >"$tmp/got"
}
_i=0 # until the closer was read and counted (at most 3000 tries)
while last && ! cmp -s "$tmp/got" "$tmp/want" && kill -0 "$pid" 2>/dev/null && [ $_i -lt 3000 ]; do
    sleep 0.02
    _i=$((_i + 1))
done
stopped pattern
last
if [ -s "$tmp/want" ] && cmp -s "$tmp/got" "$tmp/want"; then
    ok "pattern: the last result after 5 kills equals one run ($(wc -l <"$tmp/want") templates)"
else
    bad "pattern: the last result after 5 kills equals one run"
    diff "$tmp/want" "$tmp/got" | sed 's/^/#   /' | head -20
fi
fmt=ndjson
xopt=

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
