#!/bin/sh
# run.sh -- runs one libFuzzer target the way the stored corpus was built
#
# Usage (from a build configured --enable-fuzzing CC=clang):
#   SRCDIR=/path/to/liq fuzz/run.sh TARGET SECONDS [libFuzzer options...]
# New inputs go to fuzz-out/TARGET (not the tree); crashes to fuzz-out/TARGET-crashes/. To keep
# the stored corpus small, merge the new inputs in rather than copying them:
#   fuzz/fuzz_TARGET -merge=1 $SRCDIR/fuzz/corpus/TARGET fuzz-out/TARGET
# One process on one core (the machine is shared): no -jobs/-workers, which would only move the
# same single run into a child writing fuzz-0.log. Add -fork=1 -ignore_crashes=1 to keep going
# after a crash.
#
# SPDX-License-Identifier: Apache-2.0
set -eu
[ $# -ge 2 ] || { echo "usage: $0 TARGET SECONDS [libFuzzer options...]" >&2; exit 2; }
t=$1 secs=$2
shift 2
top=${SRCDIR:-$(dirname "$0")/..}
case $t in
json | fpat | input | ts | s3xml | unit) dict=$top/fuzz/$t.dict ;;
decomp | partial) dict= ;;
*) dict=$top/fuzz/insights.dict ;;
esac
mkdir -p "fuzz-out/$t" "fuzz-out/$t-crashes"
exec "fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -max_len=8192 -print_final_stats=1 ${dict:+-dict="$dict"} \
    -artifact_prefix="fuzz-out/$t-crashes/" "$@" "fuzz-out/$t" "$top/fuzz/corpus/$t"
