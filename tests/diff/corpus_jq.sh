#!/bin/sh
# corpus_jq.sh -- differential test: liq vs jq on bundled real JSON logs
#
# corpora/elastic-examples/nginxplus_json_logs (500 wide, nested records; epoch-ms timestamp;
# keys containing dots and dashes) and corpora/lnav/gharchive_log.jsonl (GitHub events).
# liq runs with --threads 1 and --threads 2, which must print the same bytes (L1).
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all equal, 1 a difference (both outputs are printed), 77 jq missing.
#
# SPDX-License-Identifier: Apache-2.0
set -eu
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
if ! command -v jq >/dev/null 2>&1; then
    echo "corpus_jq: jq not found, skipped"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-diff-corpus.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
nginx=$SRCDIR/corpora/elastic-examples/nginxplus_json_logs
gh=$SRCDIR/corpora/lnav/gharchive_log.jsonl

failures=0
checks=0
JQ_DEFS='def row: map(if . == null then "" else tostring end) | join(",");
def ms3: tostring | ("00" + .) | .[-3:];
def fmtms: ((. / 1000 | floor | strftime("%Y-%m-%d %H:%M:%S")) + "." + (. % 1000 | ms3));'

# compare NAME FILE QUERY JQ_PROGRAM (jq -s: the whole file as one array)
compare() {
    checks=$((checks + 1))
    if ! "$LIQ" --threads 1 --format csv "$3" "$2" >"$tmp/liq.out" 2>"$tmp/liq.err"; then
        failures=$((failures + 1))
        echo "FAIL $1: liq failed"
        echo "  query: $3"
        cat "$tmp/liq.err"
        return 0
    fi
    "$LIQ" --threads 2 --format csv "$3" "$2" >"$tmp/liq2.out" 2>"$tmp/liq2.err" || true
    if ! cmp -s "$tmp/liq.out" "$tmp/liq2.out"; then
        failures=$((failures + 1))
        echo "FAIL $1: --threads 1 and --threads 2 differ"
        echo "  query: $3"
        diff "$tmp/liq.out" "$tmp/liq2.out" | head -20
        return 0
    fi
    jq -sr "$JQ_DEFS $4" "$2" >"$tmp/jq.out"
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

# 1. aggregates over nested numbers
compare "nginx aggregates" "$nginx" \
    'stats count(*) as n, sum(requests.current) as cur, max(connections.active) as act,
           min(connections.idle) as idle, max(ssl.handshakes_failed) as hf' \
    '"n,cur,act,idle,hf",
     ([length, (map(.requests.current) | add), (map(.connections.active) | max),
       (map(.connections.idle) | min), (map(.ssl.handshakes_failed) | max)] | row)'

# 2. keys that contain dots flatten into one dotted name (server_zones."hg.nginx.org")
compare "nginx dotted zone keys" "$nginx" \
    'stats sum(server_zones.hg.nginx.org.sent) as sent, max(server_zones.trac.nginx.org.responses.5xx) as e5' \
    '"sent,e5", ([(map(.server_zones["hg.nginx.org"].sent) | add),
                  (map(.server_zones["trac.nginx.org"].responses["5xx"]) | max)] | row)'

# 3. a dashed key needs backticks; array index in the path
compare "nginx backticked upstream peer" "$nginx" \
    'stats count(*) as n by `upstreams.trac-backend.peers.0.state`, `upstreams.trac-backend.peers.0.server`' \
    '"upstreams.trac-backend.peers.0.state,upstreams.trac-backend.peers.0.server,n",
     (group_by([.upstreams["trac-backend"].peers[0].state, .upstreams["trac-backend"].peers[0].server])
      | .[] | [.[0].upstreams["trac-backend"].peers[0].state,
               .[0].upstreams["trac-backend"].peers[0].server, length] | row)'

# 4. @timestamp from epoch milliseconds, formatted; sort + limit on it
compare "nginx latest timestamps" "$nginx" \
    'sort @timestamp desc | limit 3 | fields @timestamp, generation' \
    '"@timestamp,generation",
     (sort_by(-.timestamp) | .[0:3] | .[] | [(.timestamp | fmtms), .generation] | row)'

# 5. min/max of @timestamp are epoch milliseconds (L12)
compare "nginx timestamp range" "$nginx" \
    'stats min(@timestamp) as first, max(@timestamp) as last' \
    '"first,last", ([(map(.timestamp) | min), (map(.timestamp) | max)] | row)'

# 6. GitHub events by type, most frequent first
compare "gharchive events by type" "$gh" \
    'stats count(*) as n by type | sort n desc, type asc' \
    '"type,n", (group_by(.type) | map({t: .[0].type, n: length}) | sort_by(-.n, .t)
                | .[] | [.t, .n] | row)'

# 7. a nested string filter and projection
compare "gharchive push events of one repo owner" "$gh" \
    'filter type = "PushEvent" and repo.name like /^[a-m]/ | fields actor.login, repo.name' \
    '"actor.login,repo.name",
     (.[] | select(.type == "PushEvent" and (.repo.name | test("^[a-m]")))
      | [.actor.login, .repo.name] | row)'

echo "corpus_jq: $checks comparisons, $failures failed"
[ "$failures" -eq 0 ]
