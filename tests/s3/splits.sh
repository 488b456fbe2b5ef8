#!/bin/bash
# splits.sh -- S3 test: liq --splits lists S3 prefixes into work units of whole objects,
# balanced by bytes; --partial per unit and --merge give the bytes of one run (issue 16)
#
# A prefix of 19 objects of different sizes in s3rver: Firehose hours (pruned by --start/--end),
# keys with a space, '@123-456' at the end, '%', '+', '=', ':' and non-ASCII bytes, a gzip
# object and an empty one. Checked, for 1, 3, 7 and 50 (more than the objects) splits: every
# object is in exactly one unit (the unit names decoded), no unit word holds white space or
# '@', the units are balanced (none past its share by more than one object), and the units
# read in a shell loop (`$unit` unquoted) with --partial --part-index K, then --merge, print
# the bytes of one run over the prefix for a stats query and a rows query (sort), both showing
# @log and @logStream. With --start/--end the units hold exactly the objects a run does not
# prune (the run's --stats count) and still merge into the run's bytes; --exclude leaves out
# what a run leaves out; a glob; an input that lists nothing passes whole and fails in its unit
# as in one run. Keys s3rver refuses (a stub bucket behind tests/s3/proxy.py: dot segments,
# '//', control bytes, CR and LF, quotes, '$', '`', ';', '*', '%') go through a shell loop
# and merge into the bytes of one run. A 403 listing and a missing bucket exit 3 with one message and no stdout.
# liq-dask (a local cluster, when python3-distributed is there) over the prefix with
# --endpoint-url and --start/--end prints the bytes of one run: its --splits lists with them.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 node/npm missing.
#
# SPDX-License-Identifier: Apache-2.0
set -u
. "$SRCDIR/tests/s3/lib.sh"

s3_start
L="$tmp/local"
mkdir -p "$L/fh/2026/11/20" "$L/odd/dt=2026-11-20" "$L/gz"
# Firehose arrival hours 08..19, hour H holds 3*H records of its hour (sizes differ)
for h in 08 09 10 11 12 13 14 15 16 17 18 19; do
    mkdir -p "$L/fh/2026/11/20/$h"
    awk -v h="$h" 'BEGIN { for (i = 0; i < 3 * h; i++)
        printf "{\"timestamp\":\"2026-11-20T%s:%02d:%02dZ\",\"v\":%d,\"msg\":\"fh %s %d\"}\n", h, i % 60, i % 7, i * 7 % 13, h, i }' \
        >"$L/fh/2026/11/20/$h/s-1-2026-11-20-$h-00-00-x$h"
done
ev() { printf '{"timestamp":"2026-11-20T%s","v":%d,"msg":"%s"}\n' "$1" "$2" "$3"; }
ev 12:30:01Z 5 "a space" >"$L/odd/sp ace.log"
{ ev 12:30:02Z 6 "range-like 1"; ev 12:30:03Z 7 "range-like 2"; } >"$L/odd/k.log@123-456"
ev 12:30:04Z 8 "percent" >"$L/odd/pct%41.log"
ev 12:30:05Z 9 "plus" >"$L/odd/dt=2026-11-20/p+lus:12.log"
ev 12:30:06Z 10 "non-ascii" >"$L/odd/$(printf '\303\274ml\303\244ut').log"
for i in 1 2 3 4 5 6 7 8 9; do ev "12:31:0${i}Z" "$i" "gzip $i"; done | gzip >"$L/gz/a.log.gz"
: >"$L/odd/empty.log"
s3_put logs "$L/" "app/"
nobj=$(find "$L" -type f | wc -l)
ep="--endpoint-url $S3_URL"
qs='stats count(*) as n, sum(v) as s, min(@timestamp) as t0, max(msg) as m by @log, @logStream'
qr='fields @timestamp, @log, @logStream, msg, v | sort @timestamp desc, msg'

# decode.py UNITS: the keys of the unit words, one per line (s3://BUCKET,.../KEY with %XX)
cat >"$tmp/decode.py" <<'EOF'
import sys, urllib.parse
for line in open(sys.argv[1], "rb"):
    for w in line.rstrip(b"\n").split(b" "):
        key = w.partition(b"://")[2].partition(b"/")[2]
        sys.stdout.buffer.write(urllib.parse.unquote_to_bytes(key) + b"\n")
EOF
(cd "$L" && find . -type f | sed 's|^\./|app/|' | LC_ALL=C sort) >"$tmp/all.keys"

# split_run TAG QUERY N [OPTIONS...]: --splits N, then --partial per unit (a shell loop over
# the lines, $unit unquoted), --merge; $tmp/TAG.units, .merged, .rc
split_run() {
    local tag=$1 q=$2 nsplits=$3 k=0 unit parts=()
    shift 3
    "$LIQ" --splits "$nsplits" $ep "$@" s3://logs/app/ >"$tmp/$tag.units" 2>"$tmp/$tag.err"
    echo $? >"$tmp/$tag.rc"
    while IFS= read -r unit; do
        "$LIQ" --partial --part-index $k $ep "$@" "$q" $unit >"$tmp/$tag.p$k" 2>>"$tmp/$tag.err"
        parts+=("$tmp/$tag.p$k")
        k=$((k + 1))
    done <"$tmp/$tag.units"
    "$LIQ" --merge --format csv "$@" "$q" "${parts[@]}" >"$tmp/$tag.merged" 2>>"$tmp/$tag.err"
}
same() { # FILE_A FILE_B LABEL
    if cmp -s "$1" "$2"; then ok "$3"; else not_ok "$3"; diff -u "$1" "$2" | head -20 | show /dev/stdin; fi
}
# check_units TAG N KEYS: at most N lines, each key of KEYS in exactly one unit, no unit word
# with '@' or a blank, no share past total/N by more than the largest object
check_units() {
    local tag=$1 most=$2 keys=$3 lines
    lines=$(wc -l <"$tmp/$tag.units")
    if [ "$(cat "$tmp/$tag.rc")" = 0 ] && [ "$lines" -ge 1 ] && [ "$lines" -le "$most" ]; then
        ok "$tag: $lines units of at most $most"; else
        not_ok "$tag: exit $(cat "$tmp/$tag.rc"), $lines units"; show "$tmp/$tag.err"; fi
    "$PY" "$tmp/decode.py" "$tmp/$tag.units" | LC_ALL=C sort >"$tmp/$tag.keys"
    same "$keys" "$tmp/$tag.keys" "$tag: every object in exactly one unit"
    if ! grep -q '[@[:space:]]' <(tr ' ' '\n' <"$tmp/$tag.units") && ! grep -q '  \|^ \| $' "$tmp/$tag.units"; then
        ok "$tag: no '@' nor blank inside a unit word"; else not_ok "$tag: unit words"; show "$tmp/$tag.units"; fi
    "$PY" - "$tmp/$tag.units" "$most" >"$tmp/$tag.bal" <<'EOF'
import re, sys
units = [[int(m) for m in re.findall(r",size=(\d+)", l)] for l in open(sys.argv[1])]
total, big, n = sum(map(sum, units)), max(max(u, default=0) for u in units), int(sys.argv[2])
for u in units:
    if sum(u) > total / n + big:
        print("unit of %d bytes, share %d, largest object %d" % (sum(u), total / n, big))
EOF
    if [ ! -s "$tmp/$tag.bal" ]; then ok "$tag: balanced by bytes"; else not_ok "$tag: balance"; show "$tmp/$tag.bal"; fi
}

# ===== one run, then 1, 3, 7 and 50 splits =====
run --format csv $ep "$qs" s3://logs/app/
expect_rc 0 "one run, stats"
cp "$tmp/out" "$tmp/one.stats"
run --format csv $ep "$qr" s3://logs/app/
expect_rc 0 "one run, rows"
cp "$tmp/out" "$tmp/one.rows"
if grep -q '^s3://logs/app/,odd/sp ace.log,' "$tmp/one.stats" && grep -q 'range-like' "$tmp/one.rows" &&
    [ "$(wc -l <"$tmp/one.stats")" -eq "$nobj" ]; then ok "one run reads every object ($nobj, less the empty one, plus the header)"; else
    not_ok "one run"; show "$tmp/one.stats"; fi
for ns in 1 3 7 50; do
    split_run s$ns "$qs" $ns
    check_units s$ns $ns "$tmp/all.keys"
    same "$tmp/one.stats" "$tmp/s$ns.merged" "$ns splits: stats merged = one run"
    split_run r$ns "$qr" $ns
    same "$tmp/one.rows" "$tmp/r$ns.merged" "$ns splits: rows (sort) merged = one run"
done
if [ "$(wc -l <"$tmp/s50.units")" -lt "$nobj" ]; then ok "50 splits of $nobj objects: fewer lines"; else
    not_ok "50 splits: $(wc -l <"$tmp/s50.units") lines"; fi
if [ "$(wc -l <"$tmp/s7.units")" -eq 7 ]; then ok "7 splits: 7 units"; else not_ok "7 splits"; show "$tmp/s7.units"; fi

# ===== --start/--end: the units hold exactly what a run does not prune =====
rng='--start 2026-11-20T13:30:00Z --end 2026-11-20T15:59:59Z'
run --format csv --stats $ep $rng "$qs" s3://logs/app/
cp "$tmp/out" "$tmp/one.rng"
pruned=$(sed -n 's/.*S3 objects: \([0-9]*\) pruned.*/\1/p' "$tmp/err")
split_run g3 "$qs" 3 $rng
grep -v -E '/fh/2026/11/20/(0[89]|1[01]|12)/' "$tmp/all.keys" >"$tmp/rng.keys"
check_units g3 3 "$tmp/rng.keys"
if [ "$pruned" = 5 ] && [ "$(wc -l <"$tmp/g3.keys")" -eq $((nobj - pruned)) ]; then
    ok "the units leave out the $pruned objects the run prunes"; else
    not_ok "pruned: run $pruned, units $(wc -l <"$tmp/g3.keys") of $nobj"; fi
same "$tmp/one.rng" "$tmp/g3.merged" "--start/--end: merged = one run"

# ===== --exclude, a glob =====
run --format csv $ep --exclude '*.gz' "$qs" s3://logs/app/
cp "$tmp/out" "$tmp/one.ex"
split_run x3 "$qs" 3 --exclude '*.gz'
grep -v '\.gz$' "$tmp/all.keys" >"$tmp/ex.keys"
check_units x3 3 "$tmp/ex.keys"
same "$tmp/one.ex" "$tmp/x3.merged" "--exclude: merged = one run"
run --splits 2 $ep 's3://logs/app/odd/*.log'
cp "$tmp/out" "$tmp/glob.units"
"$PY" "$tmp/decode.py" "$tmp/glob.units" | LC_ALL=C sort >"$tmp/glob.keys"
grep '^app/odd/[^/]*\.log$' "$tmp/all.keys" >"$tmp/glob.want"
same "$tmp/glob.want" "$tmp/glob.keys" "a glob: the objects it matches"
run --format csv $ep "$qr" 's3://logs/app/odd/*.log'
cp "$tmp/out" "$tmp/one.glob"
k=0
while IFS= read -r unit; do
    "$LIQ" --partial --part-index $k $ep "$qr" $unit >"$tmp/glob.p$k"
    k=$((k + 1))
done <"$tmp/glob.units"
run --format csv --merge "$qr" "$tmp"/glob.p*
same "$tmp/one.glob" "$tmp/out" "a glob: merged = one run (@log is the glob)"

# ===== an object named alone holding a space: one word, read as one run reads the name =====
run --splits 2 $ep 's3://logs/app/odd/sp ace.log' s3://logs/app/gz/a.log.gz
cp "$tmp/out" "$tmp/alone.units"
if [ "$rc" = 0 ] && [ "$(cat "$tmp/alone.units")" = 's3://logs,in=%2Fapp%2Fodd%2Fsp%20ace.log/app/odd/sp%20ace.log s3://logs/app/gz/a.log.gz' ]; then
    ok "objects named alone: not weighed, one unit, the spaced one as a unit name"; else
    not_ok "objects named alone"; show "$tmp/alone.units"; fi
run --format csv $ep "$qr" 's3://logs/app/odd/sp ace.log' s3://logs/app/gz/a.log.gz
cp "$tmp/out" "$tmp/one.alone"
run --format csv $ep "$qr" $(cat "$tmp/alone.units")
same "$tmp/one.alone" "$tmp/out" "objects named alone: the unit reads as one run (@log the name)"

# ===== a prefix that lists nothing: passed whole, its unit fails as one run does =====
run --splits 3 $ep s3://logs/app/fh/ s3://logs/nothing/
if [ "$rc" = 0 ] && [ "$(tail -n 1 "$tmp/out" | tr ' ' '\n' | tail -n 1)" = s3://logs/nothing/ ]; then
    ok "an empty prefix goes whole into the last unit"; else not_ok "empty prefix"; show "$tmp/out"; fi
cp "$tmp/out" "$tmp/e.units"
run --format csv $ep "$qs" s3://logs/app/fh/ s3://logs/nothing/
cp "$tmp/out" "$tmp/one.e"
cp "$tmp/err" "$tmp/one.e.err"
k=0
while IFS= read -r unit; do
    "$LIQ" --partial --part-index $k $ep "$qs" $unit >"$tmp/e.p$k"
    k=$((k + 1))
done <"$tmp/e.units"
run --format csv --merge "$qs" "$tmp"/e.p*
expect_rc 3 "an empty prefix: the merge exits 3 as one run"
same "$tmp/one.e" "$tmp/out" "an empty prefix: merged = one run"
same "$tmp/one.e.err" "$tmp/err" "an empty prefix: the same message as one run"

# ===== keys s3rver refuses (a stub bucket behind the proxy): they round-trip through units =====
"$PY" - "$tmp/objects.json" <<'EOF2'
import json, sys
keys = ["../../x", "a//b", "./c", "d/./e", "f/..", "..", ".", "sp ace", "tab\there",
        "nl\nline", "cr\rret", "\x01ctl\x1f\x7f", "pct%2Fenc%", "plus+sign", "q?mark#hash",
        "star*[x]", "amp&<>\"'$(x)`y`;|", "back\\slash", "\u00fcml\u00e4ut", "k.log@123-456",
        "-dash", "~tilde", "L/" + "x" * 1000]
json.dump([[k, '{"i": %d}\n' % i] for i, k in enumerate(keys)], open(sys.argv[1], "w"))
EOF2
proxy_start p --objects "odd:$tmp/objects.json"
qo='fields i, @log, @logStream | sort i'
run --format csv --endpoint-url "$PROXY_URL" "$qo" s3://odd/
cp "$tmp/out" "$tmp/one.odd"
run --splits 4 --endpoint-url "$PROXY_URL" s3://odd/
cp "$tmp/out" "$tmp/odd.units"
if [ "$(grep -c '^[0-9]*,s3://odd/,' "$tmp/one.odd")" -eq 23 ] && [ "$(wc -l <"$tmp/odd.units")" -eq 4 ]; then
    ok "23 odd keys: one run reads them, 4 units"; else not_ok "odd keys"; show "$tmp/one.odd" | cut -c1-200; fi
k=0
while IFS= read -r unit; do
    "$LIQ" --partial --part-index $k --endpoint-url "$PROXY_URL" "$qo" $unit >"$tmp/odd.p$k"
    k=$((k + 1))
done <"$tmp/odd.units"
run --format csv --merge "$qo" "$tmp"/odd.p*
same "$tmp/one.odd" "$tmp/out" "odd keys (newline, quotes, \$, \`, ;, *, %, @123-456, dot segments): merged = one run"

# ===== liq-dask on a local cluster: its --splits lists with the run's S3 options =====
if [ -x /usr/bin/dask ] && /usr/bin/python3 -c 'import distributed' 2>/dev/null; then
    mkdir -p "$tmp/dask-tmp" "$tmp/dask-config"
    DASK_TEMPORARY_DIRECTORY="$tmp/dask-tmp" DASK_CONFIG="$tmp/dask-config" \
        timeout 120 /usr/bin/python3 "$(dirname "$LIQ")/liq-dask" --liq "$LIQ" --local-workers 2 \
        --splits 3 --format csv $ep $rng "$qs" s3://logs/app/ </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
    expect_rc 0 "liq-dask over an S3 prefix with --endpoint-url and --start/--end"
    same "$tmp/one.rng" "$tmp/out" "liq-dask over an S3 prefix: the bytes of one run"
else
    ok "# SKIP liq-dask: no Dask (python3-distributed)"
fi

# ===== listing errors: exit 3 as a run's, one message, nothing on stdout =====
AWS_ACCESS_KEY_ID=NOSUCHKEY run --splits 3 $ep s3://logs/app/
expect_rc 3 "a 403 listing"
expect_out_empty "a 403 listing"
expect_err_has "liq: error: s3://logs/app/: access denied (403" "a 403 listing: the URI and the status"
run --splits 3 $ep "$L/gz/a.log.gz" s3://nosuchbucket/
expect_rc 3 "a missing bucket"
expect_out_empty "a missing bucket"
expect_err_has "s3://nosuchbucket/: no such bucket (404 NoSuchBucket" "a missing bucket: named"
# a damaged unit name is an input error of its run, not another object
run --format csv $ep "$qs" 's3://logs,in=%2Fapp%2F,size=x/app/gz/a.log.gz'
expect_rc 3 "a damaged unit name"
expect_err_has "does not decode" "a damaged unit name: said"
finish
