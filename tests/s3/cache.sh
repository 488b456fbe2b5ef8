#!/bin/bash
# cache.sh -- S3 test: --cache-dir keeps objects by bucket, key and ETag
#
# Requests are counted through the loopback proxy (tests/s3/proxy.py, which logs each one).
# A second run over a prefix reads every object from the cache (its listing's ETag names the
# copy): only the listing is requested, the results are the same. An object named by key is
# asked for with If-None-Match and read from the cache on 304. A changed object is fetched
# again (a new ETag in the listing, or 200 to the conditional GET) and replaces its old copy;
# no temporary file is left behind; a cache directory that cannot be made is one clear line.
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

# ===== a cache that cannot be made =====
: >"$tmp/file"
run --cache-dir "$tmp/file" $ep 'stats count(*)' s3://logs/app/a.log
expect_rc 3 "--cache-dir naming a file"
expect_err_has "s3://logs/app/a.log: --cache-dir $tmp/file: not a directory" "--cache-dir naming a file"
run --cache-dir '' 'stats count(*)' s3://logs/app/a.log
expect_rc 2 "--cache-dir ''"

finish
