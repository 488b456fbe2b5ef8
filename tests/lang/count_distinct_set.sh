#!/bin/sh
# count_distinct_set.sh -- count_distinct's exact set and its switch to a HyperLogLog (engine/
# exec/agg.c; issue 21): groups of 1 to 130,000 distinct values, each written several ways
# that are one value under L5 (7, "7", 7.0, "7.0"), beside text of 1 to 8 bytes (kept inline in
# the set), of 9 bytes and longer, text that differs only in its last byte or in a byte past
# the 8th, and the empty string, all repeated. The groups of at most 100,000 values must count
# what sort -u counts of the values' canonical forms (written beside each value by the
# generator), at 1 thread, at 2 threads with batches of 7 rows (sets merged value by value),
# and merged from --partial runs over three files in two orders; the groups past the exact
# limit (100,001 and 130,000 values) must give the same estimate every way, within 3 % of the
# true count. The records come from awk with a fixed seed, so every run sees the same bytes.
# Env: LIQ (the binary). Exit 0 pass, 1 fail.
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
LC_ALL=C
export LC_ALL
t=$(mktemp -d "${TMPDIR:-/tmp}/liq-cd-set.XXXXXX") && trap 'rm -rf "$t"' EXIT
trap 'exit 1' INT TERM HUP

# one record per line of $t/vals: group, canonical form (empty for null), the JSON of the value.
# Group gN holds N distinct values: the empty string, true and false, then one value per i,
# distinct by construction, in one of eight kinds; a null and 30 % of the values come again.
awk 'BEGIN {
    srand(20261207)
    split("1 7 3000 20000 99999 100000 100001 130000", size, " ")
    for (g = 1; g <= 8; g++) {
        n = size[g]
        if (n == 1) {
            print "g1\tsone\t\"one\""
            continue
        }
        out("g" n, "e", "\"\"")
        out("g" n, "b1", "true")
        out("g" n, "b0", "false")
        print "g" n "\t\tnull"
        for (i = 0; i < n - 3; i++) {
            k = i % 8
            if (k == 0 || k == 7) {          # a number, four spellings of it
                c = "n" i
                s = int(rand() * 4)
                j = s == 0 ? i : s == 1 ? "\"" i "\"" : s == 2 ? i ".0" : "\"" i ".0\""
            } else if (k == 1) {             # 2 to 7 bytes: inline
                v = "x" i; c = "s" v; j = "\"" v "\""
            } else if (k == 2) {             # exactly 8 bytes, then the same with a 9th
                v = sprintf("u%07d", i); c = "s" v; j = "\"" v "\""
            } else if (k == 3) {
                v = sprintf("u%07dz", i - 1); c = "s" v; j = "\"" v "\""
            } else if (k == 4) {             # long text differing past the 8th byte
                v = sprintf("session-%010d-end", i); c = "s" v; j = "\"" v "\""
            } else if (k == 5) {             # 8 bytes; pairs differ in the last byte only
                v = sprintf("k%06d%c", int(i / 16), 65 + int(i / 8) % 2); c = "s" v
                j = "\"" v "\""
            } else {                         # numbers with a fraction
                v = sprintf("%d.25", i); c = "n" v
                j = rand() < 0.5 ? v : "\"" v "\""
            }
            out("g" n, c, j)
        }
    }
    for (d = 1; d <= nd; d++)
        print dup[d]
}
function out(g, c, j) {
    print g "\t" c "\t" j
    if (rand() < 0.3)                        # the same value again, later
        dup[++nd] = g "\t" c "\t" j
}' >"$t/vals"
# the records, spread over three files so that every group has values in each
awk -F '\t' '{ printf "{\"g\":\"%s\",\"v\":%s}\n", $1, $3 > ("'"$t"'/p" (NR % 3) ".jsonl") }' "$t/vals"
cat "$t/p0.jsonl" "$t/p1.jsonl" "$t/p2.jsonl" >"$t/all.jsonl"

# the exact answer: distinct canonical forms per group (nulls left out)
awk -F '\t' '$2 != "" { print $1 "\t" $2 }' "$t/vals" | sort -u | cut -f1 | uniq -c |
    awk '{ print $2 "\t" $1 }' | sort >"$t/exact"

q='stats count_distinct(v) as n by g'
fail=0
run() { # NAME: the answer in $t/NAME, sorted, without its header
    tail -n +2 "$t/$1.raw" | sort >"$t/$1"
}
"$LIQ" --threads 1 --format tsv "$q" "$t/all.jsonl" >"$t/t1.raw" 2>"$t/err" || fail=1
"$LIQ" --threads 2 --debug-batch-rows 7 --format tsv "$q" "$t/all.jsonl" >"$t/t2.raw" 2>>"$t/err" ||
    fail=1
i=0
for p in p0 p1 p2; do
    "$LIQ" --partial --part-index $i "$q" "$t/$p.jsonl" >"$t/$p.part" 2>>"$t/err" || fail=1
    i=$((i + 1))
done
"$LIQ" --merge --format tsv "$q" "$t/p2.part" "$t/p0.part" "$t/p1.part" >"$t/m1.raw" 2>>"$t/err" ||
    fail=1
"$LIQ" --merge --format tsv "$q" "$t/p1.part" "$t/p2.part" "$t/p0.part" >"$t/m2.raw" 2>>"$t/err" ||
    fail=1
if [ $fail -ne 0 ]; then
    echo "not ok - liq failed: $(head -3 "$t/err")"
    exit 1
fi
for r in t1 t2 m1 m2; do
    run $r
done

# the exact groups against sort -u; the estimated ones within 3 %
if awk -F '\t' 'NR == FNR { want[$1] = $2; next }
    { n = substr($1, 2) + 0
      if (n <= 100000 && $2 != want[$1]) { print "#   " $1 ": " $2 ", sort -u counts " want[$1]; bad = 1 }
      if (n > 100000 && ($2 < 0.97 * want[$1] || $2 > 1.03 * want[$1])) {
          print "#   " $1 ": estimate " $2 " for " want[$1]; bad = 1 }
      seen++ }
    END { exit bad || seen != 8 }' "$t/exact" "$t/t1"; then
    echo "ok - 1 thread: 6 exact groups equal to sort -u, 2 estimates within 3 %"
else
    echo "not ok - 1 thread: count_distinct differs from sort -u"
    fail=1
fi
for r in t2 m1 m2; do
    if cmp -s "$t/t1" "$t/$r"; then
        echo "ok - $r: the same answer as 1 thread"
    else
        echo "not ok - $r: not the answer of 1 thread"
        diff "$t/t1" "$t/$r" | head -10 | sed 's/^/#   /'
        fail=1
    fi
done
exit $fail
