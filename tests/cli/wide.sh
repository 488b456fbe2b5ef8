#!/bin/sh
# wide.sh -- CLI test: queries and inputs as wide as users make them (issue 11)
#
# No query may be cut or crashed by a fixed-size array: every check below builds a wide query
# (tens to thousands of keys, columns, captures, arguments, sort keys, list items, commands)
# with a loop, runs it, and compares the result with the same answer computed by awk from the
# same generated input. Before the limits were sized from the plan, these queries overflowed a
# stack buffer (stats by 70 keys: SIGBUS), printed 600 headers over 512 values, lost every
# JSON field past the 249th a query named, and so on; each check names what it guards.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 awk missing.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
if ! command -v awk >/dev/null 2>&1; then
    echo "wide: awk not found, skipped"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-cli-wide.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
. "$SRCDIR/tests/cli/out_lib.sh"

# names PREFIX FROM TO [SEP]: PREFIX<FROM>SEP...SEP PREFIX<TO> (SEP defaults to ", ")
names() { awk -v p="$1" -v a="$2" -v b="$3" -v s="${4:-, }" \
    'BEGIN { for (i = a; i <= b; i++) printf "%s%s%d", (i > a ? s : ""), p, i; print "" }'; }

# same_as DESC: stdout equals $tmp/want (computed by awk), exit 0, stderr empty
same_as() {
    if [ "$rc" -ne 0 ]; then
        not_ok "$1: exit $rc"
        show "$tmp/err"
    elif ! cmp -s "$tmp/want" "$tmp/out"; then
        not_ok "$1: stdout differs from awk's answer"
        diff "$tmp/want" "$tmp/out" | head -5 | show /dev/stdin
    else
        ok "$1"
    fi
}

# ===== stats by 70 keys (a stack array of 64 keys: ASan gt_find, SIGBUS in release) =====
# 200 records with keys k1..k70 = (i*7+j) % 3; awk counts the groups, ordered by their keys.
awk 'BEGIN { for (i = 0; i < 200; i++) { printf "{"; for (j = 1; j <= 70; j++)
    printf "%s\"k%d\":%d", (j > 1 ? "," : ""), j, (i * 7 + j) % 3; print "}" } }' \
    >"$tmp/keys.jsonl"
run --format csv "stats count(*) as n by $(names k 1 70)" "$tmp/keys.jsonl"
{
    names k 1 70 , | sed 's/$/,n/'
    awk '{ gsub(/"k[0-9]+":/, ""); gsub(/[{}]/, ""); c[$0]++ } END { for (k in c) print k "," c[k] }' \
        "$tmp/keys.jsonl" | sort
} >"$tmp/want"
same_as "stats count(*) by 70 keys"
# the same groups through the sort fused with stats (its keys are the group keys)
run --format csv "stats count(*) as n by $(names k 1 70) | sort n desc | limit 3" \
    "$tmp/keys.jsonl"
{
    names k 1 70 , | sed 's/$/,n/'
    awk '{ gsub(/"k[0-9]+":/, ""); gsub(/[{}]/, ""); c[$0]++ } END { for (k in c) print c[k] "|" k "," c[k] }' \
        "$tmp/keys.jsonl" | sort -t '|' -k1,1nr -k2 | head -3 | cut -d '|' -f 2
} >"$tmp/want"
same_as "stats by 70 keys | sort | limit (top N)"

# ===== 600 columns from records of 100 fields each (200 is CloudWatch's per-record cap) =====
# record i holds k(100g+1)..k(100g+100) = 1000i+j, g = i mod 6: every column has values, and
# decoding more than 249 names per batch (dec.c), 256 visible inputs (pipe.c) and 512 values
# per row (pipe.c, out_table.c) used to drop the rest.
awk 'BEGIN { for (i = 0; i < 12; i++) { g = i % 6; printf "{\"n\":%d", i
    for (j = g * 100 + 1; j <= g * 100 + 100; j++) printf ",\"k%d\":%d", j, i * 1000 + j; print "}" } }' \
    >"$tmp/wide.jsonl"
# want_cols N [ORDER]: the csv of fields k1..kN, rows in ORDER (asc or desc by n)
want_cols() {
    {
        names k 1 "$1" ,
        awk -v m="$1" 'BEGIN { for (i = 0; i < 12; i++) { g = i % 6
            for (j = 1; j <= m; j++) printf "%s%s", (j > 1 ? "," : ""),
                (j > g * 100 && j <= g * 100 + 100 ? i * 1000 + j : ""); print "" } }' |
            if [ "${2:-asc}" = desc ]; then awk '{ l[NR] = $0 } END { for (i = NR; i > 0; i--) print l[i] }'; else cat; fi
    } >"$tmp/want"
}
run --format csv "fields $(names k 1 600)" "$tmp/wide.jsonl"
want_cols 600
same_as "fields with 600 columns (csv)"
run --format tsv --no-header "fields $(names k 1 600)" "$tmp/wide.jsonl"
awk -F '\t' '{ print NF }' "$tmp/out" | sort -u >"$tmp/nf"
if [ "$(cat "$tmp/nf")" = 600 ] && [ "$(wc -l <"$tmp/out")" -eq 12 ]; then ok "600 columns (tsv)"
else not_ok "600 columns (tsv): fields per row: $(tr '\n' ' ' <"$tmp/nf")"; fi
run --format table "fields $(names k 1 600)" "$tmp/wide.jsonl"
awk 'NR != 2 { print gsub(/ [|]/, "") + 1 }' "$tmp/out" | sort -u >"$tmp/nf"
if [ "$rc" -eq 0 ] && [ "$(cat "$tmp/nf")" = 600 ]; then ok "600 columns (table)"
else not_ok "600 columns (table): cells per line: $(tr '\n' ' ' <"$tmp/nf")"; fi
run --format ndjson "fields $(names k 1 600)" "$tmp/wide.jsonl"
awk '{ print gsub(/"k[0-9]+":/, "") }' "$tmp/out" | sort -u >"$tmp/nf"
if [ "$(cat "$tmp/nf")" = 100 ]; then ok "600 columns (ndjson: 100 values per row)"
else not_ok "600 columns (ndjson): values per row: $(tr '\n' ' ' <"$tmp/nf")"; fi
# rows collected by a sort carry every slot (rowset.c loaded at most 1024 input fields)
awk 'BEGIN { for (i = 0; i < 12; i++) { printf "{\"n\":%d", i
    for (j = i * 100 + 1; j <= i * 100 + 100; j++) printf ",\"f%d\":%d", j, j; print "}" } }' \
    >"$tmp/wider.jsonl"
run --format csv "fields n, $(names f 1 1200) | sort n desc" "$tmp/wider.jsonl"
{
    printf 'n,'; names f 1 1200 ,
    awk 'BEGIN { for (i = 11; i >= 0; i--) { printf "%d", i
        for (j = 1; j <= 1200; j++) printf ",%s", (j > i * 100 && j <= i * 100 + 100 ? j : ""); print "" } }'
} >"$tmp/want"
same_as "fields with 1201 columns | sort"

# ===== --stats=verbose with more than 64 stages (LiqRunStats.ops had 64 entries) =====
q="filter n >= 0"
for i in $(awk 'BEGIN { for (i = 2; i <= 70; i++) print i }'); do q="$q | filter n >= 0"; done
run --format csv --stats=verbose "$q | fields n" "$tmp/wide.jsonl"
got=$(grep -c 'filter: 12 rows in, 12 out' "$tmp/err")
if [ "$rc" -eq 0 ] && [ "$got" -eq 70 ]; then ok "--stats=verbose reports 70 filters"
else not_ok "--stats=verbose reports $got of 70 filters (exit $rc)"; fi

# ===== a column header naming more than 256 columns (fmt.c kept 256) =====
{
    printf 'version account-id '; names c 1 300 ' '
    awk 'BEGIN { for (r = 0; r < 3; r++) { printf "2 12345"
        for (j = 1; j <= 300; j++) printf " %s", (j == 299 ? 1700000000 + r * 60 : "v" r "_" j); print "" } }'
} >"$tmp/vpc.log"
run --format csv "fields c1, c255, c256, c298, c300" "$tmp/vpc.log"
{
    echo c1,c255,c256,c298,c300
    awk 'BEGIN { for (r = 0; r < 3; r++) printf "v%d_1,v%d_255,v%d_256,v%d_298,v%d_300\n", r, r, r, r, r }'
} >"$tmp/want"
same_as "a header of 300 columns: the last ones read"
run --format csv --timestamp-field c299 "fields @timestamp" "$tmp/vpc.log"
want @timestamp "2023-11-14 22:13:20.000" "2023-11-14 22:14:20.000" "2023-11-14 22:15:20.000"
expect_out "--timestamp-field naming column 299"
run --fields --format csv "$tmp/vpc.log"
got=$(grep -c '^c[0-9]*,3,' "$tmp/out")
if [ "$got" -eq 300 ]; then ok "--fields lists 300 columns"
else not_ok "--fields lists $got of 300 columns"; fi

# ===== parse with 100 captures (64 outputs were filled; 64 named groups were kept) =====
# lines of 100 comma-separated words; every form of parse must give them all back
awk 'BEGIN { for (r = 0; r < 5; r++) { for (j = 1; j <= 100; j++) printf "%sw%d_%d", (j > 1 ? "," : ""), r, j
    print "" } }' >"$tmp/words.log"
{ names p 1 100 ,; cat "$tmp/words.log"; } >"$tmp/want"
glob=$(awk 'BEGIN { for (j = 1; j <= 100; j++) printf "%s*", (j > 1 ? "," : ""); print "" }')
run --format csv "parse @message \"$glob\" as $(names p 1 100) | fields $(names p 1 100)" \
    "$tmp/words.log"
same_as "parse glob with 100 '*'"
rx=$(awk 'BEGIN { for (j = 1; j <= 100; j++) printf "%s(?<p%d>[^,]*)", (j > 1 ? "," : ""), j; print "" }')
run --format csv "parse @message /$rx/ | fields $(names p 1 100)" "$tmp/words.log"
same_as "parse regex with 100 named groups"
rx=$(awk 'BEGIN { for (j = 1; j <= 100; j++) printf "%s([^,]*)", (j > 1 ? "," : ""); print "" }')
run --format csv "parse @message /$rx/ as $(names p 1 100) | fields $(names p 1 100)" \
    "$tmp/words.log"
same_as "parse regex with 100 groups named after 'as'"
run --format csv "parse @message csv as $(names p 1 100) | fields $(names p 1 100)" \
    "$tmp/words.log"
same_as "parse csv as 100 names"
# multi: two matches of 70 groups per line, a row each
awk 'BEGIN { for (r = 0; r < 3; r++) { for (m = 0; m < 2; m++) { for (j = 1; j <= 70; j++)
    printf "%sm%d_%d_%d", (j > 1 ? "," : ""), r, m, j; printf "%s", (m ? "\n" : ";") } } }' \
    >"$tmp/multi.log"
{ names g 1 70 ,; tr ';' '\n' <"$tmp/multi.log"; } >"$tmp/want"
rx=$(awk 'BEGIN { for (j = 1; j <= 70; j++) printf "%s(?<g%d>[^,;]+)", (j > 1 ? "," : ""), j; print "" }')
run --format csv "parse @message /$rx/ multi | fields $(names g 1 70)" "$tmp/multi.log"
same_as "parse multi with 70 named groups"

# ===== stats with 300 aggregates (256 were kept), an alias past the 256th (sema kept 256) =====
awk 'BEGIN { for (i = 1; i <= 50; i++) printf "{\"x\":%d,\"g\":\"g%d\"}\n", i, i % 3 }' >"$tmp/x.jsonl"
items=$(awk 'BEGIN { for (i = 1; i <= 300; i++) printf "%s%s(x) as a%d", (i > 1 ? ", " : ""),
    (i % 3 == 0 ? "sum" : i % 3 == 1 ? "max" : "count"), i }')
run --format csv "stats $items, a290 + 1 as z by g" "$tmp/x.jsonl"
{
    printf 'g,'; names a 1 300 ,
    awk 'BEGIN { for (g = 0; g < 3; g++) { s = 0; m = 0; c = 0
        for (i = 1; i <= 50; i++) if (i % 3 == g) { s += i; c++; if (i > m) m = i }
        printf "g%d", g; for (i = 1; i <= 300; i++) printf ",%d", (i % 3 == 0 ? s : i % 3 == 1 ? m : c)
        printf ",%d\n", c + 1 } }'
} | sed '1s/$/,z/' >"$tmp/want"
same_as "stats with 300 aggregates and an alias of the 290th"

# ===== a call with 300 arguments (sema refused more than 256; expr.c had 256 slots) =====
run --format csv "fields concat($(names x 1 300 ', ' | sed 's/x[0-9]*/x/g')) as c" "$tmp/x.jsonl"
{ echo c; awk 'BEGIN { for (i = 1; i <= 50; i++) { for (k = 0; k < 300; k++) printf "%d", i; print "" } }'; } >"$tmp/want"
same_as "concat() of 300 arguments"
run --format csv "fields greatest($(names x 1 299 ', ' | sed 's/x[0-9]*/x/g'), x + 1) as c" "$tmp/x.jsonl"
{ echo c; awk 'BEGIN { for (i = 1; i <= 50; i++) print i + 1 }'; } >"$tmp/want"
same_as "greatest() of 300 arguments"

# ===== a column name with 70 string literals: each keeps its bytes (ast_text kept 64) =====
args=$(awk 'BEGIN { for (i = 1; i <= 70; i++) printf "%s\"a%d  #b\"", (i > 1 ? ", " : ""), i }')
run --format csv --no-header "fields concat($args) | limit 1" "$tmp/x.jsonl"
awk 'BEGIN { for (i = 1; i <= 70; i++) printf "a%d  #b", i; print "" }' >"$tmp/want"
same_as "concat() of 70 literals (value)"
run --format ndjson "fields concat($args) | limit 1" "$tmp/x.jsonl"
awk 'BEGIN { printf "{\"concat("; for (i = 1; i <= 70; i++) printf "%s\\\"a%d  #b\\\"", (i > 1 ? ", " : ""), i
    printf ")\":\""; for (i = 1; i <= 70; i++) printf "a%d  #b", i; print "\"}" }' >"$tmp/want"
same_as "concat() of 70 literals (column name keeps every literal's bytes)"

# ===== 70 SOURCE commands (the planner read 64) =====
printf '%s\n' '{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"/g/a","logStream":"s","subscriptionFilters":[],"logEvents":[{"id":"1","timestamp":1,"message":"a"}]}' \
    '{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"/g/b","logStream":"s","subscriptionFilters":[],"logEvents":[{"id":"2","timestamp":2,"message":"b"},{"id":"3","timestamp":3,"message":"c"}]}' \
    >"$tmp/groups.json"
q=$(awk 'BEGIN { for (i = 1; i <= 69; i++) printf "SOURCE \x27/none/%d\x27 | ", i; print "SOURCE \x27/g/b\x27 | stats count(*) as n" }')
run --format csv "$q" "$tmp/groups.json"
want n 2
same_as "the 70th SOURCE selects"

# ===== 100000 levels of nesting: an error naming the limit, not a crash (the parser's stack
# used to say "memory exhausted"; a chain of [0] overflowed the C stack) =====
for form in '(:x:)' 'abs(:x:)' 'not :x:' '- :x:' 'x ^ :x:'; do
    open=${form%%:*} rest=${form#*:} mid=${rest%%:*} close=${rest#*:}
    awk -v o="$open" -v m="$mid" -v c="$close" 'BEGIN { printf "fields "
        for (i = 0; i < 100000; i++) printf "%s", o; printf "%s", m
        for (i = 0; i < 100000; i++) printf "%s", c; print "" }' >"$tmp/deep.q"
    run --format csv -f "$tmp/deep.q" "$tmp/x.jsonl"
    if [ "$rc" -eq 2 ] && grep -q 'expression nested too deeply (liq allows at most 1000 levels)' "$tmp/err"
    then ok "100000 levels of '$open': refused with the limit named"
    else not_ok "100000 levels of '$open': exit $rc"; { head -c 300 "$tmp/err"; echo; } | show /dev/stdin; fi
done
awk 'BEGIN { printf "fields jsonParse(x)"; for (i = 0; i < 100000; i++) printf "[0]"; print "" }' >"$tmp/deep.q"
run --format csv -f "$tmp/deep.q" "$tmp/x.jsonl"
if [ "$rc" -eq 2 ] && grep -q 'nested too deeply' "$tmp/err"; then ok "100000 levels of [0]: refused"
else not_ok "100000 levels of [0]: exit $rc"; fi

# ===== 300 commands (cli/query.c looked at the first 256 for --insights-defaults, --chart) =====
filters=$(awk 'BEGIN { for (i = 0; i < 300; i++) printf "filter n >= 0 | " }')
awk 'BEGIN { for (i = 1; i <= 4; i++) printf "{\"timestamp\":\"2024-01-01T00:00:0%dZ\",\"n\":%d,\"g\":\"%s\"}\n", i, i, (i % 2 ? "a" : "b") }' \
    >"$tmp/ts.jsonl"
run --insights-defaults --format csv "${filters}limit 2 | fields n" "$tmp/ts.jsonl"
want n 4 3
same_as "--insights-defaults puts its sort before the 301st command's limit"
run --chart "${filters}stats count(*) as c by g" "$tmp/ts.jsonl"
if [ "$rc" -eq 0 ] && grep -q '^a ' "$tmp/out" && grep -q '^b ' "$tmp/out"; then
    ok "--chart finds the stats after 300 commands"
else not_ok "--chart after 300 commands: exit $rc"; show "$tmp/err"; fi

# ===== pattern over messages of 600 words (templates kept the first 512 tokens) =====
awk 'BEGIN { for (r = 0; r < 3; r++) for (w = 0; w < 2; w++) {
    for (j = 1; j <= 600; j++) printf "word "; print (w ? "ALPHA" : "BETA") } }' >"$tmp/long.log"
run --format csv "pattern @message | fields @sampleCount, strlen(@pattern) as len, substr(@pattern, 3000) as tail" "$tmp/long.log"
want @sampleCount,len,tail 3,3004,BETA 3,3005,ALPHA
same_as "pattern: 601-word messages that differ in the last word"

# ===== long formats: formatDate (255 format bytes, 511 output bytes: cut, then empty) and
# --timestamp-format (244 bytes after expanding %T: the rest dropped) =====
echo '{"timestamp":"2024-05-06T07:08:09Z"}' >"$tmp/t.jsonl"
fmt=$(awk 'BEGIN { for (i = 0; i < 60; i++) printf "%%Y-%%m-%%d %%T|"; print "" }')
run --format csv --no-header "fields formatDate(@timestamp, \"$fmt\")" "$tmp/t.jsonl"
awk 'BEGIN { for (i = 0; i < 60; i++) printf "2024-05-06 07:08:09|"; print "" }' >"$tmp/want"
same_as "formatDate with a 720-byte format (1200 bytes out)"
pad=$(awk 'BEGIN { for (i = 0; i < 300; i++) printf "x"; print "" }')
printf '%s 2024-05-06T07:08:09 hello\n' "$pad" >"$tmp/pad.log"
run --format csv --timestamp-format "$pad %Y-%m-%dT%T" "fields @timestamp" "$tmp/pad.log"
want @timestamp "2024-05-06 07:08:09.000"
same_as "--timestamp-format of 315 bytes"

# ===== a space-delimited filter pattern over a line of 1500 words (split into 1024) =====
awk 'BEGIN { for (j = 1; j <= 1500; j++) printf "%sw%d", (j > 1 ? " " : ""), j; print "" }' >"$tmp/words1500.log"
run --filter-pattern '[a, ..., y, z = w1500]' --format csv "fields a, y, z" "$tmp/words1500.log"
want a,y,z w1,w1499,w1500
same_as "[a, ..., y, z = w1500] over 1500 words"

# ===== long field names: a JSON path past 1023 bytes (json.c's path buffer: nothing under it
# was found), and messages naming one (sema formatted into 512 bytes) =====
k=$(awk 'BEGIN { for (i = 0; i < 1100; i++) printf "k"; print "" }')
printf '{"%s":{"b":1},"%s2":5}\n' "$k" "$k" >"$tmp/longkey.jsonl"
run --format csv "fields \`$k.b\` as x, \`${k}2\` as y" "$tmp/longkey.jsonl"
want x,y 1,5
same_as "a field under a 1100-byte key"
run --fields --format csv "$tmp/longkey.jsonl"
if grep -q "^$k\\.b,1," "$tmp/out"; then ok "--fields names the field under a 1100-byte key"
else not_ok "--fields lacks the field under a 1100-byte key"; fi
run "stats $k" "$tmp/longkey.jsonl"
if [ "$rc" -eq 2 ] && grep -q "^liq: error at 1:7: stats item '$k' has no aggregate function\$" "$tmp/err"
then ok "an error message quotes a 1100-byte name whole"
else not_ok "an error message about a 1100-byte name: exit $rc"; { head -c 200 "$tmp/err"; echo; } | show /dev/stdin; fi

# ===== sort and dedup by 100 keys (no fixed array there: these guard it) =====
awk 'BEGIN { srand(11); for (i = 0; i < 300; i++) { printf "{\"id\":%d", i
    for (j = 1; j <= 100; j++) printf ",\"s%d\":%d", j, (j <= 3 || j >= 98 ? int(rand() * 2) : 1); print "}" } }' \
    >"$tmp/sortkeys.jsonl"
keys=$(awk 'BEGIN { for (j = 1; j <= 100; j++) printf "%ss%d %s", (j > 1 ? ", " : ""), j, (j % 2 ? "desc" : "asc"); print "" }')
run --format csv --no-header "fields $(names s 1 100), id | sort $keys" "$tmp/sortkeys.jsonl"
sed 's/"[a-z0-9]*"://g; s/[{}]//g' "$tmp/sortkeys.jsonl" | awk -F, '{ printf "%s", $2; for (j = 3; j <= 101; j++) printf ",%s", $j; print "," $1 }' |
    sort -s -t, $(awk 'BEGIN { for (j = 1; j <= 100; j++) printf "-k%d,%dn%s ", j, j, (j % 2 ? "r" : "") }') >"$tmp/want"
same_as "sort by 100 keys (stable, against sort(1))"
run --format csv --no-header "dedup $(names s 1 100) | fields id" "$tmp/sortkeys.jsonl"
sed 's/"[a-z0-9]*"://g; s/[{}]//g' "$tmp/sortkeys.jsonl" | awk -F, '{ k = $0; sub(/^[^,]*,/, "", k); if (!(k in seen)) { seen[k] = 1; print $1 } }' >"$tmp/want"
same_as "dedup by 100 keys (the first of each, against awk)"

finish
