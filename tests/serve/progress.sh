#!/bin/sh
# progress.sh -- GetQueryResults statistics while a query runs (issue 17): recordsScanned and
# recordsMatched grow from the run's progress, never go down, and at Complete equal the
# figures of `liq --stats` over the same records. The group is a FIFO the test writes in two
# parts: the query is held between them (no timing), polled until it has read some records.
# bytesScanned counts decompressed bytes throughout (AWS: bytes of log events scanned): a
# gzip stream held the same way shows at least the plain bytes of the records scanned so
# far, and at the end every plain byte.
# SPDX-License-Identifier: Apache-2.0
. "$SRCDIR/tests/serve/lib.sh"

# 40,000 JSON events (about 4 MB, several morsels) in two halves
"$PY" - "$tmp" <<'EOP'
import json, sys
d = sys.argv[1]
with open(d + "/part1", "w") as a, open(d + "/part2", "w") as b:
    for i in range(40000):
        f = a if i < 20000 else b
        f.write(json.dumps({"timestamp": "2024-01-01T%02d:%02d:%02dZ" % (i // 3600 % 24, i // 60 % 60, i % 60),
                            "level": ("INFO", "WARN", "ERROR")[i % 3],
                            "msg": "request %d %s" % (i, "x" * 40)}) + "\n")
EOP
cat "$tmp/part1" "$tmp/part2" >"$tmp/all.log"
mkfifo "$tmp/live.fifo" "$tmp/gate" "$tmp/gz.fifo" "$tmp/gzgate"
# the writer: the first half, then waits until the test opens the gate, then the rest
(cat "$tmp/part1"; cat "$tmp/gate" >/dev/null; cat "$tmp/part2") >"$tmp/live.fifo" &
writer=$!
pids="$pids $writer"
# the same records gzipped (two gzip members), held the same way
gzip -c "$tmp/part1" >"$tmp/part1.gz"
gzip -c "$tmp/part2" >"$tmp/part2.gz"
(cat "$tmp/part1.gz"; cat "$tmp/gzgate" >/dev/null; cat "$tmp/part2.gz") >"$tmp/gz.fifo" &
gzwriter=$!
pids="$pids $gzwriter"
serve_start --no-auth --log-group /aws/live="$tmp/live.fifo" --log-group /aws/gz="$tmp/gz.fifo"

Q='filter level = "ERROR" | stats count(*) as n by level'
aws logs start-query --log-group-name /aws/live --start-time 1704067200 \
    --end-time 1704153599 --query-string "$Q"
expect_rc 0 "start-query over the FIFO group"
qid=$(pyq 'j["queryId"]')

# poll while it runs until it has read records from the first half (hang guard: 200 polls)
i=0 seen=0 mono=1 prev="0 0 0"
while [ $i -lt 200 ]; do
    aws logs get-query-results --query-id "$qid"
    cur=$(pyq '"%s %d %d %d" % (j["status"], j["statistics"]["recordsScanned"], j["statistics"]["recordsMatched"], j["statistics"]["bytesScanned"])')
    set -- $cur
    [ "$1" = Running ] || break
    for k in 1 2 3; do
        p=$(echo "$prev" | cut -d' ' -f$k)
        eval "c=\$$((k + 1))"
        [ "$c" -ge "$p" ] || mono=0
    done
    prev="$2 $3 $4"
    if [ "$2" -gt 0 ] && [ "$3" -gt 0 ]; then seen=1; break; fi
    sleep 0.1
    i=$((i + 1))
done
expect_eq "$1" Running "the query is still running (held by the FIFO)"
expect_eq "$seen" 1 "recordsScanned and recordsMatched above 0 while it runs ($cur)"
[ "$seen" = 1 ] && [ "$2" -le 20000 ] && ok "no more records scanned than written so far" ||
    not_ok "records scanned while held: $cur"
: >"$tmp/gate" # the rest of the records
i=0
while [ $i -lt 600 ]; do
    aws logs get-query-results --query-id "$qid"
    cur=$(pyq '"%s %d %d %d" % (j["status"], j["statistics"]["recordsScanned"], j["statistics"]["recordsMatched"], j["statistics"]["bytesScanned"])')
    set -- $cur
    for k in 1 2 3; do
        p=$(echo "$prev" | cut -d' ' -f$k)
        eval "c=\$$((k + 1))"
        [ "$c" -ge "$p" ] || mono=0
    done
    prev="$2 $3 $4"
    case $1 in Scheduled | Running) sleep 0.1 ;; *) break ;; esac
    i=$((i + 1))
done
expect_eq "$1" Complete "the query completes"
expect_eq "$mono" 1 "the statistics never went down"
expect_eq "$(pyq '{f["field"]: f["value"] for f in j["results"][0]}["n"]')" 13333 "the result counts every ERROR record"
# the CLI's figures over the same records
"$LIQ" --insights-defaults --no-seek --start 2024-01-01T00:00:00Z --end 2024-01-01T23:59:59Z \
    --stats "$Q" "$tmp/all.log" >/dev/null 2>"$tmp/cli"
want=$(sed -n 's/^liq: stats: \([0-9]*\) records scanned, \([0-9]*\) matched.*/\1 \2/p' "$tmp/cli")
expect_eq "$2 $3" "$want" "final recordsScanned and recordsMatched equal liq --stats"
expect_eq "$4" "$(wc -c <"$tmp/all.log" | tr -d ' ')" "final bytesScanned: every byte"
wait "$writer"

# ---- gzip: bytesScanned in plain bytes while running and at the end
aws logs start-query --log-group-name /aws/gz --start-time 1704067200 \
    --end-time 1704153599 --query-string "$Q"
expect_rc 0 "start-query over the gzip FIFO group"
qid=$(pyq 'j["queryId"]')
# the shortest line of the first half: records scanned so far hold at least that many bytes
minlen=$(awk '{ n = length($0) + 1; if (!m || n < m) m = n } END { print m }' "$tmp/part1")
i=0 seen=0 prev=0 mono=1
while [ $i -lt 200 ]; do
    aws logs get-query-results --query-id "$qid"
    cur=$(pyq '"%s %d %d" % (j["status"], j["statistics"]["recordsScanned"], j["statistics"]["bytesScanned"])')
    set -- $cur
    [ "$1" = Running ] || break
    [ "$3" -ge "$prev" ] || mono=0
    prev=$3
    if [ "$2" -gt 0 ]; then seen=1; break; fi
    sleep 0.1
    i=$((i + 1))
done
expect_eq "$1 $seen" "Running 1" "gzip: records scanned while it runs ($cur)"
if [ "$seen" = 1 ] && [ "$3" -ge $(($2 * minlen)) ] && [ "$3" -le "$(wc -c <"$tmp/part1")" ]; then
    ok "gzip: bytesScanned while running counts plain bytes ($3 bytes for $2 records of $minlen bytes or more)"
else
    not_ok "gzip: bytesScanned while running is not in plain bytes ($3 bytes for $2 records of $minlen bytes or more; $(wc -c <"$tmp/part1.gz") compressed)"
fi
: >"$tmp/gzgate"
i=0
while [ $i -lt 600 ]; do
    aws logs get-query-results --query-id "$qid"
    cur=$(pyq '"%s %d %d" % (j["status"], j["statistics"]["recordsScanned"], j["statistics"]["bytesScanned"])')
    set -- $cur
    [ "$3" -ge "$prev" ] || mono=0
    prev=$3
    case $1 in Scheduled | Running) sleep 0.1 ;; *) break ;; esac
    i=$((i + 1))
done
expect_eq "$1 $mono" "Complete 1" "gzip: completes, bytesScanned never went down"
expect_eq "$3" "$(wc -c <"$tmp/all.log" | tr -d ' ')" "gzip: final bytesScanned: every plain byte"
wait "$gzwriter"
finish
