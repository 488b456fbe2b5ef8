#!/bin/sh
# exit_registry.sh -- CLI test: one registry of exit codes (cli/exit_codes.def, issue 11)
#
# The codes and their meanings in cli/exit_codes.def must be exactly the codes `liq --help`
# prints, the rows of the README's exit-code table and the entries of the EXIT STATUS section
# of docs/liq.1, so the four cannot drift apart.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-exit-registry.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
. "$SRCDIR/tests/cli/out_lib.sh"

# the registry: "CODE<TAB>meaning" lines, string pieces joined as C joins them
awk '
    /^EXIT_CODE\(/ { buf = ""; collecting = 1 }
    collecting { buf = buf $0 }
    collecting && /\)[ \t]*$/ {
        collecting = 0
        code = buf; sub(/^EXIT_CODE\([A-Z_]+,[ \t]*/, "", code); sub(/,.*/, "", code)
        m = buf; sub(/^[^"]*"/, "", m); sub(/"[ \t]*\)[ \t]*$/, "", m); gsub(/"[ \t]*"/, "", m)
        print code "\t" m
    }' "$SRCDIR/cli/exit_codes.def" >"$tmp/reg"
if [ "$(wc -l <"$tmp/reg")" -ge 5 ] && grep -q "^5	stopped at the memory limit" "$tmp/reg"; then
    ok "registry read: $(cut -f1 "$tmp/reg" | tr '\n' ' ')"
else
    not_ok "registry: expected at least 5 codes with 5 = memory limit"; show "$tmp/reg"
fi

# --help: "  CODE  meaning" paragraphs after "Exit codes:", meanings folded
"$LIQ" --help >"$tmp/help" 2>&1
awk '/^Exit codes:/ { on = 1; next } on && /^$/ { exit }
     on && /^  [0-9]/ { if (line != "") print line; sub(/^  /, ""); c = $1; sub(/^[0-9]+ +/, "");
                        line = c "\t" $0; next }
     on { sub(/^ +/, ""); line = line " " $0 }
     END { if (line != "") print line }' "$tmp/help" >"$tmp/help.reg"
if cmp -s "$tmp/reg" "$tmp/help.reg"; then ok "--help prints the registry"; else
    not_ok "--help differs from cli/exit_codes.def"; diff "$tmp/reg" "$tmp/help.reg" | show /dev/stdin; fi

# README: the table under "### Exit codes"
awk '/^### Exit codes/ { on = 1; next } on && /^##/ { exit }
     on && /^\| [0-9]+ \|/ { sub(/^\| /, ""); sub(/ \|$/, ""); c = $1; sub(/^[0-9]+ \| /, ""); print c "\t" $0 }' \
    "$SRCDIR/README.md" >"$tmp/readme.reg"
if cmp -s "$tmp/reg" "$tmp/readme.reg"; then ok "README table is the registry"; else
    not_ok "README exit-code table differs from cli/exit_codes.def"; diff "$tmp/reg" "$tmp/readme.reg" | show /dev/stdin; fi

# liq(1): ".TP / .B CODE / Meaning." (first letter upper case, a period); more may follow
awk '/^\.SH EXIT STATUS/ { on = 1; next } on && /^\.SH/ { exit }
     on && prev == ".TP" && /^\.B [0-9]+$/ { c = $2; getline; m = $0; sub(/\.$/, "", m);
                                            print c "\t" tolower(substr(m, 1, 1)) substr(m, 2) }
     { prev = $0 }' "$SRCDIR/docs/liq.1" >"$tmp/man.reg"
if cmp -s "$tmp/reg" "$tmp/man.reg"; then ok "liq(1) EXIT STATUS is the registry"; else
    not_ok "liq(1) EXIT STATUS differs from cli/exit_codes.def"; diff "$tmp/reg" "$tmp/man.reg" | show /dev/stdin; fi

# base/mem.h's MEM_EXIT, the code of a refused allocation, is the registry's MEMORY (issue 15)
mem=$(sed -n 's/^#define MEM_EXIT \([0-9]*\)$/\1/p' "$SRCDIR/base/mem.h")
reg=$(sed -n 's/^EXIT_CODE(MEMORY, \([0-9]*\),.*/\1/p' "$SRCDIR/cli/exit_codes.def")
if [ -n "$mem" ] && [ "$mem" = "$reg" ]; then ok "MEM_EXIT is the registry's MEMORY ($reg)"; else
    not_ok "base/mem.h MEM_EXIT ($mem) differs from cli/exit_codes.def MEMORY ($reg)"; fi

finish
