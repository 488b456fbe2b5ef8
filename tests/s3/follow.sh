#!/bin/bash
# follow.sh -- S3 test: liq --follow over an S3 prefix on s3rver (issue 18, docs/follow.md)
#
# liq -F --poll 200ms follows s3://logs/app/ while objects arrive out of key order (b.log,
# then a.log and c.log, which sort before and after it); every object is read once, whole;
# killed with SIGKILL as soon as its output grew, a new object (0.log, first in key order)
# arrives while it is down and the restart with the same --state-file reads only that one;
# an object written again (a new ETag) is read again; SIGTERM ends it with exit 0; an object
# whose download failed (a proxy answers 403 once) is read at the next listing; a download cut
# after 300 bytes of its body (one try) leaves nothing of the object read, and the next
# listing reads it whole: every record once, for 'fields id' and for stats by bin(1m) (both
# failed before: the records of the first 300 bytes came twice); 70 objects (a read takes
# 64) each once; a gzip object, @log,
# @logStream and --include give what a run over the prefix gives. Every wait polls the
# output for the ids expected (bounded tries), never a clock.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 node/npm missing.
#
# SPDX-License-Identifier: Apache-2.0
set -u
. "$SRCDIR/tests/s3/lib.sh"

s3_start

# put NAME ID...: uploads s3://logs/app/NAME holding one record per ID
nput=0
put() {
    nput=$((nput + 1))
    local d="$tmp/up$nput" name=$1
    shift
    mkdir -p "$d"
    for id in "$@"; do printf '{"id":"%s"}\n' "$id"; done >"$d/$name"
    s3_put logs "$d/" "app/"
}
fpid=
start() {
    "$LIQ" -F --poll 200ms --endpoint-url "$S3_URL" --state-file "$tmp/state" --format ndjson \
        'fields id' s3://logs/app/ >>"$tmp/fout" 2>>"$tmp/ferr" &
    fpid=$!
    pids="$pids $fpid"
}
# seen ID: polls until the follower's output has ID (at most 3000 tries)
seen() {
    local i=0
    while ! grep -q "\"$1\"" "$tmp/fout" 2>/dev/null && kill -0 "$fpid" 2>/dev/null &&
        [ $i -lt 3000 ]; do
        sleep 0.02
        i=$((i + 1))
    done
    grep -q "\"$1\"" "$tmp/fout"
}
ids() { sed 's/.*"id":"\([^"]*\)".*/\1/' "$tmp/fout" | sort | tr '\n' ' '; }

: >"$tmp/fout"
put b.log b1 b2
start
if seen b2; then ok "the objects under the prefix"; else not_ok "the objects under the prefix"; fi
put a.log a1
put c.log c1
if seen a1 && seen c1; then ok "new objects before and after in key order"
else not_ok "new objects before and after in key order"; fi
kill -KILL "$fpid"
wait "$fpid" 2>/dev/null
put 0.log z1
start
if seen z1; then ok "a restart reads the object that came while it was down"
else not_ok "a restart reads the object that came while it was down"; fi
put a.log a2
if seen a2; then ok "an object written again is read again"; else not_ok "an object written again is read again"; fi
kill -TERM "$fpid"
if timeout 60 tail --pid="$fpid" -f /dev/null; then wait "$fpid"; rc=$?; else
    kill -KILL "$fpid"; rc=999; fi
if [ "$rc" = 0 ]; then ok "SIGTERM: exit 0"; else not_ok "SIGTERM: exit 0 (exit $rc)"; fi
got=$(ids)
if [ "$got" = "a1 a2 b1 b2 c1 z1 " ]; then ok "each record once"
else
    not_ok "each record once: $got"
    show "$tmp/ferr"
fi

# ===== a download that failed is tried again at the next listing =====
# (a proxy answers the first GET of r/d.log 403 AccessDenied, which is not retried at once)
proxy_start p1 --status 403/AccessDenied:1:'/r/d\.log'
: >"$tmp/fout"
: >"$tmp/ferr"
mkdir -p "$tmp/r"
printf '{"id":"d1"}\n' >"$tmp/r/d.log"
s3_put logs "$tmp/r/" "r/"
"$LIQ" -F --poll 200ms --endpoint-url "$PROXY_URL" --format ndjson 'fields id' s3://logs/r/ \
    >>"$tmp/fout" 2>>"$tmp/ferr" &
fpid=$!
pids="$pids $fpid"
if seen d1 && grep -q 'r/d.log: .*read again, whole, at the next listing' "$tmp/ferr" &&
    [ "$(grep -c d1 "$tmp/fout")" = 1 ]; then
    ok "a failed download: a warning, then read at the next listing, once"
else
    not_ok "a failed download: a warning, then read at the next listing, once"
    show "$tmp/ferr"
fi
kill -TERM "$fpid"
if timeout 60 tail --pid="$fpid" -f /dev/null; then wait "$fpid"; fi

# ===== a download that breaks off after part of the body came =====
# (a proxy sends the first 300 bytes of the first GET of c/e.log, then closes; with one try
# the download fails: nothing of the object may be read then, and it is read whole, once, at
# the next listing: no record twice, for rows and for bins)
# recs PREFIX: 200 records e000..e199 over 10:00-10:03:19, then a closer at 11:00 (bins)
recs() {
    awk 'BEGIN { for (i = 0; i < 200; i++)
        printf "{\"@timestamp\":\"2026-03-01T10:%02d:%02dZ\",\"id\":\"e%03d\"}\n", int(i / 60), i % 60, i
        printf "{\"@timestamp\":\"2026-03-01T11:00:00Z\",\"id\":\"closer\"}\n" }'
}
# cut_follow PREFIX QUERY: follows s3://logs/PREFIX/ through a proxy that cuts the first GET
cut_follow() {
    proxy_start "p$1" --cut 300:1:"/$1/e\\.log"
    mkdir -p "$tmp/$1"
    recs >"$tmp/$1/e.log"
    s3_put logs "$tmp/$1/" "$1/"
    : >"$tmp/fout"
    : >"$tmp/ferr"
    AWS_MAX_ATTEMPTS=1 "$LIQ" -F --poll 200ms --lateness 0s --endpoint-url "$PROXY_URL" \
        --format ndjson "$2" "s3://logs/$1/" >>"$tmp/fout" 2>>"$tmp/ferr" &
    fpid=$!
    pids="$pids $fpid"
}
stop() {
    kill -TERM "$fpid"
    if timeout 60 tail --pid="$fpid" -f /dev/null; then wait "$fpid"; fi
}
cut_follow c1 'fields id'
seen closer
stop
got=$(grep -c '"e[0-9]*"' "$tmp/fout")
dups=$(ids | tr ' ' '\n' | sort | uniq -d | tr '\n' ' ')
if grep -q 'c1/e.log: the body was cut short.*nothing of it was read' "$tmp/ferr" &&
    [ "$got" = 200 ] && [ -z "$dups" ]; then
    ok "a download cut mid-body: rows read once, whole, at the next listing"
else
    not_ok "a download cut mid-body: rows read once (200 rows: $got; twice: $dups)"
    show "$tmp/ferr"
fi
cut_follow c2 'stats count(*) as n by bin(1m)'
i=0 # the bins 10:00-10:03 are out once the whole object was read (its closer at 11:00)
while ! grep -q '10:03:00' "$tmp/fout" && kill -0 "$fpid" 2>/dev/null && [ $i -lt 3000 ]; do
    sleep 0.02
    i=$((i + 1))
done
stop
total=$(grep -v '11:00:00' "$tmp/fout" | sed 's/.*"n":\([0-9]*\).*/\1/' | awk '{ s += $1 } END { print s + 0 }')
if grep -q 'c2/e.log: the body was cut short.*nothing of it was read' "$tmp/ferr" &&
    [ "$total" = 200 ]; then
    ok "a download cut mid-body: stats by bin count each record once"
else
    not_ok "a download cut mid-body: stats by bin count each record once (200: $total)"
    show "$tmp/fout"
    show "$tmp/ferr"
fi

# ===== more objects than one read takes (64): the rest in the next reads, each once =====
mkdir -p "$tmp/m"
for i in $(seq 100 169); do printf '{"id":"m%s"}\n' "$i" >"$tmp/m/$i.log"; done
s3_put logs "$tmp/m/" "m/"
: >"$tmp/fout"
: >"$tmp/ferr"
"$LIQ" -F --poll 200ms --endpoint-url "$S3_URL" --format ndjson 'fields id' s3://logs/m/ \
    >>"$tmp/fout" 2>>"$tmp/ferr" &
fpid=$!
pids="$pids $fpid"
seen m169
seen m100
stop
got=$(ids | wc -w)
dups=$(ids | tr ' ' '\n' | sort | uniq -d | tr '\n' ' ')
if [ "$got" = 70 ] && [ -z "$dups" ]; then ok "70 objects over two reads, each once"
else not_ok "70 objects over two reads, each once ($got; twice: $dups)"; show "$tmp/ferr"; fi

# ===== what a run over the prefix reads: gzip objects, @log and @logStream, --include =====
mkdir -p "$tmp/g/sub"
printf '{"id":"g1"}\n' | gzip >"$tmp/g/sub/x.log.gz"
printf '{"id":"g2"}\n' >"$tmp/g/y.txt"
s3_put logs "$tmp/g/" "g/"
: >"$tmp/fout"
: >"$tmp/ferr"
"$LIQ" -F --poll 200ms --include '*.gz' --endpoint-url "$S3_URL" --format ndjson \
    'fields id, @log, @logStream' s3://logs/g/ >>"$tmp/fout" 2>>"$tmp/ferr" &
fpid=$!
pids="$pids $fpid"
seen g1
stop
"$LIQ" --include '*.gz' --endpoint-url "$S3_URL" --format ndjson 'fields id, @log, @logStream' \
    s3://logs/g/ >"$tmp/gwant" 2>&1
if [ -s "$tmp/gwant" ] && cmp -s "$tmp/fout" "$tmp/gwant"; then
    ok "a gzip object, @log, @logStream and --include as a run over the prefix"
else
    not_ok "a gzip object, @log, @logStream and --include as a run over the prefix"
    show "$tmp/ferr"
    show "$tmp/gwant"
    show "$tmp/fout"
fi

[ "$failures" -eq 0 ] || { echo "$failures of $n failed"; exit 1; }
exit 0
