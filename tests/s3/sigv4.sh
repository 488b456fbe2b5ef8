#!/bin/bash
# sigv4.sh -- S3 test: every request liq sends carries a signature botocore agrees with
#
# s3rver 3.7.1 checks access key ids, not SigV4 signatures, so a loopback proxy
# (tests/s3/proxy.py --verify) recomputes each signature with botocore (Debian
# python3-botocore) over S3's canonical form of the request, and answers 403
# SignatureDoesNotMatch on any difference. Covers: listings with continuation tokens (s3rver's
# hold '+', '/' and '='), prefixes with characters to encode, keys with spaces and '+', a
# session token, a region from AWS_REGION and from the profile, and a wrong secret.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 node/npm or botocore missing.
#
# SPDX-License-Identifier: Apache-2.0
set -u
. "$SRCDIR/tests/s3/lib.sh"

need_botocore

s3_start
L="$tmp/local"
mkdir -p "$L/many (x+y)" "$L/k"
"$PY" - "$L/many (x+y)" <<'EOF'
import sys
for i in range(1001):
    with open("%s/f%04d.log" % (sys.argv[1], i), "w") as fp:
        fp.write('{"n": %d}\n' % i)
EOF
printf 'one\n' >"$L/k/a b+c=d&e.log"
printf 'two\n' >"$L/k/ü~_.log"
s3_put logs "$L/" ""

proxy_start v --verify S3RVER
export AWS_ENDPOINT_URL="$PROXY_URL"
bad() { grep -c 'sig=BAD' "$tmp/v.log"; }
good() { grep -c 'sig=ok' "$tmp/v.log"; }

run --format csv 'stats count(*) as n, sum(n) as s' 's3://logs/many (x+y)/'
want 'n,s' '1001,500500'
expect_out "1001 objects through the verifying proxy"
if [ "$(bad)" -eq 0 ] && [ "$(good)" -ge 1003 ]; then ok "every signature verified ($(good))"; else
    not_ok "signatures: $(good) ok, $(bad) bad"; grep -m3 'sig=BAD' "$tmp/v.log" | show /dev/stdin; fi
if grep -q '?continuation-token=.*sig=ok' "$tmp/v.log"; then ok "a continuation token was signed"; else
    not_ok "no continuation token seen"; grep list-type "$tmp/v.log" | show /dev/stdin; fi

: >"$tmp/v.log"
run --format csv 'fields @message' 's3://logs/k/*' 's3://logs/k/a b+c=d&e.log'
want '@message' 'one' 'two' 'one'
expect_out "keys with characters to encode"
AWS_SESSION_TOKEN=session-token-123 AWS_REGION=eu-central-1 run --format csv 'fields @message' \
    's3://logs/k/'
want '@message' 'one' 'two'
expect_out "a session token and another region"
if grep -q 'sig=BAD' "$tmp/v.log"; then not_ok "odd keys and a session token: a bad signature"; \
    grep 'sig=BAD' "$tmp/v.log" | show /dev/stdin; else ok "odd keys and a session token: signatures verified"; fi

printf '[profile p]\nregion = ap-south-1\n' >"$tmp/config"
AWS_CONFIG_FILE="$tmp/config" AWS_PROFILE=p run 'stats count(*)' 's3://logs/k/'
expect_rc 0 "region from the profile"
if grep -q 'region=ap-south-1 sig=ok' "$tmp/v.log"; then ok "region from the profile signed"; else
    not_ok "region from the profile not in the signature"; show "$tmp/v.log"; fi
if grep -q 'region=eu-central-1 sig=ok' "$tmp/v.log"; then ok "AWS_REGION signed"; else
    not_ok "AWS_REGION not in the signature"; show "$tmp/v.log"; fi

AWS_SECRET_ACCESS_KEY=wrong-secret-77 run 'stats count(*)' 's3://logs/k/a b+c=d&e.log'
expect_rc 3 "a wrong secret"
expect_err_has "access denied (403 SignatureDoesNotMatch" "a wrong secret"
expect_err_lacks "wrong-secret-77" "a wrong secret is not printed"

finish
