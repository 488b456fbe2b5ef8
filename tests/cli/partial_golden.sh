#!/bin/sh
# partial_golden.sh -- the partial-results property over every golden query (issue 16)
#
# tests/golden_partial cuts the input of every golden case that reads input into 1, 2 and 7
# files at line boundaries, runs liq --partial on each part, --merge on the partials in a
# shuffled order, and compares stdout and the exit code with one liq run over the same files
# (see its header). The queries --partial refuses are listed below, each with the reason;
# the test fails when a query is refused that the list does not name, and when a listed one
# is no longer refused (the list stays exact).
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 the property held for every case and the refusals are the listed ones, 1 otherwise.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-partial-golden.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# FILE (under tests/golden) <TAB> the query's first line <TAB> why --partial refuses it
cat > "$tmp/expected" <<'LIST'
docs/commands2025.test	fields svc	appendcols runs its subquery over every input before the rows
lang/commands2025.test	appendcols (stats count(*) as n)	appendcols runs its subquery over every input before the rows
lang/commands2025.test	fields @timestamp, queryStartTime() as s, queryEndTime() as e, queryTimeRange() as r	queryStartTime() and the like read every input first
lang/commands2025.test	fields k, v	appendcols runs its subquery over every input before the rows
lang/commands2025.test	fields k, v	appendcols runs its subquery over every input before the rows
lang/commands2025.test	filter @timestamp >= queryEndTime() - 60000 | fields @timestamp, queryStartTime() as s	queryStartTime() and the like read every input first
lang/commands2025.test	stats count(*) as n by k	appendcols runs its subquery over every input before the rows
lang/commands2025.test	stats count(*) as n, queryStartTime() as s, queryTimeRange() as r,	queryStartTime() and the like read every input first
LIST

cd "$SRCDIR" || exit 1
# every golden file, found rather than listed (a new one is covered without an edit here);
# those of tests/golden/files name their data as @DATA@ and @HOME@ (as golden_files.sh runs
# them)
mkdir "$tmp/files" "$tmp/home" "$tmp/parts"
HOME=$tmp/home
unset XDG_CONFIG_HOME
export HOME
files=$(find tests/golden -name '*.test' ! -path 'tests/golden/files/*' | sort)
for t in tests/golden/files/*.test; do
    sed -e "s|@DATA@|$SRCDIR/tests/golden/files/data|g" -e "s|@HOME@|$HOME|g" "$t" \
        > "$tmp/files/$(basename "$t")"
    files="$files $tmp/files/$(basename "$t")"
done
# shellcheck disable=SC2086
"$(dirname "$LIQ")/tests/golden_partial" --srcdir "$SRCDIR" --tmp "$tmp/parts" $files \
    > "$tmp/out"
rc=$?
grep '^REFUSED ' "$tmp/out" | sed -e 's/^REFUSED //' -e 's|^tests/golden/||' \
    -e "s|^$tmp/files/|files/|" | sort > "$tmp/refused"
cut -f1,2 "$tmp/expected" | sort > "$tmp/listed"
fail=0
if [ $rc -ne 0 ]; then
    echo "not ok - merged partials give the bytes of one run for every golden query"
    fail=1
else
    echo "ok - merged partials give the bytes of one run for every golden query"
fi
if ! cmp -s "$tmp/refused" "$tmp/listed"; then
    echo "not ok - the queries --partial refuses are the listed ones"
    echo "  refused but not listed (add them with the reason, or make them split):"
    comm -23 "$tmp/refused" "$tmp/listed" | sed 's/^/    /'
    echo "  listed but no longer refused (remove them):"
    comm -13 "$tmp/refused" "$tmp/listed" | sed 's/^/    /'
    fail=1
else
    echo "ok - the queries --partial refuses are the listed ones ($(wc -l < "$tmp/listed"))"
fi
exit $fail
