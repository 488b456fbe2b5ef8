#!/bin/sh
# no_timestamps.sh -- an input none of whose records has a @timestamp, read by a query that
# needs one (bin, --start/--end, earliest, latest, diff, anomaly), is reported on stderr once
# per input with the way out, instead of an empty or single-bin result without a word (issue
# 14, docs/timestamps.md T10); -q silences it; queries that need no time say nothing.
# Env: LIQ (the binary). Exit 0 pass, 1 fail.
set -u
t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
fails=0
check() { # name expected actual
    if [ "$2" = "$3" ]; then echo "ok - $1"; else echo "not ok - $1: expected [$2] got [$3]"; fails=$((fails + 1)); fi
}
printf 'plain one\nplain two\n' > "$t/text.log"
printf '{"a":1}\n{"a":2}\n' > "$t/data.json"
printf '2024-01-01 10:00:00 one\n2024-01-01 11:00:00 two\n' > "$t/timed.log"
warn() { # the warning for an input
    printf "liq: warning: %s: no record has a @timestamp, so the query's time bins, ranges and orders (bin, --start/--end, earliest, latest, diff, anomaly) have none to go by\n  hint: say where the time is: --timestamp-format FMT for the start of text lines (such as '%%d.%%m.%%Y %%H:%%M:%%S'), --timestamp-field NAME for a JSON key or a column" "$1"
}
for threads in 1 4; do
    out=$("$LIQ" --threads $threads --format csv 'stats count(*) by bin(1h)' "$t/text.log" "$t/data.json" "$t/timed.log" 2>"$t/err")
    check "bin, $threads threads: stdout (nulls last)" "bin(1h),count(*)
2024-01-01 10:00:00.000,1
2024-01-01 11:00:00.000,1
,4" "$out"
    check "bin, $threads threads: one warning per input" "$(warn "$t/text.log")
$(warn "$t/data.json")" "$(cat "$t/err")"
done
check "-q" "" "$("$LIQ" -q --format csv 'stats count(*) by bin(1h)' "$t/text.log" 2>&1 >/dev/null)"
for q in 'stats earliest(@message)' 'stats latest(@message) by bin(1d)' 'pattern @message | anomaly'; do
    check "$q" "$(warn "$t/text.log")" "$("$LIQ" --format csv "$q" "$t/text.log" 2>&1 >/dev/null)"
done
check "--start/--end" "$(warn "$t/text.log")" \
    "$("$LIQ" --start 2024-01-01T00:00:00Z --end 2024-01-02T00:00:00Z --format csv 'fields @message' "$t/text.log" 2>&1 >/dev/null)"
check "diff" "$(warn "$t/text.log")" \
    "$("$LIQ" --start 2024-01-01T00:00:00Z --end 2024-01-02T00:00:00Z --format csv 'pattern @message | diff' "$t/text.log" 2>&1 >/dev/null)"
check "exit code" "0" "$("$LIQ" --format csv 'stats count(*) by bin(1h)' "$t/text.log" >/dev/null 2>&1; echo $?)"
for q in 'stats count(*)' 'fields @timestamp, @message' 'filter @message like /one/'; do
    check "no time needed: $q" "" "$("$LIQ" --format csv "$q" "$t/text.log" 2>&1 >/dev/null)"
done
check "timestamps found" "" "$("$LIQ" --format csv 'stats count(*) by bin(1h)' "$t/timed.log" 2>&1 >/dev/null)"
check "--timestamp-format fixes it" "" \
    "$(printf '01.02.2024 10:00:00 x\n' | "$LIQ" --timestamp-format '%d.%m.%Y %H:%M:%S' --format csv 'stats count(*) by bin(1h)' 2>&1 >/dev/null)"
[ "$fails" -eq 0 ] || exit 1
