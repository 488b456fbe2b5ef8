# lib.sh -- what the tests/dask scripts share: a real Dask scheduler and three workers on
# 127.0.0.1 (Debian's python3-distributed), started from the test and stopped by PID.
# Sourced after the script has set LIQ, SRCDIR and tmp; skips (77) without /usr/bin/dask.
#
#   dask_start         the scheduler (a free port it picks: --port 0, read back from its
#                      scheduler file) and workers 1 2 3 (--no-nanny, one thread each); sets
#                      $ADDR, $SCHED_PID and $WORKER_PIDS; every PID goes to $pids, which
#                      the EXIT trap (dask_stop) ends
#   LIQ_DASK           the liq-dask beside $LIQ
#
# SPDX-License-Identifier: Apache-2.0
PY=/usr/bin/python3
LIQ_DASK=${LIQ_DASK:-$(dirname "$LIQ")/liq-dask}
if [ ! -x /usr/bin/dask ] || ! "$PY" -c 'import distributed' 2>/dev/null; then
    echo "skip: no Dask (apt-get install python3-distributed; scripts/setup.sh --check does)"
    exit 77
fi
pids=""
WORKER_PIDS=""
# stop_pid PID...: SIGTERM, and SIGKILL to those still running about 30 s later (a child that
# ended is a zombie until waited for: state Z in /proc/PID/stat counts as ended)
stop_pid() {
    for p in "$@"; do kill "$p" 2>/dev/null; done
    for p in "$@"; do
        i=0
        # lint-timing: allow a hang guard: a Dask worker stopped while its scheduler stops can hang in its close (CommClosedError in distributed's batched stream)
        while [ -r "/proc/$p/stat" ] && ! grep -q '^[0-9]* (.*) Z' "/proc/$p/stat" 2>/dev/null &&
            [ $i -lt 300 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
}
# the workers first, then the scheduler and the rest
dask_stop() {
    stop_pid $WORKER_PIDS
    stop_pid $pids
    rm -rf "$tmp"
}
trap dask_stop EXIT
trap 'exit 1' INT TERM HUP
# the workers' scratch space and Dask's config stay in $tmp
export DASK_TEMPORARY_DIRECTORY="$tmp/dask-tmp" DASK_CONFIG="$tmp/dask-config"
mkdir -p "$tmp/dask-tmp" "$tmp/dask-config"

dask_start() {
    "$PY" /usr/bin/dask scheduler --host 127.0.0.1 --port 0 --no-dashboard \
        --scheduler-file "$tmp/sched.json" >"$tmp/sched.log" 2>&1 &
    SCHED_PID=$!
    pids="$pids $SCHED_PID"
    i=0 # hang guard: the scheduler writes its file once it listens
    while [ ! -s "$tmp/sched.json" ] && [ $i -lt 600 ] && kill -0 "$SCHED_PID" 2>/dev/null; do
        sleep 0.1
        i=$((i + 1))
    done
    ADDR=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["address"])' \
        "$tmp/sched.json" 2>/dev/null) || { echo "the Dask scheduler did not start:"; cat "$tmp/sched.log"; exit 1; }
    WORKER_PIDS=""
    for w in 1 2 3; do
        "$PY" /usr/bin/dask worker --no-nanny --nthreads 1 --no-dashboard --host 127.0.0.1 \
            --local-directory "$tmp/dask-tmp" --scheduler-file "$tmp/sched.json" \
            >"$tmp/worker$w.log" 2>&1 &
        WORKER_PIDS="$WORKER_PIDS $!"
        pids="$pids $!"
    done
}
