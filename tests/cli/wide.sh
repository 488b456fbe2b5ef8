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

finish
