#!/bin/sh
# partial_pattern.sh -- CLI test: pattern, diff and anomaly through liq --partial / --merge
# (issue 16, docs/partial-format.md "pattern")
#
# Two days of generated log (templates with variables, a family of user names, a pair
# Started/Stopped that stays apart, an error template that starts late, latencies and HTTP
# errors that rise late: every anomaly detector has something to see) in three files cut by
# time, so the parts' time spans and cell widths differ and the merge coarsens them. For
# pattern, pattern | diff (the previous period and previousDay), pattern | anomaly (the span
# of the data and --start/--end) and pattern after a filter and before sort | limit: the
# partials of the three files merged in another order, concatenated on one stdin, merged as a
# tree (--merge --partial), and the partials of --splits byte ranges (merged, and merged into
# one partial first) give the bytes of one run. A partial whose state does not decode (a negative count, a cell width out of range,
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

# same DESC QUERY [OPTION...]: one run over a b c against merges of their partials
same() {
    desc=$1 q=$2
    shift 2
    "$LIQ" --format csv "$@" "$q" a.jsonl b.jsonl c.jsonl >one.csv 2>one.err
    one_rc=$?
    [ "$one_rc" -eq 0 ] || { not_ok "$desc: one run exits $one_rc"; show one.err; return; }
    i=0
    for f in a b c; do
        "$LIQ" --partial --part-index $i "$@" "$q" $f.jsonl >$f.part 2>$f.perr ||
            { not_ok "$desc: --partial of $f exits $?"; show $f.perr; return; }
        i=$((i + 1))
    done
    "$LIQ" --merge --format csv "$@" "$q" c.part a.part b.part >merged.csv 2>merged.err
    m_rc=$?
    if [ $m_rc -eq 0 ] && cmp -s one.csv merged.csv; then
        ok "$desc: merged partials give the bytes of one run ($(wc -l <one.csv) lines)"
    else
        not_ok "$desc: merged partials differ (exit $m_rc)"
        diff one.csv merged.csv | head -10 | show /dev/stdin
        show merged.err
    fi
    cat b.part c.part a.part | "$LIQ" --merge --format csv "$@" "$q" >stdin.csv 2>stdin.err
    if cmp -s one.csv stdin.csv; then ok "$desc: concatenated on stdin, the same"; else
        not_ok "$desc: concatenated on stdin, other bytes"; show stdin.err; fi
    "$LIQ" --merge --partial "$@" "$q" c.part a.part >ca.part 2>ca.err &&
        "$LIQ" --merge --format csv "$@" "$q" b.part ca.part >tree.csv 2>tree.err
    if cmp -s one.csv tree.csv; then ok "$desc: merged as a tree, the same"; else
        not_ok "$desc: merged as a tree, other bytes"; show ca.err; show tree.err
        diff one.csv tree.csv | head -10 | show /dev/stdin
    fi
    # byte ranges: --splits 7 units, each a part of its own
    "$LIQ" --splits 7 a.jsonl b.jsonl c.jsonl >units || { not_ok "$desc: --splits"; return; }
    k=0 parts=""
    while IFS= read -r unit; do
        # shellcheck disable=SC2086
        "$LIQ" --partial --part-index $k "$@" "$q" $unit >u$k.part 2>u$k.err ||
            { not_ok "$desc: --partial of unit $k exits $?"; show u$k.err; return; }
        parts="u$k.part $parts"
        k=$((k + 1))
    done <units
    # shellcheck disable=SC2086
    "$LIQ" --merge --format csv "$@" "$q" $parts >ranges.csv 2>ranges.err
    if cmp -s one.csv ranges.csv; then ok "$desc: $k byte-range parts, merged backwards, the same"
    else not_ok "$desc: byte-range parts give other bytes"; show ranges.err
        diff one.csv ranges.csv | head -10 | show /dev/stdin; fi
    # ... and merged into one partial first: the merged state saves and loads again (with
    # anomaly, parts of a few hours each merge into cells of a two-day span)
    # shellcheck disable=SC2086
    "$LIQ" --merge --partial "$@" "$q" $parts >all.part 2>all.err &&
        "$LIQ" --merge --format csv "$@" "$q" all.part >all.csv 2>>all.err
    if cmp -s one.csv all.csv; then ok "$desc: the $k parts merged into one partial, the same"
    else not_ok "$desc: the $k parts merged into one partial give other bytes"; show all.err; fi
}

same "pattern" 'pattern m'
same "pattern of the raw line" 'pattern @message'
same "pattern | diff" 'pattern m | diff' --start 2024-06-02T12:00:00Z --end 2024-06-02T23:59:59Z
same "pattern | diff previousDay" 'pattern m | diff previousDay' \
    --start 2024-06-02T00:00:00Z --end 2024-06-02T23:59:59Z
same "pattern | anomaly over the data's span" 'pattern m | anomaly'
# the anomaly run must have found something, or the check above proves little
if [ "$(wc -l <one.csv)" -ge 4 ] && grep -q NumericToken one.csv && grep -q HttpErrorCode one.csv &&
    grep -q NewPattern one.csv; then
    ok "anomaly finds the planted anomalies (numeric, HTTP errors, a new pattern)"
else
    not_ok "anomaly found too little to compare"; show one.csv
fi
same "pattern | anomaly in --start/--end" 'pattern m | anomaly' \
    --start 2024-06-01T06:00:00Z --end 2024-06-02T23:59:59Z
same "filter | pattern | sort | limit" \
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
