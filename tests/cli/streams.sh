#!/bin/sh
# streams.sh -- CLI test: stdout carries only results, stderr only diagnostics (style B1 rule 3)
#
# The default format is TSV with a header row when stdout is not a terminal (a table on a
# terminal, checked through script(1) when it is installed); --no-header drops the header;
# --version, --help and --list-functions print to stdout; --explain prints the plan and exits 0
# without opening any input (a FIFO with no writer would hang, a missing file would be exit 3);
# --stats adds one line to stderr and changes nothing on stdout; warnings go to stderr.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed (each check prints an ok/not ok line).
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-cli-streams.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# ===== helpers =====
. "$SRCDIR/tests/cli/out_lib.sh"

# ===== inputs =====
printf '{"a":1,"b":"x y"}\n{"a":2,"b":"t\\tab"}\n' >"$tmp/in.log"

# ===== default format: TSV with a header when stdout is not a terminal =====
run 'fields a, b' "$tmp/in.log"
expect_rc 0 "default format"
printf 'a\tb\n1\tx y\n2\tt\\tab\n' >"$tmp/want"
expect_out "default format is tsv with a header"
expect_err_empty "default format"

run --no-header 'fields a, b' "$tmp/in.log"
printf '1\tx y\n2\tt\\tab\n' >"$tmp/want"
expect_out "--no-header"
expect_err_empty "--no-header"

run --no-header --format csv 'fields a' "$tmp/in.log"
want '1' '2'
expect_out "--no-header with csv"

run --format ndjson 'fields a, b' "$tmp/in.log"
want '{"a":1,"b":"x y"}' '{"a":2,"b":"t\tab"}'
expect_out "ndjson"
expect_err_empty "ndjson"

# table: rows on stdout, the row count on stderr
run --format table 'fields a' "$tmp/in.log"
expect_rc 0 "table"
want 'a' '-' '1' '2'
expect_out "table"
expect_err_has "2 rows" "table"

# on a terminal: a table (script(1) gives liq a pseudo-terminal; CR LF line ends there)
if command -v script >/dev/null 2>&1 && command -v timeout >/dev/null 2>&1; then
    timeout 20 script -qec "\"$LIQ\" 'fields a' \"$tmp/in.log\"" /dev/null \
        </dev/null >"$tmp/tty.raw" 2>/dev/null
    # stderr shares the terminal: compare the table's lines only, then look for the row count
    tr -d '\r' <"$tmp/tty.raw" | head -n 4 >"$tmp/out"
    want 'a' '-' '1' '2'
    expect_out "default format on a terminal is a table"
    if tr -d '\r' <"$tmp/tty.raw" | grep -qx '2 rows'; then ok "terminal: row count shown"; else
        not_ok "terminal: no '2 rows' line"; show "$tmp/tty.raw"; fi
else
    echo "ok - default format on a terminal: skipped (script or timeout missing)"
fi

# ===== --version, --help, --list-functions: stdout only =====
run --version
expect_rc 0 "--version"
if head -n 1 "$tmp/out" | grep -qE '^liq [0-9]+\.[0-9]+\.[0-9]+$'; then
    ok "--version: first line 'liq X.Y.Z'"
else
    not_ok "--version: first line"
    show "$tmp/out"
fi
expect_out_has "pcre2" "--version"
expect_err_empty "--version"

run --help
expect_rc 0 "--help"
expect_out_has "usage: liq [OPTIONS] QUERY [INPUT...]" "--help"
expect_out_has "  2   usage or query error: nothing ran" "--help"
expect_out_has "--no-header" "--help"
expect_err_empty "--help"

run --list-functions
expect_rc 0 "--list-functions"
for fn in count sum avg min max concat strlen; do
    if grep -qE "^$fn " "$tmp/out"; then ok "--list-functions lists $fn"; else
        not_ok "--list-functions lacks $fn"; fi
done
expect_err_empty "--list-functions"
if grep -qE '^function +kind +usage +description' "$tmp/out"; then
    ok "--list-functions: header row"
else
    not_ok "--list-functions: header row"
fi

# ===== --explain: a plan, exit 0, no input opened =====
run --explain 'filter a > 1 | fields a' "$tmp/no-such-file.log"
expect_rc 0 "--explain with a missing input"
expect_out_has "filter" "--explain"
expect_err_empty "--explain with a missing input"

if command -v mkfifo >/dev/null 2>&1 && command -v timeout >/dev/null 2>&1; then
    mkfifo "$tmp/nowriter"
    timeout 20 "$LIQ" --explain 'fields a' "$tmp/nowriter" </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
    expect_rc 0 "--explain does not open a FIFO with no writer"
    # and with stdin (no input argument) a FIFO whose writer stays open and silent
    mkfifo "$tmp/held"
    sleep 60 >"$tmp/held" &
    holder=$!
    timeout 20 "$LIQ" --explain 'fields a' <"$tmp/held" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    kill "$holder" 2>/dev/null
    wait "$holder" 2>/dev/null
    expect_rc 0 "--explain does not read stdin"
else
    echo "ok - --explain and FIFOs: skipped (mkfifo or timeout missing)"
fi

run --explain 'fields a,'
expect_rc 2 "--explain of a bad query"
expect_out_empty "--explain of a bad query"

# ===== --stats: one line on stderr, stdout unchanged =====
run --format csv 'fields a' "$tmp/in.log"
cp "$tmp/out" "$tmp/plain.out"
run --stats --format csv 'fields a' "$tmp/in.log"
expect_rc 0 "--stats"
cp "$tmp/plain.out" "$tmp/want"
expect_out "--stats leaves stdout alone"
expect_err_has "liq: stats: 2 records scanned" "--stats"
if [ "$(wc -l <"$tmp/err")" -eq 1 ]; then ok "--stats: one stderr line"; else
    not_ok "--stats: $(wc -l <"$tmp/err") stderr lines"; show "$tmp/err"; fi

# ===== warnings: stderr, results still on stdout, exit 0 =====
run --format csv 'stats count(*) as n by bin(300s)' "$tmp/in.log"
expect_rc 0 "warning"
expect_err_has "liq: warning at 1:" "warning"
if grep -q 'liq:' "$tmp/out"; then not_ok "warning leaked to stdout"; else
    ok "warning: nothing on stdout but results"; fi
expect_out_has "n" "warning"

# ===== errors: stderr only =====
run --format csv 'fields a' "$tmp/in.log" "$tmp/missing.log"
expect_rc 3 "missing input"
want 'a' '1' '2'
expect_out "missing input: stdout holds only the results"
expect_err_has "missing.log" "missing input"

run 'filter a = ' "$tmp/in.log"
expect_rc 2 "query error"
expect_out_empty "query error"
expect_err_has "liq: error at 1:" "query error"


# diagnostics quote file names (and S3 keys, and what servers answer): an escape sequence in
# one reaches stderr as text (\x1b), never as a control byte that drives the terminal
bad=$(printf '%s/no\033]0;pwned\007such' "$tmp")
"$LIQ" 'fields @message' "$bad" </dev/null >"$tmp/out" 2>"$tmp/err"
if tr -d '\n' <"$tmp/err" | LC_ALL=C grep -q "$(printf '[\001-\037]')"; then
    not_ok "a control byte of a file name reached stderr"; od -c "$tmp/err" | head -5 | show /dev/stdin
else ok "a file name's control bytes are escaped on stderr"; fi
if grep -qF 'no\x1b]0;pwned\x07such' "$tmp/err"; then ok "the escaped name is shown"; else
    not_ok "the escaped name is not shown"; show "$tmp/err"; fi

finish
