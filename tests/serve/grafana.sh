#!/bin/sh
# grafana.sh -- the requests of Grafana's CloudWatch data source, replayed with boto3
# (tests/serve/grafana.py), against liq serve (issue 17)
# SPDX-License-Identifier: Apache-2.0
. "$SRCDIR/tests/serve/lib.sh"
LIQ_SERVE_ACCESS_KEY_ID=AKIDTEST LIQ_SERVE_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY \
    serve_start --log-group /aws/app=$tmp/app --log-group /aws/lambda/fn=$tmp/app/host1
timeout 300 "$PY" "$SRCDIR/tests/serve/grafana.py" "$URL"
rc=$?
serve_stop
[ "$serve_rc" -eq 0 ] || { echo "not ok - SIGTERM: exit $serve_rc"; exit 1; }
exit $rc
