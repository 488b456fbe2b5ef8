#!/bin/sh
# out_docs.sh -- CLI test: --help, the man page and the bash completion agree with the options
#
# --help is grouped (Query, Output, Input) with examples and exit codes; every long option it
# lists appears in docs/liq.1 and in docs/bash-completion/liq; the man page renders with groff
# without warnings; the completion script is valid bash and completes options, --format
# values and saved query names.
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

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-out-docs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# ===== helpers =====
. "$SRCDIR/tests/cli/out_lib.sh"

man1=$SRCDIR/docs/liq.1
comp=$SRCDIR/docs/bash-completion/liq

# ===== --help =====
run --help
expect_rc 0 "--help"
expect_err_empty "--help"
for heading in 'Query:' 'Output:' 'Input:' 'Examples:' 'Exit codes:'; do
    if grep -qx "$heading" "$tmp/out" || grep -q "^$heading" "$tmp/out"; then
        ok "--help: section '$heading'"
    else
        not_ok "--help: no section '$heading'"
    fi
done
if [ "$(grep -c '^  liq ' "$tmp/out")" -ge 5 ]; then ok "--help: examples"; else
    not_ok "--help: fewer than 5 examples"; fi
if [ "$(awk 'length > 100' "$tmp/out" | wc -l)" -eq 0 ]; then ok "--help: lines fit 100 columns"
else not_ok "--help: lines wider than 100 columns"; fi

# every long option of --help, in the man page and the completion
grep -o -- '--[a-z][a-z-]*' "$tmp/out" | sort -u >"$tmp/opts"
for opt in $(cat "$tmp/opts"); do
    esc=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
    if grep -q -- "$esc" "$man1"; then ok "man page documents $opt"; else
        not_ok "man page lacks $opt"; fi
    if grep -q -- "$opt" "$comp"; then ok "completion offers $opt"; else
        not_ok "completion lacks $opt"; fi
done

# ===== --version =====
run --version
expect_rc 0 "--version"
for lib in pcre2 APR APR-util zlib zstd ISA-L; do
    expect_out_has "$lib " "--version: library versions"
done

# ===== the man page renders cleanly =====
if command -v groff >/dev/null 2>&1; then
    if LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$man1" >"$tmp/groff" 2>&1 && [ ! -s "$tmp/groff" ]
    then
        ok "groff: no warnings"
    else
        not_ok "groff warns"
        show "$tmp/groff"
    fi
else
    echo "ok - groff: skipped (not installed)"
fi

# ===== bash completion =====
if command -v bash >/dev/null 2>&1; then
    if bash -n "$comp" 2>"$tmp/err"; then ok "completion: bash syntax"; else
        not_ok "completion: bash syntax"
        show "$tmp/err"
    fi
    mkdir -p "$tmp/xdg/liq/queries"
    : >"$tmp/xdg/liq/queries/errors.liq"
    : >"$tmp/xdg/liq/queries/slow-requests.liq"
    # complete WORDS...: the candidates for the last word, sorted, one per line
    complete_words() {
        XDG_CONFIG_HOME=$tmp/xdg bash -c '
            compopt() { :; }
            . "$1"; shift
            COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
            COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
            _liq liq "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
            printf "%s\n" "${COMPREPLY[@]}" | sort' bash "$comp" "$@" >"$tmp/out" 2>"$tmp/err"
    }
    complete_words liq --form
    want '--format'
    expect_out "completion: --form"
    complete_words liq --format ''
    want csv json ndjson table tsv
    expect_out "completion: --format values"
    complete_words liq @
    want '@errors' '@slow-requests'
    expect_out "completion: saved queries"
    complete_words liq --chart 'stats count(*) by bin(5m)' "$SRCDIR/docs/liq."
    want "$SRCDIR/docs/liq.1"
    expect_out "completion: inputs after the query"
else
    echo "ok - completion: skipped (no bash)"
fi

finish
