#!/bin/sh
# splits.sh -- CLI test: liq --splits N (issue 16, docs/scale-out.md "Splitting work")
#
# Over generated inputs (a VPC flow log with its header line, over 1 MiB; JSON lines; text
# lines whose records span lines (stack traces); a file with a UTF-8 byte order mark; a gzip
# file; an empty file; a directory; a name holding '@'): `liq --splits 7` prints 7 units
# cutting the large plain files into FILE@START-END ranges, and for stats, sort, sort | limit,
# dedup, limit and a query without a breaker (rows with @log and @logStream), each unit run by
# `liq --partial --part-index K` then `--merge` gives the bytes of one plain run. Ranges cut
# anywhere (inside a line, inside a multi-line record) share the records out exactly once,
# each read with the whole file's header. A name that exists as written is that file, not a
# range; misuse exits 2. With --start/--end, ranges of a sorted file give the bytes of one run
# (the time seek, which may widen past a range, is not used inside one). A unit's range given
# to --splits again is cut into contiguous ranges inside it that read its records once.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-cli-splits.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

. "$SRCDIR/tests/cli/out_lib.sh"
cd "$tmp" || exit 1

awk 'BEGIN {
    print "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status" > "vpc.log"
    for (i = 1; i <= 16000; i++)
        printf "2 123456789012 eni-%d 10.0.%d.%d 10.1.0.%d %d %d 6 %d %d %d %d %s OK\n",
            i % 7, i % 5, i % 250, i % 3, 1000 + i % 50, (i % 4 ? 443 : 22), i % 20 + 1,
            (i * 37) % 9000, 1700000000 + i, 1700000060 + i, (i % 3 ? "ACCEPT" : "REJECT") > "vpc.log"
    for (i = 1; i <= 9000; i++)
        printf "{\"timestamp\":\"2026-01-01T%02d:%02d:%02dZ\",\"level\":\"%s\",\"ms\":%d,\"user\":\"u%d\"}\n",
            i / 3600 % 24, i / 60 % 60, i % 60, (i % 3 == 0 ? "ERROR" : i % 3 == 1 ? "INFO" : "WARN"),
            i % 97, i % 13 > "app.jsonl"
    for (i = 1; i <= 6000; i++) {
        printf "2026-02-01 10:%02d:%02d,%03d %s request %d done\n", i / 60 % 60, i % 60, i % 1000,
            (i % 5 ? "INFO" : "ERROR"), i > "trace.log"
        if (i % 5 == 0)
            for (j = 1; j <= 1 + i % 4; j++)
                printf "    at com.example.Handler.step%d(Handler.java:%d)\n", j, i % 300 > "trace.log"
    }
    printf "\357\273\277" > "bom.log"
    for (i = 1; i <= 3000; i++)
        printf "{\"level\":\"%s\",\"ms\":%d}\n", (i % 2 ? "INFO" : "WARN"), i % 31 > "bom.log"
    for (i = 1; i <= 500; i++)
        printf "{\"level\":\"INFO\",\"ms\":%d}\n", i % 7 > "at@home.log"
    for (i = 1; i <= 2000; i++)
        printf "{\"level\":\"ERROR\",\"ms\":%d}\n", i % 11 > "small.jsonl"
}'
mkdir dir
head -300 app.jsonl >dir/one.jsonl
head -200 small.jsonl | gzip -n >packed.jsonl.gz
: >empty.log
inputs="vpc.log app.jsonl empty.log trace.log bom.log at@home.log packed.jsonl.gz dir small.jsonl"

# --splits 7: the units
# shellcheck disable=SC2086
run --splits 7 $inputs
expect_rc 0 "--splits 7"
cp "$tmp/out" units
if [ "$(wc -l <units)" -eq 7 ] && grep -q 'vpc.log@' units && grep -q 'trace.log@' units &&
    ! grep -q 'packed.jsonl.gz@' units && ! grep -q 'dir@' units; then
    ok "--splits 7: 7 units, plain files cut into ranges, gzip and directory whole"
else
    not_ok "--splits 7: units"; show units
fi
# balanced: no unit over twice its share of the bytes
total=$(cat vpc.log app.jsonl trace.log bom.log at@home.log packed.jsonl.gz small.jsonl dir/one.jsonl | wc -c)
over=$(awk -v share=$((total / 7)) '{ b = 0
    for (f = 1; f <= NF; f++) {
        if (match($f, /@[0-9]+-[0-9]+$/)) { split(substr($f, RSTART + 1), r, "-"); b += r[2] - r[1] }
        else { cmd = "cat " $f " 2>/dev/null | wc -c"; if ($f == "dir") cmd = "cat dir/* | wc -c"
               cmd | getline s; close(cmd); b += s } }
    if (b > 2 * share) print NR ": " b }' units)
if [ -z "$over" ]; then ok "--splits 7: balanced by bytes"; else not_ok "--splits 7: unbalanced: $over"; fi

# same DESC QUERY: one plain run against the units run by --partial and merged
same() {
    desc=$1 q=$2 unitsf=${3:-units}
    # shellcheck disable=SC2086
    "$LIQ" --format csv "$q" $inputs >one.csv 2>one.err
    one_rc=$?
    rm -f p.*
    k=0
    while read -r line; do
        # shellcheck disable=SC2086
        "$LIQ" --partial --part-index $k "$q" $line >p.$k 2>p.err ||
            { not_ok "$desc: --partial of unit $k ($line) exits $?"; show p.err; return; }
        k=$((k + 1))
    done <"$unitsf"
    # shellcheck disable=SC2046
    "$LIQ" --merge --format csv "$q" $(ls p.* | sort -r) >merged.csv 2>merged.err
    m_rc=$?
    if [ $m_rc -eq $one_rc ] && cmp -s one.csv merged.csv; then
        ok "$desc: $k units merged give the bytes of one run ($(wc -l <one.csv) lines)"
    else
        not_ok "$desc: merged units differ (exit $m_rc, one run $one_rc)"
        diff one.csv merged.csv | head -10 | show /dev/stdin
        show merged.err
    fi
}

same "stats on the VPC header's columns" 'filter ispresent(action) | stats count(*) as n, sum(bytes) as b, count_distinct(srcaddr) as s by action, dstport'
same "stats by stream and level" 'stats count(*) as n, avg(ms) as a, max(ms) as m by @logStream, level'
same "multi-line records" 'filter @logStream = "trace.log" | stats count(*) as n, max(strlen(@message)) as longest by @timestamp < "2026-02-01 10:30:00"'
same "sort with ties" 'sort ms | fields @logStream, ms, level, @message'
same "sort | limit" 'sort bytes desc | limit 20 | fields srcaddr, bytes, @log'
same "dedup" 'dedup level, ms | fields @logStream, level, ms'
same "rows, no breaker" 'fields @log, @logStream, @timestamp, @message'
same "limit" 'limit 40 | fields @logStream, @message'

# cut by hand anywhere: inside lines, inside multi-line records, past the end
s=$(wc -c <trace.log)
v=$(wc -c <vpc.log)
# units in input order (a query without a breaker writes them in the order of the parts); two
# ranges of one file in a unit are read as two inputs
printf '%s\n' "trace.log@0-1" "trace.log@1-4097" "trace.log@4097-4100 trace.log@4100-$((s - 3))" \
    "trace.log@$((s - 3))-$((s + 100)) vpc.log@0-5" "vpc.log@5-77777" "vpc.log@77777-77778" \
    "vpc.log@77778-$v vpc.log@$v-$((v + 9))" >handunits
inputs="trace.log vpc.log"
same "ranges cut by hand, multi-line records" 'stats count(*) as n, sum(strlen(@message)) as len by @logStream' handunits
same "ranges cut by hand, rows" 'fields @logStream, @message' handunits
same "ranges cut by hand, VPC columns" 'filter ispresent(srcaddr) | stats count(*) as n, sum(packets) by action' handunits

# --start/--end: the time seek of a sorted file works inside its first range too
run --splits 5 app.jsonl
cp "$tmp/out" tunits
tr="--start 2026-01-01T00:20:00Z --end 2026-01-01T00:50:00Z"
q='stats count(*) as n, min(@timestamp), max(@timestamp) by level'
# shellcheck disable=SC2086
"$LIQ" $tr --format csv "$q" app.jsonl >one.csv 2>/dev/null
k=0
rm -f t.*
while read -r line; do
    # shellcheck disable=SC2086
    "$LIQ" --partial --part-index $k $tr "$q" $line >t.$k 2>/dev/null
    k=$((k + 1))
done <tunits
# shellcheck disable=SC2086
"$LIQ" --merge $tr --format csv "$q" t.* >merged.csv 2>/dev/null
if [ $k -eq 5 ] && cmp -s one.csv merged.csv; then ok "--start/--end over 5 ranges: the bytes of one run"
else not_ok "--start/--end over $k ranges differ"; diff one.csv merged.csv | show /dev/stdin; fi

# a unit's range split again (liq --splits over FILE@START-END, as liq-dask or a scheduler
# that splits a slow unit may ask): sub-ranges inside it, contiguous, that read its records
# exactly once, multi-line records and the VPC header's columns included
for r in "trace.log@4097-$((s - 3))" "vpc.log@5-$v" "trace.log@0-$((s + 100))"; do
    run --splits 5 "$r"
    cp "$tmp/out" subunits
    file=${r%@*} a=${r##*@} z=${a#*-} a=${a%-*}
    [ "$z" -gt "$(wc -c <"$file")" ] && z=$(wc -c <"$file")
    chain=$(awk -v f="$file" -v a="$a" -v z="$z" '{ n = split($0, u, " ")
        for (i = 1; i <= n; i++) { if (!match(u[i], /@[0-9]+-[0-9]+$/)) { print "bad " u[i]; exit }
            if (substr(u[i], 1, RSTART - 1) != f) { print "file " u[i]; exit }
            split(substr(u[i], RSTART + 1), b, "-")
            if (b[1] + 0 != a) { print "gap at " u[i]; exit } a = b[2] + 0 } }
        END { if (a != z) print "ends at " a }' subunits)
    # shellcheck disable=SC2046
    "$LIQ" --format csv 'fields @logStream, @message, srcaddr' $(cat subunits) >sub.csv 2>sub.err
    "$LIQ" --format csv 'fields @logStream, @message, srcaddr' "$r" >whole.csv 2>whole.err
    if [ -z "$chain" ] && [ "$(wc -l <subunits)" -ge 2 ] && cmp -s sub.csv whole.csv &&
        [ "$(wc -l <whole.csv)" -gt 10 ]; then
        ok "--splits 5 $r: $(wc -l <subunits) contiguous ranges inside it read its $(($(wc -l <whole.csv) - 1)) records once"
    else
        not_ok "--splits 5 $r: $chain"; show subunits; diff whole.csv sub.csv | head -5 | show /dev/stdin
    fi
done
run --splits 2 'nosuch.log@0-10'
expect_rc 2 "--splits of a range of a missing file"
run --splits 2 'dir@0-10'
expect_rc 2 "--splits of a range of a directory"
expect_err_has "a byte range of what is not a regular file" "--splits of a range of a directory"

# a name that exists as written is that file
cp small.jsonl 'small.jsonl@0-10'
run 'stats count(*) as n' 'small.jsonl@0-10'
want "n" "2000"
expect_out "an existing FILE@A-B is that file, not a range"
run 'stats count(*) as n' 'at@home.log@0-100000'
want "n" "500"
expect_out "a name holding '@' with a range suffix"
run --splits 3 nosuch.log
expect_rc 2 "--splits of a missing input"
run --splits 0 vpc.log
expect_rc 2 "--splits 0"
run --splits 2 --partial 'stats count(*)' vpc.log
expect_rc 2 "--splits with --partial"
run --splits 2 -
expect_rc 2 "--splits of standard input"
finish
