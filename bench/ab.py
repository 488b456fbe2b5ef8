#!/usr/bin/env python3
"""ab.py -- compare two liq binaries on the benchmark queries: CPU time first.

usage: bench/ab.py OLD NEW [--reps N] [--queries Q1,Q4a,...]

Runs each query of bench.py (its inputs under $BENCH_DIR, made by bench/gen.sh) with OLD and
NEW in turn, interleaved (rep 1: Q1 OLD, Q1 NEW, Q2 OLD, ...), and prints a Markdown table of
the medians: CPU time (user + sys, which a busy machine disturbs far less than wall time),
wall time, and NEW/OLD of the CPU time. It checks that both printed the same rows (sorted),
and exits 1 when they did not or a run failed. This is how a change that must not slow liq
down is measured (issue 12's constraint: no query more than 5 % slower in CPU time).
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the queries and their inputs)


def run(binary, query, path):
    """One run: (wall seconds, CPU seconds of the child, sorted output lines, exit status)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run([binary, "-q", "--format", "csv", query, path],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, sorted(p.stdout.decode(errors="replace").splitlines()), p.returncode


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--queries", default="")
    a = ap.parse_args()
    want = set(a.queries.split(",")) if a.queries else None
    inputs = {"json": bench.J, "text": bench.T, "small": bench.S, "wide": bench.W, "sort": bench.SO}
    qs = [q for q in bench.QUERIES if want is None or q["id"] in want]
    times = {}
    bad = 0
    for _ in range(a.reps):
        for q in qs:
            outs = []
            for label, binary in (("old", a.old), ("new", a.new)):
                wall, cpu, out, rc = run(binary, q["liq"], inputs[q["input"]])
                times.setdefault((q["id"], label), []).append((wall, cpu))
                outs.append(out)
                if rc != 0:
                    print("ab.py: %s %s exited with %d" % (q["id"], binary, rc), file=sys.stderr)
                    bad = 1
            if outs[0] != outs[1]:
                print("ab.py: %s: the two binaries' rows differ" % q["id"], file=sys.stderr)
                bad = 1
    print("| query | CPU old (s) | CPU new (s) | new/old CPU | wall old (s) | wall new (s) |")
    print("|---|---|---|---|---|---|")
    for q in qs:
        med = {lab: [statistics.median(x[i] for x in times[(q["id"], lab)]) for i in (0, 1)]
               for lab in ("old", "new")}
        print("| %s | %.2f | %.2f | %.3f | %.2f | %.2f |" % (
            q["id"], med["old"][1], med["new"][1], med["new"][1] / max(med["old"][1], 1e-9),
            med["old"][0], med["new"][0]))
    return bad


if __name__ == "__main__":
    sys.exit(main())
