#!/bin/sh
# golden.sh -- liq-dask over golden queries (issue 16): a sample of the cases of tests/golden
#
# On a real Dask scheduler and three workers on 127.0.0.1 (tests/dask/lib.sh): every 6th
# case of the golden .test files (sorted by file, in file order) that reads input (inline, as a
# file, or a file of the source tree), takes no filter pattern, no --log-group and no data
# path, and whose query --partial splits, is run once by liq and once by
# `liq-dask --splits 3 --fan-in 2` (its input cut into byte ranges) with the case's options
# and output format: stdout, stderr and exit code must be the same bytes. (Every golden case
# takes about 0.6 s through Dask here; tests/cli/partial_golden.sh checks all of them through
# --partial and --merge in-process.)
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 no Dask here.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-dask-golden.XXXXXX")
. "$SRCDIR/tests/dask/lib.sh"
cd "$tmp" || exit 1
dask_start
export LIQ LIQ_DASK ADDR SRCDIR

"$PY" - <<'EOF'
import glob, os, shlex, subprocess, sys

liq, liq_dask, addr, src = (os.environ[k] for k in ("LIQ", "LIQ_DASK", "ADDR", "SRCDIR"))


def cases(path):
    """The cases of a .test file (tests/golden_run.c's format): dicts of their directives."""
    out, cur, key = [], None, None
    for line in open(path, encoding="utf-8", errors="replace").read().split("\n"):
        if line.startswith("%%") and not line.startswith("%%%"):
            words = line[2:].split(None, 1)
            d = words[0] if words else ""
            rest = words[1] if len(words) > 1 else ""
            if d == "query":
                cur = {"query": [], "line": len(out)}
                out.append(cur)
                key = "query"
            elif cur is None:
                key = None
            elif d in ("input", "pattern"):
                cur[d] = []
                cur[d + "_how"] = rest
                key = d
            elif d == "expect":
                cur["expect"] = rest
                key = None
            else:
                cur[d] = rest
                key = None
            continue
        if cur is not None and key:
            if not (key == "query" and line.startswith("#")):
                cur[key].append(line[1:] if line.startswith("%%%") else line)
    return out


n = fails = 0
eligible = 0
for path in sorted(glob.glob(os.path.join(src, "tests/golden/**/*.test"), recursive=True)):
    for c in cases(path):
        q = "\n".join(c["query"]).strip()
        how = c.get("input_how", "")
        args = c.get("args", "")
        if ("input" not in c or "pattern" in c or "skip" in c or not q or "@DATA@" in args
                or "--log-group" in args or "/dev/null" in how):
            continue
        eligible += 1
        if eligible % 6:
            continue
        fmt = (c.get("expect") or "csv").split()[0]
        opts = shlex.split(args)
        if fmt in ("csv", "tsv", "ndjson", "json", "table") and "--format" not in opts:
            opts = ["--format", fmt] + opts
        d = "case%d" % eligible
        os.mkdir(d)
        if "@" in how:
            inp = os.path.join(src, how.split("@", 1)[1].strip())
        else:
            inp = "input.log"
            with open(os.path.join(d, inp), "w") as f:
                body = "\n".join(c["input"]).rstrip("\n")
                f.write(body + "\n" if body else "")
        name = "%s:%d" % (os.path.relpath(path, src), c["line"] + 1)
        popts, i = [], 0  # the options --partial takes: not the output ones
        while i < len(opts):
            o = opts[i]
            if o in ("--format", "--chart-svg"):
                i += 2
                continue
            if o not in ("--no-header", "--chart", "-q", "--quiet") and not \
                    o.startswith(("--format=", "--chart-svg=")):
                popts.append(o)
            i += 1
        p = subprocess.run([liq, "--partial"] + popts + [q, inp], cwd=d,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if b"cannot split this query" in p.stderr:
            continue
        one = subprocess.run([liq] + opts + [q, inp], cwd=d, capture_output=True)
        dask = subprocess.run([liq_dask, "--scheduler", addr, "--min-workers", "3", "--liq", liq,
                               "--splits", "3", "--fan-in", "2"] + opts + [q, inp], cwd=d,
                              capture_output=True)
        n += 1
        if (one.returncode, one.stdout, one.stderr) == (dask.returncode, dask.stdout, dask.stderr):
            print("ok %d - %s: liq-dask prints what liq prints (exit %d)" % (n, name, one.returncode))
        else:
            fails += 1
            print("not ok %d - %s: liq exits %d, liq-dask %d" % (n, name, one.returncode,
                                                                  dask.returncode))
            for what, a, b in (("stdout", one.stdout, dask.stdout), ("stderr", one.stderr, dask.stderr)):
                if a != b:
                    print("  | %s: liq %r" % (what, a[:300]))
                    print("  | %s: liq-dask %r" % (what, b[:300]))
print("1..%d" % n)
print("# %d golden cases eligible, every 6th run" % eligible)
sys.exit(1 if fails or n < 20 else 0)
EOF
