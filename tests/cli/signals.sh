#!/bin/sh
# signals.sh -- CLI test: SIGINT and SIGTERM during a query (issue 15, cli/sig.h)
#
# liq reads standard input from a FIFO this script holds open, so the run cannot end by
# itself: every signal comes mid-input. For each output format the script writes N records,
# waits until the last of them is in liq's output (live input streams its rows), sends SIGINT
# (then SIGTERM) and checks: exit 130 (143), output well-formed (a JSON array that parses,
# every CSV/TSV/NDJSON line a whole row, the table's rows whole), the --stats line and the
# "stopped early" line on stderr. A stats query interrupted mid-input exits 130 and prints no
# aggregate (a JSON array with no rows, a CSV header alone) and says on stderr that the
# result was cut. Last, liq writes into a pipe nobody reads until the pipe is full: the first
# SIGINT cannot end it (a thread is blocked in write), the second, sent once /proc shows the
# first was handled (SIGINT no longer caught), must end it by the signal itself.
# Nothing here measures time: waits poll a file or /proc and give up after N tries (hang
# guards), every liq is guarded.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 a tool (python3, mkfifo, /proc) missing.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
for tool in python3 mkfifo awk timeout tail; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "signals: $tool not found, skipped"
        exit 77
    fi
done
if [ ! -r /proc/self/status ]; then
    echo "signals: no /proc, skipped"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-cli-signals.XXXXXX")
pid=
trap 'if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null; fi; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
. "$SRCDIR/tests/cli/out_lib.sh"

N=3000
# records with a comma and a quote in a value (csv quoting), the last one marked LAST
awk -v n=$N 'BEGIN { for (i = 0; i < n; i++)
    printf "{\"id\":%d,\"user\":\"u,\\\"%d\\\"\",\"msg\":\"%s\"}\n", i, i % 7, i == n - 1 ? "LAST" : "m" i }' \
    >"$tmp/records"
big=$((N * 20))
awk -v n=$big 'BEGIN { for (i = 0; i < n; i++) printf "{\"id\":%d,\"msg\":\"%0100d\"}\n", i, i }' \
    >"$tmp/big"

# runs ARGS (a program and its arguments) with SIGINT and SIGTERM at their default action: a
# background job of sh starts with SIGINT ignored, and liq keeps a signal ignored on entry
dfl='import os, signal, sys
for s in (signal.SIGINT, signal.SIGTERM):
    signal.signal(s, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])'

# wait_for FILE TEXT: polls until FILE holds TEXT or liq ($pid) ended (at most 3000 tries)
wait_for() {
    _i=0
    while ! grep -qF -- "$2" "$1" 2>/dev/null && kill -0 "$pid" 2>/dev/null && [ $_i -lt 3000 ]; do
        sleep 0.02
        _i=$((_i + 1))
    done
    grep -qF -- "$2" "$1"
}
# wait_drained FIFO: polls until liq ($pid) has read everything written to FIFO (no byte left
# in the pipe: FIONREAD on a reader of our own, which takes nothing) or liq ended (a guard of
# 3000 tries); a query that prints nothing before its input ends gives no output to wait for
wait_drained() {
    python3 - "$1" "$pid" <<'PY'
import fcntl, os, struct, sys, termios, time
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
pid = int(sys.argv[2])
tries = 0
while tries < 3000:
    left = struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit(1)
    if left == 0:
        sys.exit(0)
    time.sleep(0.02)
    tries += 1
sys.exit(1)
PY
}
# reap: waits for liq ($pid) under a hang guard; sets $rc (999: it hung and was killed)
reap() {
    if timeout 60 tail --pid="$pid" -f /dev/null; then wait "$pid"; rc=$?; else
        kill -KILL "$pid" 2>/dev/null; wait "$pid"; rc=999; fi
    pid=
}
# interrupt SIG FORMAT QUERY: liq --format FORMAT --stats QUERY on the FIFO; sends SIG once the
# last record's row is out (streaming) or the records are written (QUERY with stats); $rc,
# $tmp/out, $tmp/err
interrupt() {
    rm -f "$tmp/fifo" "$tmp/out" "$tmp/err"
    mkfifo "$tmp/fifo"
    exec 3<>"$tmp/fifo" # read-write: opening it never waits, and the writer side stays open
    python3 -c "$dfl" "$LIQ" --format "$2" --stats "$3" <"$tmp/fifo" >"$tmp/out" 2>"$tmp/err" 3>&- &
    pid=$!
    cat "$tmp/records" >&3
    case $3 in
    stats*) if ! wait_drained "$tmp/fifo"; then not_ok "$1 $2: liq did not read its input"; show "$tmp/err"; fi ;;
    *) if ! wait_for "$tmp/out" LAST; then not_ok "$1 $2: the rows never came out"; show "$tmp/err"; fi ;;
    esac
    kill -"$1" "$pid"
    reap
    exec 3>&-
}

check_format() { # FORMAT: $tmp/out is whole rows of the N records
    python3 - "$1" "$tmp/out" "$N" <<'PY'
import csv, json, sys
fmt, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = open(path, encoding="utf-8", newline="").read()
ok = lambda c, why: c or sys.exit(why)
ok(text.endswith("\n"), "the output does not end with a newline")
if fmt == "json":
    rows = json.loads(text)
elif fmt == "ndjson":
    rows = [json.loads(line) for line in text.splitlines()]
elif fmt == "csv":
    recs = list(csv.reader(text.splitlines(True)))
    ok(recs[0] == ["id", "user", "msg"], "csv header %r" % recs[0])
    ok(all(len(r) == 3 for r in recs), "a csv row without 3 fields")
    rows = [dict(zip(recs[0], r)) for r in recs[1:]]
elif fmt == "tsv":
    recs = [line.split("\t") for line in text.splitlines()]
    ok(recs[0] == ["id", "user", "msg"] and all(len(r) == 3 for r in recs), "a tsv row without 3 fields")
    rows = [dict(zip(recs[0], r)) for r in recs[1:]]
else:  # table: a header, a rule, then one line per row with two " | " separators
    lines = text.splitlines()
    ok(lines[0].split() == ["id", "|", "user", "|", "msg"], "table header %r" % lines[0])
    ok(all(line.count(" | ") == 2 for line in lines[2:]), "a table row cut")
    rows = [dict(id=l.split(" | ")[0].strip(), msg=l.split(" | ")[2].strip()) for l in lines[2:]]
ok(len(rows) == n, "%d rows, expected %d" % (len(rows), n))
ok([str(r["id"]) for r in rows] == [str(i) for i in range(n)], "ids not 0..n-1 in order")
ok(rows[-1]["msg"] == "LAST", "the last row is not the last record")
PY
}

for sig in INT TERM; do
    if [ $sig = INT ]; then code=130 said="interrupted (SIGINT)"; else code=143 said="terminated (SIGTERM)"; fi
    for fmt in json ndjson csv tsv table; do
        interrupt $sig $fmt 'fields id, user, msg'
        expect_rc $code "SIG$sig, $fmt"
        if why=$(check_format $fmt 2>&1); then ok "SIG$sig, $fmt: $N whole rows, well-formed"; else
            not_ok "SIG$sig, $fmt: output not well-formed: $why"; head -c 400 "$tmp/out" | show /dev/stdin; fi
        expect_err_has "liq: stats: $N records scanned, $N matched, $N rows out" "SIG$sig, $fmt"
        expect_err_has "liq: $said: stopped early; the rows written are those found so far" "SIG$sig, $fmt"
    done
done

# a stats query interrupted mid-input prints nothing of its aggregate
interrupt INT json 'stats count(*) as n by user'
expect_rc 130 "SIGINT, stats, json"
if python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1])) != [])' "$tmp/out"; then
    ok "SIGINT, stats, json: an empty array, no partial aggregate"; else
    not_ok "SIGINT, stats, json: output is not []"; show "$tmp/out"; fi
expect_err_has "the result was cut before all input was read, so none of it is printed" "SIGINT, stats, json"
expect_err_has "liq: stats: " "SIGINT, stats, json"
interrupt TERM csv 'stats count(*) as n by user | sort n'
expect_rc 143 "SIGTERM, stats, csv"
want "user,n"
expect_out "SIGTERM, stats, csv: the header alone"
expect_err_has "the result was cut before all input was read" "SIGTERM, stats, csv"

# a SIGINT ignored on entry (a background job of sh) stays ignored: liq goes on to the end
rm -f "$tmp/fifo" "$tmp/out" "$tmp/err"
mkfifo "$tmp/fifo"
exec 3<>"$tmp/fifo"
"$LIQ" --format csv 'fields id, user, msg' <"$tmp/fifo" >"$tmp/out" 2>"$tmp/err" 3>&- &
pid=$!
cat "$tmp/records" >&3
if wait_for "$tmp/out" LAST; then
    ign=$(python3 -c 'import sys
for l in open("/proc/%s/status" % sys.argv[1]):
    if l.startswith("SigIgn:"): print(int(l.split()[1], 16) >> 1 & 1)' "$pid")
    if [ "$ign" = 1 ]; then ok "SIGINT ignored on entry: still ignored"; else
        not_ok "SIGINT ignored on entry: liq no longer ignores it"; fi
    kill -INT "$pid"
else
    not_ok "SIGINT ignored on entry: the rows never came out"
fi
exec 3>&- # the end of the input: liq finishes
reap
expect_rc 0 "SIGINT ignored on entry, then the input ends"
if check_format csv >/dev/null 2>&1; then ok "SIGINT ignored on entry: all $N rows"; else
    not_ok "SIGINT ignored on entry: output incomplete"; fi

# the second signal ends liq while a thread is blocked writing to a full pipe nobody reads
for sig in INT TERM; do
    if out=$(timeout 120 python3 - "$LIQ" "$tmp/big" "$tmp/outfifo" $sig <<'PY' 2>&1
import array, fcntl, os, signal, subprocess, sys, termios, time
liq, inp, fifo, name = sys.argv[1:5]
sig = getattr(signal, "SIG" + name)
os.mkfifo(fifo)
rfd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # the reader, which never reads
wfd = os.open(fifo, os.O_WRONLY)
def dfl():
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
p = subprocess.Popen([liq, "--format", "json", "fields id, msg", inp], stdout=wfd,
                     stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, preexec_fn=dfl)
os.close(wfd)
cap = fcntl.fcntl(rfd, 1032)  # F_GETPIPE_SZ
def queued():
    a = array.array("i", [0])
    fcntl.ioctl(rfd, termios.FIONREAD, a)
    return a[0]
def caught():  # the signals liq has a handler for
    with open("/proc/%d/status" % p.pid) as f:
        for line in f:
            if line.startswith("SigCgt:"):
                return int(line.split()[1], 16)
    return 0
tries = 0
while queued() < cap and p.poll() is None and tries < 6000:
    time.sleep(0.01)
    tries += 1
if queued() < cap:
    p.kill()
    sys.exit("the output pipe never filled up (liq exit %s)" % p.poll())
if not caught() & (1 << (sig - 1)):
    p.kill()
    sys.exit("liq does not catch SIG%s" % name)
p.send_signal(sig)  # liq cannot finish: its output is blocked; the closing ] waits too
tries = 0
while p.poll() is None and caught() & (1 << (sig - 1)) and tries < 6000:
    time.sleep(0.01)
    tries += 1
if p.poll() is not None:
    sys.exit("liq ended after the first signal with %d, though its output is blocked" % p.returncode)
p.send_signal(sig)
try:
    rc = p.wait(timeout=60)  # a hang guard
except subprocess.TimeoutExpired:
    p.kill()
    sys.exit("liq hung after the second signal")
if rc != -sig:
    sys.exit("exit %d, expected death by SIG%s" % (rc, name))
PY
    ); then ok "second SIG$sig while blocked on a full pipe: liq ends by the signal"; else
        not_ok "second SIG$sig while blocked on a full pipe: $out"; fi
    rm -f "$tmp/outfifo"
done

finish
