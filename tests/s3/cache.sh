#!/bin/bash
# cache.sh -- S3 test: --cache-dir keeps objects by bucket, key and ETag
#
# Requests are counted through the loopback proxy (tests/s3/proxy.py, which logs each one).
# A second run over a prefix reads every object from the cache (its listing's ETag names the
# copy): only the listing is requested, the results are the same. An object named by key is
# asked for with If-None-Match and read from the cache on 304. A changed object is fetched
# again (a new ETag in the listing, or 200 to the conditional GET) and replaces its old copy;
# no temporary file is left behind. The temporary file of a run killed mid-download (a proxy
# holds the end of its body back) is removed by the next run, while the live one of a run
# still downloading is kept; a run that stops early removes its own. A cache directory that
# cannot be made is one clear line.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 node/npm missing.
#
# SPDX-License-Identifier: Apache-2.0
set -u
. "$SRCDIR/tests/s3/lib.sh"

s3_start
L="$tmp/local"
mkdir -p "$L/app/sub"
printf '{"level":"ERROR","msg":"one"}\n{"level":"INFO","msg":"two"}\n' >"$L/app/a.log"
printf '{"level":"WARN","msg":"zipped"}\n' | gzip >"$L/app/b.log.gz"
printf '{"level":"ERROR","msg":"deep"}\n' >"$L/app/sub/c.log"
s3_put logs "$L/" ""
proxy_start p
C="$tmp/cache"
q='fields @logStream, level, msg'
ep="--endpoint-url $PROXY_URL"
gets() { grep -cE "^GET /logs/app/[^?]* range=- -> $1\$" "$tmp/p.log"; }
expect_gets() {
    local got
    got=$(gets "$1")
    if [ "$got" -eq "$2" ]; then ok "$3: $2 object GETs answered $1"; else
        not_ok "$3: $got object GETs answered $1, expected $2"; show "$tmp/p.log"; fi
}

run --format csv "$q" "$L/app"
cp "$tmp/out" "$tmp/local.out"

# ===== a prefix: the listing's ETag names the copy =====
run --format csv --cache-dir "$C" $ep "$q" s3://logs/app/
expect_rc 0 "first run"
expect_same "$tmp/local.out" "first run"
expect_gets 200 3 "first run"
: >"$tmp/p.log"
run --format csv --stats --cache-dir "$C" $ep "$q" s3://logs/app/
expect_rc 0 "second run"
expect_same "$tmp/local.out" "second run"
expect_gets '[0-9]+' 0 "second run: no GET for a body"
if grep -q 'list-type=2' "$tmp/p.log"; then ok "second run: the listing is still read"; else
    not_ok "second run: no listing"; show "$tmp/p.log"; fi
expect_err_has "liq: stats: S3 objects: 0 pruned by their date path (--start/--end), 3 read from --cache-dir" \
    "--stats counts the cached objects"
if [ -z "$(find "$C" -name '.tmp*')" ] && [ "$(find "$C" -type f | wc -l)" -eq 3 ]; then
    ok "three cached files, no temporary file left"; else
    not_ok "cache contents"; find "$C" | show /dev/stdin; fi

# ===== one key: a conditional GET =====
: >"$tmp/p.log"
run --format csv --cache-dir "$C" $ep 'fields msg' s3://logs/app/a.log
want msg one two
expect_out "one key from the cache"
expect_gets 304 1 "one key: If-None-Match"
expect_gets 200 0 "one key: no body"

# ===== changed objects are fetched again =====
printf '{"level":"INFO","msg":"changed"}\n' >"$L/app/a.log"
printf '{"level":"INFO","msg":"deeper"}\n' >"$L/app/sub/c.log"
s3_put logs "$L/" ""
run --format csv "$q" "$L/app"
cp "$tmp/out" "$tmp/local2.out"
: >"$tmp/p.log"
run --format csv --cache-dir "$C" $ep 'fields msg' s3://logs/app/a.log
want msg changed
expect_out "one changed key"
expect_gets 200 1 "one changed key: fetched again"
: >"$tmp/p.log"
run --format csv --cache-dir "$C" $ep "$q" s3://logs/app/
expect_same "$tmp/local2.out" "a prefix with a changed object"
expect_gets 200 1 "a prefix with a changed object: only that one fetched"
if [ "$(find "$C" -type f | wc -l)" -eq 3 ]; then ok "old copies replaced"; else
    not_ok "old copies kept"; find "$C" | show /dev/stdin; fi
: >"$tmp/p.log"
run --format csv --cache-dir "$C" $ep "$q" s3://logs/app/
expect_same "$tmp/local2.out" "after the change, from the cache"
expect_gets '[0-9]+' 0 "after the change: no GET for a body"

# ===== temporary files: a killed run's are removed by the next run, a live run's are kept =====
# Run A downloads held/big.log through a proxy that never sends its last 64 KiB while A is
# connected, so A stays in the middle of the download (--s3-read-timeout 3600: it does not give
# up and resume), its temporary file written (not empty: created and locked before the first
# byte is written) and live, until it is killed.
L2="$tmp/local2"
mkdir -p "$L2/held"
"$PY" -c '
import sys
with open(sys.argv[1], "w") as fp:
    for i in range(60000):  # 2.9 MB: more than the first morsel (1 MiB) before the held end
        fp.write("{\"i\": %d, \"msg\": \"a line of the held object\"}\n" % i)' "$L2/held/big.log"
s3_put logs "$L2/" ""
proxy_start h --hold 0:'/held/big\.log'
# tmps: the temporary files of the cache, one "INODE NAME" a line
tmps() { find "$C" -name '.tmp*' -printf '%i %f\n' | sort; }
"$LIQ" --cache-dir "$C" --s3-read-timeout 3600 --endpoint-url "$PROXY_URL" 'stats count(*)' \
    s3://logs/held/big.log </dev/null >"$tmp/a.out" 2>"$tmp/a.err" &
a=$!
pids="$pids $a"
i=0
while [ -z "$(find "$C" -name '.tmp.*' -size +0)" ] && [ $i -lt 600 ]; do # a hang guard
    sleep 0.1
    i=$((i + 1))
done
tmps >"$tmp/live"
if [ "$(grep -c '' "$tmp/live")" -eq 1 ]; then ok "run A, held mid-download: one temporary file"; else
    not_ok "run A: temporary files"; show "$tmp/live"; show "$tmp/a.err"; fi
# a temporary file no process holds (as a liq before the locks left it): removed by any run
printf 'partial' >"$C/logs/.tmp.Planted"
run --format csv --cache-dir "$C" --endpoint-url "$S3_URL" 'fields msg' s3://logs/app/a.log
expect_rc 0 "run B while A downloads"
want msg changed
expect_out "run B while A downloads"
if cmp -s "$tmp/live" <(tmps) && kill -0 "$a" 2>/dev/null; then
    ok "run B kept the live temporary file of run A, and removed the dead one"
else
    not_ok "run B: temporary files (A's was $(cat "$tmp/live"))"; tmps | show /dev/stdin
fi
{ kill -KILL "$a" && wait "$a"; } 2>/dev/null # (bash says "Killed")
if grep -qxF "$(cat "$tmp/live")" <(tmps); then ok "run A killed: its temporary file is left behind"; else
    not_ok "run A killed: temporary files"; tmps | show /dev/stdin; fi
run --format csv --cache-dir "$C" --endpoint-url "$S3_URL" 'fields msg' s3://logs/app/a.log
expect_rc 0 "run C after A was killed"
expect_out "run C after A was killed"
if [ -z "$(tmps)" ]; then ok "run C removed the temporary file of the killed run A"; else
    not_ok "run C left temporary files"; tmps | show /dev/stdin; fi
# a run that stops early (limit 1 while the body is held) removes its own
tmps >"$tmp/before"
run_guarded 60 --format csv --cache-dir "$C" --endpoint-url "$PROXY_URL" 'fields i | limit 1' \
    s3://logs/held/big.log
expect_rc 0 "limit 1 while the body is held"
want i 0
expect_out "limit 1 while the body is held"
if cmp -s "$tmp/before" <(tmps); then ok "limit 1: its temporary file removed as it stopped"; else
    not_ok "limit 1: temporary files left"; tmps | show /dev/stdin; fi

# ===== a cache that cannot be made =====
: >"$tmp/file"
run --cache-dir "$tmp/file" $ep 'stats count(*)' s3://logs/app/a.log
expect_rc 3 "--cache-dir naming a file"
expect_err_has "s3://logs/app/a.log: --cache-dir $tmp/file: not a directory" "--cache-dir naming a file"
run --cache-dir '' 'stats count(*)' s3://logs/app/a.log
expect_rc 2 "--cache-dir ''"

finish
