#!/bin/sh
# partial_relevant.sh -- CLI test: relevantfields split with liq --partial / --merge (issue 16)
#
# relevantfields keeps every value of every field with the side of the condition it fell on;
# its state has a byte form (engine/exec/op_relevant.c, docs/partial-format.md). Over JSON
# logs in four files (one empty; fields that only some files have, a field with numbers in
# one file and text in another, values of one text as a number and as a string) and a VPC
# flow log (columns), each query -- numerical and categorical fields, a field list and the
# records' fields, a listed field no record has, a condition every row meets, relevantfields
# after stats -- is run once, and split into 2 parts at file boundaries, 3 parts and 5 parts
# cut by `liq --splits` (byte ranges), and two of them into 1 part: --partial --part-index K
# of each part, merged every way tests/cli/partial_lib.sh knows (shuffled, on one stdin, and
# with 3 parts or more as a tree and into one partial first) give the bytes and the exit code
# (and stderr) of the one run. Damaged partials
# are refused as docs/partial-format.md says, never with a crash: truncated and flipped bytes
# (exit 3), and states that do not decode though their checksum was made right again (a
# side byte, a length, a name the query cannot have, more values than rows, a record cut
# short; exit 3, nothing written), and 100 random byte changes of a state with the checksum
# made right (exit 0 or 3, no signal).
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-cli-partial-relevant.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

. "$SRCDIR/tests/cli/out_lib.sh"
cd "$tmp" || exit 1

# a.jsonl: 4000 records (several morsels' worth of lines cut by --splits); only a has 'region';
# b has 'lat' as text in some records ("12.5", numeric, and "n/a": lat turns categorical
# there), 'code' as the number 200, the string "200" and the text "ok" (categorical: 200 and
# "200" are one value, spelled as one run spells it whatever the order of the parts); c has 'only_c' on a few records;
# empty.jsonl has none
awk 'function r() { s = (s * 16807) % 2147483647; return s / 2147483647 }
BEGIN { s = 7
    for (i = 1; i <= 4000; i++)
        printf "{\"@timestamp\":\"2024-05-01T00:%02d:%02dZ\",\"lat\":%d,\"svc\":\"%s\",\"code\":%d,\"slow\":%d,\"region\":\"r%d\",\"n\":%d}\n",
            int(i / 60) % 60, i % 60, int(r() * 1000), (i % 7 == 0 ? "db" : i % 3 ? "api" : "web"),
            (r() < 0.1 ? 500 : 200), (i % 11 == 0), i % 4, i % 9 > "a.jsonl"
    for (i = 1; i <= 2500; i++)
        printf "{\"lat\":%s,\"svc\":\"%s\",\"code\":%s,\"slow\":%d,\"n\":%d,\"tags\":[\"t%d\"]}\n",
            (i % 50 == 0 ? "\"n/a\"" : i % 5 == 0 ? sprintf("\"%d.5\"", int(r() * 900)) : int(r() * 1200)),
            (i % 4 ? "api" : "auth"), (i % 13 == 1 ? "\"200\"" : i % 17 == 0 ? "503" : i % 29 == 0 ? "\"ok\"" : "200"),
            (i % 6 == 0), i % 9, i % 3 > "b.jsonl"
    for (i = 1; i <= 1500; i++)
        printf "{\"lat\":%d,\"svc\":\"web\",\"code\":200,\"slow\":%d,\"n\":%d%s}\n",
            int(r() * 800), (i % 9 == 0), i % 9, (i % 100 == 0 ? ",\"only_c\":\"x\"" : "") > "c.jsonl"
}'
: >empty.jsonl
files="a.jsonl b.jsonl c.jsonl empty.jsonl"
{
    echo "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
    awk 'BEGIN { for (i = 1; i <= 3000; i++)
        printf "2 123456789012 eni-%d 10.0.%d.%d 10.1.0.%d %d %d 6 %d %d %d %d %s OK\n",
            i % 5, i % 3, i % 200, i % 7, 1024 + i % 50, (i % 4 ? 443 : 22), 1 + i % 30,
            100 * (1 + i % 97), 1700000000 + i, 1700000060 + i, (i % 10 == 0 ? "REJECT" : "ACCEPT") }'
} >vpc.log

. "$SRCDIR/tests/cli/partial_lib.sh"

# every query over every way of cutting the JSON files
units u1 "$files"
units u2 "a.jsonl empty.jsonl" "b.jsonl c.jsonl"
# shellcheck disable=SC2086
"$LIQ" --splits 3 $files >u3 && [ "$(wc -l <u3)" -eq 3 ] && grep -q '@' u3 ||
    not_ok "--splits 3: three units with byte ranges"
# shellcheck disable=SC2086
"$LIQ" --splits 5 $files >u5 && [ "$(wc -l <u5)" -eq 5 ] ||
    not_ok "--splits 5: five units"
for q in 'relevantfields where lat > 500' \
    'relevantfields lat, svc, code, region, only_c, nothere where slow = 1' \
    'relevantfields where svc = "api"' \
    'relevantfields code, svc where n >= 0' \
    'relevantfields code, lat where code = 200 or slow = 1' \
    'filter n != 3 | relevantfields where code = 500 or code = 503' \
    'stats count(*) as c, avg(n) as m by svc, code | relevantfields where c > 100'; do
    for u in u2 u3 u5; do
        same "$q" "$q" $u "$files"
    done
done
same "one part" 'relevantfields where lat > 500' u1 "$files"
same "one part, listed" 'relevantfields lat, svc, code, region, only_c, nothere where slow = 1' u1 "$files"
# the condition true for every row (no baseline: no categorical score) and for none
same "all rows in the condition" 'relevantfields where n >= 0 or ispresent(lat) or not ispresent(lat)' u3 "$files"
same "no row in the condition" 'relevantfields svc, lat where n > 100' u3 "$files"

# a VPC flow log: the records' fields are its columns; its ranges carry its header
"$LIQ" --splits 4 vpc.log >v4
same "VPC columns" 'relevantfields where action = "REJECT"' v4 vpc.log
same "VPC columns, listed" 'relevantfields dstport, packets, srcaddr where bytes > 5000' v4 vpc.log

# the state is what --merge --partial writes again, byte for byte (the fields by name)
q='relevantfields where lat > 500'
"$LIQ" --partial "$q" a.jsonl >a.part
"$LIQ" --partial --part-index 1 "$q" b.jsonl >b.part
"$LIQ" --merge --partial "$q" a.part >aa.part
if cmp -s a.part aa.part; then ok "a state saved again is the same bytes"; else
    not_ok "a state saved again differs"; fi

# damaged partials: exit 3 (docs/partial-format.md), nothing written
damaged a.part b.part 200 300 "$q"
run --merge --format csv 'relevantfields where lat > 501' a.part
expect_rc 2 "another condition"

# bad.py IN OUT WHAT: the state of IN damaged as WHAT says, its body length and CRC made right
cat >bad.py <<'PY'
import random, struct, sys, zlib
b = bytearray(open(sys.argv[1], "rb").read())
what = sys.argv[3]
# the container (docs/partial-format.md): 64 bytes, the diagnostics, the body, the CRC
i = 64 + struct.unpack_from("<I", b, 52)[0]
body_len = struct.unpack_from("<Q", b, 56)[0]
assert b[i:i + 4] == b"LIQF"
body = bytearray(b[i:i + body_len])
rest = b[i + body_len:-4]
head = b[:i]
# the first field record: u32 length at 24, u32 name length at 28, the name at 32
nlen = struct.unpack_from("<I", body, 28)[0]
first_val = 32 + nlen
if what == "side":
    body[first_val] = 7
elif what == "length":
    struct.pack_into("<I", body, 24, len(body))
elif what == "name":
    body[32] = ord("@")
elif what == "rows":
    struct.pack_into("<Q", body, 8, 0)
    struct.pack_into("<Q", body, 16, 1)
elif what == "cut":
    flen = struct.unpack_from("<I", body, 24)[0]
    struct.pack_into("<I", body, 24, flen - 3)
    del body[28 + flen - 3:28 + flen]
elif what == "empty":
    body = body[:24]
elif what.startswith("random"):
    random.seed(int(what[6:]))
    for _ in range(random.randint(1, 3)):
        body[random.randrange(len(body))] = random.randrange(256)
struct.pack_into("<Q", head, 56, len(body))
out = head + body + rest
out += struct.pack("<I", zlib.crc32(bytes(out)) & 0xFFFFFFFF)
open(sys.argv[2], "wb").write(out)
PY
for what in side length name rows cut; do
    /usr/bin/python3 bad.py a.part bad.part $what
    run --merge --format csv "$q" b.part bad.part
    expect_rc 3 "a state that does not decode ($what)"
    expect_err_has "bad.part: partial 1 is corrupt (its state does not decode)" "a state that does not decode ($what)"
    expect_out_empty "a state that does not decode ($what)"
done
# a state of no field and no row is a state (what a part with no records writes)
/usr/bin/python3 bad.py a.part none.part empty
"$LIQ" --partial "$q" empty.jsonl >e.part
run --merge --format csv "$q" e.part
cp "$tmp/out" e.csv
run --merge --format csv "$q" none.part
if [ $rc -eq 0 ] && cmp -s e.csv "$tmp/out"; then ok "a state without fields merges as an empty part's"
else not_ok "a state without fields: exit $rc"; show "$tmp/err"; fi

# random byte changes of the state, checksum made right: exit 0 or 3, never a signal
# (under ASan, a read out of bounds or a leak would fail here too)
/usr/bin/python3 - a.part <<'PY'
import random, struct, sys, zlib
b = bytearray(open(sys.argv[1], "rb").read())
# the container (docs/partial-format.md): 64 bytes, the diagnostics, the body, the CRC
i = 64 + struct.unpack_from("<I", b, 52)[0]
body_len = struct.unpack_from("<Q", b, 56)[0]
assert b[i:i + 4] == b"LIQF"
random.seed(16)
for k in range(100):
    c = bytearray(b)
    # most changes near the start of the body, where the lengths and names are
    span = min(body_len, 400) if k % 2 else body_len
    for _ in range(random.randint(1, 4)):
        c[i + random.randrange(span)] = random.choice([0, 1, 2, 7, 0x40, 0xff, random.randrange(256)])
    c[-4:] = struct.pack("<I", zlib.crc32(bytes(c[:-4])) & 0xFFFFFFFF)
    open("r%03d.part" % k, "wb").write(c)
PY
bad=0
codes=
for f in r[0-9][0-9][0-9].part; do
    "$LIQ" --merge --format csv "$q" "$f" >/dev/null 2>r.err
    rc=$?
    case $rc in
    0 | 3) codes="$codes$rc" ;;
    *) bad=$((bad + 1)); echo "  $f: exit $rc"; show r.err ;;
    esac
done
n0=$(printf '%s' "$codes" | tr -cd 0 | wc -c)
n3=$(printf '%s' "$codes" | tr -cd 3 | wc -c)
if [ $bad -eq 0 ] && [ "$n3" -gt 0 ]; then
    ok "100 damaged states: exit 0 ($n0) or 3 ($n3), no crash"
else
    not_ok "damaged states: $bad exits other than 0 and 3 (0: $n0, 3: $n3)"
fi

finish
