#!/bin/sh
# order_threads.sh -- the 2025-26 commands whose result depends on the order of rows (accum,
# autoregress, filldown, sessionize, outlier, appendcols) or that keep every value
# (relevantfields, logcompare) give the same rows at --threads 1 and 2 (issue 20,
# docs/commands-2025.md C1, C45, C55): three files of 4000 records each, timestamps out of order
# and repeated across files, read with 1 thread, and with 2 threads and batches of 7 rows (so
# the workers split the records and the batches between them). Each query's output at 1
# thread must equal its output at 2, byte for byte, and have its rows.
# Env: LIQ (the binary). Exit 0 pass, 1 fail, 77 skip (no python3).
set -u
command -v python3 >/dev/null || exit 77
t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
python3 - "$t" <<'PY'
import json, random, sys
rng = random.Random(2026)
for f in range(3):
    with open("%s/in%d.ndjson" % (sys.argv[1], f), "w") as out:
        for i in range(4000):
            s = rng.randrange(0, 3600)  # repeated seconds: ties are broken by input order
            rec = {"@timestamp": "2025-01-01T00:%02d:%02dZ" % (s // 60, s % 60),
                   "user": "u%d" % rng.randrange(40), "bytes": rng.randrange(1000),
                   "lat": rng.choice([rng.randrange(100), rng.randrange(5000)]),
                   "svc": rng.choice(["api", "web", "db"]), "i": f * 10000 + i}
            if rng.random() < 0.3:
                del rec["svc"]
            out.write(json.dumps(rec) + "\n")
PY
fail=0
check() { # name query [options]
    name=$1 q=$2
    shift 2
    "$LIQ" --format csv --threads 1 "$@" "$q" "$t"/in*.ndjson >"$t/one" 2>"$t/err1" &&
        "$LIQ" --format csv --threads 2 --debug-batch-rows 7 "$@" "$q" "$t"/in*.ndjson \
            >"$t/two" 2>"$t/err2" || { echo "FAIL $name: liq failed"; cat "$t/err1" "$t/err2"; fail=1; return; }
    if ! cmp -s "$t/one" "$t/two"; then
        echo "FAIL $name: --threads 1 and 2 differ"; diff "$t/one" "$t/two" | head -5; fail=1
    elif [ "$(wc -l <"$t/one")" -lt 3 ]; then
        echo "FAIL $name: too few rows"; head -3 "$t/one"; fail=1
    else
        echo "ok $name ($(wc -l <"$t/one") lines)"
    fi
}
check accum 'fields @timestamp, i, bytes | accum bytes'
check autoregress 'fields @timestamp, i, bytes | autoregress bytes p=1-3'
check filldown 'fields @timestamp, i, svc | filldown svc'
check sessionize 'fields @timestamp, i, user | sessionize user maxspan 2m'
check outlier 'fields @timestamp, i, lat | outlier mark=true lat'
check appendcols 'fields i, user | appendcols (stats count(*) as n by user)'
check relevantfields 'relevantfields where lat > 1000'
check logcompare 'fields svc as @message | logcompare timeshift 30m' \
    --start 2025-01-01T00:30:00Z --end 2025-01-01T00:59:59Z
exit $fail
