#!/usr/bin/env bash
# gen.sh -- generate the liq benchmark inputs (deterministic; never committed).
#
# usage: bench/gen.sh [--json-mb N] [--text-mb N] [--small-files N] [--small-mb N]
#                     [--wide-mb N] [--sort-rows N]
#
# Writes, under $BENCH_DIR (default /tmp/liq-bench):
#   app.jsonl   JSON-lines application log, N MiB (default 1024)      gen_app_log.awk
#   access.log  combined-format access log, N MiB (default 1024)      gen_access_log.awk
#   small/      FILES gzipped access logs (default 10000) holding N MiB of text in all
#               (default 300), from another seed and later days      split_gz.py
#   wide.jsonl  flat JSON records of 31 keys, N MiB (default 512)     gen_wide.awk
#   sort.jsonl  N narrow JSON records {"k","s"} (default 10,000,000)  gen_sort.awk
# A data set is regenerated only when its parameters or generator changed (a stamp file
# .NAME.stamp sits beside it). Fixed seeds: the same options always give the same bytes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${BENCH_DIR:-/tmp/liq-bench}
json_mb=1024 text_mb=1024 small_files=10000 small_mb=300 wide_mb=512 sort_rows=10000000
while [ $# -gt 0 ]; do
    case $1 in
        --json-mb) json_mb=$2; shift 2 ;;
        --text-mb) text_mb=$2; shift 2 ;;
        --small-files) small_files=$2; shift 2 ;;
        --small-mb) small_mb=$2; shift 2 ;;
        --wide-mb) wide_mb=$2; shift 2 ;;
        --sort-rows) sort_rows=$2; shift 2 ;;
        *) echo "gen.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
awk=$(command -v mawk || command -v awk)
mkdir -p "$dir"

# fresh NAME STAMP: true when $dir/NAME exists and was made with the same STAMP
fresh() { [ -e "$dir/$1" ] && [ "$(cat "$dir/.$1.stamp" 2>/dev/null)" = "$2" ]; }
sum() { md5sum "$@" | cut -c1-12 | tr '\n' ' '; }

stamp="json $json_mb $(sum "$here/gen_app_log.awk")"
if ! fresh app.jsonl "$stamp"; then
    echo "gen.sh: writing $dir/app.jsonl ($json_mb MiB)" >&2
    "$awk" -v bytes=$((json_mb * 1048576)) -f "$here/gen_app_log.awk" > "$dir/app.jsonl.tmp"
    mv "$dir/app.jsonl.tmp" "$dir/app.jsonl"
    echo "$stamp" > "$dir/.app.jsonl.stamp"
fi

stamp="text $text_mb $(sum "$here/gen_access_log.awk")"
if ! fresh access.log "$stamp"; then
    echo "gen.sh: writing $dir/access.log ($text_mb MiB)" >&2
    "$awk" -v bytes=$((text_mb * 1048576)) -f "$here/gen_access_log.awk" > "$dir/access.log.tmp"
    mv "$dir/access.log.tmp" "$dir/access.log"
    echo "$stamp" > "$dir/.access.log.stamp"
fi

stamp="small $small_files $small_mb $(sum "$here/gen_access_log.awk" "$here/split_gz.py")"
if ! fresh small "$stamp"; then
    echo "gen.sh: writing $dir/small/ ($small_files gzipped files, $small_mb MiB of text)" >&2
    rm -rf "$dir/small" "$dir/small.tmp"
    "$awk" -v bytes=$((small_mb * 1048576)) -v seed=777 -v start=5 -f "$here/gen_access_log.awk" |
        python3 "$here/split_gz.py" "$dir/small.tmp" "$small_files"
    mv "$dir/small.tmp" "$dir/small"
    echo "$stamp" > "$dir/.small.stamp"
fi

stamp="wide $wide_mb $(sum "$here/gen_wide.awk")"
if ! fresh wide.jsonl "$stamp"; then
    echo "gen.sh: writing $dir/wide.jsonl ($wide_mb MiB)" >&2
    "$awk" -v bytes=$((wide_mb * 1048576)) -f "$here/gen_wide.awk" > "$dir/wide.jsonl.tmp"
    mv "$dir/wide.jsonl.tmp" "$dir/wide.jsonl"
    echo "$stamp" > "$dir/.wide.jsonl.stamp"
fi

stamp="sort $sort_rows $(sum "$here/gen_sort.awk")"
if ! fresh sort.jsonl "$stamp"; then
    echo "gen.sh: writing $dir/sort.jsonl ($sort_rows rows)" >&2
    "$awk" -v rows="$sort_rows" -f "$here/gen_sort.awk" > "$dir/sort.jsonl.tmp"
    mv "$dir/sort.jsonl.tmp" "$dir/sort.jsonl"
    echo "$stamp" > "$dir/.sort.jsonl.stamp"
fi
