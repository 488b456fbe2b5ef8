#!/bin/sh
# json_lenient.sh -- JSON records that are not strict JSON (issue 11): what golden files
# cannot hold. Records with a raw NUL inside a string are read as JSON by the query decoder,
# --fields and the filter-pattern selectors alike; --fields names the leaves of lenient records
# (raw control characters, NaN/Infinity, nesting deeper than 256, empty keys joined by dots);
# records that look like JSON objects but are not JSON are read as text and counted: one
# warning per input that names the file, after the results, exit 0, none with -q; a file with
# none gets no warning. Where jq 1.6 reads a record too (a raw NUL, a byte order mark, empty
# keys), the flattened names match its paths. Expected values worked out by hand.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed (each check prints an ok/not ok line).
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-json-lenient.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

. "$SRCDIR/tests/cli/out_lib.sh"

# ===== a raw NUL inside a string =====
printf '{"a":"x\000y","b":1}\n{"a":"plain","b":2}\n' > "$tmp/nul.jsonl"
run --format ndjson 'fields a, b' "$tmp/nul.jsonl"
want '{"a":"x\u0000y","b":1}' '{"a":"plain","b":2}'
expect_out "raw NUL: fields"
expect_rc 0 "raw NUL: fields"
expect_err_empty "raw NUL: fields"
run --format csv 'stats count(*) as n' --filter-pattern '{ $.b = 1 }' "$tmp/nul.jsonl"
want n 1
expect_out "raw NUL: filter-pattern selector"

# ===== --fields over lenient records =====
deep=$(awk 'BEGIN { for (i = 0; i < 300; i++) o = o "["; c = o; gsub(/\[/, "]", c);
                    printf "{\"deep\":%s1%s,\"z\":1}", o, c }')
{
    printf '{"t":"a\tb","n":"x\000y"}\n'
    printf '{"f":NaN,"g":-Infinity}\n'
    printf '%s\n' "$deep"
    printf '{"":{"a":0},"e":{"":1}}\n'
    printf '\357\273\277{"bom":true}\n'
} > "$tmp/lenient.jsonl"
run --fields "$tmp/lenient.jsonl"
deepname=deep$(awk 'BEGIN { for (i = 0; i < 255; i++) printf ".0" }')
want "field	count	types" \
     "@log	5	string" \
     "@logStream	5	string" \
     "@message	5	string" \
     ".a	1	number" \
     "bom	1	bool" \
     "$deepname	1	string" \
     "e.	1	number" \
     "f	1	string" \
     "g	1	string" \
     "n	1	string" \
     "t	1	string" \
     "z	1	number"
expect_out "--fields: lenient records"
expect_err_empty "--fields: lenient records"

# ===== broken records: read as text, one warning per input =====
printf '{"a":1}\n{"a":01}\nplain text\n{"a":2,}\n{not json}\n' > "$tmp/broken.jsonl"
printf '{"a":3}\n' > "$tmp/good.jsonl"
printf "{'a':4}\n" > "$tmp/one.jsonl"
run --format csv 'fields @message, a' "$tmp/broken.jsonl" "$tmp/good.jsonl" "$tmp/one.jsonl"
want '@message,a' '"{""a"":1}",1' '"{""a"":01}",' 'plain text,' '"{""a"":2,}",' '{not json},' \
     '"{""a"":3}",3' "{'a':4},"
expect_out "broken records: text"
expect_rc 0 "broken records"
printf '%s\n' \
    "liq: warning: $tmp/broken.jsonl: 3 records look like JSON objects but are not valid JSON: read as text, without fields" \
    "liq: warning: $tmp/one.jsonl: 1 record looks like a JSON object but is not valid JSON: read as text, without fields" \
    > "$tmp/want"
if cmp -s "$tmp/want" "$tmp/err"; then ok "broken records: one warning per input"; else
    not_ok "broken records: warnings differ"; diff -u "$tmp/want" "$tmp/err" | show /dev/stdin; fi
for t in 1 2; do
    run --threads $t --format csv 'stats count(*) as n by a' "$tmp/broken.jsonl"
    expect_err_has "$tmp/broken.jsonl: 3 records look like JSON objects" "stats, --threads $t"
done
run --fields "$tmp/broken.jsonl"
expect_err_has "$tmp/broken.jsonl: 3 records look like JSON objects" "--fields"
run --format csv 'stats count(*) as n' --filter-pattern '{ $.a = 1 }' "$tmp/broken.jsonl"
want n 1
expect_out "filter-pattern selector"
expect_err_has "$tmp/broken.jsonl: 3 records look like JSON objects" "filter-pattern selector"
run -q --format csv 'fields a' "$tmp/broken.jsonl"
expect_err_empty "-q: no warning"
run --format csv 'fields @message' "$tmp/broken.jsonl"
expect_err_empty "no JSON field read: nothing lost, no warning"
run --format csv 'fields a' "$tmp/good.jsonl" "$tmp/lenient.jsonl"
expect_err_empty "lenient records: no warning"

# ===== the names jq gives the same records (paths of scalars joined by dots) =====
if command -v jq >/dev/null 2>&1; then
    # (jq 1.6 skips a byte order mark only at the start of its input)
    printf '\357\273\277{"bom":{"k":[1,{"":3}]}}\n{"":{"a":0,"":{"b":2}},"e":{"":1},"s":"x\000y"}\n' \
        > "$tmp/jq.jsonl"
    "$LIQ" --fields "$tmp/jq.jsonl" | tail -n +2 | cut -f1 | grep -v '^@' | sort > "$tmp/liq.names"
    jq -r 'paths(scalars) | map(tostring) | join(".")' "$tmp/jq.jsonl" | sort -u > "$tmp/jq.names"
    if cmp -s "$tmp/jq.names" "$tmp/liq.names"; then ok "flattened names agree with jq"; else
        not_ok "flattened names differ from jq"; diff -u "$tmp/jq.names" "$tmp/liq.names" | show /dev/stdin; fi
else
    ok "# SKIP jq not found"
fi

finish
