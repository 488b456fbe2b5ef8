#!/bin/bash
# secrets.sh -- S3 test: the secret access key and session token never appear in any output
#
# A stub bucket behind the signature-checking proxy (proxy.py --objects ... --verify SECRET)
# takes distinctive credentials, so every output of liq can be searched for them: stdout
# and stderr of queries with --stats=verbose, --explain, the fields @log/@logStream, a
# --cache-dir run and its files, and of the failures: a wrong secret (the 403's body carries
# the canonical request with the session token, as S3's does), a missing key and bucket,
# retried 503s, a body cut short, 500 to the end; with the credentials from the environment,
# a profile in the credentials file, credential_process and the container endpoint. The
# proxy's log shows the secrets were in use (the token on each request, signatures right).
# lib.sh also searches the output of every run of every S3 test for the secret and token of
# the environment.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 node/npm or botocore missing.
#
# SPDX-License-Identifier: Apache-2.0
set -u
. "$SRCDIR/tests/s3/lib.sh"

need_botocore
s3_start
SECRET='liqTestSecret/k3y+Zq9W8e7R6t5Y4u3I2o1P0aSdFgHjKl'
TOKEN='liqTestToken//IQoJb3JpZ2luX2VjE+session=token0123456789'
AKID=AKIALIQTESTKEY000001
export S3_SECRETS="$SECRET $TOKEN" # lib.sh searches each run's output for them too
"$PY" - "$tmp/objects.json" <<'EOF'
import json, sys
objs = [["app/a.log", '{"level":"ERROR","msg":"one"}\n{"level":"INFO","msg":"two"}\n'],
        ["app/sub/b.log", '{"level":"WARN","msg":"three"}\n'],
        ["big/c.log", "".join('{"i": %d, "msg": "a line to cut"}\n' % i for i in range(4000))]]
json.dump(objs, open(sys.argv[1], "w"))
EOF
proxy_start p --objects "sec:$tmp/objects.json" --verify "$SECRET"
good=$PROXY_URL
proxy_start bad --objects "sec:$tmp/objects.json" --verify "not-the-$SECRET"
proxy_start f --objects "sec:$tmp/objects.json" --verify "$SECRET" --status 503:2:'/app/a\.log' \
    --cut 1000:1:'/big/c\.log' --status 500:0:'/app/sub/'
: >"$tmp/all"
# each run's stdout and stderr go into $tmp/all too
srun() {
    run "$@"
    { cat "$tmp/out" "$tmp/err"; } >>"$tmp/all"
}
export AWS_ACCESS_KEY_ID=$AKID AWS_SECRET_ACCESS_KEY=$SECRET AWS_SESSION_TOKEN=$TOKEN
C="$tmp/cache"

srun --stats=verbose --endpoint-url "$good" 'fields @log, @logStream, @message, level' s3://sec/app/
expect_rc 0 "a listing with --stats=verbose"
srun --stats --cache-dir "$C" --endpoint-url "$good" 'stats count(*) by level' s3://sec/app/
srun --stats --cache-dir "$C" --endpoint-url "$good" 'stats count(*) by level' s3://sec/app/
expect_err_has "2 read from --cache-dir" "a second run from the cache"
srun --explain --endpoint-url "$good" 'filter level = "ERROR" | stats count(*)' s3://sec/app/a.log
expect_rc 0 "--explain"
srun --format json --endpoint-url "$good" 'fields @log, @logStream' s3://sec/app/a.log
if grep -q "token=$TOKEN region=us-east-1 sig=ok" "$tmp/p.log" && ! grep -q 'sig=BAD' "$tmp/p.log"; then
    ok "the secret signed the requests and the token went with them"; else
    not_ok "the proxy did not see the secrets in use"; show "$tmp/p.log"; fi

# ===== failures =====
srun --endpoint-url "$PROXY_URL" 'stats count(*)' s3://sec/app/a.log # the f proxy
expect_rc 0 "two 503s retried"
srun --endpoint-url "$PROXY_URL" 'stats count(*)' s3://sec/big/c.log
expect_rc 0 "a body cut short: resumed"
srun --endpoint-url "$PROXY_URL" 'stats count(*)' s3://sec/app/sub/b.log
expect_rc 3 "500 to the end"
srun --endpoint-url "$(cat "$tmp/bad.port" | sed 's|^|http://127.0.0.1:|')" 'stats count(*)' s3://sec/app/a.log
expect_rc 3 "a wrong secret"
expect_err_has "SignatureDoesNotMatch" "a wrong secret: S3's code"
if grep -q "<CanonicalRequest>.*$TOKEN" "$tmp/bad.log" 2>/dev/null || grep -q "token=$TOKEN" "$tmp/bad.log"; then
    ok "a wrong secret: the token was sent (and the 403's body holds it)"; else
    not_ok "a wrong secret: proxy log"; show "$tmp/bad.log"; fi
srun --endpoint-url "$good" 'stats count(*)' s3://sec/app/nosuch.log
expect_rc 3 "a missing key"
srun --endpoint-url "$good" 'stats count(*)' s3://nosuchbucket/x.log
expect_rc 3 "a missing bucket (s3rver: another secret, a 403)"
srun --endpoint-url "$good" 'stats count(*)' 's3://sec/nothing/*.log'
expect_rc 3 "a glob matching nothing"

# ===== other credential sources =====
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
cat >"$tmp/creds" <<EOF
[default]
aws_access_key_id = $AKID
aws_secret_access_key = $SECRET
aws_session_token = $TOKEN
[wrong]
aws_access_key_id = $AKID
aws_secret_access_key = x$SECRET
aws_session_token = $TOKEN
EOF
cat >"$tmp/proc.sh" <<EOF
#!/bin/sh
printf '{"Version": 1, "AccessKeyId": "$AKID", "SecretAccessKey": "$SECRET", "SessionToken": "$TOKEN"}\n'
EOF
chmod +x "$tmp/proc.sh"
cat >"$tmp/config" <<EOF
[profile proc]
credential_process = $tmp/proc.sh
EOF
export AWS_SHARED_CREDENTIALS_FILE="$tmp/creds" AWS_CONFIG_FILE="$tmp/config"
srun --stats --endpoint-url "$good" 'stats count(*)' s3://sec/app/
expect_rc 0 "a profile in the credentials file"
AWS_PROFILE=wrong srun --stats --endpoint-url "$good" 'stats count(*)' s3://sec/app/
expect_rc 3 "a profile with a wrong secret"
AWS_PROFILE=proc srun --stats --endpoint-url "$good" 'stats count(*)' s3://sec/app/
expect_rc 0 "credential_process"
AWS_PROFILE=proc srun --stats --endpoint-url "$(cat "$tmp/bad.port" | sed 's|^|http://127.0.0.1:|')" \
    'stats count(*)' s3://sec/app/
expect_rc 3 "credential_process, a 403"
export AWS_SHARED_CREDENTIALS_FILE="$tmp/none" AWS_CONFIG_FILE="$tmp/none"
meta_start m container "$AKID" "$SECRET" "$TOKEN"
AWS_CONTAINER_CREDENTIALS_FULL_URI="$META_URL/creds" srun --stats --endpoint-url "$good" \
    'stats count(*)' s3://sec/app/
expect_rc 0 "the container endpoint"
AWS_CONTAINER_CREDENTIALS_FULL_URI="$META_URL/creds" srun --stats \
    --endpoint-url "$(cat "$tmp/bad.port" | sed 's|^|http://127.0.0.1:|')" 'stats count(*)' s3://sec/app/
expect_rc 3 "the container endpoint, a 403"

# ===== the search =====
runs=$(grep -c '' "$tmp/all")
for s in "$SECRET" "$TOKEN"; do
    if grep -qF -- "$s" "$tmp/all"; then not_ok "a secret in the output"; grep -F -- "$s" "$tmp/all" | show /dev/stdin
    else ok "'${s:0:12}...' in none of the $runs lines of output"; fi
    if grep -rqF -- "$s" "$C"; then not_ok "a secret in --cache-dir"; else ok "'${s:0:12}...' in no cached file"; fi
done
# pieces: a message that cut a secret or a token would still give part of it away
for s in "${SECRET:8:16}" "${TOKEN:12:16}"; do
    if grep -qF -- "$s" "$tmp/all"; then not_ok "part of a secret in the output: $s"; else
        ok "no 16-byte piece '$s' in the output"; fi
done
finish
