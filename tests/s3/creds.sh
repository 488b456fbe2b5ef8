#!/bin/bash
# creds.sh -- S3 test: credentials from the container endpoint and EC2 instance metadata
#
# Fake endpoints (tests/s3/metadata.py) on loopback hand out credentials; liq must then read
# a bucket through the signature-checking proxy (tests/s3/proxy.py --verify SECRET), which
# proves the secret and session token from the endpoint were the ones used. Covers:
# AWS_CONTAINER_CREDENTIALS_FULL_URI with AWS_CONTAINER_AUTHORIZATION_TOKEN and _TOKEN_FILE,
# AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (http://169.254.170.2 reached through http_proxy, so
# no link-local address is needed), a refused full URI host, a wrong authorization token,
# IMDSv2 (token PUT, role name, credentials; AWS_EC2_METADATA_SERVICE_ENDPOINT), the IMDSv1
# fallback, AWS_EC2_METADATA_DISABLED, a metadata service that hangs (given up by liq's own
# timeout, once per AWS_METADATA_SERVICE_NUM_ATTEMPTS), the chain order (environment, profile, container, IMDS), and 403 messages naming
# the source without printing secrets or tokens, and expired session credentials (400
# ExpiredToken) fetched again once from the endpoint.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 node/npm or botocore missing.
#
# SPDX-License-Identifier: Apache-2.0
set -u
. "$SRCDIR/tests/s3/lib.sh"

need_botocore

s3_start
L="$tmp/local"
mkdir -p "$L/app"
printf '{"level":"ERROR","msg":"one"}\n{"level":"INFO","msg":"two"}\n' >"$L/app/a.log"
s3_put logs "$L/" ""
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

secret='MeTa-SeCrEt-never-print-9911'
session='session-token-from-endpoint-77'
authtok='container-auth-token-never-print-55'
proxy_start v --verify "$secret"
ep="--endpoint-url $PROXY_URL"
q='stats count(*) as n'
# signed_ok: every request since the last reset of v.log was signed with $secret and $session
signed_ok() {
    wait_log v 'sig=' # servers log a request when it ends: maybe just after liq exits
    if grep -q "token=$session region=us-east-1 sig=ok" "$tmp/v.log" && ! grep -q 'sig=BAD' "$tmp/v.log" &&
        ! grep -v "token=$session " "$tmp/v.log" | grep -q .; then
        ok "$1: signed with the endpoint's secret and session token"
    else
        not_ok "$1: not signed with the endpoint's credentials"; show "$tmp/v.log"
    fi
    : >"$tmp/v.log"
}

# ===== container endpoint, full URI =====
meta_start c1 container S3RVER "$secret" "$session" --path /v2/creds --auth "$authtok"
: >"$tmp/v.log"
AWS_CONTAINER_CREDENTIALS_FULL_URI="$META_URL/v2/creds" AWS_CONTAINER_AUTHORIZATION_TOKEN="$authtok" \
    run --format csv $ep "$q" s3://logs/app/a.log
expect_rc 0 "container full URI"
want n 2
expect_out "container full URI"
signed_ok "container full URI"
wait_log c1 '^GET /v2/creds '
if grep -q '^GET /v2/creds auth=yes .* -> 200$' "$tmp/c1.log"; then ok "container: one authorized GET"; else
    not_ok "container: no authorized GET"; show "$tmp/c1.log"; fi

printf '%s\n' "$authtok" >"$tmp/tokfile"
AWS_CONTAINER_CREDENTIALS_FULL_URI="$META_URL/v2/creds" AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong \
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$tmp/tokfile" run --format csv $ep "$q" s3://logs/app/a.log
expect_rc 0 "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE before AWS_CONTAINER_AUTHORIZATION_TOKEN"
signed_ok "token file"

AWS_CONTAINER_CREDENTIALS_FULL_URI="$META_URL/v2/creds" AWS_CONTAINER_AUTHORIZATION_TOKEN="bad-$authtok" \
    run --format csv $ep "$q" s3://logs/app/a.log
expect_rc 3 "container: wrong authorization token"
expect_err_has "container credentials endpoint $META_URL (AWS_CONTAINER_CREDENTIALS_FULL_URI): HTTP 401" \
    "container: wrong authorization token"
expect_err_lacks "$authtok" "container: the token is not printed"

AWS_CONTAINER_CREDENTIALS_FULL_URI="http://example.com/creds" run $ep "$q" s3://logs/app/a.log
expect_rc 3 "container: plain http to another host"
expect_err_has "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a loopback address" \
    "container: plain http to another host refused"

# ===== container endpoint, relative URI: http://169.254.170.2 through a proxy =====
meta_start c2 container S3RVER "$secret" "$session" --path /v2/credentials/abc-123
AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/credentials/abc-123 \
    AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:1/never" \
    http_proxy="$META_URL" no_proxy=127.0.0.1 run --format csv $ep "$q" s3://logs/app/a.log
expect_rc 0 "container relative URI"
signed_ok "container relative URI"
wait_log c2 '^GET http://169.254.170.2/'
if grep -q '^GET http://169.254.170.2/v2/credentials/abc-123 auth=no' "$tmp/c2.log"; then
    ok "relative URI: asked http://169.254.170.2, before the full URI"; else
    not_ok "relative URI: not asked at 169.254.170.2"; show "$tmp/c2.log"; fi

# ===== IMDSv2 =====
export AWS_EC2_METADATA_SERVICE_ENDPOINT
unset AWS_EC2_METADATA_DISABLED
meta_start i1 imds S3RVER "$secret" "$session" --role liq-role
AWS_EC2_METADATA_SERVICE_ENDPOINT="$META_URL/" run --format csv $ep "$q" s3://logs/app/a.log
expect_rc 0 "IMDSv2"
want n 2
expect_out "IMDSv2"
signed_ok "IMDSv2"
printf '%s\n' \
    'PUT /latest/api/token auth=no tok=no ttl=21600 -> 200' \
    'GET /latest/meta-data/iam/security-credentials/ auth=no tok=yes ttl=- -> 200' \
    'GET /latest/meta-data/iam/security-credentials/liq-role auth=no tok=yes ttl=- -> 200' \
    >"$tmp/want.log"
wait_log i1 'security-credentials/liq-role ' # logged after the answer: maybe after liq exits
if cmp -s "$tmp/want.log" "$tmp/i1.log"; then ok "IMDSv2: token, role, credentials"; else
    not_ok "IMDSv2: requests differ"; diff -u "$tmp/want.log" "$tmp/i1.log" | show /dev/stdin; fi

meta_start i2 imds S3RVER "$secret" "$session" --v1
AWS_EC2_METADATA_SERVICE_ENDPOINT="$META_URL" run --format csv $ep "$q" s3://logs/app/a.log
expect_rc 0 "IMDSv1 fallback after 405"
signed_ok "IMDSv1 fallback"

# a wrong key from instance metadata: the 403 names the source, never the secret
meta_start i3 imds NOSUCHKEY "$secret" "$session"
AWS_EC2_METADATA_SERVICE_ENDPOINT="$META_URL" run --format csv $ep "$q" s3://logs/app/a.log
expect_rc 3 "IMDS credentials refused"
expect_err_has "credentials: EC2 instance metadata $META_URL (IMDSv2, role 'test-role')" \
    "403 names instance metadata"
expect_err_lacks "$secret" "IMDS: no secret"
expect_err_lacks "$session" "IMDS: no session token"
expect_err_lacks "imds-token-0123456789" "IMDS: no metadata token"
wait_log i3 'security-credentials/test-role ' # its 3 requests, before the next run
: >"$tmp/v.log"

AWS_EC2_METADATA_DISABLED=true AWS_EC2_METADATA_SERVICE_ENDPOINT="$META_URL" \
    run $ep "$q" s3://logs/app/a.log
expect_rc 3 "AWS_EC2_METADATA_DISABLED=true"
expect_err_has "no AWS credentials" "AWS_EC2_METADATA_DISABLED=true"
expect_err_has "EC2 instance metadata is disabled (AWS_EC2_METADATA_DISABLED)" \
    "AWS_EC2_METADATA_DISABLED=true: said"
if [ "$(wc -l <"$tmp/i3.log")" -eq 3 ]; then ok "AWS_EC2_METADATA_DISABLED: no request"; else
    not_ok "AWS_EC2_METADATA_DISABLED: requests made"; show "$tmp/i3.log"; fi

# a service that hangs: it answers nothing until liq closes the connection, so only liq's own
# timeout (AWS_METADATA_SERVICE_TIMEOUT, 1 s by default) ends the run; without one it never
# ends (the hang guard stops it: exit 124). Each try is one request the service saw abandoned.
meta_start i4 imds S3RVER "$secret" "$session" --hang
AWS_EC2_METADATA_SERVICE_ENDPOINT="$META_URL" run_guarded 60 $ep "$q" s3://logs/app/a.log
expect_rc 3 "IMDS that hangs"
expect_err_has "EC2 instance metadata at $META_URL did not answer (Timeout was reached)" \
    "IMDS that hangs: given up by liq's timeout"
# abandoned N LABEL: $tmp/i4.log holds exactly N token requests, each left by liq unanswered
abandoned() {
    wait_log i4 '^PUT /latest/api/token .* -> client gone unanswered$' "$1"
    if [ "$(grep -c '' "$tmp/i4.log")" -eq "$1" ] &&
        [ "$(grep -c '^PUT /latest/api/token .* -> client gone unanswered$' "$tmp/i4.log")" -eq "$1" ]; then
        ok "$2: $1 token request(s), each abandoned by liq"
    else
        not_ok "$2: requests differ"; show "$tmp/i4.log"
    fi
    : >"$tmp/i4.log"
}
abandoned 1 "IMDS that hangs: one try"
AWS_METADATA_SERVICE_NUM_ATTEMPTS=2 AWS_EC2_METADATA_SERVICE_ENDPOINT="$META_URL" \
    run_guarded 60 $ep "$q" s3://logs/app/a.log
expect_rc 3 "IMDS that hangs, two tries"
abandoned 2 "IMDS that hangs: AWS_METADATA_SERVICE_NUM_ATTEMPTS=2"

# ===== expired session credentials: fetched again once, then the request again =====
meta_start i5 imds S3RVER "$secret" "$session" --rotate
proxy_start x --verify "$secret" --status 400/ExpiredToken:1:'/app/a\.log'
AWS_EC2_METADATA_SERVICE_ENDPOINT="$META_URL" run --format csv --endpoint-url "$PROXY_URL" "$q" \
    s3://logs/app/a.log
expect_rc 0 "ExpiredToken: new credentials"
want n 2
expect_out "ExpiredToken: new credentials"
wait_log x ' -> 200 ' && wait_log i5 'security-credentials/test-role ' 2
if grep -q "^GET /logs/app/a\.log range=- -> 400 token=$session-1 " "$tmp/x.log" &&
    grep -q "^GET /logs/app/a\.log range=- -> 200 token=$session-2 region=us-east-1 sig=ok" "$tmp/x.log"; then
    ok "ExpiredToken: the request again with the second token"; else
    not_ok "ExpiredToken: tokens"; show "$tmp/x.log"; fi
if [ "$(grep -c 'security-credentials/test-role ' "$tmp/i5.log")" -eq 2 ]; then
    ok "ExpiredToken: credentials fetched twice"; else not_ok "ExpiredToken: fetches"; show "$tmp/i5.log"; fi
proxy_start x2 --status 400/ExpiredToken:0:'/app/a\.log'
AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY="$secret" run --endpoint-url "$PROXY_URL" "$q" \
    s3://logs/app/a.log
expect_rc 3 "ExpiredToken with environment credentials"
expect_err_has "s3://logs/app/a.log: HTTP 400 ExpiredToken" "ExpiredToken with environment credentials"
if [ "$(grep -c 'a\.log' "$tmp/x2.log")" -eq 1 ]; then ok "environment credentials: not refreshed"; else
    not_ok "environment credentials: requests"; show "$tmp/x2.log"; fi
: >"$tmp/i5.log"
AWS_EC2_METADATA_SERVICE_ENDPOINT="$META_URL" run --endpoint-url "$PROXY_URL" "$q" s3://logs/app/a.log
expect_rc 3 "ExpiredToken again after new credentials"
expect_err_lines 2 "ExpiredToken again: one line and the summary"
if [ "$(grep -c 'a\.log' "$tmp/x2.log")" -eq 3 ]; then ok "ExpiredToken: refreshed once per request"; else
    not_ok "ExpiredToken again: requests"; show "$tmp/x2.log"; fi

# ===== the chain order: environment, profile, container, instance metadata =====
meta_start c3 container S3RVER "$secret" "$session"
export AWS_EC2_METADATA_SERVICE_ENDPOINT="$(sed 's/^/http:\/\/127.0.0.1:/' "$tmp/i1.port")"
: >"$tmp/i1.log"
AWS_CONTAINER_CREDENTIALS_FULL_URI="$META_URL/creds" run $ep "$q" s3://logs/app/a.log
expect_rc 0 "container before instance metadata"
signed_ok "container before instance metadata"
if [ ! -s "$tmp/i1.log" ]; then ok "container before instance metadata: IMDS not asked"; else
    not_ok "IMDS asked although the container endpoint is set"; show "$tmp/i1.log"; fi
printf '[default]\naws_access_key_id = S3RVER\naws_secret_access_key = %s\n' "$secret" >"$tmp/creds"
: >"$tmp/c3.log"
AWS_SHARED_CREDENTIALS_FILE="$tmp/creds" AWS_CONTAINER_CREDENTIALS_FULL_URI="$META_URL/creds" \
    run $ep "$q" s3://logs/app/a.log
expect_rc 0 "profile before the container endpoint"
if [ ! -s "$tmp/c3.log" ] && [ ! -s "$tmp/i1.log" ]; then ok "profile first: no endpoint asked"; else
    not_ok "profile first: an endpoint was asked"; show "$tmp/c3.log"; show "$tmp/i1.log"; fi
AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY="$secret" AWS_CONTAINER_CREDENTIALS_FULL_URI="$META_URL/creds" \
    run $ep "$q" s3://logs/app/a.log
expect_rc 0 "environment first"
if [ ! -s "$tmp/c3.log" ] && [ ! -s "$tmp/i1.log" ]; then ok "environment first: no endpoint asked"; else
    not_ok "environment first: an endpoint was asked"; show "$tmp/c3.log"; fi

finish
