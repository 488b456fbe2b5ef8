#!/bin/sh
# app_log_jq.sh -- differential test: liq vs jq on a generated application log
#
# tests/diff/gen_app_log.sh writes 4000 JSON lines (plus some plain-text lines) to a temp file;
# each comparison below runs one liq query and computes the same answer with jq on the same
# file. liq runs with --threads 1 and --threads 2, which must print the same bytes (L1).
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all equal, 1 a difference (both outputs are printed), 77 jq missing.
#
# SPDX-License-Identifier: Apache-2.0
set -eu
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
if ! command -v jq >/dev/null 2>&1; then
    echo "app_log_jq: jq not found, skipped"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-diff-jq.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
log=$tmp/app.log
sh "$SRCDIR/tests/diff/gen_app_log.sh" 4000 20240301 >"$log"

failures=0
checks=0

# jq reads the log as raw lines and keeps the JSON objects; plain-text lines drop out.
# num: a value as a number when it is a number or a numeric string, else null (liq's rule for
# sum/avg and for comparisons, L5).
JQ_DEFS='def recs: [inputs | fromjson? | select(type == "object")];
def num: if type == "number" then . elif type == "string" then (tonumber? // null) else null end;
def row: map(if . == null then "" else tostring end) | join(",");'

# run_liq NAME FORMAT QUERY: liq's output in $tmp/liq.out; fails when 1 and 2 threads differ
run_liq() {
    "$LIQ" --threads 1 --format "$2" "$3" "$log" >"$tmp/liq.out" 2>"$tmp/liq.err" || {
        echo "FAIL $1: liq exited $?"
        echo "  query: $3"
        cat "$tmp/liq.err"
        return 1
    }
    "$LIQ" --threads 2 --format "$2" "$3" "$log" >"$tmp/liq2.out" 2>&1 || true
    if ! cmp -s "$tmp/liq.out" "$tmp/liq2.out"; then
        echo "FAIL $1: --threads 1 and --threads 2 differ"
        echo "  query: $3"
        diff "$tmp/liq.out" "$tmp/liq2.out" | head -20
        return 1
    fi
}

# compare NAME FORMAT QUERY JQ_PROGRAM: exact comparison of liq's output with jq's
compare() {
    checks=$((checks + 1))
    if ! run_liq "$1" "$2" "$3"; then
        failures=$((failures + 1))
        return 0
    fi
    jq -nrR "$JQ_DEFS $4" "$log" >"$tmp/jq.out"
    if ! cmp -s "$tmp/jq.out" "$tmp/liq.out"; then
        failures=$((failures + 1))
        echo "FAIL $1"
        echo "  query: $3"
        echo "  --- expected (jq) ---"
        cat "$tmp/jq.out"
        echo "  --- liq ---"
        cat "$tmp/liq.out"
    fi
}

# compare_num NAME QUERY JQ_PROGRAM: CSV rows compared cell by cell, numbers with a relative
# tolerance of 1e-9 (floating-point averages may differ in the last bits with summation order)
compare_num() {
    checks=$((checks + 1))
    if ! run_liq "$1" csv "$2"; then
        failures=$((failures + 1))
        return 0
    fi
    jq -nrR "$JQ_DEFS $3" "$log" >"$tmp/jq.out"
    if ! awk -F, '
        function isnum(x) { return x ~ /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/ }
        function abs(x) { return x < 0 ? -x : x }
        NR == FNR { want[FNR] = $0; n = FNR; next }
        {
            got = FNR
            if (!(FNR in want)) { bad = 1; next }
            nw = split(want[FNR], w, ","); ng = split($0, g, ",")
            if (nw != ng) { bad = 1; next }
            for (i = 1; i <= nw; i++) {
                if (w[i] == g[i]) continue
                if (isnum(w[i]) && isnum(g[i]) &&
                    abs(w[i] - g[i]) <= 1e-9 * (abs(w[i]) > 1 ? abs(w[i]) : 1)) continue
                bad = 1
            }
        }
        END { exit (bad || got != n) ? 1 : 0 }' "$tmp/jq.out" "$tmp/liq.out"; then
        failures=$((failures + 1))
        echo "FAIL $1"
        echo "  query: $2"
        echo "  --- expected (jq) ---"
        cat "$tmp/jq.out"
        echo "  --- liq ---"
        cat "$tmp/liq.out"
    fi
}

# 1. ERROR counts by service, busiest first
compare "error counts by service" csv \
    'filter level = "ERROR" | stats count(*) as n by service | sort n desc, service asc' \
    'recs | map(select(.level == "ERROR")) | group_by(.service)
     | map({s: .[0].service, n: length}) | sort_by(-.n, .s)
     | "service,n", (.[] | [.s, .n] | row)'

# 2. counts by two keys; stats rows come ordered by their keys when there is no sort
compare "counts by service and level" csv \
    'filter ispresent(level) | stats count(*) as n by service, level' \
    'recs | group_by([.service, .level]) | "service,level,n",
     (.[] | [.[0].service, .[0].level, length] | row)'

# 3. sum and count of latency by service: numeric strings count in sum, "n/a" does not;
#    count(latency) counts every present value
compare "latency sum and count by service" csv \
    'filter ispresent(service) | stats sum(latency) as total, count(latency) as c, count(*) as n by service' \
    'recs | group_by(.service) | "service,total,c,n",
     (.[] | [.[0].service, (map(.latency | num | select(. != null)) | add),
             (map(select(has("latency"))) | length), length] | row)'

# 4. avg, min, max of latency by service. min/max follow the sort order (L3): a non-numeric
#    string such as "n/a" sorts before every number, so it is the min of its group
compare_num "latency avg/min/max by service" \
    'filter ispresent(latency) | stats avg(latency) as a, min(latency) as lo, max(latency) as hi by service' \
    'recs | map(select(has("latency"))) | group_by(.service) | "service,a,lo,hi",
     (.[] | (map(.latency | num | select(. != null))) as $nums
          | (map(.latency | select(type == "string" and num == null))) as $strs
          | [.[0].service, ($nums | add / length),
             (if ($strs | length) > 0 then ($strs | min) else ($nums | min) end),
             (if ($nums | length) > 0 then ($nums | max) else ($strs | max) end)] | row)'

# 5. records without latency, plain-text lines included
compare "records without latency" csv \
    'filter not ispresent(latency) | stats count(*) as n' \
    '"n", ([inputs | (fromjson? // {}) | select(type != "object" or (has("latency") | not))]
           | length)'

# 6. top 5 by latency: numbers and numeric strings compare numerically, ties keep input order
compare "top 5 latency" csv \
    'filter ispresent(latency) | sort latency desc | limit 5 | fields request_id, latency' \
    'recs | map(select(.latency | num != null)) | sort_by(-(.latency | num)) | .[0:5]
     | "request_id,latency", (.[] | [.request_id, .latency] | row)'

# 7. group by a nested number
compare "counts by http.status" csv \
    'filter ispresent(http.status) | stats count(*) as n by http.status' \
    'recs | map(select(.http.status != null)) | group_by(.http.status)
     | "http.status,n", (.[] | [.[0].http.status, length] | row)'

# 8. in [...] on level, group by a nested string
compare "ERROR and WARN by country" csv \
    'filter level in ["ERROR", "WARN"] and ispresent(user.geo.country)
     | stats count(*) as n by user.geo.country | sort n desc, user.geo.country' \
    'recs | map(select((.level == "ERROR" or .level == "WARN") and .user.geo.country != null))
     | group_by(.user.geo.country) | map({c: .[0].user.geo.country, n: length})
     | sort_by(-.n, .c) | "user.geo.country,n", (.[] | [.c, .n] | row)'

# 9. an array element
compare "first tag" csv \
    'filter ispresent(tags.0) | stats count(*) as n by tags.0' \
    'recs | map(select(.tags[0]? != null)) | group_by(.tags[0])
     | "tags.0,n", (.[] | [.[0].tags[0], length] | row)'

# 10. >= with numeric strings compares numerically; "n/a" against the number 2500 has no
#     order (L5, revised 2026-12-06): >= is false, as a failed cast in SQL
compare "latency >= 2500" csv \
    'filter latency >= 2500 | stats count(*) as n by level' \
    'recs | map(select(has("latency") and (if (.latency | num) != null then (.latency | num) >= 2500
                                            else false end)))
     | group_by(.level) | "level,n", (.[] | [.[0].level, length] | row)'

# 11. rows as NDJSON: typed values, missing fields left out
compare "ndjson rows" ndjson \
    'filter service = "db" and http.status >= 500 | fields request_id, http.status, latency, user.id' \
    'recs | .[] | select(.service == "db" and (.http.status // 0) >= 500)
     | {request_id, "http.status": .http.status, latency, "user.id": .user.id}
     | with_entries(select(.value != null)) | tojson'

# 12. two stats stages
compare "two stats stages" csv \
    'filter ispresent(level) | stats count(*) as n by service, level
     | stats max(n) as most, sum(n) as total by level' \
    'recs | map(select(.level != null)) | group_by(.level) | "level,most,total",
     (.[] | [.[0].level, (group_by(.service) | map(length) | max), length] | row)'

echo "app_log_jq: $checks comparisons, $failures failed"
[ "$failures" -eq 0 ]
