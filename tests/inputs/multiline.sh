#!/bin/sh
# multiline.sh -- records that span lines (issue 14, engine/input/multiline.h) where golden
# files cannot reach: inputs of several morsels (a plain file is cut about every MiB, a stream
# read in blocks of a MiB) whose cuts fall inside stack traces, a record longer than a block,
# and the year of syslog times from a file's modification time. A record must never be split
# across morsels: the answers are the same for a file, a pipe and gzip, at any thread count
# and batch size. Expected values are computed here with awk, never taken from liq.
# Env: LIQ (the binary). Exit 0 pass, 1 fail, 77 skip.
set -u
command -v gzip >/dev/null || exit 77
t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
fails=0
check() { # name expected actual
    if [ "$2" = "$3" ]; then echo "ok - $1"; else echo "not ok - $1: expected [$2] got [$3]"; fails=$((fails + 1)); fi
}

# 40000 records over about 6 MiB: every third a Java trace of 1 to 40 lines (with a blank line
# inside every seventh), every fifth with a Python traceback
awk 'BEGIN {
    for (i = 1; i <= 40000; i++) {
        printf("2024-01-01 10:%02d:%02d,%03d INFO [main] request %d done\n", (i / 60) % 60, i % 60, i % 1000, i)
        if (i % 3 == 0) {
            printf("java.lang.IllegalStateException: failure %d\n", i)
            for (k = 0; k < i % 40 + 1; k++)
                printf("\tat com.example.Handler.step%d(Handler.java:%d)\n", k, k + 10)
            if (i % 7 == 0)
                printf("\n")
            printf("Caused by: java.io.IOException: disk %d\n\t... %d more\n", i, i % 9)
        }
        if (i % 5 == 0)
            printf("Traceback (most recent call last):\n  File \"w.py\", line %d\nValueError: bad %d\n", i, i)
    }
}' > "$t/app.log"
want_n=40000
want_traces=$(awk 'BEGIN { n = 0; for (i = 1; i <= 40000; i++) if (i % 3 == 0) n++; print n }')
want_py=$(awk 'BEGIN { n = 0; for (i = 1; i <= 40000; i++) if (i % 5 == 0) n++; print n }')
# the bytes of every record: the whole file but the newline ending each record
want_bytes=$(( $(wc -c < "$t/app.log") - 40000 ))
q='stats count(*) as n, sum(strlen(@message)) as bytes, count(@timestamp) as ts'
want="$want_n,$want_bytes,$want_n"
check "file, 1 thread" "$want" "$("$LIQ" --threads 1 --format csv --no-header "$q" "$t/app.log")"
check "file, 4 threads" "$want" "$("$LIQ" --threads 4 --format csv --no-header "$q" "$t/app.log")"
check "file, batches of 7" "$want" \
    "$("$LIQ" --threads 3 --debug-batch-rows 7 --format csv --no-header "$q" "$t/app.log")"
check "pipe" "$want" "$(cat "$t/app.log" | "$LIQ" --threads 4 --format csv --no-header "$q")"
gzip -c "$t/app.log" > "$t/app.log.gz"
check "gzip" "$want" "$("$LIQ" --threads 4 --format csv --no-header "$q" "$t/app.log.gz")"
check "java traces" "$want_traces" \
    "$("$LIQ" --format csv --no-header 'filter @message like /Caused by/ | stats count(*)' "$t/app.log")"
check "python traces" "$want_py" \
    "$("$LIQ" --format csv --no-header 'filter @message like /ValueError/ | stats count(*)' "$t/app.log.gz")"
# rows in input order, the same from a file and from a pipe
"$LIQ" --threads 4 --format csv 'fields @timestamp, @message' "$t/app.log" | cksum > "$t/a.sum"
cat "$t/app.log" | "$LIQ" --threads 2 --format csv 'fields @timestamp, @message' | cksum > "$t/b.sum"
check "rows: file = pipe" "$(cat "$t/a.sum")" "$(cat "$t/b.sum")"

# --multiline-start: the same records, told by their first line
check "--multiline-start" "$want" \
    "$("$LIQ" --threads 4 --multiline-start '^2024-' --format csv --no-header "$q" "$t/app.log")"
check "--multiline-start, pipe" "$want" \
    "$(cat "$t/app.log" | "$LIQ" --threads 4 --multiline-start '^2024-' --format csv --no-header "$q")"

# one record longer than a block (1 MiB) of a stream: the block grows, the record stays whole
awk 'BEGIN { print "2024-01-01 10:00:00 ERROR dump"; for (i = 0; i < 60000; i++) printf("  line %d of the dump\n", i); print "2024-01-01 10:00:01 INFO after" }' > "$t/big.log"
want_big="2,$(( $(wc -c < "$t/big.log") - 2 ))"
check "long record, file" "$want_big" \
    "$("$LIQ" --threads 4 --format csv --no-header 'stats count(*), sum(strlen(@message))' "$t/big.log")"
check "long record, pipe" "$want_big" \
    "$(cat "$t/big.log" | "$LIQ" --threads 4 --format csv --no-header 'stats count(*), sum(strlen(@message))')"

# the year of syslog times: the file's modification time, the December/January rule (L20)
printf 'Dec 31 23:00:00 host app[1]: last year\nJan  5 10:00:00 host app[1]: this year\n' > "$t/sys.log"
touch -d '2024-01-05 12:00:00Z' "$t/sys.log"
check "syslog year from mtime" "2023-12-31 23:00:00.000,2024-01-05 10:00:00.000" \
    "$("$LIQ" --format csv --no-header 'fields @timestamp' "$t/sys.log" | paste -sd, -)"
check "--year wins" "2019-12-31 23:00:00.000,2019-01-05 10:00:00.000" \
    "$("$LIQ" --year 2019 --format csv --no-header 'fields @timestamp' "$t/sys.log" | paste -sd, -)"
check "--timestamp-format without a year" "2023-12-31 23:00:00.000,2024-01-05 10:00:00.000" \
    "$("$LIQ" --timestamp-format '%b %d %H:%M:%S' --format csv --no-header 'fields @timestamp' "$t/sys.log" | paste -sd, -)"
printf '23:00:00 a time alone\n' > "$t/tod.log"
touch -d '2024-01-05 23:30:00Z' "$t/tod.log"
check "--timestamp-format without a date" "2024-01-05 23:00:00.000" \
    "$("$LIQ" --timestamp-format '%H:%M:%S' --format csv --no-header 'fields @timestamp' "$t/tod.log")"
# standard input: the current date is the reference (1 January is never after it)
check "syslog year on stdin" "$(date -u +%Y)-01-01 00:00:00.000" \
    "$(printf 'Jan  1 00:00:00 host app: x\n' | "$LIQ" --format csv --no-header 'fields @timestamp')"

# the last line of a stream without a newline continues its record (it was a record of its own
# from a pipe or a compressed file; found by fuzz_input, fuzz/crashes/input/stream-last-line-*)
printf '2024-01-01T00:00:00Z x\n\tat foo' > "$t/nonl.log"
gzip -c "$t/nonl.log" > "$t/nonl.gz"
check "last line without a newline, file" 1 "$("$LIQ" --format csv --no-header 'stats count(*)' "$t/nonl.log")"
check "last line without a newline, pipe" 1 "$(cat "$t/nonl.log" | "$LIQ" --format csv --no-header 'stats count(*)')"
check "last line without a newline, gzip" 1 "$("$LIQ" --format csv --no-header 'stats count(*)' "$t/nonl.gz")"
printf 'a\nb' > "$t/nonl.exp"
check "export continuation without a newline, pipe" 1 \
    "$(cat "$t/nonl.exp" | "$LIQ" --input-format cwexport --format csv --no-header 'stats count(*)')"

[ "$fails" -eq 0 ] || exit 1
