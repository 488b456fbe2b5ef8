#!/bin/sh
# seek.sh -- --start/--end enter plain files sorted by time by binary search (issue 5, the
# time seek of engine/input/seek.h): the output is byte for byte the output of --no-seek, at 1 and
# 4 threads; --stats says how many bytes were skipped; files that are not sorted, have no
# timestamps, or are tiny are read whole; a file whose disorder only shows while it is read
# says so (exit 3).
#
# The generated files have fixed-width lines (101 bytes), line i stamped i * 100 ms after
# 2026-01-01T00:00:00Z. 9000 lines (909000 bytes) get 16 probes (engine/input/seek.c), at the
# lines starting at or after k * 909000 / 16 bytes: line 4500 is the probe in the middle.
# Env: LIQ (the binary). Exit 0 pass, 1 fail.
set -u
: "${LIQ:?set LIQ to the liq binary}"
t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
fails=0
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; fails=$((fails + 1)); }
check() { # name expected actual
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: expected [$2] got [$3]"; fi
}

# iso MS: the ISO time of 2026-01-01 plus MS milliseconds (under a day)
iso() {
    awk -v t="$1" 'BEGIN { printf "2026-01-01T%02d:%02d:%02d.%03dZ", int(t / 3600000),
        int(t / 60000) % 60, int(t / 1000) % 60, t % 1000 }'
}
# gen KIND N [BAD_LINE BAD_MS]: N sorted lines of KIND (text, json, crlf, trace), line BAD_LINE
# stamped BAD_MS instead
gen() {
    awk -v kind="$1" -v n="$2" -v bad="${3:--1}" -v badms="${4:-0}" 'BEGIN {
        pad = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"
        for (i = 0; i < n; i++) {
            t = i == bad ? badms : i * 100
            ts = sprintf("2026-01-01T%02d:%02d:%02d.%03dZ", int(t / 3600000),
                         int(t / 60000) % 60, int(t / 1000) % 60, t % 1000)
            if (kind == "json")
                printf "{\"timestamp\":\"%s\",\"n\":\"%06d\",\"msg\":\"%s\"}\n", ts, i, substr(pad, 1, 47)
            else if (kind == "crlf")
                printf "%s INFO n=%06d %s\r\n", ts, i, substr(pad, 1, 60)
            else if (kind == "trace" && i % 3 == 2)
                printf "    at com.example.Worker.run(Worker.java:%06d) %s\n", i, substr(pad, 1, 52)
            else
                printf "%s INFO n=%06d %s\n", ts, i, substr(pad, 1, 61)
        }
    }'
}

# same NAME FILE ARGS...: stdout with the seek == stdout with --no-seek, at 1 and 4 threads;
# leaves the seek's stderr (with --stats) in $t/err and its exit code in $rc
same() {
    name=$1 file=$2
    shift 2
    for th in 1 4; do
        "$LIQ" --format csv --threads "$th" --stats "$@" "$file" >"$t/seek.out" 2>"$t/err"
        rc=$?
        "$LIQ" --format csv --threads "$th" --no-seek "$@" "$file" >"$t/full.out" 2>/dev/null
        if cmp -s "$t/seek.out" "$t/full.out"; then ok "$name: same output ($th threads)"; else
            not_ok "$name: output differs from --no-seek ($th threads)"
            diff "$t/full.out" "$t/seek.out" | head -5
        fi
    done
}
skipped() { # bytes the last run skipped (0 when the seek did not enter the file)
    sed -n 's/.*time seek: .* (\([0-9]*\) bytes) skipped.*/\1/p' "$t/err" | grep . || echo 0
}
first_n() { sed -n 2p "$t/seek.out" | sed 's/.*n=\([0-9]*\).*/\1/'; }
last_n() { tail -n 1 "$t/seek.out" | sed 's/.*n=\([0-9]*\).*/\1/'; }
rows() { echo $(($(wc -l <"$t/seek.out") - 1)); }

q='fields @timestamp, @message'
gen text 9000 >"$t/sorted.log"

# ===== sorted: skipped, identical, inclusive bounds =====
same "start at line 8500" "$t/sorted.log" --start "$(iso 850000)" "$q"
check "start at line 8500: exit 0" 0 "$rc"
[ "$(skipped)" -gt 0 ] && ok "start at line 8500: bytes skipped ($(skipped))" ||
    not_ok "start at line 8500: nothing skipped: $(cat "$t/err")"
check "start at line 8500: inclusive, first row is line 8500" 008500 "$(first_n)"
check "start at line 8500: 500 rows" 500 "$(rows)"

same "end at line 100" "$t/sorted.log" --end "$(iso 10000)" "$q"
[ "$(skipped)" -gt 0 ] && ok "end at line 100: bytes skipped" || not_ok "end at line 100: nothing skipped"
check "end at line 100: inclusive, last row is line 100" 000100 "$(last_n)"
check "end at line 100: 101 rows" 101 "$(rows)"

same "start and end inside" "$t/sorted.log" --start "$(iso 400050)" --end "$(iso 600000)" "$q"
check "start and end inside: lines 4001..6000" "004001 006000 2000" "$(first_n) $(last_n) $(rows)"
[ "$(skipped)" -gt 0 ] && ok "start and end inside: bytes skipped" || not_ok "start and end inside: nothing skipped"

same "a stats query" "$t/sorted.log" --start "$(iso 777777)" \
    'stats count(*) as n, min(@timestamp) as lo, max(@timestamp) as hi by bin(1m)'
check "a stats query: exit 0" 0 "$rc"

same "start before the first line" "$t/sorted.log" --start 2025-12-31T23:00:00Z "$q"
check "start before the first line: nothing skipped" 0 "$(skipped)"
check "start before the first line: every line" 9000 "$(rows)"

same "start after the last line" "$t/sorted.log" --start 2026-01-01T01:00:00Z "$q"
check "start after the last line: no rows" 0 "$(rows)"
[ "$(skipped)" -gt 0 ] && ok "start after the last line: bytes skipped" || not_ok "start after the last line: nothing skipped"

same "end before the first line" "$t/sorted.log" --end 2025-12-31T23:00:00Z "$q"
check "end before the first line: no rows" 0 "$(rows)"

same "start at the last line" "$t/sorted.log" --start "$(iso 899900)" "$q"
check "start at the last line: one row" "008999 1" "$(first_n) $(rows)"

# ===== other line shapes =====
gen json 9000 >"$t/sorted.jsonl"
same "JSON lines" "$t/sorted.jsonl" --start "$(iso 850000)" 'fields @timestamp, n'
check "JSON lines: 500 rows" 500 "$(rows)"
[ "$(skipped)" -gt 0 ] && ok "JSON lines: bytes skipped" || not_ok "JSON lines: nothing skipped"
same "JSON lines, --timestamp-field" "$t/sorted.jsonl" --timestamp-field timestamp \
    --start "$(iso 850000)" 'fields @timestamp, n'
check "JSON lines, --timestamp-field: 500 rows" 500 "$(rows)"

sed 's/Z / /' "$t/sorted.log" >"$t/local.log" # zone-less times: --tz says which zone
same "--tz" "$t/local.log" --tz +02:00 --start 2025-12-31T22:14:10Z --end 2025-12-31T22:14:20Z "$q"
check "--tz: lines 8500..8600" "008500 008600 101" "$(first_n) $(last_n) $(rows)"
[ "$(skipped)" -gt 0 ] && ok "--tz: bytes skipped" || not_ok "--tz: nothing skipped"
same "--timestamp-format" "$t/local.log" --timestamp-format '%Y-%m-%dT%H:%M:%S.%f' \
    --start "$(iso 850000)" "$q"
check "--timestamp-format: 500 rows" 500 "$(rows)"
[ "$(skipped)" -gt 0 ] && ok "--timestamp-format: bytes skipped" || not_ok "--timestamp-format: nothing skipped"

gen crlf 9000 >"$t/crlf.log"
same "CRLF lines" "$t/crlf.log" --start "$(iso 850000)" --end "$(iso 860000)" "$q"
check "CRLF lines: 101 rows" 101 "$(rows)"
[ "$(skipped)" -gt 0 ] && ok "CRLF lines: bytes skipped" || not_ok "CRLF lines: nothing skipped"

gen trace 9000 >"$t/trace.log" # every third line has no timestamp (a stack trace line)
same "lines without timestamps between" "$t/trace.log" --start "$(iso 850000)" "$q"
check "lines without timestamps between: exit 0" 0 "$rc"
[ "$(skipped)" -gt 0 ] && ok "lines without timestamps between: bytes skipped" ||
    not_ok "lines without timestamps between: nothing skipped"

# VPC flow logs with their header line: @timestamp from the start column (epoch seconds)
{
    echo 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status'
    awk 'BEGIN { for (i = 0; i < 9000; i++) printf "2 123456789012 eni-0a1b2c3d 10.0.0.%d 10.0.1.5 443 49152 6 10 840 %d %d ACCEPT OK\n", i % 250, 1767225600 + i, 1767225660 + i }'
} >"$t/vpc.log"
same "VPC flow logs" "$t/vpc.log" --start 2026-01-01T02:23:20Z 'fields @timestamp, srcaddr'
check "VPC flow logs: 400 rows" 400 "$(rows)"
[ "$(skipped)" -gt 0 ] && ok "VPC flow logs: bytes skipped" || not_ok "VPC flow logs: nothing skipped"

# ===== read whole =====
gen text 9000 4500 18000000 >"$t/probed.log" # line 4500 (a probe) from 05:00
same "an out-of-order probe" "$t/probed.log" --start "$(iso 850000)" "$q"
check "an out-of-order probe: nothing skipped" 0 "$(skipped)"
same "an out-of-order probe, every record" "$t/probed.log" --start "$(iso 850000)" \
    'stats count(*) as n'
check "an out-of-order probe: the line from 05:00 counted" "n 501" "$(tr '\n' ' ' <"$t/seek.out" | sed 's/,/ /; s/ $//')"

gen text 9000 | awk 'NR > 3000 && NR <= 6000 { a[6001 - NR + 3000] = $0; if (NR == 6000) for (i = 3001; i <= 6000; i++) print a[i]; next } { print }' >"$t/reversed.log"
same "a reversed middle" "$t/reversed.log" --start "$(iso 850000)" "$q"
check "a reversed middle: nothing skipped" 0 "$(skipped)"

awk '{ sub(/^[^ ]* /, ""); print }' "$t/sorted.log" >"$t/untimed.log"
same "no timestamps" "$t/untimed.log" --start "$(iso 850000)" "$q"
check "no timestamps: nothing skipped, no rows" "0 0" "$(skipped) $(rows)"

head -n 1 "$t/sorted.log" >"$t/one.log"
same "one line" "$t/one.log" --start "$(iso 0)" "$q"
check "one line: the line" "000000 1" "$(first_n) $(rows)"
same "one line, start after it" "$t/one.log" --start "$(iso 1)" "$q"
check "one line, start after it: no rows" 0 "$(rows)"
printf '2026-01-01T00:00:00.000Z no final newline' >"$t/nonl.log"
same "one line without a newline" "$t/nonl.log" --start "$(iso 0)" "$q"
check "one line without a newline: one row" 1 "$(rows)"
: >"$t/empty.log"
same "empty file" "$t/empty.log" --start "$(iso 0)" --end "$(iso 5)" "$q"
check "empty file: exit 0, no rows" "0 0" "$rc $(rows)"

# ===== disorder found while reading =====
# line 8700 lies between the probes and after the binary search's walk: the seek enters the
# file at line 8600 less a margin, reads line 8700 and finds it older than line 8699
gen text 9000 8700 0 >"$t/late.log"
same "disorder found while reading" "$t/late.log" --start "$(iso 860000)" "$q"
check "disorder found while reading: exit 3" 3 "$rc"
grep -q "late.log: not sorted by time after all (the record at byte 878700 is out of order)" "$t/err" &&
    ok "disorder found while reading: said, with the byte offset" ||
    not_ok "disorder found while reading: not said: $(cat "$t/err")"
"$LIQ" --no-seek --start "$(iso 860000)" "$q" "$t/late.log" >/dev/null 2>&1
check "disorder found while reading: --no-seek exits 0" 0 "$?"

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
exit 0
