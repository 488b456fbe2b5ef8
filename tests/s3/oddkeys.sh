#!/bin/bash
# oddkeys.sh -- S3 test: keys that look like paths never leave --cache-dir, and are fetched as
# they are named
#
# s3rver refuses or rewrites such keys, so a stub bucket behind the test proxy (proxy.py
# --objects) serves them: "../../x", "a/../../../etc/x", absolute paths (one naming a file
# beside the cache), "//", "." and ".." segments, a bare "." and "..", control bytes, CR and
# LF, '%', '+', '?', '#', '*', quotes, '&', '<', backslashes, non-ASCII, a 1020-byte
# name of 255 segments and a 1002-byte segment (longer than NAME_MAX). Each object's body
# names its index. Checked: a listing of the bucket reads every object once, each from its
# own key (the sum and count of the indexes; the proxy saw each key's path exactly as listed,
# no dot segment resolved by libcurl, and checked every signature with botocore); the cache holds one file per object, each named
# SHA256.ETAG, mode 0600, in 0700 directories (under umask 000), and nothing outside the
# cache directory was made; a second run reads everything from the cache; keys named
# directly in the URI (dot segments, "//") are asked for as named, and a missing one is
# 404, not another object; a listed key that decodes to a NUL byte is an error naming it.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 node/npm missing.
#
# SPDX-License-Identifier: Apache-2.0
set -u
. "$SRCDIR/tests/s3/lib.sh"

s3_start
W="$tmp/w/a/b/c" # the cache is deep, so "../../x" from it would still land in $tmp/w
C="$W/cache"
mkdir -p "$W"
"$PY" - "$tmp/objects.json" "$tmp" <<'EOF'
import json, sys
tmp = sys.argv[2]
keys = ["../../x", "../../../../../../x", "a/../../../etc/x", "/abs/path", tmp + "/escaped",
        "a//b", "//lead", "trail//", "./c", "d/./e", "f/..", "..", ".", "g/../h",
        "sp ace", "tab\there", "nl\nline", "cr\rret", "\x01ctl\x1f\x7f", "pct%2Fenc%",
        "plus+sign", "q?mark#hash", "star*[x]", "amp&<>\"'", "back\\slash",
        "\u00fcml\u00e4ut-\u65e5\u672c", "seg/" * 255, "L/" + "x" * 1000]
json.dump([[k, '{"i": %d}\n' % i] for i, k in enumerate(keys)], open(sys.argv[1], "w"))
EOF
read -r nkeys sum < <("$PY" -c 'import json,sys; k=json.load(open(sys.argv[1])); print(len(k), sum(range(len(k))))' "$tmp/objects.json")
printf '[["ok.log", "{\\"i\\": 1}\\n"], ["nul\\u0000x.log", "{\\"i\\": 2}\\n"]]' >"$tmp/nul.json"
need_botocore
proxy_start p --objects "odd:$tmp/objects.json" --objects "nul:$tmp/nul.json" --verify S3RVER
ep="--endpoint-url $PROXY_URL"
body_gets() { grep -cE "^GET /odd/[^?]* range=- -> 200 " "$tmp/p.log"; }

# ===== a listing of every odd key, with a cache, under umask 000 =====
(umask 000 && "$LIQ" --format csv --cache-dir "$C" $ep 'stats count(*) as n, sum(i) as s, count_distinct(i) as d' \
    s3://odd/ </dev/null >"$tmp/out" 2>"$tmp/err")
rc=$?
expect_rc 0 "a listing of odd keys"
want n,s,d "$nkeys,$sum,$nkeys"
expect_out "every object read once, each from its own key"
if [ "$(body_gets)" -eq "$nkeys" ]; then ok "$nkeys object GETs answered 200"; else
    not_ok "object GETs"; show "$tmp/p.log"; fi
"$PY" - "$tmp/objects.json" "$tmp/p.log" >"$tmp/paths.diff" <<'EOF'
import json, sys, urllib.parse
keys = sorted(k.encode() for k, _ in json.load(open(sys.argv[1])))
got = sorted(urllib.parse.unquote_to_bytes(l.split(" ")[1]).partition(b"/odd/")[2]
             for l in open(sys.argv[2]) if l.startswith("GET /odd/") and "list-type" not in l)
if got != keys:
    print("asked for:", got, "\nlisted:   ", keys)
EOF
if [ ! -s "$tmp/paths.diff" ]; then ok "each key asked for as listed, no dot segment resolved"; else
    not_ok "the paths asked for"; show "$tmp/paths.diff"; fi
bad=$(find "$C" -mindepth 2 -type f -regextype posix-extended ! -regex '.*/[0-9a-f]{64}\.[0-9A-Za-z_-]+' | head -3)
if [ -z "$bad" ] && [ "$(find "$C" -type f | wc -l)" -eq "$nkeys" ]; then
    ok "one cache file per object, each named SHA256.ETAG"; else
    not_ok "cache files: $bad"; find "$C" | show /dev/stdin; fi
if [ "$(find "$C" -mindepth 1 -maxdepth 1 | wc -l)" -eq 1 ] && [ -d "$C/odd" ] &&
    [ -z "$(find "$C" -mindepth 2 -type d)" ]; then ok "one directory, the bucket's, and no other"; else
    not_ok "cache directories"; find "$C" -type d | show /dev/stdin; fi
modes=$(find "$C" \( -type f ! -perm 0600 \) -o \( -type d ! -perm 0700 \) -printf '%m %p\n')
if [ -z "$modes" ]; then ok "files 0600, directories 0700 (under umask 000)"; else
    not_ok "modes"; printf '%s\n' "$modes" | show /dev/stdin; fi
outside=$(find "$tmp/w" -mindepth 1 ! -path "$C" ! -path "$C/*" ! -path "$tmp/w/a" ! -path "$tmp/w/a/b" ! -path "$W")
if [ -z "$outside" ] && [ ! -e "$tmp/escaped" ] && [ ! -e "$tmp/x" ] && [ ! -e /abs/path ]; then
    ok "nothing made outside --cache-dir"; else
    not_ok "made outside --cache-dir: $outside"; ls -la "$tmp" | show /dev/stdin; fi
if grep -q 'sig=ok' "$tmp/p.log" && ! grep -q 'sig=BAD' "$tmp/p.log"; then
    ok "every request signed right (botocore agrees on the odd paths)"; else
    not_ok "signatures"; grep -v 'sig=ok' "$tmp/p.log" | cut -c1-300 | show /dev/stdin; fi

: >"$tmp/p.log"
run --format csv --stats --cache-dir "$C" $ep 'stats count(*) as n, sum(i) as s, count_distinct(i) as d' s3://odd/
expect_rc 0 "the second run"
expect_out "the second run: the same answer"
if [ "$(body_gets)" -eq 0 ]; then ok "the second run: no GET for a body"; else
    not_ok "the second run fetched bodies"; show "$tmp/p.log"; fi
expect_err_has "$nkeys read from --cache-dir" "the second run: every object from the cache"

# ===== keys named in the URI =====
: >"$tmp/p.log"
run --format csv $ep 'fields i' 's3://odd/a/../../../etc/x'
expect_rc 0 "a key with dot segments named directly"
want i 2
expect_out "a key with dot segments named directly"
if grep -qF 'GET /odd/a/../../../etc/x range=- -> 200 ' "$tmp/p.log"; then ok "asked for as named"; else
    not_ok "asked for as named"; show "$tmp/p.log"; fi
run --format csv $ep 'fields i' 's3://odd/a//b'
want i 5
expect_out "a key with '//' named directly"
run --format csv $ep 'fields i' 's3://odd/etc/x'
expect_rc 3 "the key a resolved path would name: missing"
expect_err_has "s3://odd/etc/x" "the key a resolved path would name: an error naming it"
run --format csv $ep --cache-dir "$C" 'fields i' 's3://odd/../../x'
want i 0
expect_out "'../../x' named directly, from the cache"

# ===== a key that decodes to a NUL byte: an error, not another (shorter) key =====
run --format csv $ep 'fields i' s3://nul/
expect_rc 3 "a listed key holding a NUL byte"
expect_err_has "s3://nul/: the listing has a key holding a NUL byte: nul%00x.log" \
    "a listed key holding a NUL byte: named, encoded"
finish
