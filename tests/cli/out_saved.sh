#!/bin/sh
# out_saved.sh -- CLI test: saved queries (liq @name, liq --saved) with a temporary config
#
# 'liq @name' runs $XDG_CONFIG_HOME/liq/queries/name.liq when XDG_CONFIG_HOME is an absolute
# path, else ~/.config/liq/queries/name.liq; 'liq --saved' lists the names sorted, each with
# the query's first '#' comment line, or else its first line (tabs as spaces). A missing
# saved query is exit 2 with a hint; --var applies to saved queries as to any other.
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

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-out-saved.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# ===== helpers =====
. "$SRCDIR/tests/cli/out_lib.sh"

printf '%s\n' '{"id":1,"level":"error"}' '{"id":2,"level":"info"}' '{"id":3,"level":"error"}' \
    >"$tmp/in.log"
HOME=$tmp/home
XDG_CONFIG_HOME=$tmp/xdg
export HOME XDG_CONFIG_HOME
qx=$tmp/xdg/liq/queries
qh=$tmp/home/.config/liq/queries
mkdir -p "$qx" "$qh"
printf '# errors per level\nfilter level = "error"\n| stats count(*) as n by level\n' \
    >"$qx/errors.liq"
printf '\n  fields id | sort id desc\t| limit 2\n' >"$qx/top-ids.liq"
printf 'filter level = $lvl | fields id\n' >"$qx/by_level.v2.liq"
printf 'fields id\n' >"$qx/.hidden.liq"
printf 'fields id\n' >"$qx/not-a-query.txt"
printf '# from HOME\nfields level | limit 1\n' >"$qh/home.liq"

# ===== running one =====
run --format csv @errors "$tmp/in.log"
expect_rc 0 "@errors"
want 'level,n' 'error,2'
expect_out "@errors"
expect_err_empty "@errors"

run --format csv --var lvl=info @by_level.v2 "$tmp/in.log"
want 'id' '2'
expect_out "@name with --var"

# options after the name, and the input as stdin
"$LIQ" @top-ids --format csv <"$tmp/in.log" >"$tmp/out" 2>"$tmp/err"
rc=$?
expect_rc 0 "@name, stdin"
want 'id' '3' '2'
expect_out "@name, stdin"

# ===== listing =====
run --saved
expect_rc 0 "--saved"
want '@by_level.v2  filter level = $lvl | fields id' \
    '@errors       errors per level' \
    '@top-ids      fields id | sort id desc | limit 2'
expect_out "--saved"
expect_err_empty "--saved"

# ===== XDG_CONFIG_HOME unset or relative: ~/.config =====
(unset XDG_CONFIG_HOME; "$LIQ" --format csv @home "$tmp/in.log") >"$tmp/out" 2>"$tmp/err"
want 'level' 'error'
expect_out "no XDG_CONFIG_HOME: ~/.config/liq/queries"
XDG_CONFIG_HOME=relative/dir "$LIQ" --saved >"$tmp/out" 2>"$tmp/err"
want '@home  from HOME'
expect_out "a relative XDG_CONFIG_HOME is ignored"

# ===== errors =====
run --format csv @missing "$tmp/in.log"
expect_rc 2 "@missing"
expect_out_empty "@missing"
expect_err_has "liq: error: no saved query 'missing' ($qx/missing.liq: No such file or directory)" \
    "@missing"
expect_err_has "hint: 'liq --saved' lists the saved queries" "@missing"

# not a saved-query name: the argument is a query, and a bad one
run --format csv '@a/b' "$tmp/in.log"
expect_rc 2 "@a/b is not a name"
expect_err_has "liq: error at 1:1:" "@a/b is not a name"

# an error inside a saved query points into its text
printf '# broken\nfields id\n| stats cuont(*)\n' >"$qx/broken.liq"
run --format csv @broken "$tmp/in.log"
expect_rc 2 "error in a saved query"
expect_err_has "liq: error at 3:9: unknown function 'cuont'" "error in a saved query"

rm -rf "$tmp/xdg"
run --saved
expect_rc 0 "--saved without the directory"
expect_out_empty "--saved without the directory"
expect_err_has "liq: no saved queries: $qx does not exist" "--saved without the directory"

finish
