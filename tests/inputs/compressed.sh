#!/bin/sh
# compressed.sh -- compressed and archived inputs (issue 5): gzip, multi-member gzip, zstd,
# misleading names, corrupt and truncated streams, export-task layout, Firehose objects.
# Expected values are computed here with gzip/zcat/awk on the same data, never taken from liq.
# Env: LIQ (the binary). Exit 0 pass, 1 fail, 77 skip.
set -u
command -v gzip >/dev/null || exit 77
t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
fails=0
check() { # name expected actual
    if [ "$2" = "$3" ]; then echo "ok - $1"; else echo "not ok - $1: expected [$2] got [$3]"; fails=$((fails + 1)); fi
}

awk 'BEGIN { for (i = 1; i <= 30000; i++) printf("{\"i\":%d,\"lvl\":\"%s\"}\n", i, i % 7 ? "INFO" : "ERROR") }' > "$t/app.json"
want_n=$(wc -l < "$t/app.json" | tr -d ' ')
want_err=$(grep -c ERROR "$t/app.json")
want_sum=$(awk -F'[:,]' '{ s += $2 } END { print s }' "$t/app.json")

gzip -c "$t/app.json" > "$t/a.gz"
check "gzip: count" "$want_n" "$("$LIQ" --format csv --no-header 'stats count(*)' "$t/a.gz")"
check "gzip: sum" "$want_sum" "$("$LIQ" --format csv --no-header 'stats sum(i)' "$t/a.gz")"

# multi-member: two members concatenated are one stream of both contents
head -n 10000 "$t/app.json" | gzip -c > "$t/m.gz"
tail -n +10001 "$t/app.json" | gzip -c >> "$t/m.gz"
check "multi-member gzip" "$want_n" "$("$LIQ" --format csv --no-header 'stats count(*)' "$t/m.gz")"

# a gzip file named .log and a plain file named .gz: content decides
cp "$t/a.gz" "$t/misnamed.log"
cp "$t/app.json" "$t/plain.gz"
check "gzip named .log" "$want_err" \
    "$("$LIQ" --format csv --no-header 'filter lvl = "ERROR" | stats count(*)' "$t/misnamed.log")"
check "plain named .gz" "$want_err" \
    "$("$LIQ" --format csv --no-header 'filter lvl = "ERROR" | stats count(*)' "$t/plain.gz")"

# stdin
check "gzip on stdin" "$want_n" "$("$LIQ" --format csv --no-header 'stats count(*)' < "$t/a.gz")"

if command -v zstd >/dev/null; then
    zstd -q -c "$t/app.json" > "$t/a.zst"
    check "zstd" "$want_n" "$("$LIQ" --format csv --no-header 'stats count(*)' "$t/a.zst")"
fi

# zstd frames whose header declares a wrong content size (found by fuzz_decomp: a mapped file
# rejected what a pipe accepted). Each frame is written by hand: magic, a single-segment
# header with a 1-byte content size, one raw block of 16 bytes, then an empty raw last block
# (libzstd's streaming path skips its own size check after an empty last block). The second
# frame declares 40 bytes and holds 16: the damage shows at that frame's end, so its records
# are read (as with a bad checksum, which is also checked at the end), the message names the
# frame's offset (28: the first frame is 4+2+3+16+3 bytes), exit 3; file and pipe alike.
zframe() { # DECLARED-SIZE-IN-OCTAL CONTENT (16 bytes)
    printf "\\050\\265\\057\\375\\040\\$1\\200\\000\\000%s\\001\\000\\000" "$2"
}
{ zframe 020 '{"n":1}
{"n":2}
'; zframe 050 '{"n":3}
{"n":4}
'; } > "$t/fcs.zst"
{ zframe 020 '{"n":1}
{"n":2}
'; zframe 020 '{"n":3}
{"n":4}
'; } > "$t/fcsok.zst"
check "zstd, right content sizes" 10 "$("$LIQ" --format csv --no-header 'stats sum(n)' "$t/fcsok.zst")"
for how in file pipe; do
    if [ $how = file ]; then
        out=$("$LIQ" --format csv --no-header 'stats sum(n)' "$t/fcs.zst" 2>"$t/err"); rc=$?; name=fcs.zst
    else
        out=$("$LIQ" --format csv --no-header 'stats sum(n)' < "$t/fcs.zst" 2>"$t/err"); rc=$?; name=-
    fi
    check "zstd wrong content size ($how): exit 3" 3 "$rc"
    check "zstd wrong content size ($how): records before" 10 "$out"
    check "zstd wrong content size ($how): message" \
        "liq: error: $name: corrupt zstd stream at byte 28: the frame declares 40 bytes of content but holds 16" \
        "$(grep 'corrupt zstd' "$t/err" | sed "s|$t/||")"
done

# truncated gzip: the records before the damage count, the file is named, exit 3
size=$(wc -c < "$t/a.gz")
head -c $((size / 2)) "$t/a.gz" > "$t/trunc.gz"
before=$(zcat "$t/trunc.gz" 2>/dev/null | grep -c '}$')
out=$("$LIQ" --format csv --no-header 'stats count(*)' "$t/trunc.gz" 2>"$t/err"); rc=$?
check "truncated gzip: exit 3" 3 "$rc"
check "truncated gzip: records before the damage" "$before" "$out"
grep -q "trunc.gz: truncated gzip stream" "$t/err" && echo "ok - truncated gzip: message" ||
    { echo "not ok - truncated gzip: message: $(cat "$t/err")"; fails=$((fails + 1)); }

# trailing garbage after complete members (issue 11): every record before it comes out, as
# zcat prints them (zcat's own count is the expectation), the run exits 3 naming the garbage
# and where it starts. A file and a pipe alike; 1, 2 and 16 bytes; after zero padding; after
# two members; a last line without a newline (its member ended: the line is whole); zstd.
awk 'BEGIN { for (i = 1; i <= 100000; i++) printf("{\"i\":%d,\"m\":\"r%05d\"}\n", i, (i * 7919) % 100000) }' \
    > "$t/r100k.json"
gzip -c "$t/r100k.json" > "$t/r100k.gz"
gzsize=$(wc -c < "$t/r100k.gz")
garbage() { # NAME SOURCE BYTES(printf format)
    cp "$2" "$t/$1" && printf "$3" >> "$t/$1"
}
garbage g2.gz "$t/r100k.gz" 'xy'
garbage g1.gz "$t/r100k.gz" 'x'
garbage g16.gz "$t/r100k.gz" 'not gzip at all\n'
garbage gpad.gz "$t/r100k.gz" '\000\000\000\000junk'
{ head -n 40000 "$t/r100k.json" | gzip -c; tail -n +40001 "$t/r100k.json" | gzip -c; printf 'zz'; } > "$t/gmm.gz"
for f in g2.gz g1.gz g16.gz gpad.gz gmm.gz; do
    want=$(zcat "$t/$f" 2>/dev/null | wc -l | tr -d ' ')
    for how in file pipe; do
        if [ $how = file ]; then
            out=$("$LIQ" --format csv --no-header 'stats count(*), sum(i)' "$t/$f" 2>"$t/err"); rc=$?; name=$f
        else
            out=$("$LIQ" --format csv --no-header 'stats count(*), sum(i)' < "$t/$f" 2>"$t/err"); rc=$?; name=-
        fi
        check "$f ($how): every record before the garbage, as zcat" "$want,5000050000" "$out"
        check "$f ($how): exit 3" 3 "$rc"
        check "$f ($how): message" "liq: error: $name: trailing garbage after gzip member at byte" \
            "$(grep -o "liq: error: .*: trailing garbage after gzip member at byte" "$t/err" | sed "s|$t/||")"
    done
done
check "garbage after 100,000 records: zcat agrees" 100000 "$(zcat "$t/g2.gz" 2>/dev/null | wc -l | tr -d ' ')"
out=$("$LIQ" --format csv --no-header 'stats count(*)' "$t/g2.gz" 2>&1 >/dev/null)
check "garbage: the offset is where it starts" \
    "liq: error: $t/g2.gz: trailing garbage after gzip member at byte $gzsize" "$(echo "$out" | head -n 1)"
out=$("$LIQ" --format csv --no-header 'stats count(*)' "$t/gpad.gz" 2>&1 >/dev/null)
check "garbage after zero padding: the offset is past the padding" \
    "liq: error: $t/gpad.gz: trailing garbage after gzip member at byte $((gzsize + 4))" "$(echo "$out" | head -n 1)"
printf '{"i":1}\n{"i":2}' | gzip -c > "$t/nonl.gz"
printf 'xy' >> "$t/nonl.gz"
check "garbage after a member whose last line has no newline: that line is a record" \
    "$(zcat "$t/nonl.gz" 2>/dev/null | awk 'END { print NR }'),3" \
    "$("$LIQ" --format csv --no-header 'stats count(*), sum(i)' "$t/nonl.gz" 2>/dev/null)"
if command -v zstd >/dev/null; then
    zstd -q -c "$t/r100k.json" > "$t/r100k.zst"
    zsize=$(wc -c < "$t/r100k.zst")
    garbage z2.zst "$t/r100k.zst" 'xy'
    garbage z16.zst "$t/r100k.zst" 'not zstd at all\n'
    for f in z2.zst z16.zst; do
        for how in file pipe; do
            if [ $how = file ]; then
                out=$("$LIQ" --format csv --no-header 'stats count(*), sum(i)' "$t/$f" 2>"$t/err"); rc=$?; name=$t/$f
            else
                out=$("$LIQ" --format csv --no-header 'stats count(*), sum(i)' < "$t/$f" 2>"$t/err"); rc=$?; name=-
            fi
            check "$f ($how): every record before the garbage" "100000,5000050000" "$out"
            check "$f ($how): exit 3" 3 "$rc"
            check "$f ($how): message" "liq: error: $name: trailing garbage after zstd frame at byte $zsize" \
                "$(grep 'trailing garbage' "$t/err")"
        done
    done
fi

# corrupt gzip next to a good file: the good file is read whole, exit 3
cp "$t/a.gz" "$t/bad.gz"
printf '\377\377\377\377\377\377\377\377' | dd of="$t/bad.gz" bs=1 seek=$((size / 3)) conv=notrunc 2>/dev/null
"$LIQ" --format csv --no-header 'stats count(*)' "$t/bad.gz" > /dev/null 2>"$t/err"; rc=$?
check "corrupt gzip: exit 3" 3 "$rc"
grep -q "bad.gz: corrupt gzip stream at byte" "$t/err" && echo "ok - corrupt gzip: message" ||
    { echo "not ok - corrupt gzip: message: $(cat "$t/err")"; fails=$((fails + 1)); }

# an export task: <prefix>/<taskId>/<stream>/000000.gz, lines "<ISO ts> <message>"
d="$t/exp/exportedlogs/a1b2c3d4-5678-90ab-cdef-example11111/2024/05/09/[\$LATEST]abc"
mkdir -p "$d"
printf '2024-05-09T10:00:00.123Z START RequestId: 1 Version: $LATEST\n2024-05-09T10:00:02.000Z Traceback:\n  line 2\n2024-05-09T10:00:03.500Z {"level":"ERROR"}\n' | gzip -c > "$d/000000.gz"
echo "Permission Check Successful" > "$t/exp/exportedlogs/aws-logs-write-test"
check "export: stream and records" \
    "2024/05/09/[\$LATEST]abc,3" \
    "$("$LIQ" --format csv --no-header 'stats count(*) by @logStream' "$t/exp")"
check "export: timestamp from the prefix, multi-line message" \
    '2024-05-09 10:00:02.000,"Traceback:
  line 2"' \
    "$("$LIQ" --format csv --no-header 'filter @message like "Traceback" | fields @timestamp, @message' "$t/exp")"
check "export: JSON message fields" "ERROR" \
    "$("$LIQ" --format csv --no-header 'filter ispresent(level) | fields level' "$t/exp")"

# Firehose object, gzipped, with a CONTROL_MESSAGE
printf '{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1,"message":"CWL CONTROL MESSAGE"}]}{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s","subscriptionFilters":[],"logEvents":[{"id":"1","timestamp":1715248800000,"message":"a"},{"id":"2","timestamp":1715248800001,"message":"b"}]}' | gzip -c > "$t/fh"
check "firehose: data events only" "1:g,s,2" \
    "$("$LIQ" --format csv --no-header 'stats count(*) by @log, @logStream' "$t/fh")"

# a damaged gzip whose back-reference reaches before the start of the stream (zlib: "invalid
# distance too far back"): refused at that byte, the same every time. ISA-L copied from the
# window of its unzeroed state, which after another gzip input held that input's bytes: the
# damaged file gave records made of the other file's text (found by fuzz_run,
# fuzz/crashes/run/gzip-distance-too-far-back)
echo 'H4sIAAAAAAACA6s9ykktS81RslJyDQryD1JzIjqnMTAwJTI1JTIwc3VyZSUzRiUycpRquSByCnsicyI6ImElMkB0aW1lquFqPP3c/DVz8rOBcgB0FHcZQFZWVlZWVlZWVlZWVlZWVlZWVlZWVlZWVlYAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAHNrKHM1eWVhciI6InNlY3JldCIsJyJuIjV5ZWFyfQp7InMieCI6InYifQpiYXNlNjRkZVNlcGNvZDowfQo=' | base64 -d > "$t/far.gz"
far=$("$LIQ" --format csv --no-header 'stats count(*)' "$t/far.gz" 2> "$t/far.err"); rc=$?
check "gzip distance too far back: refused" "0 3 1" "$far $rc $(grep -c 'invalid back-reference distance' "$t/far.err")"
mkdir "$t/far"
awk 'BEGIN { for (i = 0; i < 50000; i++) printf("{\"secret\":\"s3cr3t-%d\"}\n", i) }' | gzip -c > "$t/far/a.gz"
cp "$t/far.gz" "$t/far/b.gz"
far=$("$LIQ" --threads 1 --format csv --no-header 'stats count(*)' "$t/far" 2> /dev/null); rc=$?
check "gzip distance too far back after another gzip" "50000 3" "$far $rc"

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
exit 0
