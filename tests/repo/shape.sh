#!/bin/sh
# shape.sh -- make check: the architecture holds (tests/repo/shape.py, docs/architecture.md):
# no include cycles, rooms include only rooms below them, cli/ sees only liq.h and base/, the
# AST stays in the front end and planning, libliq has no writable globals (issue 12).
# Run from the build directory (make check); SRCDIR = the source tree.
set -u
: "${SRCDIR:?set SRCDIR to the source tree}"
lib=.libs/libliq.a
[ -f "$lib" ] || { echo "shape.sh: $lib not built" >&2; exit 99; }
exec python3 "$SRCDIR/tests/repo/shape.py" "$SRCDIR" "$lib"
