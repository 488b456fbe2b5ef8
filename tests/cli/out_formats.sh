#!/bin/sh
# out_formats.sh -- CLI test: every output format with tricky values (L4, L11-L14, L25)
#
# One input holds commas, quotes, a tab, CR/LF line breaks, a backslash, accented and wide
# (CJK) characters, a null (missing) field, invalid UTF-8, leading/trailing spaces, a control
# character, booleans and numbers kept as written (1e3). Each format's expected bytes below are
# written out by hand from the rules: CSV quotes fields with , " CR LF or edge spaces and
# doubles quotes; TSV escapes \t \n \r \\ only; JSON/NDJSON are typed, leave nulls out, escape
# per RFC 8259 and turn invalid UTF-8 into U+FFFD; the table escapes control characters, shows
# invalid UTF-8 as U+FFFD, right-aligns numeric columns and measures display width.
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

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-out-formats.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# ===== helpers =====
. "$SRCDIR/tests/cli/out_lib.sh"

# ===== input =====
# line 9 carries the byte 0xFF (invalid UTF-8) inside a JSON string
{
    printf '%s\n' '{"id":1,"s":"plain","n":10}'
    printf '%s\n' '{"id":2,"s":"a,b","n":-2.5}'
    printf '%s\n' '{"id":3,"s":"say \"hi\"","n":1e3}'
    printf '%s\n' '{"id":4,"s":"tab\there"}'
    printf '%s\n' '{"id":5,"s":"two\nlines\r\nthree"}'
    printf '%s\n' '{"id":6,"s":"back\\slash"}'
    printf '%s\n' '{"id":7,"s":"héllo 日本"}'
    printf '%s\n' '{"id":8}'
    printf '{"id":9,"s":"bad\377"}\n'
    printf '%s\n' '{"id":10,"s":" padded ","b":true}'
    printf '%s\n' '{"id":11,"s":"ctl\u0001x","b":false}'
} >"$tmp/in.log"
q='fields id, s, n, b'

# ===== csv =====
run --format csv "$q" "$tmp/in.log"
expect_rc 0 "csv"
{
    printf '%s\n' 'id,s,n,b' '1,plain,10,' '2,"a,b",-2.5,' '3,"say ""hi""",1e3,'
    printf '4,tab\there,,\n'
    printf '5,"two\nlines\r\nthree",,\n'
    printf '%s\n' '6,back\slash,,' '7,héllo 日本,,' '8,,,'
    printf '9,bad\377,,\n'
    printf '%s\n' '10," padded ",,true'
    printf '11,ctl\001x,,false\n'
} >"$tmp/want"
expect_out "csv"
expect_err_empty "csv"

run --format csv --no-header "$q" "$tmp/in.log"
tail -n +2 "$tmp/want" >"$tmp/want2" && mv "$tmp/want2" "$tmp/want"
expect_out "csv --no-header"

# a header cell is quoted by the same rule as values
run --format csv 'fields s as `a,b`, s as `say "x"`' "$tmp/in.log"
head -n 1 "$tmp/out" >"$tmp/out1" && mv "$tmp/out1" "$tmp/out"
want '"a,b","say ""x"""'
expect_out "csv header quoting"

# ===== tsv =====
run --format tsv "$q" "$tmp/in.log"
expect_rc 0 "tsv"
{
    printf 'id\ts\tn\tb\n'
    printf '1\tplain\t10\t\n'
    printf '2\ta,b\t-2.5\t\n'
    printf '3\tsay "hi"\t1e3\t\n'
    printf '4\ttab\\there\t\t\n'
    printf '5\ttwo\\nlines\\r\\nthree\t\t\n'
    printf '6\tback\\\\slash\t\t\n'
    printf '7\théllo 日本\t\t\n'
    printf '8\t\t\t\n'
    printf '9\tbad\377\t\t\n'
    printf '10\t padded \t\ttrue\n'
    printf '11\tctl\001x\t\tfalse\n'
} >"$tmp/want"
expect_out "tsv"
expect_err_empty "tsv"

run --format tsv --no-header "$q" "$tmp/in.log"
tail -n +2 "$tmp/want" >"$tmp/want2" && mv "$tmp/want2" "$tmp/want"
expect_out "tsv --no-header"

# ===== ndjson =====
run --format ndjson "$q" "$tmp/in.log"
expect_rc 0 "ndjson"
{
    printf '%s\n' '{"id":1,"s":"plain","n":10}' '{"id":2,"s":"a,b","n":-2.5}'
    printf '%s\n' '{"id":3,"s":"say \"hi\"","n":1e3}' '{"id":4,"s":"tab\there"}'
    printf '%s\n' '{"id":5,"s":"two\nlines\r\nthree"}' '{"id":6,"s":"back\\slash"}'
    printf '%s\n' '{"id":7,"s":"héllo 日本"}' '{"id":8}'
    printf '{"id":9,"s":"bad\357\277\275"}\n'
    printf '%s\n' '{"id":10,"s":" padded ","b":true}' '{"id":11,"s":"ctl\u0001x","b":false}'
} >"$tmp/want"
expect_out "ndjson"
expect_err_empty "ndjson"
cp "$tmp/want" "$tmp/ndjson"
if command -v python3 >/dev/null 2>&1; then
    if python3 -c 'import json,sys
for line in open(sys.argv[1], encoding="utf-8"): json.loads(line)' "$tmp/out"; then
        ok "ndjson: every line parses as JSON"
    else
        not_ok "ndjson: a line does not parse as JSON"
    fi
fi

# ===== json =====
run --format json "$q" "$tmp/in.log"
expect_rc 0 "json"
{ printf '[\n'; sed '$!s/$/,/' "$tmp/ndjson"; printf ']\n'; } >"$tmp/want"
expect_out "json"
if command -v python3 >/dev/null 2>&1; then
    if python3 -c 'import json,sys
rows = json.load(open(sys.argv[1], encoding="utf-8"))
assert len(rows) == 11 and rows[7] == {"id": 8} and rows[2]["n"] == 1000
assert rows[8]["s"] == "bad\ufffd" and rows[9]["b"] is True' "$tmp/out"; then
        ok "json: parses, typed values"
    else
        not_ok "json: does not parse or values are off"
    fi
fi

run --format json 'filter id > 100 | fields id' "$tmp/in.log"
want '[]'
expect_out "json: no rows"

# stats results are typed too: counts and averages are numbers, keys keep their type.
# The group without b (9 rows, avg (10 - 2.5 + 1000) / 3) comes first; false and true tie
# at 1 and keep their key order (sort is stable).
run --format ndjson 'stats count(*) as n, avg(n) as a by b | sort n desc' "$tmp/in.log"
want '{"n":9,"a":335.8333333333333}' '{"b":false,"n":1}' '{"b":true,"n":1}'
expect_out "ndjson: stats"

# ===== table (not a terminal: nothing clipped, all rows measured) =====
run --format table "$q" "$tmp/in.log"
expect_rc 0 "table"
{
    printf '%s\n' \
        'id | s                   |    n | b' \
        '---+---------------------+------+------' \
        ' 1 | plain               |   10 |' \
        ' 2 | a,b                 | -2.5 |' \
        ' 3 | say "hi"            |  1e3 |' \
        ' 4 | tab\there           |      |' \
        ' 5 | two\nlines\r\nthree |      |' \
        ' 6 | back\slash          |      |' \
        ' 7 | héllo 日本          |      |' \
        ' 8 |                     |      |'
    printf ' 9 | bad\357\277\275                |      |\n'
    printf '%s\n' \
        '10 |  padded             |      | true' \
        '11 | ctl\x01x            |      | false'
} >"$tmp/want"
expect_out "table"
expect_err_has "11 rows" "table"
expect_err_has "11 records matched; 11 records (" "table"

run --format table --no-header "$q" "$tmp/in.log"
tail -n +3 "$tmp/want" >"$tmp/want2" && mv "$tmp/want2" "$tmp/want"
expect_out "table --no-header"

run --format table -q "$q" "$tmp/in.log"
expect_err_empty "table --quiet: no footer"

# a column with one string among numbers is text: left-aligned
printf '%s\n' '{"v":5}' '{"v":"x"}' '{"v":123}' >"$tmp/mixed.log"
run --format table 'fields v' "$tmp/mixed.log"
want 'v' '---' '5' 'x' '123'
expect_out "table: mixed column left-aligned"

finish
