#!/bin/sh
# hints.sh -- CLI test: mistakes on the command line get a hint that names the fix (issue 14)
#
# A misspelt long option ('--fromat') is exit 2 with the closest option as a did-you-mean (the
# query errors do the same for functions and commands); an option nothing is close to keeps the
# pointer to --help. 'liq FILE QUERY' (an existing file first, then something that is no file)
# is exit 2 saying that the query comes first, with the command line the other way round,
# before any input is read.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed (each check prints an ok/not ok line).
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-hints.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# ===== helpers =====
. "$SRCDIR/tests/cli/out_lib.sh"

# expect_err LINE...: stderr is exactly these lines
expect_err() {
    printf '%s\n' "$@" >"$tmp/want"
    if cmp -s "$tmp/want" "$tmp/err"; then ok "$desc: stderr"; else
        not_ok "$desc: stderr differs"; diff -u "$tmp/want" "$tmp/err" | show /dev/stdin; fi
}

printf '{"a":1}\n' >"$tmp/app.log"

# ===== long options: did you mean =====
desc="--fromat"
run --fromat csv 'fields a' "$tmp/app.log"
expect_rc 2 "$desc"
expect_out_empty "$desc"
expect_err "liq: error: unknown option '--fromat'" "  hint: did you mean '--format'?"

desc="--fromat=csv"
run --fromat=csv 'fields a' "$tmp/app.log"
expect_rc 2 "$desc"
expect_err "liq: error: unknown option '--fromat'" "  hint: did you mean '--format'?"

desc="--treads"
run --treads 2 'fields a' "$tmp/app.log"
expect_rc 2 "$desc"
expect_err "liq: error: unknown option '--treads'" "  hint: did you mean '--threads'?"

desc="--no-heder"
run --no-heder 'fields a' "$tmp/app.log"
expect_rc 2 "$desc"
expect_err "liq: error: unknown option '--no-heder'" "  hint: did you mean '--no-header'?"

desc="an option nothing is close to"
run --frobnicate 'fields a' "$tmp/app.log"
expect_rc 2 "$desc"
expect_err "liq: error: unknown option '--frobnicate'" "  hint: 'liq --help' lists the options"

# ===== the query comes first =====
desc="liq FILE QUERY"
run "$tmp/app.log" 'fields a'
expect_rc 2 "$desc"
expect_out_empty "$desc"
expect_err "liq: error: '$tmp/app.log' is an input, not a query: the query comes first" \
    "  hint: liq 'fields a' $tmp/app.log"

desc="liq FILE QUERY, the query with a quote"
run "$tmp/app.log" "filter a = 'x'"
expect_rc 2 "$desc"
expect_err "liq: error: '$tmp/app.log' is an input, not a query: the query comes first" \
    "  hint: liq QUERY $tmp/app.log"

# the right order runs
desc="liq QUERY FILE"
run --format csv 'fields a' "$tmp/app.log"
expect_rc 0 "$desc"
want a 1
expect_out "$desc"

finish
