#!/bin/sh
# out_querydefs.sh -- CLI test: liq -f FILE.json runs a saved query as `aws logs
# describe-query-definitions` exports it (issue 13): its queryString with its parameters'
# defaultValues, --var overriding them; several definitions are chosen by --query-name (else an
# error listing them); a parameter with neither a default nor a --var is a caret error naming it.
# Each run is checked at 1 and 4 threads and with 1-row batches.
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

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-out-qdefs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# ===== helpers =====
. "$SRCDIR/tests/cli/out_lib.sh"
# every configuration must give the same stdout, stderr and exit code
runall() {
    run --threads 1 "$@"
    cp "$tmp/out" "$tmp/out1"; cp "$tmp/err" "$tmp/err1"; rc1=$rc
    for cfg in "--threads 4" "--threads 3 --debug-batch-rows 1"; do
        # shellcheck disable=SC2086
        run $cfg "$@"
        if [ "$rc" != "$rc1" ] || ! cmp -s "$tmp/out" "$tmp/out1" || ! cmp -s "$tmp/err" "$tmp/err1"; then
            not_ok "same result with $cfg: $*"
        fi
    done
}

# ===== input and exports =====
{
    printf '%s\n' '{"user":"ann","errorCode":"AccessDenied","n":1}'
    printf '%s\n' '{"user":"ann","errorCode":"AccessDenied","n":2}'
    printf '%s\n' '{"user":"bob","errorCode":"AccessDenied","n":3}'
    printf '%s\n' '{"user":"ann","errorCode":"","n":4}'
    printf '%s\n' '{"user":"bob","errorCode":"","n":5}'
} >"$tmp/in.log"
# the shape of `aws logs describe-query-definitions` output
cat >"$tmp/defs.json" <<'EOF'
{
    "queryDefinitions": [
        {
            "queryLanguage": "CWLI",
            "queryDefinitionId": "0b2c7a4e-1111-4c3d-9e8f-000000000001",
            "name": "Security/Denied",
            "queryString": "filter errorCode = \"AccessDenied\"\n| stats count(*) as denied by user\n| filter denied >= {{minDenied}}\n| sort user",
            "lastModified": 1767225600000,
            "logGroupNames": ["/demo/security/api-activity"],
            "parameters": [
                {"name": "minDenied", "defaultValue": "2", "description": "denials to flag"}
            ]
        },
        {
            "name": "Security/ByUser",
            "queryString": "filter user = '{{principal}}' | fields n",
            "parameters": [{"name": "principal", "description": "no default"}]
        }
    ]
}
EOF
# one definition as an object (put-query-definition's input shape)
cat >"$tmp/one.json" <<'EOF'
{"name": "Denied", "queryString": "filter errorCode = \"AccessDenied\" | stats count(*) as denied by user | filter denied >= {{minDenied}} | sort user", "parameters": [{"name": "minDenied", "defaultValue": "2"}]}
EOF

# ===== defaults, --var overrides =====
runall --format csv -f "$tmp/defs.json" --query-name Security/Denied "$tmp/in.log"
expect_rc 0 "a definition by name runs with its default"
want 'user,denied' 'ann,2'
expect_out "the default minDenied=2"
expect_err_empty "the default minDenied=2"

runall --format csv -f "$tmp/defs.json" --query-name Security/Denied --var minDenied=1 "$tmp/in.log"
want 'user,denied' 'ann,2' 'bob,1'
expect_out "--var overrides the default"

runall --format csv -f "$tmp/one.json" "$tmp/in.log"
want 'user,denied' 'ann,2'
expect_out "one definition object runs without --query-name"

runall --format csv -f "$tmp/defs.json" --query-name Security/ByUser --var principal=bob "$tmp/in.log"
want 'n' '3' '5'
expect_out "a parameter without default, given by --var"

# ===== errors =====
runall --format csv -f "$tmp/defs.json" "$tmp/in.log"
expect_rc 2 "several definitions and no --query-name"
want "liq: error: $tmp/defs.json has 2 query definitions: choose one with --query-name" \
    "  hint: --query-name 'Security/Denied'" "  hint: --query-name 'Security/ByUser'"
if cmp -s "$tmp/err" "$tmp/want"; then ok "the definitions are listed"; else not_ok "the definitions are listed"; show "$tmp/err"; fi
expect_out_empty "several definitions: no output"

runall --format csv -f "$tmp/defs.json" --query-name Nope "$tmp/in.log"
expect_rc 2 "an unknown --query-name"
expect_err_has "liq: error: $tmp/defs.json has no query definition named 'Nope'" "an unknown --query-name"

runall --format csv -f "$tmp/defs.json" --query-name Security/ByUser "$tmp/in.log"
expect_rc 2 "a parameter with no value"
want "liq: error at 1:16: no value for '{{principal}}'" \
    "  filter user = '{{principal}}' | fields n" \
    "                 ^^^^^^^^^^^^^" \
    "  hint: the saved query gives it no defaultValue: pass --var principal=VALUE"
if cmp -s "$tmp/err" "$tmp/want"; then ok "a caret error names the parameter"; else not_ok "a caret error names the parameter"; show "$tmp/err"; fi

printf '{"queryDefinitions": [{"name": "x"}]}' >"$tmp/bad.json"
runall -f "$tmp/bad.json" "$tmp/in.log"
expect_rc 2 "a definition without queryString"
expect_err_has "liq: error: $tmp/bad.json: query definition 1 ('x') has no queryString string" "no queryString"

printf '{"queryDefinitions": ' >"$tmp/broken.json"
runall -f "$tmp/broken.json" "$tmp/in.log"
expect_rc 2 "broken JSON"
expect_err_has "liq: error: $tmp/broken.json: not valid JSON" "broken JSON"

run --query-name x 'fields n' "$tmp/in.log"
expect_rc 2 "--query-name without -f"
expect_err_has "--query-name chooses a query of a -f FILE.json export" "--query-name without -f"

finish
