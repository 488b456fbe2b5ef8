#!/bin/sh
# prune.sh -- --start/--end skip files unread only when their path proves no event inside can
# be in range (issue 5): a local copy of a Firehose bucket, .../YYYY/MM/DD/HH/ holding
# STREAM-1-YYYY-MM-DD-HH-MM-SS-ID objects named for the hour they ARRIVED. An event arrives at
# or after its own time and a buffer closes at most 15 minutes after its first record, so
# an object of hour H holds events before H + 1 h 15 min: it is skipped when that is at or
# before --start. --end never skips one: late arrivals (hour 12 below) hold older events.
# A tree merely sorted by hour (names without the hour) is always read.
# Skipped objects are corrupt gzip: reading one would print an error and exit 3.
# Event times (ms) worked out with date -u: 2026-11-20T09:56Z 1795168560000, 10:05Z
# 1795169100000, 09:30Z 1795167000000, 10:20Z 1795170000000.
# Env: LIQ (the binary). Exit 0 pass, 1 fail, 77 skip.
set -u
command -v gzip >/dev/null || exit 77
t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
fails=0
check() { # name expected actual
    if [ "$2" = "$3" ]; then echo "ok - $1"; else
        echo "not ok - $1: expected [$2] got [$3]"; fails=$((fails + 1)); fi
}
# fh HOURDIR NAME EVENTS: a gzipped Firehose object; EVENTS: "ms:message ms:message"
fh() {
    mkdir -p "$t/fh/2026/11/20/$1"
    ev=""
    for e in $3; do
        ev="$ev${ev:+,}{\"id\":\"1\",\"timestamp\":${e%%:*},\"message\":\"${e#*:}\"}"
    done
    printf '{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s","subscriptionFilters":[],"logEvents":[%s]}' \
        "$ev" | gzip -c >"$t/fh/2026/11/20/$1/$2"
}
fh 08 s-1-2026-11-20-08-10-00-aaaa "1795168560000:never-read"
printf '\037\213\010\000\000\000\000\000\000\003garbage' >"$t/fh/2026/11/20/08/s-1-2026-11-20-08-10-00-aaaa"
fh 09 s-1-2026-11-20-09-55-00-bbbb "1795168560000:early 1795169100000:buffered"
fh 12 s-1-2026-11-20-12-00-00-cccc "1795167000000:late-old 1795170000000:late-in-range"
mkdir -p "$t/fh/byhour/2026/11/20/08"
echo '2026-11-20T10:30:00Z app line filed under hour 08' >"$t/fh/byhour/2026/11/20/08/app.log"

q='fields @message'
out=$("$LIQ" --format csv --no-header --start 2026-11-20T10:00:00Z --end 2026-11-20T10:30:00Z \
    "$q" "$t/fh" 2>"$t/err"); rc=$?
check "hour 08 skipped unread: exit 0" 0 "$rc"
check "hour 08 skipped unread: no message" "" "$(cat "$t/err")"
check "buffered, late and by-hour events kept" \
    "buffered late-in-range 2026-11-20T10:30:00Z app line filed under hour 08" \
    "$(echo "$out" | tr '\n' ' ' | sed 's/ $//')"

# a millisecond earlier start: hour 08 may hold an event at 09:14:59.999, so it is read
"$LIQ" --format csv --no-header --start 2026-11-20T09:14:59.999Z "$q" "$t/fh" >/dev/null 2>"$t/err"; rc=$?
check "start before 09:15: hour 08 read (corrupt: exit 3)" 3 "$rc"
grep -q 's-1-2026-11-20-08-10-00-aaaa: ' "$t/err" && echo "ok - hour 08 named in the error" ||
    { echo "not ok - hour 08 not named: $(cat "$t/err")"; fails=$((fails + 1)); }
"$LIQ" --format csv --no-header --start 2026-11-20T09:15:00Z "$q" "$t/fh" >/dev/null 2>"$t/err"; rc=$?
check "start at 09:15: hour 08 skipped" 0 "$rc"

# --end alone never skips a Firehose object: hour 12 holds an event of 09:30
check "--end keeps late arrivals" "late-old" \
    "$("$LIQ" --format csv --no-header --end 2026-11-20T09:40:00Z 'filter @message like /late/ | fields @message' "$t/fh" 2>/dev/null)"

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
exit 0
