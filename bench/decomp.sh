#!/usr/bin/env bash
# decomp.sh -- liq's gzip and zstd input against igzip, zcat and zstd: MB of text out per CPU
# second and per wall second (issue 21: "gzip input at the ISA-L limit per core").
#
# usage: bench/decomp.sh [--liq PATH] [--mb N] [--reps N] [--member-kb N] [--install] [--clean]
#
#   --liq PATH     the binary to measure (default: $LIQ, else build/liq, else ./liq)
#   --mb N         MiB of JSON-lines text to generate (default 300)
#   --reps N       interleaved repetitions, the median reported (default 5)
#   --member-kb N  text per member of the concatenated gzip file (default 1024, about what
#                  a Firehose delivery batch holds)
#   --install      apt-get install the missing tools (isal for igzip, zstd, gzip, time)
#   --clean        delete the generated files afterwards
#
# Writes under $BENCH_DIR/decomp (default /tmp/liq-bench/decomp), reused while --mb and the
# generator are unchanged:
#   app.jsonl      bench/gen_app_log.awk with its fixed seed, N MiB
#   app.gz         gzip -6                     app.igz1.gz   igzip -1 (ISA-L's fast level)
#   app.multi.gz   gzip -6 of each --member-kb of lines, concatenated (many members)
#   app.zst        zstd -3
# and measures, each under /usr/bin/time -f '%e %U %S', with every command run once per
# repetition in a fixed order (interleaved, so a change of load hits all of them alike):
#   liq --threads 1 and --threads 2 --format csv 'stats count(*)' on each file (the plain file
#   gives the cost of splitting and counting lines alone), the same with 'stats count(*) by
#   level' (every record parsed) on app.gz, app.zst and app.jsonl, and the reference
#   decompressors writing to /dev/null: igzip -dc, zcat (gzip -dc), zstd -dc, and cat.
# The table gives medians of wall and CPU (user+sys) seconds, MB of text (10^6 bytes) out per
# CPU second and per wall second; then liq's decompression cost, liq(compressed) CPU minus
# liq(plain) CPU, against the reference decompressor's CPU for the same bytes. liq's count is
# checked against `zcat FILE | wc -l` (exit 1 when it differs). The load average is printed
# before and after: on a shared machine CPU time is the figure to read, not wall time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
dir=${BENCH_DIR:-/tmp/liq-bench}/decomp
liq=${LIQ:-} mb=300 reps=5 member_kb=1024 install=0 clean=0
while [ $# -gt 0 ]; do
    case $1 in
        --liq) liq=$2; shift 2 ;;
        --mb) mb=$2; shift 2 ;;
        --reps) reps=$2; shift 2 ;;
        --member-kb) member_kb=$2; shift 2 ;;
        --install) install=1; shift ;;
        --clean) clean=1; shift ;;
        -h|--help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "decomp.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
liq=$(bench_find_liq decomp.sh "$top" "$liq") || exit 2
if [ $install = 1 ]; then
    bench_install decomp.sh igzip:isal zstd:zstd gzip:gzip /usr/bin/time:time || exit 1
fi
for t in igzip zstd gzip /usr/bin/time; do
    command -v "$t" >/dev/null || { echo "decomp.sh: $t is missing (try --install)" >&2; exit 2; }
done

# ===== inputs =====
awk=$(command -v mawk || command -v awk)
mkdir -p "$dir"
stamp="decomp $mb $member_kb $(md5sum "$here/gen_app_log.awk" | cut -c1-12)"
if [ ! -e "$dir/app.zst" ] || [ "$(cat "$dir/.stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -f "$dir/.stamp"
    echo "decomp.sh: writing $dir/app.jsonl ($mb MiB) and its compressed copies" >&2
    "$awk" -v bytes=$((mb * 1048576)) -f "$here/gen_app_log.awk" > "$dir/app.jsonl"
    gzip -6 -c "$dir/app.jsonl" > "$dir/app.gz"
    igzip -1 -c "$dir/app.jsonl" > "$dir/app.igz1.gz"
    split -C "$((member_kb * 1024))" --filter='gzip -6' "$dir/app.jsonl" > "$dir/app.multi.gz"
    zstd -q -3 -c "$dir/app.jsonl" > "$dir/app.zst"
    echo "$stamp" > "$dir/.stamp"
fi
text_bytes=$(stat -c %s "$dir/app.jsonl")
lines=$(wc -l < "$dir/app.jsonl")
members=$(awk -v n="$text_bytes" -v k="$member_kb" 'BEGIN { printf "%d", (n + k * 1024 - 1) / (k * 1024) }')

# ===== the answer: liq's count must be the line count of the decompressed text =====
status=0
for f in app.jsonl app.gz app.igz1.gz app.multi.gz app.zst; do
    case $f in
        *.zst) want=$(zstd -dc "$dir/$f" | wc -l) ;;
        *.gz) want=$(zcat "$dir/$f" | wc -l) ;;
        *) want=$lines ;;
    esac
    for t in 1 2; do
        got=$("$liq" --threads $t --format csv 'stats count(*)' "$dir/$f" | tail -1)
        if [ "$got" != "$want" ]; then
            echo "decomp.sh: liq --threads $t counts $got records in $f, the decompressor gives $want lines" >&2
            status=1
        fi
    done
done

# ===== the runs =====
# name|bytes in (file)|command (run by bash -c, stdout to /dev/null)
by='stats count(*) by level'
runs=()
add() { runs+=("$1|$2|$3"); }
for f in app.gz app.igz1.gz app.multi.gz app.zst app.jsonl; do
    add "liq -t1 $f" "$f" "\"$liq\" --threads 1 --format csv 'stats count(*)' \"$dir/$f\""
    add "liq -t2 $f" "$f" "\"$liq\" --threads 2 --format csv 'stats count(*)' \"$dir/$f\""
done
# a query that parses every record: does one inflating thread hold back the parsing ones?
for f in app.gz app.zst app.jsonl; do
    for t in 1 2; do
        add "liq -t$t $f by level" "$f" "\"$liq\" --threads $t --format csv '$by' \"$dir/$f\""
    done
done
for f in app.gz app.igz1.gz app.multi.gz; do
    add "igzip -dc $f" "$f" "igzip -dc \"$dir/$f\""
    add "zcat $f" "$f" "zcat \"$dir/$f\""
done
add "zstd -dc app.zst" "app.zst" "zstd -q -dc \"$dir/app.zst\""
add "cat app.jsonl" "app.jsonl" "cat \"$dir/app.jsonl\""

results=$dir/times.txt # every run: name, wall, user, sys (kept for a look at the spread)
: > "$results"
trap 'rm -f "$results.t"' EXIT
for f in app.jsonl app.gz app.igz1.gz app.multi.gz app.zst; do cat "$dir/$f" > /dev/null; done
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for ((r = 1; r <= reps; r++)); do
    for run in "${runs[@]}"; do
        IFS='|' read -r name _ cmd <<< "$run"
        /usr/bin/time -o "$results.t" -f '%e %U %S' bash -c "$cmd > /dev/null" ||
            { echo "decomp.sh: failed: $cmd" >&2; status=1; }
        echo "$name $(tail -1 "$results.t")" >> "$results"
    done
    echo "decomp.sh: repetition $r of $reps done" >&2
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ===== the report =====
# median NAME FIELD: the median of wall (2) or CPU = user + sys (3) over the repetitions
median() {
    awk -v n="$1" -v w="$2" '
        { name = $1; for (i = 2; i <= NF - 3; i++) name = name " " $i
          if (name != n) next
          v[++k] = (w == 2) ? $(NF - 2) : $(NF - 1) + $NF }
        END { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
              if (k == 0) print "nan"; else if (k % 2) printf "%.3f\n", v[(k + 1) / 2]; else printf "%.3f\n", (v[k / 2] + v[k / 2 + 1]) / 2 }' "$results"
}
rate() { awk -v b="$text_bytes" -v s="$1" 'BEGIN { if (s > 0) printf "%.0f", b / 1e6 / s; else print "-" }'; }
declare -A wall cpu
for run in "${runs[@]}"; do
    IFS='|' read -r name _ _ <<< "$run"
    wall[$name]=$(median "$name" 2)
    cpu[$name]=$(median "$name" 3)
done

echo
echo "## gzip and zstd input: liq against igzip, zcat and zstd"
echo
echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), nproc $(nproc)"
echo "- liq: $("$liq" --version 2>&1 | head -1) ($liq); $(igzip --version 2>&1 | head -1);" \
     "$(gzip --version | head -1); $(zstd --version | head -1)"
echo "- text: $dir/app.jsonl, $(awk -v b="$text_bytes" 'BEGIN { printf "%.0f", b / 1e6 }') MB, $lines lines" \
     "(bench/gen_app_log.awk, $mb MiB); $reps interleaved repetitions, medians"
echo "- load average before: $load_before; after: $load_after ($(date -u '+%Y-%m-%d %H:%M UTC'))"
echo
echo "| command | input (MB) | wall s | CPU s | MB/s out per CPU s | MB/s out per wall s |"
echo "|---|---:|---:|---:|---:|---:|"
for run in "${runs[@]}"; do
    IFS='|' read -r name file _ <<< "$run"
    insize=$(awk -v b="$(stat -c %s "$dir/$file")" 'BEGIN { printf "%.0f", b / 1e6 }')
    desc=$name
    [ "$file" != app.multi.gz ] || desc="$name ($members members)"
    case $name in *" by level") desc="${name% "$file" by level} '$by' $file" ;; esac
    echo "| \`$desc\` | $insize | ${wall[$name]} | ${cpu[$name]} | $(rate "${cpu[$name]}") | $(rate "${wall[$name]}") |"
done
echo
echo "liq's decompression cost at one thread: liq(compressed) CPU - liq(plain) CPU, against the"
echo "reference decompressor's CPU for the same file (ratio > 1: liq spends more):"
echo
echo "| input | liq -t1 CPU s | minus plain | = inflate s | MB/s per core | reference | its CPU s | MB/s per core | liq / reference |"
echo "|---|---:|---:|---:|---:|---|---:|---:|---:|"
plain=${cpu[liq -t1 app.jsonl]}
for pair in app.gz:igzip app.gz:zcat app.igz1.gz:igzip app.multi.gz:igzip app.multi.gz:zcat app.zst:zstd; do
    f=${pair%%:*} tool=${pair#*:}
    case $tool in
        igzip) ref="igzip -dc $f" ;;
        zcat) ref="zcat $f" ;;
        zstd) ref="zstd -dc $f" ;;
    esac
    l=${cpu[liq -t1 $f]}
    awk -v f="$f" -v ref="$ref" -v l="$l" -v p="$plain" -v r="${cpu[$ref]}" -v b="$text_bytes" 'BEGIN {
        # /usr/bin/time counts in 10 ms: a difference below that is not measured
        d = l - p
        if (d < 0.01 || r < 0.01) { printf "| %s | %.3f | %.3f | < 0.01 | - | `%s` | %.3f | - | - |\n", f, l, p, ref, r; exit }
        printf "| %s | %.3f | %.3f | %.3f | %.0f | `%s` | %.3f | %.0f | %.2f |\n", f, l, p, d, b / 1e6 / d, ref, r, b / 1e6 / r, d / r }'
done
echo
echo "A query that parses every record ('$by'): CPU and wall seconds at 1 and 2 threads;"
echo "inflate = CPU minus the plain file's CPU at the same thread count:"
echo
echo "| input | CPU s t1 | CPU s t2 | inflate s t1 | inflate s t2 | wall s t1 | wall s t2 | wall t1/t2 |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for f in app.gz app.zst app.jsonl; do
    awk -v f="$f" -v c1="${cpu[liq -t1 $f by level]}" -v c2="${cpu[liq -t2 $f by level]}" \
        -v p1="${cpu[liq -t1 app.jsonl by level]}" -v p2="${cpu[liq -t2 app.jsonl by level]}" \
        -v w1="${wall[liq -t1 $f by level]}" -v w2="${wall[liq -t2 $f by level]}" 'BEGIN {
        printf "| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f |\n", f, c1, c2, c1 - p1, c2 - p2, w1, w2, (w2 > 0 ? w1 / w2 : 0) }'
done
echo
echo "Every run's times: $results (name, wall, user, sys)."
echo
if [ $status -ne 0 ]; then echo "decomp.sh: some counts differed or a run failed (above)" >&2; fi
if [ $clean = 1 ]; then rm -rf "$dir"; fi
exit $status
