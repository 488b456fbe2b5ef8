#!/bin/sh
# out_table.sh -- CLI test: the table on a terminal (script(1) gives liq a pseudo-terminal)
#
# On a terminal the table is the default format; a line wider than the terminal ($COLUMNS
# here) has its widest column narrowed and cells clipped with '…' (wide characters count two
# columns); after the first 1000 rows the widths are fixed and rows stream, the last column
# still using the rest of the line. Not on a terminal, nothing is clipped whatever $COLUMNS
# says. Expected screens are written out by hand from those rules.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed (each check prints an ok/not ok line); 77 when
# script(1) or timeout(1) is missing.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
unset COLUMNS

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-out-table.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# ===== helpers =====
. "$SRCDIR/tests/cli/out_lib.sh"

if ! command -v script >/dev/null 2>&1 || ! command -v timeout >/dev/null 2>&1; then
    echo "skip: script(1) or timeout(1) is missing"
    exit 77
fi
# LC_ALL=C would make script(1) itself mangle UTF-8; liq does not look at the locale
LC_ALL=C.UTF-8
export LC_ALL

# on_tty COLUMNS ARGS...: liq ARGS on a pseudo-terminal of COLUMNS columns; stdout and stderr
# both land in $tmp/out (the terminal merges them), without CRs and without the statistics
# line (it holds times)
on_tty() {
    _cols=$1
    shift
    _cmd="COLUMNS=$_cols"
    for _a in "$LIQ" "$@"; do
        _cmd="$_cmd '$(printf '%s' "$_a" | sed "s/'/'\\\\''/g")'"
    done
    timeout 30 script -qec "$_cmd" /dev/null </dev/null >"$tmp/raw" 2>/dev/null
    tr -d '\r' <"$tmp/raw" | grep -v ' matched; ' >"$tmp/out"
}

# ===== long cells are clipped to the terminal =====
{
    printf '%s\n' '{"id":1,"s":"short"}'
    printf '%s\n' '{"id":2,"s":"a very long message that will not fit"}'
    printf '%s\n' '{"id":3,"s":"日本語のテキストがここにあります"}'
} >"$tmp/in.log"
# natural widths 2 + 3 + 37 = 42 > 30: s gets 30 - 2 - 3 = 25 columns, 24 of text and '…';
# the CJK line keeps 12 characters (24 columns)
on_tty 30 'fields id, s' "$tmp/in.log"
want 'id | s' \
    '---+--------------------------' \
    ' 1 | short' \
    ' 2 | a very long message that…' \
    ' 3 | 日本語のテキストがここに…' \
    '3 rows'
expect_out "clipped on a 30-column terminal"

# wide enough: nothing clipped, widths from the longest value
on_tty 100 'fields id, s' "$tmp/in.log"
want 'id | s' \
    '---+--------------------------------------' \
    ' 1 | short' \
    ' 2 | a very long message that will not fit' \
    ' 3 | 日本語のテキストがここにあります' \
    '3 rows'
expect_out "not clipped on a 100-column terminal"

# two text columns: both narrowed to the same cap; 'id' keeps its 2 columns
printf '%s\n' '{"a":"aaaaaaaaaaaaaaaaaaaa","b":"bbbbbbbbbbbbbbbbbbbb","id":7}' >"$tmp/two.log"
# room = 30 - 6 = 24 for 20 + 20 + 2: cap 11 (11 + 11 + 2 = 24)
on_tty 30 'fields a, b, id' "$tmp/two.log"
want 'a           | b           | id' \
    '------------+-------------+---' \
    'aaaaaaaaaa… | bbbbbbbbbb… |  7' \
    '1 row'
expect_out "two columns narrowed alike"

# not a terminal: the same query with COLUMNS=30 is not clipped
COLUMNS=30 "$LIQ" --format table 'fields id, s' "$tmp/in.log" >"$tmp/out" 2>/dev/null </dev/null
want 'id | s' \
    '---+--------------------------------------' \
    ' 1 | short' \
    ' 2 | a very long message that will not fit' \
    ' 3 | 日本語のテキストがここにあります'
expect_out "not clipped when not a terminal"

# ===== after 1000 rows the widths are fixed and rows stream =====
awk 'BEGIN { for (i = 1; i <= 1000; i++) printf "{\"id\":%d,\"s\":\"x\"}\n", i
             print "{\"id\":1001,\"s\":\"a longer value after the window\"}"
             print "{\"id\":1002,\"s\":\"y\"}" }' >"$tmp/many.log"
on_tty 60 'fields id, s' "$tmp/many.log"
head -n 3 "$tmp/out" >"$tmp/top"
printf '%s\n' '  id | s' '-----+--' '   1 | x' >"$tmp/want"
if cmp -s "$tmp/want" "$tmp/top"; then ok "window: widths from the first 1000 rows"; else
    not_ok "window: widths"; diff -u "$tmp/want" "$tmp/top" | show /dev/stdin; fi
tail -n 3 "$tmp/out" >"$tmp/bottom"
printf '%s\n' '1001 | a longer value after the window' '1002 | y' '1,002 rows' >"$tmp/want"
if cmp -s "$tmp/want" "$tmp/bottom"; then ok "window: the last column uses the line"; else
    not_ok "window: later rows"; diff -u "$tmp/want" "$tmp/bottom" | show /dev/stdin; fi

# ===== escapes: control characters, C1 controls, invalid UTF-8 =====
{
    printf '%s\n' '{"s":"a\u001bb"}'
    printf '%s\n' '{"s":"c\u0085d"}'
    printf '{"s":"e\377f"}\n'
} >"$tmp/ctl.log"
"$LIQ" --format table 'fields s' "$tmp/ctl.log" >"$tmp/out" 2>/dev/null </dev/null
want 's' '--------' 'a\x1bb' 'c\u0085d' 'e�f'
expect_out "escapes in the table"

# header names are escaped as cells are (issue 12: they were written raw, so a control
# character in a name broke the layout)
printf '%s\n' '{"a\u001bb":1,"c\u0085d":2}' >"$tmp/ctlname.log"
"$LIQ" --format table "fields \`a$(printf '\033')b\`, \`c$(printf '\302\205')d\` as \`x$(printf '\t')y\`" \
    "$tmp/ctlname.log" >"$tmp/out" 2>/dev/null </dev/null
want 'a\x1bb | x\ty' '-------+-----' '     1 |    2'
expect_out "escapes in header names"

finish
