#!/bin/sh
# jsontestsuite.sh -- liq over JSONTestSuite's test_parsing/ files (tests/jsontestsuite/, issue
# 15): every y_ object gives its fields, every n_ file is read as text (its lines are its
# records, no field invented), no file crashes, hangs or makes a sanitizer speak, and each file
# does what the table of docs/jsontestsuite.md says. The work is tests/inputs/jsontestsuite.py's.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed (each check prints an ok/not ok line).
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
exec /usr/bin/python3 "$SRCDIR/tests/inputs/jsontestsuite.py" "$LIQ" \
    "$SRCDIR/tests/jsontestsuite/test_parsing" "$SRCDIR/docs/jsontestsuite.md"
