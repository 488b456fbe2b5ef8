#!/bin/bash
# stream.sh -- S3 test: objects stream into the decoders while they download
#
# A large plain object (about 200 MB, made here) whose last 64 KiB the proxy
# (tests/s3/proxy.py --hold) never sends while liq is connected: `limit 1` must answer before
# the body ends, and the run must stop without waiting for it (the proxy logs how much of the
# body it sent). The peak memory of a whole query over the object, in one GET and in parallel
# ranges, stays far below its size; the results equal the same query over the local copy. A body cut short for good keeps the records before the
# cut (the cut line dropped), names the object and exits 3.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 node/npm missing.
#
# SPDX-License-Identifier: Apache-2.0
set -u
. "$SRCDIR/tests/s3/lib.sh"

s3_start
L="$tmp/local"
mkdir -p "$L/s"
"$PY" - "$L/s" <<'EOF2'
import sys
with open(sys.argv[1] + "/big.log", "w") as fp:  # about 200 MB
    for b in range(0, 2800000, 100000):
        fp.write("".join('{"i": %d, "level": "%s", "msg": "a line of the large streamed object %d"}\n'
                         % (i, "ERROR" if i % 7 == 0 else "INFO", i) for i in range(b, b + 100000)))
with open(sys.argv[1] + "/small.log", "w") as fp:
    for i in range(5000):
        fp.write('{"i": %d, "level": "INFO", "msg": "small object line %d"}\n' % (i, i))
EOF2
s3_put logs "$L/" ""
size=$(stat -c %s "$L/s/big.log")
one() { printf '[default]\ns3 =\n  multipart_threshold = 4GB\n' >"$tmp/config"; }
parts() { printf '[default]\ns3 =\n  multipart_threshold = 8MB\n  multipart_chunksize = 8MB\n  max_concurrent_requests = 4\n' >"$tmp/config"; }
export AWS_CONFIG_FILE="$tmp/config"

# ===== the first rows come before the body ends =====
# The proxy holds back the last 64 KiB of the body until liq closes the connection, so a run
# that waits for the whole body never ends (the hang guard stops it: exit 124). Exit 0 with
# the first row, and the proxy's log of a client gone before the end, is the answer coming
# from a body not yet complete, however fast or slow the machine.
one
proxy_start p1 --hold 0:'/big\.log'
run_guarded 60 --format csv --endpoint-url "$PROXY_URL" 'fields i, msg | limit 1' s3://logs/s/big.log
expect_rc 0 "limit 1 while the end of the body is held back"
want 'i,msg' '0,a line of the large streamed object 0'
expect_out "limit 1 while the end of the body is held back"
held='^GET /logs/s/big\.log range=- -> 200 held: client gone after [0-9]+ of [0-9]+ bytes$'
if wait_log p1 "$held"; then
    read -r sent total < <(sed -En 's/.* client gone after ([0-9]+) of ([0-9]+) bytes$/\1 \2/p' "$tmp/p1.log")
    if [ "$sent" -lt "$total" ] && [ "$(grep -c 'big\.log' "$tmp/p1.log")" -eq 1 ]; then
        ok "limit 1: liq answered and left after $sent of the $total bytes of the body, in one GET"
    else
        not_ok "limit 1: the body was sent in full, or asked for again"; show "$tmp/p1.log"
    fi
else
    not_ok "limit 1: the proxy never saw liq leave the held body"; show "$tmp/p1.log"
fi

# ===== memory stays bounded; results as local (listed: its size allows parallel ranges) =====
q='stats count(*) as n, sum(i) as s by level | sort level'
run --format csv "$q" "$L/s/big.log"
cp "$tmp/out" "$tmp/local.out"
for mode in one parts; do
    $mode
    for threads in 1 4; do
        # (a sanitizer build keeps freed blocks in quarantine: not the memory liq needs)
        ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0" \
            /usr/bin/time -f %M -o "$tmp/rss" "$LIQ" --threads $threads --format csv \
            --endpoint-url "$S3_URL" "$q" 's3://logs/s/big.*' </dev/null >"$tmp/out" 2>"$tmp/err"
        rc=$?
        expect_rc 0 "$mode, --threads $threads"
        expect_same "$tmp/local.out" "$mode, --threads $threads"
        kb=$(cat "$tmp/rss")
        if [ "$kb" -lt $((size / 1024 / 2)) ]; then
            ok "$mode, --threads $threads: peak RSS ${kb} KiB for a $((size / 1024)) KiB object"
        else
            not_ok "$mode, --threads $threads: peak RSS ${kb} KiB, not below half the object ($((size / 1024)) KiB)"
        fi
    done
done

# ===== a body cut short for good: the records before the cut, exit 3 =====
one
export AWS_MAX_ATTEMPTS=2
proxy_start p2 --cut 50000:0:'/small\.log'
run --format csv --endpoint-url "$PROXY_URL" 'stats count(*) as n' s3://logs/s/small.log
expect_rc 3 "a body cut short for good"
expect_err_has "s3://logs/s/small.log: the body was cut short after 100000 bytes (gave up after 2 tries)" \
    "a body cut short for good: named"
# the whole lines of the first 100000 bytes
lines=$(head -c 100000 "$L/s/small.log" | grep -c '')
[ "$(head -c 100000 "$L/s/small.log" | tail -c 1 | od -An -c | tr -d ' ')" = '\n' ] || lines=$((lines - 1))
want n "$lines"
expect_out "a body cut short for good: the records before the cut are kept"
finish
