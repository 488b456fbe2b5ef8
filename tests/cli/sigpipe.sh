#!/bin/sh
# sigpipe.sh -- CLI test: output piped into a reader that goes away (liq ... | head)
#
# Rows stream in input order with no cap (L1), so 'liq ... big | head -1' must print the first
# row at once and then stop quietly: exit 0 or 141 (killed by SIGPIPE), nothing on stderr, and
# no hang on an endless input. Inputs are generated with awk, big enough (tens of MB of output)
# that liq is still writing when head exits. Every run is guarded by timeout.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 timeout or awk missing.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
for tool in timeout awk head yes; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "sigpipe: $tool not found, skipped"
        exit 77
    fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-cli-sigpipe.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# ===== helpers =====
n=0
failures=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n - $1"; }
show() { sed 's/^/  | /' "$1"; }

# piped DESC EXPECTED_FIRST_LINE HEAD_ARGS -- LIQ_ARGS...: runs liq LIQ_ARGS | head HEAD_ARGS
# under timeout; checks liq's exit status (0 or 141), its empty stderr and head's output.
piped() {
    desc=$1
    first=$2
    hargs=$3
    shift 4
    { timeout 60 "$LIQ" "$@" </dev/null 2>"$tmp/err"; echo $? >"$tmp/rc"; } | head $hargs >"$tmp/head"
    rc=$(cat "$tmp/rc")
    case $rc in
    0 | 141) ok "$desc: exit $rc" ;;
    124) not_ok "$desc: timed out (liq kept running after head exited)" ;;
    *) not_ok "$desc: exit $rc, expected 0 or 141" ;;
    esac
    if [ -s "$tmp/err" ]; then
        not_ok "$desc: stderr not empty"
        show "$tmp/err"
    else
        ok "$desc: stderr empty"
    fi
    if [ "$(cat "$tmp/head")" = "$first" ]; then
        ok "$desc: first line"
    else
        not_ok "$desc: head printed '$(head -c 200 "$tmp/head")', expected '$first'"
    fi
}

# ~40 MB of text lines, ~16 MB of JSON lines
awk 'BEGIN { for (i = 0; i < 600000; i++) printf "line %07d with some padding to make the row longer than usual, x=%d\n", i, i % 97 }' \
    >"$tmp/big.log"
awk 'BEGIN { for (i = 0; i < 300000; i++) printf "{\"i\":%d,\"msg\":\"message number %d\"}\n", i, i }' \
    >"$tmp/big.json"

first_text='line 0000000 with some padding to make the row longer than usual, x=0'

piped "text, head -1" "$first_text" "-n 1" -- --no-header 'fields @message' "$tmp/big.log"
piped "text, 1 thread" "$first_text" "-n 1" -- --threads 1 --no-header 'fields @message' \
    "$tmp/big.log"
piped "text, 4 threads" "$first_text" "-n 1" -- --threads 4 --no-header 'fields @message' \
    "$tmp/big.log"
piped "header first" "@message" "-n 1" -- 'fields @message' "$tmp/big.log"
piped "csv" "0,message number 0" "-n 1" -- --format csv --no-header 'fields i, msg' "$tmp/big.json"
piped "ndjson" '{"i":0}' "-n 1" -- --format ndjson 'fields i' "$tmp/big.json"
piped "filter" "1000" "-n 1" -- --no-header 'filter i >= 1000 | fields i' "$tmp/big.json"
piped "head -c" "line 0" "-c 6" -- --no-header 'fields @message' "$tmp/big.log"
piped "sorted output" "299999" "-n 1" -- --no-header 'fields i | sort i desc' "$tmp/big.json"

# an endless input on stdin: liq must stop once head is gone
{ yes 'endless line' | timeout 60 "$LIQ" --no-header 'fields @message' 2>"$tmp/err"; echo $? >"$tmp/rc"; } |
    head -n 1 >"$tmp/head"
rc=$(cat "$tmp/rc")
case $rc in
0 | 141) ok "endless stdin: exit $rc" ;;
124) not_ok "endless stdin: timed out" ;;
*) not_ok "endless stdin: exit $rc" ;;
esac
if [ -s "$tmp/err" ]; then not_ok "endless stdin: stderr not empty"; show "$tmp/err"; else
    ok "endless stdin: stderr empty"; fi
if [ "$(cat "$tmp/head")" = "endless line" ]; then ok "endless stdin: first line"; else
    not_ok "endless stdin: first line '$(cat "$tmp/head")'"; fi

echo "$n checks, $failures failed"
[ "$failures" -eq 0 ]
