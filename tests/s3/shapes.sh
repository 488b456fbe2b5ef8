#!/bin/bash
# shapes.sh -- S3 test: objects in the shapes and encodings of issue 14, streamed from S3 as
# from a pipe: pretty-printed JSON, arrays of records (also gzip'd and larger than a block),
# UTF-16 and UTF-8 with a byte order mark. The
# objects are made here; expected values are known by construction (record i has i = 1..N).
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 node/npm missing.
#
# SPDX-License-Identifier: Apache-2.0
set -u
. "$SRCDIR/tests/s3/lib.sh"

s3_start
L="$tmp/local"
mkdir -p "$L"
N=50000
awk -v n=$N 'BEGIN { print "["; for (i = 1; i <= n; i++)
    printf "  {\n    \"i\": %d,\n    \"s\": \"} ] \\\" {\"\n  }%s\n", i, i < n ? "," : ""; print "]" }' \
    >"$L/array.json"
gzip -c "$L/array.json" >"$L/array.json.gz"
printf '{\n  "time": "2024-05-01T10:00:00Z",\n  "a": 1\n}\n{\n  "time": "2024-05-01T10:00:01Z",\n  "a": 2\n}\n' \
    >"$L/pretty.json"
printf '2024-01-01T00:00:00Z hello\nsecond line\n' >"$L/u8.txt"
if command -v iconv >/dev/null; then
    iconv -f UTF-8 -t UTF-16 "$L/u8.txt" >"$L/u16.log"
fi
printf '\357\273\277{"a": 7}\n' >"$L/bom8.json"
s3_put shapes "$L/" ""
ep="--endpoint-url $S3_URL"

for k in array.json array.json.gz; do
    for th in 1 4; do
        run $ep --threads "$th" --format csv --no-header 'stats count(*), sum(i)' "s3://shapes/$k"
        want "$N,$((N * (N + 1) / 2))"
        expect_out "$k, --threads $th: an array of records"
    done
done
run $ep --threads 4 --format csv --no-header 'fields i' s3://shapes/array.json
seq 1 $N >"$tmp/want"
expect_out "array.json: every record once, in order"

run $ep --format csv --no-header 'fields @timestamp, a' s3://shapes/pretty.json
want "2024-05-01 10:00:00.000,1" "2024-05-01 10:00:01.000,2"
expect_out "pretty-printed objects"

if command -v iconv >/dev/null; then
    run $ep --format csv --no-header 'fields @timestamp, @message' s3://shapes/u16.log
    want "2024-01-01 00:00:00.000,2024-01-01T00:00:00Z hello" ",second line"
    expect_out "UTF-16 with a mark"
fi
run $ep --format csv --no-header 'fields a' s3://shapes/bom8.json
want 7
expect_out "UTF-8 with a mark, JSON"

[ "$failures" -eq 0 ] || { echo "$failures of $n failed"; exit 1; }
exit 0
