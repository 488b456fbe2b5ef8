#!/bin/sh
# partial_pattern.sh -- CLI test: pattern, diff and anomaly through liq --partial / --merge
# (issue 16, docs/partial-format.md "pattern")
#
# Two days of generated log (templates with variables, a family of user names, a pair
# Started/Stopped that stays apart, an error template that starts late, latencies and HTTP
# errors that rise late: every anomaly detector has something to see) in three files cut by
# time, so the parts' time spans and cell widths differ and the merge coarsens them. For
# pattern, pattern | diff (the previous period and previousDay), pattern | anomaly (the span
# of the data and --start/--end) and pattern after a filter and before sort | limit, the
# partials of the three files and of 7 --splits byte ranges, merged every way
# tests/cli/partial_lib.sh knows (shuffled, on one stdin, as a tree, into one partial first:
# a state of parts a few hours long each merges into cells of a two-day span), give the bytes
# of one run. A partial whose state does not decode (a negative count, a cell width out of range,
# the CRC made right again) is refused as corrupt (exit 3) with nothing written.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-cli-ppat.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

. "$SRCDIR/tests/cli/out_lib.sh"

# 24000 records over 2024-06-01..02, fixed seed; the last 15 % of the time brings slow
# requests, 503s and a new error template
awk -v dir="$tmp" 'BEGIN { srand(7); t0 = 1717200000
  split("alice bob carol dave erin frank", users, " ")
  for (i = 0; i < 24000; i++) {
    t = t0 + int(i * 2 * 86400 / 24000)
    f = i < 9000 ? "a" : i < 17000 ? "b" : "c"
    late = (t - t0) > 2 * 86400 * 0.85
    r = rand()
    if (r < 0.4) msg = sprintf("GET /api/items/%d status=%d latency=%dms", int(rand() * 500),
        (late && rand() < 0.5) ? 503 : 200, late ? 400 + int(rand() * 50) : 20 + int(rand() * 10))
    else if (r < 0.6) msg = sprintf("user %s logged in from 10.0.%d.%d", users[1 + int(rand() * 6)],
        int(rand() * 4), int(rand() * 200))
    else if (r < 0.75) msg = sprintf("cache %s for key k%d", rand() < 0.5 ? "hit" : "miss",
        int(rand() * 1000))
    else if (r < 0.9) msg = sprintf("worker %s state=%s", users[1 + int(rand() * 3)],
        rand() < 0.5 ? "Started" : "Stopped")
    else msg = sprintf("heartbeat ok seq=%d", i)
    if (late && rand() < 0.1) msg = sprintf("ERROR disk full on volume vol%d", int(rand() * 3))
    printf "{\"@timestamp\":%d000,\"m\":\"%s\"}\n", t, msg > (dir "/" f ".jsonl")
  } }'
cd "$tmp" || exit 1

. "$SRCDIR/tests/cli/partial_lib.sh"

# each query over the three files as three parts, and over 7 byte ranges of them
files="a.jsonl b.jsonl c.jsonl"
units abc a.jsonl b.jsonl c.jsonl
# shellcheck disable=SC2086
"$LIQ" --splits 7 $files >u7 && [ "$(wc -l <u7)" -eq 7 ] && grep -q '@' u7 ||
    not_ok "--splits 7: seven units with byte ranges"
both() {
    d=$1 q=$2
    shift 2
    same "$d" "$q" u7 "$files" "$@"
    same "$d" "$q" abc "$files" "$@"
}

both "pattern" 'pattern m'
both "pattern of the raw line" 'pattern @message'
both "pattern | diff" 'pattern m | diff' --start 2024-06-02T12:00:00Z --end 2024-06-02T23:59:59Z
both "pattern | diff previousDay" 'pattern m | diff previousDay' \
    --start 2024-06-02T00:00:00Z --end 2024-06-02T23:59:59Z
both "pattern | anomaly over the data's span" 'pattern m | anomaly'
# the anomaly run must have found something, or the check above proves little
if [ "$(wc -l <one.csv)" -ge 4 ] && grep -q NumericToken one.csv && grep -q HttpErrorCode one.csv &&
    grep -q NewPattern one.csv; then
    ok "anomaly finds the planted anomalies (numeric, HTTP errors, a new pattern)"
else
    not_ok "anomaly found too little to compare"; show one.csv
fi
both "pattern | anomaly in --start/--end" 'pattern m | anomaly' \
    --start 2024-06-01T06:00:00Z --end 2024-06-02T23:59:59Z
both "filter | pattern | sort | limit" \
    'filter m like /user|worker/ | pattern m | sort @sampleCount asc | limit 3'

# A state that does not decode: forge a partial with a negative count, then one with a cell
# width out of range, and make the CRC right again, so only the state's loader can tell.
"$LIQ" --partial 'pattern m | anomaly' a.jsonl >an.part 2>/dev/null
# forge IN OUT WHAT: rewrites the first group of the pattern state
forge() {
    /usr/bin/python3 - "$1" "$2" "$3" <<'PY'
import struct, sys, zlib
src, dst, what = sys.argv[1:]
b = bytearray(open(src, "rb").read())
ndiag_bytes = struct.unpack_from("<I", b, 52)[0]
body = 64 + ndiag_bytes
assert b[body:body + 4] == b"LIQT", b[body:body + 4]
g = body + 4 + 4 + 24                      # the first group: u32 length, u64 first, ...
if what == "count":
    struct.pack_into("<q", b, g + 4 + 8, -5)
else:                                      # the AnStats' width index after the template
    tlen = struct.unpack_from("<I", b, g + 4 + 24)[0]
    at = g + 4 + 28 + tlen
    assert b[at] == 1
    struct.pack_into("<i", b, at + 1, 99)
b[-4:] = struct.pack("<I", zlib.crc32(bytes(b[:-4])) & 0xffffffff)
open(dst, "wb").write(b)
PY
}
for what in count width; do
    if forge an.part bad.part $what; then
        run --merge 'pattern m | anomaly' bad.part
        expect_rc 3 "a state with a forged $what"
        expect_err_has "is corrupt" "a state with a forged $what"
        expect_out_empty "a state with a forged $what"
    else
        not_ok "could not forge a partial ($what)"
    fi
done

finish
