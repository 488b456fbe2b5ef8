#!/bin/sh
# subquery_fail.sh -- CLI test: a subquery or join whose set is not whole stops the query
#
# The values of 'filter f in (SOURCE ...)' and the right side of a join come from runs over the
# inputs before the query's own (engine/run.c). When such a run cannot give all its rows, the
# query must not filter or join by what it got: before, a subquery whose dedup passed
# --memory-limit left an empty set and the query printed count 0 with exit 0, and over standard
# input (read by the subquery, gone for the query) it printed nothing with exit 0. Now the
# first stops with the subquery's error and exit 5 (its table past the limit: dedup spills), the second with exit 2 and the fix (save
# the input to a file). Whole sets still work, from files and at every thread count.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-cli-subqfail.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

. "$SRCDIR/tests/cli/out_lib.sh"

# 50000 records with distinct keys; every third is marked
awk 'BEGIN { for (i = 1; i <= 50000; i++) printf "{\"k\":\"key%d\",\"d\":%d}\n", i, i % 3 == 0 }' \
    >"$tmp/app.log"
q='SOURCE "app" | filter k in (SOURCE "app" | filter d = 1 | dedup k | fields k) | stats count(*) as n'

for t in 1 2 4; do
    run --threads "$t" --log-group app="$tmp/app.log" "$q"
    expect_rc 0 "whole set, $t threads"
    want n 16666
    expect_out "whole set, $t threads"
done

# the subquery's table needs more than the limit: the set is cut, the query must stop
run --memory-limit 1M --log-group app="$tmp/app.log" "$q"
expect_rc 5 "subquery past --memory-limit"
expect_err_has "subquery needs more than the memory limit" "subquery past --memory-limit"
if grep -q '^[0-9]' "$tmp/out"; then not_ok "subquery past --memory-limit: a count was written"; show "$tmp/out"; else
    ok "subquery past --memory-limit: no count written"; fi

# a join's right side likewise
j='SOURCE "app" | join type=inner left=a right=b where a.k = b.k (SOURCE "app" | dedup k | fields k) | stats count(*) as n'
run --memory-limit 1M --log-group app="$tmp/app.log" "$j"
expect_rc 5 "join side past --memory-limit"

# standard input is read once: the subquery would take it all and the query read nothing
run_in "$tmp/app.log" --log-group app=- "$q"
expect_rc 2 "subquery over standard input"
expect_err_has "standard input can be read only once: save it to a file" "subquery over standard input"
if grep -q '^[0-9]' "$tmp/out"; then not_ok "subquery over standard input: a count was written"; show "$tmp/out"; else
    ok "subquery over standard input: no count written"; fi
# plain inputs (no --log-group): the same rule
run_in "$tmp/app.log" 'filter k in (SOURCE "app" | fields k) | stats count(*)' -
expect_rc 2 "subquery over standard input, plain input"

finish
