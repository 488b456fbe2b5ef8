#!/bin/sh
# out_fields.sh -- CLI test: liq --fields INPUT... (the console's discovered fields)
#
# One row per field: name, number of records that have it, and its value types; ordered by
# count (descending) then name; the same discovery as queries: JSON flattened as in §7.2 (dots,
# array indexes, @@ for top-level '@' keys, null absent, empty containers strings, the last of a
# repeated key), the system fields, the columns of positional formats (an ALB corpus file,
# gzip-compressed; VPC flow logs), Lambda platform lines and the JSON fragment of a Lambda
# application line; --start/--end; every --format; the same rows at every thread count; at
# most 10000 fields told apart, the rest counted together.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed (each check prints an ok/not ok line).
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
unset COLUMNS

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-out-fields.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# ===== helpers =====
. "$SRCDIR/tests/cli/out_lib.sh"

# ===== JSON: mixed types, nested keys =====
cat >"$tmp/app.json" <<'JSON'
{"ts":"2026-01-01T00:00:00Z","level":"INFO","lat":12,"req":{"path":"/a","tags":["x",2]},"ok":true}
{"ts":"2026-01-01T00:01:00Z","level":"ERROR","lat":"slow","req":{"path":"/b"},"ok":null,"empty":{}}
{"ts":"2026-01-02T00:00:00Z","level":"INFO","lat":3.5,"@id":7,"dup":"s","dup":1}
not json at all
JSON
run --fields --format csv "$tmp/app.json"
expect_rc 0 "json"
want 'field,count,types' \
    '@log,4,string' \
    '@logStream,4,string' \
    '@message,4,string' \
    '@ingestionTime,3,timestamp' \
    '@timestamp,3,timestamp' \
    'lat,3,"string, number"' \
    'level,3,string' \
    'ts,3,string' \
    'req.path,2,string' \
    '@@id,1,number' \
    'dup,1,number' \
    'empty,1,string' \
    'ok,1,bool' \
    'req.tags.0,1,string' \
    'req.tags.1,1,number'
expect_out "json"
expect_err_empty "json"

# every thread count, tiny batches: the same rows
cp "$tmp/out" "$tmp/want"
for t in 1 3; do
    run --fields --format csv --threads $t --debug-batch-rows 1 "$tmp/app.json"
    expect_out "json, --threads $t, batches of 1"
done

# --start/--end: only the records in range are counted
run --fields --format tsv --start 2026-01-01T00:00:00Z --end 2026-01-01T23:59:59Z "$tmp/app.json"
expect_rc 0 "--start/--end"
if grep -q '^lat	2	string, number$' "$tmp/out" && grep -q '^@message	2	string$' "$tmp/out" &&
    ! grep -q '^dup' "$tmp/out"; then ok "--start/--end: records out of range not counted"
else not_ok "--start/--end: wrong counts"; show "$tmp/out"; fi

# the other writers
run --fields --format ndjson "$tmp/app.json"
expect_out_has '{"field":"lat","count":3,"types":"string, number"}' "--format ndjson"
run --fields --format json --no-header "$tmp/app.json"
expect_out_has '"field":"@@id","count":1,"types":"number"' "--format json"
run --fields --format table "$tmp/app.json"
expect_out_has 'req.tags.1' "--format table"
expect_err_has '15 rows' "--format table: row count"

# standard input
"$LIQ" --fields --format csv <"$tmp/app.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
expect_rc 0 "stdin"
expect_out_has '@logStream,4,string' "stdin"

# ===== positional formats and Lambda =====
run --fields --format csv "$SRCDIR/corpora/aws-log-parser/loadbalancer_http2_entry.csv.gz"
expect_rc 0 "ALB corpus (gzip)"
want 'field,count,types' \
    '@ingestionTime,1,timestamp' \
    '@log,1,string' \
    '@logStream,1,string' \
    '@message,1,string' \
    '@timestamp,1,timestamp' \
    'actions_executed,1,string' \
    'client_port,1,string' \
    'elb,1,string' \
    'elb_status_code,1,number' \
    'matched_rule_priority,1,number' \
    'received_bytes,1,number' \
    'redirect_url,1,string' \
    'request,1,string' \
    'request_creation_time,1,string' \
    'request_processing_time,1,number' \
    'response_processing_time,1,number' \
    'sent_bytes,1,number' \
    'ssl_cipher,1,string' \
    'ssl_protocol,1,string' \
    'target_group_arn,1,string' \
    'target_port,1,string' \
    'target_processing_time,1,number' \
    'target_status_code,1,number' \
    'time,1,string' \
    'trace_id,1,string' \
    'type,1,string' \
    'user_agent,1,string'
expect_out "ALB corpus (gzip)"

printf '%s\n' \
    '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK' \
    '2 123456789010 eni-1235b8ca123456789 - - - - - - - 1418530010 1418530070 - NODATA' \
    >"$tmp/vpc.log"
run --fields --format csv "$tmp/vpc.log"
want 'field,count,types' \
    '@ingestionTime,2,timestamp' \
    '@log,2,string' \
    '@logStream,2,string' \
    '@message,2,string' \
    '@timestamp,2,timestamp' \
    'accountId,2,number' \
    'endTime,2,number' \
    'interfaceId,2,string' \
    'logStatus,2,string' \
    'startTime,2,number' \
    'version,2,number' \
    'action,1,string' \
    'bytes,1,number' \
    'dstAddr,1,string' \
    'dstPort,1,number' \
    'packets,1,number' \
    'protocol,1,number' \
    'srcAddr,1,string' \
    'srcPort,1,number'
expect_out "VPC flow log ('-' is absent)"

rid=8f507cfc-xmpl-4697-b07a-ac58fc914c95
printf 'START RequestId: %s Version: $LATEST\n2024-01-01T00:00:00.000Z\t%s\tINFO\t{"user":"a","ms":12}\nEND RequestId: %s\nREPORT RequestId: %s\tDuration: 26.73 ms\tBilled Duration: 27 ms\tMemory Size: 128 MB\tMax Memory Used: 75 MB\tInit Duration: 145.69 ms\t\n' \
    $rid $rid $rid $rid >"$tmp/lambda.log"
run --fields --format csv "$tmp/lambda.log"
want 'field,count,types' \
    '@log,4,string' \
    '@logStream,4,string' \
    '@message,4,string' \
    '@requestId,3,string' \
    '@type,3,string' \
    '@billedDuration,1,number' \
    '@duration,1,number' \
    '@ingestionTime,1,timestamp' \
    '@initDuration,1,number' \
    '@maxMemoryUsed,1,number' \
    '@memorySize,1,number' \
    '@timestamp,1,timestamp' \
    'ms,1,number' \
    'user,1,string'
expect_out "Lambda platform lines and a JSON fragment"

# ===== at most 10000 fields told apart =====
# 60 records of 200 keys each: the 5 system fields and the keys of the first 49 records and
# part of the 50th fill the 10000; records 50 to 60 have fields counted together
awk 'BEGIN { for (r = 0; r < 60; r++) { printf "{"
    for (k = 0; k < 200; k++) printf "%s\"k%d_%d\":%d", k ? "," : "", r, k, k; print "}" } }' \
    >"$tmp/many.json"
run --fields --format csv --threads 1 "$tmp/many.json"
expect_rc 0 "more than 10000 fields"
if [ "$(wc -l <"$tmp/out")" -eq 10002 ] && [ "$(tail -n 1 "$tmp/out")" = '(more fields),11,number' ]
then ok "more than 10000 fields: 10000 rows, then (more fields)"
else not_ok "more than 10000 fields"; tail -n 3 "$tmp/out" | show /dev/stdin; fi

# ===== errors =====
run --fields "$tmp/app.json" "$tmp/missing.json"
expect_rc 3 "a missing input"
expect_err_has 'missing.json' "a missing input"
run --fields -f "$tmp/app.json"
expect_rc 2 "--fields with -f"
expect_err_has '--fields lists the fields of the inputs' "--fields with -f"

finish
