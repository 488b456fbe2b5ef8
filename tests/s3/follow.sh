#!/bin/bash
# follow.sh -- S3 test: liq --follow over an S3 prefix on s3rver (issue 18, docs/follow.md)
#
# liq -F --poll 200ms follows s3://logs/app/ while objects arrive out of key order (b.log,
# then a.log and c.log, which sort before and after it); every object is read once, whole;
# killed with SIGKILL as soon as its output grew, a new object (0.log, first in key order)
# arrives while it is down and the restart with the same --state-file reads only that one;
# an object written again (a new ETag) is read again; SIGTERM ends it with exit 0; an object
# whose download failed (a proxy answers 403 once) is read at the next listing. Every
# wait polls the output for the ids expected (bounded tries), never a clock.
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
if seen d1 && grep -q 'r/d.log: read again at the next listing' "$tmp/ferr" &&
    [ "$(grep -c d1 "$tmp/fout")" = 1 ]; then
    ok "a failed download: a warning, then read at the next listing, once"
else
    not_ok "a failed download: a warning, then read at the next listing, once"
    show "$tmp/ferr"
fi
kill -TERM "$fpid"
if timeout 60 tail --pid="$fpid" -f /dev/null; then wait "$fpid"; fi

[ "$failures" -eq 0 ] || { echo "$failures of $n failed"; exit 1; }
exit 0
