# lib.sh -- sourced by tests/serve/*.sh: a liq serve on loopback, the real clients
#
# serve_start ARGS...: starts "$LIQ serve --listen 127.0.0.1:0 --port-file ... ARGS" with its
# log in $tmp/serve.log, waits (hang guard 30 s) until the port file is written, and sets
# $PORT, $URL and $SERVE_PID; the server is stopped by its PID when the test exits.
# serve_stop: SIGTERM and wait; $serve_rc is its exit code.
# aws ARGS...: Debian's AWS CLI (/usr/bin/aws) against $URL: stdout in $tmp/out, stderr in
# $tmp/err, $rc. The environment has test credentials (AKIDTEST / a test secret), region
# us-east-1, and no metadata service, profile or proxy.
# A group /aws/app: two streams of JSON lines (host1/app.log, host2/app.log), 1000 events
# from 2024-01-01T00:00:00Z, seven seconds apart per stream.
# SPDX-License-Identifier: Apache-2.0

: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
unset AWS_PROFILE AWS_REGION AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_CONFIG_FILE \
    AWS_SHARED_CREDENTIALS_FILE http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy \
    ALL_PROXY no_proxy NO_PROXY LIQ_SERVE_ACCESS_KEY_ID LIQ_SERVE_SECRET_ACCESS_KEY
export AWS_EC2_METADATA_DISABLED=true AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=
export AWS_ACCESS_KEY_ID=AKIDTEST AWS_SECRET_ACCESS_KEY=testsecret0123456789
PY=/usr/bin/python3
AWS=/usr/bin/aws
if [ ! -x "$AWS" ] || ! "$PY" -c 'import boto3' 2>/dev/null; then
    echo "SKIP: Debian's awscli and python3-boto3 are needed (scripts/setup.sh installs them)"
    exit 77
fi

# after tests/s3/lib.sh (tests/serve/s3.sh): its $tmp and $pids (s3rver, proxies) are kept
[ -n "${tmp:-}" ] || tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-serve.XXXXXX")
SERVE_PID=""
pids=${pids:-}
cleanup() {
    for p in $SERVE_PID $pids; do kill "$p" 2>/dev/null; done
    for p in $SERVE_PID $pids; do wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
export HOME="$tmp/home"
mkdir -p "$HOME"

. "$SRCDIR/tests/cli/out_lib.sh"

# the sample group
mkdir -p "$tmp/app"
"$PY" "$SRCDIR/tests/serve/gen_app.py" "$tmp/app"

serve_start() {
    rm -f "$tmp/port"
    "$LIQ" serve --listen 127.0.0.1:0 --port-file "$tmp/port" "$@" 2>"$tmp/serve.log" &
    SERVE_PID=$!
    local i=0
    while [ ! -s "$tmp/port" ] && [ $i -lt 300 ] && kill -0 "$SERVE_PID" 2>/dev/null; do
        sleep 0.1
        i=$((i + 1))
    done
    if [ ! -s "$tmp/port" ]; then
        echo "Bail out! liq serve did not start"
        sed 's/^/  | /' "$tmp/serve.log"
        exit 1
    fi
    PORT=$(cat "$tmp/port")
    URL=http://127.0.0.1:$PORT
}

serve_stop() {
    kill -TERM "$SERVE_PID"
    wait "$SERVE_PID"
    serve_rc=$?
    SERVE_PID=""
}

aws() {
    timeout 60 "$AWS" --endpoint-url "$URL" --output json "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
}

# jq-like checks with python: pyq EXPR -- the value of EXPR over the JSON in $tmp/out (as j)
pyq() {
    "$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
        "$tmp/out" "$1"
}

# expect_eq GOT WANT LABEL
expect_eq() {
    if [ "$1" = "$2" ]; then ok "$3"; else
        not_ok "$3: got '$1', expected '$2'"; show "$tmp/err"; fi
}

# poll QUERY_ID: get-query-results until the status is no longer Scheduled or Running (hang
# guard: 600 polls); the last answer in $tmp/out
poll() {
    local i=0 st=Running
    while [ $i -lt 600 ]; do
        aws logs get-query-results --query-id "$1"
        st=$(pyq 'j["status"]')
        case $st in Scheduled | Running) sleep 0.1 ;; *) break ;; esac
        i=$((i + 1))
    done
}
