# lib.sh -- sourced by tests/s3/*.sh: TAP-style checks, a real S3-compatible server (s3rver),
# the fault-injecting proxy and the uploader
#
# s3rver 3.7.1 comes from npm, installed once per build tree into $S3RVER_DIR (default
# tests/s3/s3rver beside the liq binary; a lock keeps parallel tests from installing twice).
# A test exits 77 (skipped) only when node or npm are missing. The server listens on
# 127.0.0.1 on a port the kernel picks (-p 0, read back from its first line), with its data in
# the test's temporary directory, and is stopped when the test exits.
#
# The environment is cleared of AWS settings and proxies, and AWS_EC2_METADATA_DISABLED=true.
# Every run (run, run_in, run_guarded) has its output searched for the secrets in use
# (secret_scan). After s3_start: $S3_PORT, $S3_URL (http://127.0.0.1:PORT); credentials S3RVER/S3RVER are
# exported as AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.
# SPDX-License-Identifier: Apache-2.0

: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
unset COLUMNS AWS_PROFILE AWS_REGION AWS_DEFAULT_REGION AWS_SESSION_TOKEN AWS_ENDPOINT_URL \
    AWS_ENDPOINT_URL_S3 AWS_MAX_ATTEMPTS AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE \
    AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \
    AWS_CONTAINER_AUTHORIZATION_TOKEN AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \
    AWS_EC2_METADATA_SERVICE_ENDPOINT AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE \
    AWS_METADATA_SERVICE_TIMEOUT AWS_METADATA_SERVICE_NUM_ATTEMPTS \
    http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
# never ask the real instance metadata service (tests/s3/creds.sh turns it back on)
export AWS_EC2_METADATA_DISABLED=true
PY=${PYTHON3:-python3}
here="$SRCDIR/tests/s3"

# need_botocore: the python3 that has botocore (the signature checks) into $PY, else skip (77)
need_botocore() {
    for p in ${PYTHON3:-} python3 /usr/bin/python3; do
        if "$p" -c 'import botocore.auth' 2>/dev/null; then
            PY=$p
            return 0
        fi
    done
    echo "SKIP: botocore is needed to check signatures (Debian: apt-get install python3-botocore)"
    exit 77
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-s3.XXXXXX")
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
export HOME="$tmp/home" # no ~/.aws of the person running the tests
mkdir -p "$HOME"

# the TAP helpers of the CLI tests: ok/not_ok, run, expect_rc, want/expect_out, expect_err_has,
# finish, ...
. "$SRCDIR/tests/cli/out_lib.sh"

# secret_scan: a failed check when the output of the last run holds the secret access key or
# the session token of the environment, or a string of $S3_SECRETS (space-separated; a test
# whose credentials come from elsewhere names them there); strings shorter than 6 bytes are
# not searched (issue 15: no output of any S3 test shows a secret)
secret_scan() {
    local s
    for s in ${AWS_SECRET_ACCESS_KEY:-} ${AWS_SESSION_TOKEN:-} ${S3_SECRETS:-}; do
        [ ${#s} -ge 6 ] || continue
        if grep -qF -- "$s" "$tmp/out" "$tmp/err"; then
            not_ok "the output shows the secret '${s:0:4}...'"
            grep -F -- "$s" "$tmp/out" "$tmp/err" | head -5 | show /dev/stdin
        fi
    done
}
# run and run_in as tests/cli/out_lib.sh's, and each output scanned for secrets
run() {
    "$LIQ" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
    secret_scan
}
run_in() {
    local in=$1
    shift
    "$LIQ" "$@" <"$in" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    secret_scan
}

# run_guarded SECS ARGS...: run under timeout(1), a hang guard only: a check that the server
# holds back what a correct liq never waits for ends with rc 124 when liq does wait. SECS is
# no speed limit: a correct run ends on an event, however slow the machine.
run_guarded() {
    local secs=$1
    shift
    timeout "$secs" "$LIQ" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
    secret_scan
}
# wait_log NAME ERE [N]: wait (at most 60 s, a hang guard) until $tmp/NAME.log has N (default
# 1) lines matching ERE: the servers log a request when it ends, which may be just after liq
# exits
wait_log() {
    local i=0 want=${3:-1}
    while [ "$(grep -cE -- "$2" "$tmp/$1.log")" -lt "$want" ] && [ $i -lt 600 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    [ "$(grep -cE -- "$2" "$tmp/$1.log")" -ge "$want" ]
}

# expect_same FILE LABEL: stdout equals FILE
expect_same() {
    if cmp -s "$1" "$tmp/out"; then ok "$2: same as local"; else
        not_ok "$2: differs from local"; diff -u "$1" "$tmp/out" | head -20 | show /dev/stdin; fi
}
expect_err_lacks() {
    if ! grep -qF -- "$1" "$tmp/err" "$tmp/out"; then ok "$2: output lacks '$1'"; else
        not_ok "$2: output has '$1'"; show "$tmp/err"; fi
}
expect_err_lines() {
    local got
    got=$(wc -l <"$tmp/err")
    if [ "$got" -eq "$1" ]; then ok "$2: $1 stderr lines"; else
        not_ok "$2: $got stderr lines, expected $1"; show "$tmp/err"; fi
}

# s3rver_install: npm install s3rver@3.7.1 once per build tree
s3rver_install() {
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        echo "SKIP: node and npm are needed for the S3 tests (Debian: apt-get install nodejs npm)"
        exit 77
    fi
    S3RVER_DIR=${S3RVER_DIR:-$(dirname "$LIQ")/tests/s3/s3rver}
    mkdir -p "$S3RVER_DIR"
    (
        flock 9
        if [ ! -f "$S3RVER_DIR/node_modules/s3rver/bin/s3rver.js" ]; then
            npm install --silent --no-audit --no-fund --prefix "$S3RVER_DIR" s3rver@3.7.1 \
                >"$S3RVER_DIR/npm.log" 2>&1 || { cat "$S3RVER_DIR/npm.log"; exit 1; }
        fi
    ) 9>"$S3RVER_DIR.lock" || { echo "Bail out! npm install s3rver@3.7.1 failed"; exit 1; }
}

# wait_file FILE: wait up to 20 s for FILE to have content
wait_file() {
    local i=0
    while [ ! -s "$1" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
    [ -s "$1" ]
}

s3_start() {
    s3rver_install
    mkdir -p "$tmp/s3data"
    # s3rver makes continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider
    local legacy=
    node --openssl-legacy-provider -e 0 2>/dev/null && legacy=--openssl-legacy-provider
    node $legacy "$S3RVER_DIR/node_modules/s3rver/bin/s3rver.js" -d "$tmp/s3data" -a 127.0.0.1 -p 0 \
        --silent >"$tmp/s3rver.out" 2>&1 &
    pids="$pids $!"
    local i=0
    while ! grep -qs 'listening on' "$tmp/s3rver.out" && [ $i -lt 200 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    S3_PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/s3rver.out" | head -1)
    [ -n "$S3_PORT" ] || { echo "Bail out! s3rver did not start"; cat "$tmp/s3rver.out"; exit 1; }
    S3_URL="http://127.0.0.1:$S3_PORT"
    export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
}

# s3_put BUCKET [DIR [PREFIX]]: create BUCKET and upload DIR's files under PREFIX
s3_put() {
    "$PY" "$here/s3put.py" "$S3_URL" "$@" || { echo "Bail out! upload failed"; exit 1; }
}

# proxy_start NAME OPTION...: a proxy.py in front of s3rver; sets $PROXY_URL, logs to
# $tmp/NAME.log
proxy_start() {
    local name=$1
    shift
    rm -f "$tmp/$name.port" "$tmp/$name.log"
    : >"$tmp/$name.log"
    "$PY" "$here/proxy.py" "$S3_PORT" "$tmp/$name.port" "$tmp/$name.log" "$@" &
    pids="$pids $!"
    wait_file "$tmp/$name.port" || { echo "Bail out! proxy.py did not start"; exit 1; }
    PROXY_URL="http://127.0.0.1:$(cat "$tmp/$name.port")"
}

# meta_start NAME container|imds AKID SECRET TOKEN [OPTION...]: a tests/s3/metadata.py fake
# credentials endpoint; sets $META_URL, logs to $tmp/NAME.log
meta_start() {
    local name=$1
    shift
    rm -f "$tmp/$name.port"
    : >"$tmp/$name.log"
    "$PY" "$here/metadata.py" "$1" "$tmp/$name.port" "$tmp/$name.log" "${@:2}" &
    pids="$pids $!"
    wait_file "$tmp/$name.port" || { echo "Bail out! metadata.py did not start"; exit 1; }
    META_URL="http://127.0.0.1:$(cat "$tmp/$name.port")"
}
