#!/bin/bash
# basic.sh -- S3 test: s3:// inputs against a real S3-compatible server (s3rver on loopback)
#
# Covers: a listing of more than 1000 objects (continuation tokens), prefixes, globs, plain
# and gzip objects, keys with spaces and '+', an empty object, results equal to the same
# queries over local copies (same rows, same order), @log/@logStream (the key below the URI's
# directory, as a file's path below a directory), S3 and local inputs
# mixed in one run, credentials from the environment, a profile and credential_process,
# endpoints from AWS_ENDPOINT_URL_S3/AWS_ENDPOINT_URL, --no-sign-request, and the one-line
# errors: wrong access key (403, naming the credential source), missing bucket, missing key,
# a glob that matches nothing, no credentials at all; secrets never printed.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 node/npm missing.
#
# SPDX-License-Identifier: Apache-2.0
set -u
. "$SRCDIR/tests/s3/lib.sh"

s3_start

# ===== the data: local copies, uploaded under the same keys =====
L="$tmp/local"
mkdir -p "$L/many" "$L/app/c/2026/11" "$L/app/c/2026/12" "$L/app/d"
"$PY" - "$L/many" <<'EOF'
import sys
for i in range(1100):
    with open("%s/f%04d.log" % (sys.argv[1], i), "w") as fp:
        fp.write('{"n": %d, "level": "%s"}\n' % (i, "ERROR" if i % 7 == 0 else "INFO"))
EOF
printf '{"level":"ERROR","msg":"plain one"}\n{"level":"INFO","msg":"plain two"}\n' >"$L/app/a.log"
printf '{"level":"WARN","msg":"zipped one"}\n{"level":"ERROR","msg":"zipped two"}\n' |
    gzip >"$L/app/b.log.gz"
printf 'text line in november\n' >"$L/app/c/2026/11/x.log"
printf 'text line in december\nsecond december line\n' >"$L/app/c/2026/12/y.log"
printf 'a key with a space and a plus\n' >"$L/app/d/sp ace+plus.log"
: >"$L/app/d/empty.log"
s3_put logs "$L/" ""
ep="--endpoint-url $S3_URL"

# ===== results equal to local copies =====
q='fields @logStream, n, level'
run --format csv "$q" "$L/many"
cp "$tmp/out" "$tmp/local.out"
run --format csv $ep "$q" s3://logs/many/
expect_rc 0 "1100 objects (pagination)"
expect_same "$tmp/local.out" "1100 objects (pagination)"
for c in 1 3 64; do
    run --format csv --s3-concurrency $c $ep "$q" s3://logs/many/
    expect_same "$tmp/local.out" "1100 objects, --s3-concurrency $c: input order kept"
done
run --format csv --s3-concurrency 0 $ep "$q" s3://logs/many/
expect_rc 2 "--s3-concurrency 0"
run --format csv --threads 3 $ep 'fields n | limit 2' s3://logs/many/
want 'n' '0' '1'
expect_out "a run that ends early stops the downloads"
run --format csv $ep 'stats count(*) as n, sum(n) as s by level' s3://logs/many/
want 'level,n,s' 'ERROR,158,86821' 'INFO,942,517629'
expect_out "stats over 1100 objects"

q='fields @logStream, @message, level, msg'
run --format csv "$q" "$L/app"
cp "$tmp/out" "$tmp/local.out"
run --format csv $ep "$q" s3://logs/app/
expect_rc 0 "prefix with plain, gzip and odd keys"
expect_same "$tmp/local.out" "prefix with plain, gzip and odd keys"
run --format csv --threads 4 $ep "$q" s3://logs/app/
expect_same "$tmp/local.out" "prefix, 4 threads"

# a glob's streams are the keys below its literal directory, as the files below a directory
# given (docs/log-groups.md)
run --format csv --include '*/2026/*/*.log' "$q" "$L/app"
cp "$tmp/out" "$tmp/local.out"
run --format csv $ep "$q" 's3://logs/app/*/2026/*/*.log'
expect_rc 0 "glob"
expect_same "$tmp/local.out" "glob"
run --format csv "$q" "$L/app/c/2026"
cp "$tmp/out" "$tmp/local.out"
run --format csv $ep "$q" 's3://logs/app/c/2026/1?/?.log'
expect_same "$tmp/local.out" "glob with ?"
run --format csv $ep 'fields @logStream | dedup @logStream' 's3://logs/app/*.log*'
want '@logStream' 'a.log' 'b.log.gz'
expect_out "glob '*' stays within a path segment"

run --format csv $ep 'fields @log, @logStream, @message' 's3://logs/app/d/sp ace+plus.log'
want '@log,@logStream,@message' \
    's3://logs/app/d/sp ace+plus.log,sp ace+plus.log,a key with a space and a plus'
expect_out "one object, key with a space and '+'"
run --format csv $ep 'stats count(*)' s3://logs/app/d/empty.log
want 'count(*)' '0'
expect_out "an empty object"
expect_rc 0 "an empty object"

# mixed with local inputs, in the order given (a copy last: a local file named twice is read
# once, ea51c7c)
cp "$L/app/a.log" "$tmp/a-copy.log"
run --format csv $ep 'fields @log, msg' "$L/app/a.log" s3://logs/app/b.log.gz "$tmp/a-copy.log"
want '@log,msg' "$L/app/a.log,plain one" "$L/app/a.log,plain two" \
    's3://logs/app/b.log.gz,zipped one' 's3://logs/app/b.log.gz,zipped two' \
    "$tmp/a-copy.log,plain one" "$tmp/a-copy.log,plain two"
expect_out "local and S3 inputs mixed"
run --format csv $ep 'fields @log, @logStream | limit 2' s3://logs/app/c/
want '@log,@logStream' 's3://logs/app/c/,2026/11/x.log' 's3://logs/app/c/,2026/12/y.log'
expect_out "@log is the URI as given, @logStream the key below its prefix"

# ===== endpoints and credentials =====
AWS_ENDPOINT_URL_S3=$S3_URL AWS_ENDPOINT_URL=http://127.0.0.1:1 run 'stats count(*)' \
    s3://logs/app/a.log
want 'count(*)' '2'
expect_out "AWS_ENDPOINT_URL_S3 before AWS_ENDPOINT_URL"
AWS_ENDPOINT_URL=$S3_URL run 'stats count(*)' s3://logs/app/a.log
expect_out "AWS_ENDPOINT_URL"

secret='SeCrEt-never-print-4242'
cat >"$tmp/creds" <<EOF
[default]
aws_access_key_id = WRONGKEY
aws_secret_access_key = $secret
[test]
aws_access_key_id = S3RVER
aws_secret_access_key = $secret
EOF
cat >"$tmp/proc.sh" <<EOF
#!/bin/sh
printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s", "SessionToken": "tok"}\n' "\$1" "$secret"
EOF
chmod +x "$tmp/proc.sh"
cat >"$tmp/config" <<EOF
[profile proc]
credential_process = $tmp/proc.sh S3RVER
region = us-east-1
[profile badproc]
credential_process = $tmp/proc.sh NOSUCHKEY
[profile failproc]
credential_process = /bin/false
EOF
export AWS_SHARED_CREDENTIALS_FILE="$tmp/creds" AWS_CONFIG_FILE="$tmp/config"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
AWS_PROFILE=test run $ep 'stats count(*)' s3://logs/app/a.log
expect_rc 0 "profile in the credentials file"
expect_out "profile in the credentials file"
AWS_PROFILE=proc run $ep 'stats count(*)' s3://logs/app/a.log
expect_rc 0 "credential_process"
expect_out "credential_process"
run $ep 'stats count(*)' s3://logs/app/a.log
expect_rc 3 "wrong key in the default profile"
expect_err_has "s3://logs/app/a.log: access denied (403 InvalidAccessKeyId" "wrong key"
expect_err_has "credentials: profile 'default' in $tmp/creds" "wrong key: the source"
expect_err_lacks "$secret" "wrong key: no secret"
AWS_PROFILE=badproc run $ep 'stats count(*)' s3://logs/app/a.log
expect_err_has "credentials: credential_process of profile 'badproc' in $tmp/config" \
    "credential_process, wrong key: the source"
expect_err_lacks "$secret" "credential_process: no secret"
AWS_PROFILE=failproc run $ep 'stats count(*)' s3://logs/app/a.log
expect_rc 3 "credential_process that fails"
expect_err_has "profile 'failproc': credential_process failed (exit status 1)" \
    "credential_process that fails"
AWS_PROFILE=nosuch run $ep 'stats count(*)' s3://logs/app/a.log
expect_rc 3 "no credentials"
expect_err_has "no AWS credentials" "no credentials"
expect_err_has "--no-sign-request" "no credentials: the hint"
AWS_PROFILE=nosuch run $ep --no-sign-request 'stats count(*)' s3://logs/app/a.log
expect_rc 0 "--no-sign-request"
unset AWS_SHARED_CREDENTIALS_FILE AWS_CONFIG_FILE
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER

AWS_ACCESS_KEY_ID=NOSUCHKEY AWS_SECRET_ACCESS_KEY=$secret run $ep 'stats count(*)' \
    s3://logs/app/a.log
expect_rc 3 "wrong access key"
expect_err_has "s3://logs/app/a.log: access denied (403 InvalidAccessKeyId: " "wrong access key"
expect_err_has "credentials: environment variables (AWS_ACCESS_KEY_ID)" "wrong key: the source"
expect_err_lacks "$secret" "wrong access key: no secret"
expect_err_lines 2 "wrong access key: one line and the summary"

# ===== missing things: one line each, the other inputs still read =====
run --format csv $ep 'stats count(*)' s3://nosuchbucket/x.log s3://logs/app/nosuch.log \
    's3://logs/app/*.nomatch' s3://logs/app/a.log s3://nosuchbucket/
expect_rc 3 "missing bucket and key"
want 'count(*)' '2'
expect_out "the readable object is still read"
expect_err_has "s3://nosuchbucket/x.log: no such bucket (404 NoSuchBucket" "missing bucket (GET)"
expect_err_has "s3://nosuchbucket/: no such bucket (404 NoSuchBucket" "missing bucket (listing)"
expect_err_has "s3://logs/app/nosuch.log: no such key (404 NoSuchKey" "missing key"
expect_err_has "s3://logs/app/*.nomatch: no object matches" "empty glob"
expect_err_lines 5 "four errors and the summary"
run $ep 'stats count(*)' s3://
expect_rc 3 "no bucket in the URI"
expect_err_has "s3://: not an S3 URI" "no bucket in the URI"

# ===== options =====
run --endpoint-url ftp://x 'stats count(*)' s3://logs/a
expect_rc 2 "--endpoint-url needs http(s)"
run --s3-read-timeout 0 'stats count(*)' s3://logs/a
expect_rc 2 "--s3-read-timeout range"
run --filter-pattern ERROR $ep s3://logs/app/a.log
expect_rc 0 "--filter-pattern with an S3 input first"

finish
