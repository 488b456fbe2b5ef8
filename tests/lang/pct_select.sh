#!/bin/sh
# pct_select.sh -- a differential test of pct's nearest rank (L8) against sort(1) and integer
# arithmetic: pct finds the value of rank ceil(p/100 * n) by selection (engine/exec/agg.c
# select_rank), not by sorting, so this feeds it what trips selection up -- groups of 1 to
# 4,000 values, runs of equal values, input already sorted, sorted backwards, all equal, a
# few values among many equal ones, decimals -- and compares every group's p1, p25, p50, p90,
# p99, p99.9 and p100 with the value sort -g puts at that rank. The records come from awk's
# rand() with a fixed seed, so every run sees the same bytes. Each query runs at 1 thread and
# at 2 threads with batches of 7 rows (merged states).
# Env: LIQ (the binary). Exit 0 pass, 1 fail.
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
LC_ALL=C
export LC_ALL
t=$(mktemp -d "${TMPDIR:-/tmp}/liq-pct-select.XXXXXX") && trap 'rm -rf "$t"' EXIT
trap 'exit 1' INT TERM HUP

# group g's values, one record each: "g<TAB>value" in $t/vals and the NDJSON in $t/in.jsonl
awk 'BEGIN {
    srand(20261207)
    for (g = 0; g < 120; g++) {
        n = (g % 6 == 0) ? 1 + g % 4 : int(rand() * 4000) + 1
        kind = g % 6
        for (i = 0; i < n; i++) {
            if (kind == 0) v = int(rand() * 10)              # tiny groups
            else if (kind == 1) v = int(rand() * 20)         # long runs of equal values
            else if (kind == 2) v = i                        # already sorted
            else if (kind == 3) v = n - i                    # sorted backwards
            else if (kind == 4) v = (i % 97 == 0) ? int(rand() * 1000) - 500 : 7  # mostly equal
            else v = sprintf("%.3f", rand() * 1000 - 300)    # decimals
            printf "g%d\t%s\n", g, v > "/dev/stdout"
        }
    }
}' >"$t/vals"
awk -F '\t' '{ printf "{\"g\":\"%s\",\"x\":%s}\n", $1, $2 }' "$t/vals" >"$t/in.jsonl"

# expected: per group, the values sorted by number, the nearest rank in integers
# (p/100 * n for p = 99.9 as 999 * n / 1000, rounded up, at least 1)
sort -t "$(printf '\t')" -k1,1 -k2,2g "$t/vals" | awk -F '\t' '
    function flush(   r, k, line) {
        if (g == "") return
        line = g
        for (k = 1; k <= 7; k++) {
            r = int((num[k] * n + den[k] - 1) / den[k])
            if (r < 1) r = 1
            line = line "\t" (v[r] + 0)
        }
        print line
    }
    BEGIN { split("1 25 50 90 99 999 100", num, " "); split("100 100 100 100 100 1000 100", den, " ") }
    $1 != g { flush(); g = $1; n = 0 }
    { v[++n] = $2 }
    END { flush() }' | sort >"$t/want"

q='stats pct(x, 1) as a, pct(x, 25) as b, pct(x, 50) as c, pct(x, 90) as d, pct(x, 99) as e, pct(x, 99.9) as f, pct(x, 100) as h by g'
fail=0
for opts in "--threads 1" "--threads 2 --debug-batch-rows 7"; do
    # shellcheck disable=SC2086
    if ! "$LIQ" $opts --format tsv "$q" "$t/in.jsonl" >"$t/got.raw" 2>"$t/err"; then
        echo "not ok - $opts: liq failed: $(head -3 "$t/err")"
        fail=1
        continue
    fi
    tail -n +2 "$t/got.raw" | awk -F '\t' -v OFS='\t' '{ for (i = 2; i <= NF; i++) $i = $i + 0; print }' |
        sort >"$t/got"
    if cmp -s "$t/got" "$t/want"; then
        echo "ok - $opts: 120 groups, 7 percentiles each, equal to sort's ranks"
    else
        echo "not ok - $opts: pct differs from sort's ranks"
        diff "$t/want" "$t/got" | head -10 | sed 's/^/#   /'
        fail=1
    fi
done
exit $fail
