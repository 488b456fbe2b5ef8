#!/bin/sh
# parallel.sh -- the GNU parallel recipe of docs/scale-out.md, run (issue 16)
#
#   liq --splits 6 INPUTS | parallel liq --partial --part-index {#}-1 "$Q" UNIT | liq --merge "$Q"
#
# over the benchmark's JSON log (cut into ranges), a directory and a gzip file, two jobs at a
# time: the merge of the partials parallel writes one after the other on one stream gives
# the bytes of one liq run, for stats, sort with ties, dedup and rows without a breaker, and
# also through one more level (parallel merging groups of partials with --merge --partial).
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 no GNU parallel here.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
if ! parallel --version 2>/dev/null | grep -q 'GNU parallel'; then
    echo "skip: no GNU parallel (apt-get install parallel; scripts/setup.sh --check does)"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-parallel.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
. "$SRCDIR/tests/cli/out_lib.sh"
cd "$tmp" || exit 1
export HOME="$tmp" # parallel keeps its state in ~/.parallel
mkdir dir
mawk -v bytes=3000000 -f "$SRCDIR/bench/gen_app_log.awk" >app.jsonl
mawk -v bytes=500000 -v seed=7 -f "$SRCDIR/bench/gen_app_log.awk" >dir/more.jsonl
mawk -v bytes=200000 -v seed=11 -f "$SRCDIR/bench/gen_app_log.awk" | gzip -n >old.jsonl.gz
export LIQ

same() {
    desc=$1
    Q=$2
    export Q
    "$LIQ" --format csv "$Q" app.jsonl dir old.jsonl.gz >one.csv 2>one.err
    # the recipe: part index K = the unit's line number from 0 ({#} counts from 1); the unit's
    # names unquoted (uq), so that its several inputs are several arguments
    "$LIQ" --splits 6 app.jsonl dir old.jsonl.gz |
        parallel --will-cite -j2 '"$LIQ"' --partial --part-index '{= $_ = seq() - 1 =}' '"$Q"' '{= uq() =}' |
        "$LIQ" --merge --format csv "$Q" >par.csv 2>par.err
    if cmp -s one.csv par.csv && cmp -s one.err par.err; then
        ok "$desc: liq --splits | parallel liq --partial | liq --merge: the bytes of one run ($(wc -l <one.csv) lines)"
    else
        not_ok "$desc: the parallel pipeline differs"
        diff one.csv par.csv | head | show /dev/stdin
        show par.err
    fi
    # a two-level tree: parallel writes each partial to a file, then merges them in pairs
    rm -f part.* pair.*
    "$LIQ" --splits 6 app.jsonl dir old.jsonl.gz |
        parallel --will-cite -j2 '"$LIQ"' --partial --part-index '{= $_ = seq() - 1 =}' '"$Q"' '{= uq() =}' '>' 'part.{= $_ = seq() - 1 =}'
    ls part.* | parallel --will-cite -j2 -N2 '"$LIQ"' --merge --partial '"$Q"' {} '>' pair.{#}
    "$LIQ" --merge --format csv "$Q" pair.* >tree.csv 2>tree.err
    if cmp -s one.csv tree.csv && cmp -s one.err tree.err; then
        ok "$desc: merged in pairs by parallel (--merge --partial), then merged: the same bytes"
    else
        not_ok "$desc: the tree of merges differs"
        diff one.csv tree.csv | head | show /dev/stdin
        show tree.err
    fi
}

same "stats" 'stats count(*) as n, avg(latency) as a, pct(latency, 95) as p by service, level'
same "sort with ties" 'filter latency > 2000 | sort level | fields level, service, latency, @logStream'
same "dedup" 'dedup service, level | fields service, level, userId'
same "rows without a breaker" 'filter level = "ERROR" | fields @log, service, latency'
finish
