#!/bin/sh
# boto3.sh -- liq serve answers Debian's boto3 (issue 17): tests/serve/clients.py
# SPDX-License-Identifier: Apache-2.0
. "$SRCDIR/tests/serve/lib.sh"
LIQ_SERVE_ACCESS_KEY_ID=AKIDTEST LIQ_SERVE_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY \
    serve_start --log-group /aws/app=$tmp/app --log-group /aws/lambda/fn=$tmp/app/host1 \
    --log-group /aws/lambda/other=$tmp/app/host2
timeout 300 "$PY" "$SRCDIR/tests/serve/clients.py" "$URL" "$tmp" "$LIQ"
rc=$?
serve_stop
[ "$serve_rc" -eq 0 ] || { echo "not ok - SIGTERM: exit $serve_rc"; exit 1; }
exit $rc
