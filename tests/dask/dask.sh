#!/bin/sh
# dask.sh -- liq-dask on a real Dask cluster (issue 16, docs/scale-out.md "liq-dask")
#
# Starts a Dask scheduler and three workers on 127.0.0.1 (tests/dask/lib.sh) and checks that
# `liq-dask --scheduler ADDR QUERY INPUTS` prints the bytes (stdout, stderr, exit code) of one
# `liq QUERY INPUTS` over generated logs (the benchmark's JSON application log, cut into byte
# ranges, a directory, a gzip file and its access log, text: the warnings about fields no
# record has are those of one run): stats with every aggregate, the
# bench queries Q1-Q5, sort with ties, sort | limit, dedup, limit, rows without a breaker,
# pct and count_distinct by bin, partials merged on the workers as a tree of fan-in 2. A query
# error on the workers is liq's message and exit 2; a missing input is exit 3 with liq's
# diagnostics and the results of the rest, as one liq. A worker killed while it runs a unit
# (the unit reads a FIFO: the test opens its write end once that liq has opened it, kills the
# worker and that liq, then feeds the unit's retry) leaves the answer unchanged. liq-dask's
# list of liq's options that take a value matches `liq --help`. Without --scheduler it starts
# a local cluster of its own: the same bytes.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 no Dask here.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-dask.XXXXXX")
. "$SRCDIR/tests/dask/lib.sh"
. "$SRCDIR/tests/cli/out_lib.sh"
cd "$tmp" || exit 1

# liq-dask knows which liq options take a value (to find the query among its arguments)
"$PY" - "$LIQ_DASK" "$LIQ" >optcheck.out 2>&1 <<'EOF'
import re, subprocess, sys, types
src = open(sys.argv[1]).read()
mod = types.ModuleType("liq_dask")
exec(compile(src.split('\nif __name__ == "__main__":')[0], "liq-dask", "exec"), mod.__dict__)
help_text = subprocess.run([sys.argv[2], "--help"], stdout=subprocess.PIPE).stdout.decode()
bad = []
for m in re.finditer(r"^\s+(?:-\w, )?--([a-z][a-z0-9-]*)([ =][A-Z]\S*)?", help_text, re.M):
    name, val = m.group(1), m.group(2)
    takes = bool(val) and not val.startswith("=")
    if takes and name not in mod.LIQ_VALUE or not takes and name not in mod.LIQ_FLAG | mod.LIQ_VALUE:
        bad.append(name)
print(" ".join(bad))
sys.exit(1 if bad else 0)
EOF
if [ $? -eq 0 ]; then ok "liq-dask's table of liq options matches liq --help"; else
    not_ok "liq-dask's table of liq options: $(cat optcheck.out)"; fi

dask_start

# inputs: the benchmark's generators (deterministic), a directory, a gzip file
mkdir data data/dir
mawk -v bytes=6000000 -f "$SRCDIR/bench/gen_app_log.awk" >data/app.jsonl
mawk -v bytes=2000000 -v seed=7 -f "$SRCDIR/bench/gen_app_log.awk" >data/dir/more.jsonl
mawk -v bytes=3000000 -f "$SRCDIR/bench/gen_access_log.awk" >data/access.log
mawk -v bytes=300000 -v seed=11 -f "$SRCDIR/bench/gen_app_log.awk" | gzip -n >data/old.jsonl.gz
cd data || exit 1
inputs="app.jsonl dir old.jsonl.gz access.log" # units of text only beside JSON ones

# same DESC QUERY [INPUT...]: liq-dask against one liq: stdout, stderr and exit code
same() {
    desc=$1 q=$2
    shift 2
    [ $# -gt 0 ] || set -- $inputs
    "$LIQ" --format csv "$q" "$@" >../one.csv 2>../one.err
    one_rc=$?
    "$LIQ_DASK" --scheduler "$ADDR" --min-workers 3 --liq "$LIQ" --splits 7 --fan-in 2 \
        --format csv "$q" "$@" >../dask.csv 2>../dask.err
    d_rc=$?
    if [ $d_rc -eq $one_rc ] && cmp -s ../one.csv ../dask.csv && cmp -s ../one.err ../dask.err; then
        ok "$desc: liq-dask prints what liq prints ($(wc -l <../one.csv) lines, exit $d_rc)"
    else
        not_ok "$desc: liq-dask differs (exit $d_rc, liq $one_rc)"
        diff ../one.csv ../dask.csv | head -10 | show /dev/stdin
        diff ../one.err ../dask.err | head -10 | show /dev/stdin
    fi
}

same "stats, every aggregate" 'filter ispresent(service) | stats count(*) as c, count(latency) as cl,
    sum(latency) as s, avg(latency) as a, stddev(latency) as d, min(latency), max(latency),
    pct(latency, 50), pct(latency, 99), count_distinct(userId), earliest(level), latest(level),
    sortsFirst(userId), sortsLast(userId) by service'
same "bench Q1" 'filter level = "ERROR" | stats count(*) by service'
same "bench Q2" 'stats avg(latency), max(latency), count(*) by bin(5m)'
same "bench Q3" 'stats count(*) as n by userId | sort n desc | limit 10'
same "bench Q4a" 'filter @message like /connection (refused|reset) by peer/ | stats count(*)'
same "bench Q5" 'parse @message "* - - [*] \"* * *\" * *" as ip, ts, method, path, proto, status, rest | stats count(*) as n by status' access.log
same "pct and count_distinct by bin" 'stats pct(latency, 90) as p, count_distinct(host) as h by bin(1h)'
same "sort with ties" 'filter latency > 2500 | sort level | fields level, service, latency, @logStream'
same "sort | limit" 'sort latency desc | limit 30 | fields @timestamp, userId, latency'
same "dedup" 'dedup service, level | fields service, level, userId, @log'
same "rows, no breaker" 'filter level = "ERROR" | fields @log, @logStream, @timestamp, service, latency'
same "limit" 'limit 25 | fields @logStream, @message'
same "a query error on the workers" 'stats cuont(*) by service'
same "a missing input" 'stats count(*) as n, sum(latency) by level' app.jsonl missing.jsonl dir
"$LIQ_DASK" --scheduler "$ADDR" --liq "$LIQ" 'stats count(*)' - </dev/null >../out 2>../err
rc=$?
if [ $rc -eq 2 ] && grep -q "not standard input" ../err; then ok "standard input: exit 2"; else
    not_ok "standard input: exit $rc"; show ../err; fi

# without --scheduler: a local cluster of its own (2 worker processes), started and stopped
q='stats count(*) as n, avg(latency) as a by service, level'
"$LIQ" --format csv "$q" $inputs >../one.csv 2>../one.err
"$LIQ_DASK" --local-workers 2 --liq "$LIQ" --splits 5 --format csv "$q" $inputs >../dask.csv 2>../dask.err
d_rc=$?
if [ $d_rc -eq 0 ] && cmp -s ../one.csv ../dask.csv && cmp -s ../one.err ../dask.err; then
    ok "a local cluster (no --scheduler): the same bytes"
else
    not_ok "a local cluster: exit $d_rc"; show ../dask.err; fi

# a worker killed while it runs a unit: the unit reads the FIFO f.jsonl, fed only after
# the worker running it and its liq are killed and the retried unit has opened it again
cd .. || exit 1
mkdir ref fifo
head -c 1500000 data/app.jsonl >ref/a.jsonl
sed -n '20001,26000p' data/app.jsonl >ref/f.jsonl
tail -c 1500000 data/app.jsonl >ref/b.jsonl
cp ref/a.jsonl ref/b.jsonl fifo/
mkfifo fifo/f.jsonl
q='stats count(*) as n, sum(latency) as s, pct(latency, 50) as p, count_distinct(userId) as u by service | sort n desc'
(cd ref && "$LIQ" --format csv "$q" a.jsonl f.jsonl b.jsonl >../one.csv 2>../one.err)
(
    cd fifo || exit 1
    "$LIQ_DASK" --scheduler "$ADDR" --min-workers 3 --liq "$LIQ" --splits 5 --fan-in 2 \
        --format csv "$q" a.jsonl f.jsonl b.jsonl >../dask.csv 2>../dask.err
    echo $? >../dask.rc
    exec 4<>f.jsonl # unblocks the test's open of the write end if liq-dask ended first
) &
DPID=$!
# fifo_reader [PID]: the liq that reads the FIFO: a process with it open, not this shell nor
# PID
fifo_reader() {
    for fd in /proc/[0-9]*/fd/*; do
        [ "$(readlink "$fd" 2>/dev/null)" = "$tmp/fifo/f.jsonl" ] || continue
        p=${fd#/proc/}
        p=${p%%/*}
        [ "$p" = $$ ] || [ "$p" = "$DPID" ] || [ "$p" = "${1:-}" ] || { echo "$p"; return; }
    done
}
exec 3>fifo/f.jsonl # returns once a liq has opened the FIFO to read
reader=$(fifo_reader)
victim=$(awk '/^PPid:/ { print $2 }' "/proc/$reader/status" 2>/dev/null)
case " $WORKER_PIDS " in
*" $victim "*)
    kill -9 "$victim"
    kill -9 "$reader"
    ok "a worker ($victim) killed while its liq ($reader) reads a unit"
    ;;
*) not_ok "the FIFO's reader ($reader) is not a liq of a worker (its parent: $victim)" ;;
esac
# the write end stays open (closing it would give a reader EOF): the retried unit opens the
# FIFO on another worker; once a liq other than the killed one has it open, it gets the data
i=0 # hang guard: liq-dask ending first opens it too (the subshell above), 60 s at most
while [ -z "$(fifo_reader "$reader")" ] && [ $i -lt 600 ]; do
    sleep 0.1
    i=$((i + 1))
done
cat ref/f.jsonl >&3
exec 3>&-
wait "$DPID"
d_rc=$(cat dask.rc)
if [ "$d_rc" -eq 0 ] && cmp -s one.csv dask.csv && cmp -s one.err dask.err; then
    ok "a worker killed mid-query: the same bytes ($(wc -l <one.csv) lines)"
else
    not_ok "a worker killed mid-query: liq-dask exits $d_rc"
    diff one.csv dask.csv | head | show /dev/stdin
    show dask.err
fi
finish
