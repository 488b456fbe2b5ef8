#!/bin/sh
# out_chart.sh -- CLI test: --chart snapshots (terminal time series and bar charts)
#
# Every expected chart below is drawn by hand from the rules in cli/out_chart.c: 8 rows of
# eighth blocks (64 levels, value / max * 64 rounded), the max labelled on the top row and 0 on
# the axis row, min(plot width / bins, 4) columns per bin, blank columns for missing bins,
# first and last bin time under the axis; bars scaled so the largest fills the line, the rest
# of a bar in eighths (▏▎▍▌▋▊▉), the value after it, at most 100 bars. Not on a terminal the
# width is $COLUMNS, else 80.
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

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-out-chart.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# ===== helpers =====
. "$SRCDIR/tests/cli/out_lib.sh"

# ev TIME LEVEL COUNT: COUNT events at TIME (2024-01-01T...Z) with that level
ev() {
    _i=0
    while [ "$_i" -lt "$3" ]; do
        printf '{"ts":"%s","level":"%s","x":%d}\n' "$1" "$2" "$_i"
        _i=$((_i + 1))
    done
}

# ===== one series: 4, 8, 2, (none), 1 events in five minutes =====
{
    ev 2024-01-01T10:00:05Z info 4
    ev 2024-01-01T10:01:30Z info 8
    ev 2024-01-01T10:02:59Z info 2
    ev 2024-01-01T10:04:00Z info 1
} >"$tmp/min.log"
# levels 32, 64, 16, -, 8 of 64; 80 columns: 77 for the plot, 4 per bin
run --chart 'stats count(*) by bin(1m)' "$tmp/min.log"
expect_rc 0 "one series"
want 'count(*) by bin(1m): 5 bins of 1m, 2024-01-01 10:00 to 10:04 UTC' \
    '8 ┤    ████' \
    '  │    ████' \
    '  │    ████' \
    '  │    ████' \
    '  │████████' \
    '  │████████' \
    '  │████████████' \
    '  │████████████    ████' \
    '0 └────────────────────' \
    '   10:00          10:04'
expect_out "one series"
expect_err_empty "one series"

# ===== one series per other 'by' key, partial blocks =====
{
    ev 2024-03-05T00:10:00Z info 10
    ev 2024-03-05T00:20:00Z error 1
    ev 2024-03-05T01:00:00Z info 5
    ev 2024-03-05T02:59:59Z info 3
    ev 2024-03-05T02:00:00Z error 4
} >"$tmp/hour.log"
# error: 1 and 4 of 4 -> levels 16 and 64; info: 10, 5, 3 of 10 -> 64, 32, 19 (19.2), the 19
# being two full rows and ▃ (3 eighths) on the third; 60 columns: 56 for the plot, 4 per bin
COLUMNS=60 run --chart 'stats count(*) as n by bin(1h) as hour, level' "$tmp/hour.log"
expect_rc 0 "series per key"
want 'n by hour: 3 bins of 1h, 2024-03-05 00:00 to 02:00 UTC' \
    'error' \
    ' 4 ┤        ████' \
    '   │        ████' \
    '   │        ████' \
    '   │        ████' \
    '   │        ████' \
    '   │        ████' \
    '   │████    ████' \
    '   │████    ████' \
    ' 0 └────────────' \
    'info' \
    '10 ┤████' \
    '   │████' \
    '   │████' \
    '   │████' \
    '   │████████' \
    '   │████████▃▃▃▃' \
    '   │████████████' \
    '   │████████████' \
    ' 0 └────────────' \
    '    00:00  02:00'
expect_out "series per key"

# the key order in 'by' does not matter: the time column is found by its type
COLUMNS=60 run --chart 'stats count(*) as n by level, bin(1h) as hour' "$tmp/hour.log"
expect_out "series per key, bin() second"

# ===== calendar months: irregular bins, one column group per bin, dates as labels =====
{
    ev 2024-01-15T08:00:00Z info 1
    ev 2024-02-10T08:00:00Z info 1
    ev 2024-03-03T08:00:00Z info 1
} >"$tmp/month.log"
run --chart 'stats count(*) by bin(1mo)' "$tmp/month.log"
want 'count(*) by bin(1mo): 3 bins, 2024-01-01 to 2024-03-01 UTC' \
    '1 ┤████████████' \
    '  │████████████' \
    '  │████████████' \
    '  │████████████' \
    '  │████████████' \
    '  │████████████' \
    '  │████████████' \
    '  │████████████' \
    '0 └────────────' \
    '   2024-01-01  2024-03-01'
expect_out "months"

# ===== bars: stats without bin() =====
# 18 info, 5 error; 40 columns: label 5 + 1, value 2 + 1, bars 31 columns (248 eighths):
# 18 -> 248 = 31 full blocks; 5 -> 68.9 -> 69 eighths = 8 full blocks and ▋ (5 eighths)
COLUMNS=40 run --chart 'stats count(*) as n by level | sort n desc' "$tmp/hour.log"
expect_rc 0 "bars"
want 'n' \
    'info  ███████████████████████████████ 18' \
    'error ████████▋ 5'
expect_out "bars"

# two aggregates: one bar chart each; a zero value has no bar
printf '%s\n' '{"k":"a","v":0}' '{"k":"b","v":4}' '{"k":"b","v":4}' >"$tmp/two.log"
# n: 1 and 2 of 2, 40 - 2 - 1 - 1 = 36 columns: 18 and 36 blocks; total: 0 and 8
COLUMNS=40 run --chart 'stats count(*) as n, sum(v) as total by k' "$tmp/two.log"
want 'n' \
    'a ██████████████████ 1' \
    'b ████████████████████████████████████ 2' \
    '' \
    'total' \
    'a 0' \
    'b ████████████████████████████████████ 8'
expect_out "bars, two aggregates"

# at most 100 bars (Part 2 §8); keys in natural order k0 k1 ... k104, so k0 ... k99 shown:
# labels 3 wide + 1, value 1 + 1: 34 columns of bar
awk 'BEGIN { for (i = 0; i < 105; i++) printf "{\"k\":\"k%d\"}\n", i }' >"$tmp/many.log"
COLUMNS=40 run --chart 'stats count(*) as n by k' "$tmp/many.log"
if [ "$(wc -l <"$tmp/out")" -eq 102 ]; then ok "100 bars: 102 lines"; else
    not_ok "100 bars: $(wc -l <"$tmp/out") lines, expected 102"; fi
head -n 2 "$tmp/out" >"$tmp/top"
printf '%s\n' 'n' 'k0  ██████████████████████████████████ 1' >"$tmp/want"
if cmp -s "$tmp/want" "$tmp/top"; then ok "100 bars: first bar"; else
    not_ok "100 bars: first bar"; diff -u "$tmp/want" "$tmp/top" | show /dev/stdin; fi
if tail -n 1 "$tmp/out" | grep -qxF '… and 5 more (a bar chart shows at most 100 bars)'; then
    ok "100 bars: note"
else
    not_ok "100 bars: note"
    tail -n 2 "$tmp/out" | show /dev/stdin
fi

# labels are escaped as the table escapes cells (issue 12: they were '?', measured as zero
# columns): "x\x1by" is 6 columns wide, invalid UTF-8 one U+FFFD; 40 - 7 - 1 - 1 = 31
# columns of bar: 2 -> 31 full blocks, 1 -> 124 eighths = 15 full blocks and ▌
printf '%s\n' '{"k":"x\u001by"}' '{"k":"x\u001by"}' >"$tmp/ctl.log"
printf '{"k":"e\377f"}\n' >>"$tmp/ctl.log"
COLUMNS=40 run --chart 'stats count(*) as n by k | sort n desc' "$tmp/ctl.log"
want 'n' \
    'x\x1by ███████████████████████████████ 2' \
    'e�f    ███████████████▌ 1'
expect_out "bars: control characters and invalid UTF-8 in labels"

finish
