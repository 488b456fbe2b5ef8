#!/bin/bash
# parts.sh -- S3 test: large objects fetched in parallel ranges
#
# With the AWS CLI's settings in ~/.aws/config ([default] s3 = multipart_threshold,
# multipart_chunksize, max_concurrent_requests), a listed object at least the threshold is
# fetched as ranges of the chunk size, several at once; smaller objects and objects named
# alone (no listed size) in one GET. Results must equal the same query over local copies,
# also when a part is cut short (resumed with a Range inside the part); every request's
# signature is checked (proxy.py --verify).
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 node/npm or botocore missing.
#
# SPDX-License-Identifier: Apache-2.0
set -u
. "$SRCDIR/tests/s3/lib.sh"

need_botocore

s3_start
L="$tmp/local"
mkdir -p "$L/big"
"$PY" - "$L/big" <<'EOF2'
import gzip, sys
with open(sys.argv[1] + "/a.log", "w") as fp:  # about 3.3 MB
    for i in range(40000):
        fp.write('{"i": %d, "level": "%s", "msg": "a line of the large plain object %d"}\n' % (i, "ERROR" if i % 7 == 0 else "INFO", i))
with gzip.open(sys.argv[1] + "/b.log.gz", "wt", compresslevel=1) as fp:
    for i in range(90000):
        fp.write('{"i": %d, "level": "WARN", "msg": "zipped %x %d"}\n' % (i, i * 2654435761 % 2**32, i))
with open(sys.argv[1] + "/c.log", "w") as fp:
    fp.write('{"i": 1, "level": "ERROR", "msg": "small"}\n')
EOF2
s3_put logs "$L/" ""
printf '[default]\ns3 =\n  multipart_threshold = 512KB\n  multipart_chunksize = 256KB\n  max_concurrent_requests = 4\n' \
    >"$tmp/config"
export AWS_CONFIG_FILE="$tmp/config"
q='stats count(*) as n, sum(i) as s, count_distinct(msg) as m by level | sort level'
run --format csv "$q" "$L/big"
cp "$tmp/out" "$tmp/local.out"
size_a=$(stat -c %s "$L/big/a.log")
size_b=$(stat -c %s "$L/big/b.log.gz")
parts_a=$(((size_a + 262143) / 262144))
parts_b=$(((size_b + 262143) / 262144))
ranges() { grep -cE "^GET /logs/big/$1 range=bytes=[0-9]+-[0-9]+ -> 206" "$tmp/$2.log"; }

proxy_start p1 --verify S3RVER
run --format csv --endpoint-url "$PROXY_URL" "$q" s3://logs/big/
expect_rc 0 "parts"
expect_same "$tmp/local.out" "parts"
got=$(ranges 'a\.log' p1)
if [ "$got" -eq "$parts_a" ]; then ok "a.log ($size_a bytes) in $parts_a ranges"; else
    not_ok "a.log: $got ranges, expected $parts_a"; show "$tmp/p1.log"; fi
got=$(ranges 'b\.log\.gz' p1)
if [ "$got" -eq "$parts_b" ]; then ok "b.log.gz ($size_b bytes) in $parts_b ranges"; else
    not_ok "b.log.gz: $got ranges, expected $parts_b"; show "$tmp/p1.log"; fi
if grep -q "^GET /logs/big/a\.log range=bytes=262144-524287 " "$tmp/p1.log"; then ok "the second part's range"; else
    not_ok "no range bytes=262144-524287"; show "$tmp/p1.log"; fi
if grep -qE '^GET /logs/big/c\.log range=- -> 200' "$tmp/p1.log"; then ok "a small object in one GET"; else
    not_ok "the small object"; show "$tmp/p1.log"; fi
if grep -q 'sig=BAD' "$tmp/p1.log"; then not_ok "a bad signature"; grep -m3 'sig=BAD' "$tmp/p1.log" | show /dev/stdin; else
    ok "every ranged request signed"; fi

proxy_start p2 --cut 1000:2:'/big/a\.log'
run --format csv --endpoint-url "$PROXY_URL" "$q" s3://logs/big/
expect_rc 0 "parts cut short"
expect_same "$tmp/local.out" "parts cut short: resumed"
got=$(grep -cE '^GET /logs/big/a\.log range=bytes=[0-9]+-[0-9]+ -> 206 cut at 1000' "$tmp/p2.log")
if [ "$got" -eq 2 ]; then ok "two parts cut"; else not_ok "$got parts cut, expected 2"; show "$tmp/p2.log"; fi
got=0
for r in $(sed -n 's/^GET \/logs\/big\/a\.log range=bytes=\([0-9]*-[0-9]*\) -> 206 cut at 1000$/\1/p' "$tmp/p2.log"); do
    grep -q "^GET /logs/big/a\.log range=bytes=$((${r%-*} + 1000))-${r#*-} -> 206\$" "$tmp/p2.log" && got=$((got + 1))
done
if [ "$got" -eq 2 ]; then ok "both resumed inside their part"; else not_ok "$got resumed"; show "$tmp/p2.log"; fi

proxy_start p3 --status 500:0:'/big/a\.log'
AWS_MAX_ATTEMPTS=2 run --format csv --endpoint-url "$PROXY_URL" "$q" s3://logs/big/
expect_rc 3 "a part that keeps failing"
expect_err_has "s3://logs/big/a.log: HTTP 500 InternalError: injected by proxy.py (gave up after 2 tries)" \
    "a part that keeps failing: named once"
expect_err_lines 2 "a part that keeps failing: one line and the summary"

# the defaults (8 MiB): one GET each; an object named alone: one GET
unset AWS_CONFIG_FILE
proxy_start p4
run --format csv --endpoint-url "$PROXY_URL" "$q" s3://logs/big/
expect_same "$tmp/local.out" "default settings"
got=$(grep -c 'range=bytes' "$tmp/p4.log")
if [ "$got" -eq 0 ]; then ok "default settings: no ranges below 8 MiB"; else not_ok "$got ranges"; show "$tmp/p4.log"; fi

finish
