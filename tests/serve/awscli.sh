#!/bin/sh
# awscli.sh -- liq serve answers Debian's AWS CLI v2 (issue 17): start-query and
# get-query-results (results equal to the liq CLI's for the same query and range, an @ptr on
# every row of a query without stats, display queries too, statistics), get-log-record of an
# @ptr (queries with and without SOURCE, each row of a display query), describe-log-groups with prefix, pattern and pages,
# describe-log-streams, get-log-group-fields, filter-log-events with a filter pattern and pages,
# get-log-events, describe-queries, stop-query of a running query (reading a FIFO), partial
# results while a query runs, and SigV4 with the server's credentials.
# SPDX-License-Identifier: Apache-2.0
. "$SRCDIR/tests/serve/lib.sh"

mkfifo "$tmp/live.fifo"
(printf '{"timestamp":"2024-01-01T00:00:00Z","level":"INFO"}\n'; sleep 600) >"$tmp/live.fifo" &
pids="$pids $!"
LIQ_SERVE_ACCESS_KEY_ID=AKIDTEST LIQ_SERVE_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY \
    serve_start --log-group /aws/app=$tmp/app --log-group /aws/lambda/fn=$tmp/app/host1 \
    --log-group /aws/lambda/other=$tmp/app/host2 --log-group /aws/live=$tmp/live.fifo

S=1704067200 E=1704069000
# ---- queries: the same rows as the CLI's with --insights-defaults
for q in 'stats count(*) as n, avg(latency) as avg by level | sort level' \
    'fields @timestamp, level, latency | filter latency > 450' \
    'filter level = "ERROR" | fields msg, latency | sort latency desc | limit 7' \
    'stats max(latency) by bin(10m)' \
    'fields @timestamp, @message | dedup level' \
    'filter level = "ERROR" and latency > 400' \
    'filter latency < 10 | display msg, latency' \
    'fields @message | display @timestamp' \
    'fields msg, latency | sort latency desc | display latency, msg | limit 5'; do
    aws logs start-query --log-group-name /aws/app --start-time $S --end-time $E \
        --query-string "$q"
    expect_rc 0 "start-query '$q'"
    id=$(pyq 'j["queryId"]')
    poll "$id"
    expect_eq "$(pyq 'j["status"]')" Complete "'$q': Complete"
    cp "$tmp/out" "$tmp/res.json"
    "$LIQ" --insights-defaults --log-group "/aws/app=$tmp/app" --start $S --end $E --format csv \
        "$q" >"$tmp/cli.csv" 2>"$tmp/cli.err"
    case $q in *stats*) ptr= ;; *) ptr=--ptr ;; esac # rows of one record each have an @ptr
    if "$PY" "$SRCDIR/tests/serve/compare.py" "$tmp/res.json" "$tmp/cli.csv" $ptr >"$tmp/cmp"; then
        ok "'$q': the rows of the liq CLI${ptr:+, each with an @ptr} ($(cat "$tmp/cmp"))"
    else
        not_ok "'$q': rows differ from the liq CLI's"; show "$tmp/cmp"
    fi
done
# statistics: the records of the range matched (258 per stream: 0..1800 s, 7 s apart)
aws logs start-query --log-group-name /aws/app --start-time $S --end-time $E \
    --query-string 'stats count(*) as n'
poll "$(pyq 'j["queryId"]')"
expect_eq "$(pyq 'j["results"][0][0]["value"], int(j["statistics"]["recordsMatched"]), j["statistics"]["recordsScanned"] >= 516, j["statistics"]["bytesScanned"] > 0')" \
    "('516', 516, True, True)" "statistics: recordsMatched, recordsScanned, bytesScanned"

# ---- @ptr and get-log-record
aws logs start-query --log-group-name /aws/app --start-time $S --end-time $E \
    --query-string 'filter msg = "request 42 from host2"'
poll "$(pyq 'j["queryId"]')"
expect_eq "$(pyq '[f["field"] for f in j["results"][0]]')" "['@timestamp', '@message', '@ptr']" \
    "a query without fields: @timestamp, @message and @ptr"
ptr=$(pyq '[f["value"] for f in j["results"][0] if f["field"] == "@ptr"][0]')
aws logs get-log-record --log-record-pointer "$ptr"
expect_rc 0 "get-log-record"
expect_eq "$(pyq 'j["logRecord"]["msg"] + "|" + j["logRecord"]["@logStream"] + "|" + j["logRecord"]["@timestamp"] + "|" + j["logRecord"]["latency"]')" \
    "request 42 from host2|host2/app.log|1704067495000|$(grep '"request 42 from' "$tmp/app/host2/app.log" | sed 's/.*"latency": \([0-9]*\).*/\1/')" \
    "get-log-record: the record of the @ptr, its fields"
# a display query (display decides the columns, the @ptr stays): get-log-record of each row
aws logs start-query --log-group-name /aws/app --start-time $S --end-time $E \
    --query-string 'fields msg, @message | filter latency < 8 | display latency'
poll "$(pyq 'j["queryId"]')"
cp "$tmp/out" "$tmp/disp.json"
nr=$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["results"]))' "$tmp/disp.json")
good=0 k=0
while [ $k -lt "$nr" ]; do
    "$PY" -c 'import json,sys; r={f["field"]: f["value"] for f in json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]}; print(r["@ptr"]); print(r["latency"])' \
        "$tmp/disp.json" $k >"$tmp/row" 2>/dev/null || break
    aws logs get-log-record --log-record-pointer "$(sed -n 1p "$tmp/row")"
    [ "$rc" = 0 ] && [ "$(pyq 'j["logRecord"]["latency"]')" = "$(sed -n 2p "$tmp/row")" ] &&
        good=$((good + 1))
    k=$((k + 1))
done
if [ "$nr" -gt 1 ] && [ "$good" = "$nr" ]; then
    ok "display query: every row's @ptr gives its record ($nr rows)"
else not_ok "display query: $good of $nr rows' @ptr gave their record"; show "$tmp/disp.json"; fi

# a query starting with SOURCE: the @ptr columns go after it (SOURCE alone too)
for q in "SOURCE '/aws/app' | filter msg = \"request 42 from host2\"" \
    "# which group
SOURCE logGroups(namePrefix: ['/aws/lambda/o']) | filter msg = 'request 42 from host2' | fields msg, latency" \
    "SOURCE '/aws/lambda/other'"; do
    l=$(printf %s "$q" | tr '\n' ' ')
    aws logs start-query --start-time 1704067495 --end-time 1704067495 --query-string "$q"
    expect_rc 0 "start-query '$l'"
    poll "$(pyq 'j["queryId"]')"
    expect_eq "$(pyq 'len(j["results"]), j["results"][0][-1]["field"]')" "(1, '@ptr')" \
        "'$l': one row with an @ptr"
    ptr=$(pyq '[f["value"] for f in j["results"][0] if f["field"] == "@ptr"][0]')
    aws logs get-log-record --log-record-pointer "$ptr"
    expect_rc 0 "'$l': get-log-record"
    expect_eq "$(pyq 'j["logRecord"]["msg"] + "|" + j["logRecord"]["@logStream"] + "|" + j["logRecord"]["@timestamp"]')" \
        "request 42 from host2|$(case $q in *app*) echo host2/app.log ;; *) echo app.log ;; esac)|1704067495000" \
        "'$l': get-log-record gives the record of the @ptr"
done
aws logs get-log-record --log-record-pointer bm9wZQ
expect_rc 254 "get-log-record of a bad pointer"
expect_err_has "InvalidParameterException" "a bad pointer"

# ---- describe-log-groups: all, prefix, pattern, pages of one
aws logs describe-log-groups
expect_eq "$(pyq '",".join(g["logGroupName"] for g in j["logGroups"])')" \
    "/aws/app,/aws/lambda/fn,/aws/lambda/other,/aws/live" "describe-log-groups"
aws logs describe-log-groups --log-group-name-prefix /aws/lambda/
expect_eq "$(pyq '",".join(g["logGroupName"] for g in j["logGroups"])')" \
    "/aws/lambda/fn,/aws/lambda/other" "describe-log-groups --log-group-name-prefix"
aws logs describe-log-groups --log-group-name-pattern OTH
expect_eq "$(pyq '",".join(g["logGroupName"] for g in j["logGroups"])')" \
    "/aws/lambda/other" "describe-log-groups --log-group-name-pattern (case-insensitive)"
aws logs describe-log-groups --page-size 1
expect_eq "$(pyq 'len(j["logGroups"])')" 4 "describe-log-groups in pages of 1: all groups"
grep -c DescribeLogGroups "$tmp/serve.log" >"$tmp/n"
expect_eq "$(cat "$tmp/n")" 7 "... in 4 requests"

# ---- streams, fields
aws logs describe-log-streams --log-group-name /aws/app
expect_eq "$(pyq '",".join("%s:%d:%d" % (s["logStreamName"], s["firstEventTimestamp"], s["lastEventTimestamp"]) for s in j["logStreams"])')" \
    "host1/app.log:1704067200000:1704070693000,host2/app.log:1704067201000:1704070694000" \
    "describe-log-streams: names, first and last events"
aws logs describe-log-streams --log-group-name /aws/app --order-by LastEventTime --descending
expect_eq "$(pyq 'j["logStreams"][0]["logStreamName"]')" host2/app.log "orderBy LastEventTime, descending"
aws logs get-log-group-fields --log-group-name /aws/app
expect_eq "$(pyq 'sorted((f["name"], f["percent"]) for f in j["logGroupFields"] if not f["name"].startswith("@"))')" \
    "[('latency', 100), ('level', 100), ('msg', 100), ('timestamp', 100)]" "get-log-group-fields"

# ---- filter-log-events: a pattern, a range, pages (the CLI follows nextToken)
aws logs filter-log-events --log-group-name /aws/app --filter-pattern '{ $.latency > 480 }' \
    --start-time 1704067200000 --end-time 1704069000000
all=$(pyq 'len(j["events"])')
want_n=$("$LIQ" --log-group "/aws/app=$tmp/app" --start $S --end $E --filter-pattern '{ $.latency > 480 }' \
    --format csv 'stats count(*)' | tail -1)
expect_eq "$all" "$want_n" "filter-log-events: the events liq --filter-pattern finds"
cp "$tmp/out" "$tmp/all.json"
aws logs filter-log-events --log-group-name /aws/app --filter-pattern '{ $.latency > 480 }' \
    --start-time 1704067200000 --end-time 1704069000000 --page-size 3
expect_eq "$(pyq 'len(j["events"])')" "$all" "filter-log-events in pages of 3: the same events"
if "$PY" -c 'import json,sys; a=json.load(open(sys.argv[1]))["events"]; b=json.load(open(sys.argv[2]))["events"]; sys.exit(a != b)' "$tmp/all.json" "$tmp/out"; then
    ok "... in the same order"; else not_ok "... in another order"; fi
# sorted by event timestamp across the group's streams, as the API reference says (host1 and
# host2 interleave one second apart; input order would give all of one file first)
if "$PY" -c 'import json,sys; e=json.load(open(sys.argv[1]))["events"]; t=[x["timestamp"] for x in e]; s=[x["logStreamName"] for x in e]; sys.exit(not (t == sorted(t) and len(set(s)) == 2 and s != sorted(s)))' "$tmp/all.json"; then
    ok "filter-log-events: events by time across streams"; else not_ok "filter-log-events: events not by time across streams"; fi
aws logs filter-log-events --log-group-name /aws/app --filter-pattern ERROR \
    --log-stream-names host1/app.log --max-items 2
expect_eq "$(pyq '[e["logStreamName"] for e in j["events"]], "NextToken" in j')" \
    "(['host1/app.log', 'host1/app.log'], True)" "filter-log-events --log-stream-names, --max-items"
aws logs filter-log-events --log-group-name /aws/app --filter-pattern '{ $.latency > }'
expect_rc 254 "a bad filter pattern"
expect_err_has "InvalidParameterException" "a bad filter pattern"

# ---- get-log-events: the tail by default, the head, the tokens
aws logs get-log-events --log-group-name /aws/app --log-stream-name host1/app.log --limit 2
expect_eq "$(pyq '[e["timestamp"] for e in j["events"]]')" "[1704070686000, 1704070693000]" \
    "get-log-events: the newest events"
aws logs get-log-events --log-group-name /aws/app --log-stream-name host1/app.log --limit 2 \
    --start-from-head
expect_eq "$(pyq '[e["timestamp"] for e in j["events"]], j["nextForwardToken"]')" \
    "([1704067200000, 1704067207000], 'f/2')" "get-log-events --start-from-head"
aws logs get-log-events --log-group-name /aws/app --log-stream-name host1/app.log --limit 2 \
    --next-token f/2
expect_eq "$(pyq '[e["timestamp"] for e in j["events"]]')" "[1704067214000, 1704067221000]" \
    "get-log-events --next-token"

# ---- a running query: partial results, describe-queries, stop-query
aws logs start-query --log-group-name /aws/live --start-time $S --end-time $E \
    --query-string 'stats count(*) as n'
live=$(pyq 'j["queryId"]')
i=0
while [ $i -lt 600 ]; do # until the snapshot has the line the FIFO's writer wrote
    aws logs get-query-results --query-id "$live"
    [ "$(pyq 'j["results"]')" != "[]" ] && break
    sleep 0.1
    i=$((i + 1))
done
expect_eq "$(pyq 'j["status"], j["results"]')" "('Running', [[{'field': 'n', 'value': '1'}]])" \
    "get-query-results while running: a snapshot"
aws logs describe-queries --status Running
expect_eq "$(pyq '[q["queryId"] for q in j["queries"]]')" "['$live']" "describe-queries --status Running"
aws logs stop-query --query-id "$live"
expect_eq "$(pyq 'j["success"]')" True "stop-query"
poll "$live"
expect_eq "$(pyq 'j["status"]')" Cancelled "a stopped query is Cancelled"
aws logs stop-query --query-id "$live"
expect_rc 254 "stop-query of a stopped query"

# ---- every request is logged once, without the secret
lines=$(grep -c ' 127\.0\.0\.1 [A-Za-z]* [0-9][0-9][0-9] ' "$tmp/serve.log")
if [ "$lines" -gt 40 ]; then ok "access log: one line per request ($lines)"; else
    not_ok "access log: $lines lines"; show "$tmp/serve.log"; fi
if grep -q "$AWS_SECRET_ACCESS_KEY" "$tmp/serve.log"; then not_ok "the log shows the secret"; else
    ok "the log does not show the secret"; fi
serve_stop
expect_eq "$serve_rc" 0 "SIGTERM: exit 0"
finish
