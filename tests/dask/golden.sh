#!/bin/sh
# golden.sh -- liq-dask over the golden queries (issue 16): every case of tests/golden that reads
# input
#
# On a real Dask scheduler and three workers on 127.0.0.1 (tests/dask/lib.sh): every case of
# the golden .test files that reads input (inline, as a file, or a file of the source tree),
# takes no filter pattern, no --log-group and no data path, and whose query --partial splits,
# is run once by liq and once through liq-dask's own code (`liq-dask --splits 3 --fan-in 2`,
# its input cut into byte ranges) with the case's options and output format: stdout, stderr
# and exit code must be the same bytes. The cases run through one Dask client in this
# process (liq-dask's module loaded once: its parse and drive, the partials, merges and final
# merge as the command runs them; standard output and error caught at their descriptors),
# since starting Python and connecting to the scheduler for each of ~750 cases took most of a
# second each; every 20th case also runs as the command, from start to end. LIQ_DASK_EVERY=N
# runs every Nth case only (the sanitizer stages of scripts/setup.sh --check: each liq run
# there is several times slower).
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
LIQ_DASK_EVERY=${LIQ_DASK_EVERY:-1}
export LIQ LIQ_DASK ADDR SRCDIR LIQ_DASK_EVERY

"$PY" - <<'EOF'
import glob, importlib.machinery, importlib.util, logging, os, shlex, subprocess, sys, tempfile

liq, liq_dask, addr, src = (os.environ[k] for k in ("LIQ", "LIQ_DASK", "ADDR", "SRCDIR"))
every = max(1, int(os.environ.get("LIQ_DASK_EVERY", "1")))

# liq-dask's module, loaded once, and one client for every case
loader = importlib.machinery.SourceFileLoader("liq_dask", liq_dask)
ld = importlib.util.module_from_spec(importlib.util.spec_from_loader("liq_dask", loader))
loader.exec_module(ld)
for name in ("distributed", "asyncio", "tornado"):
    logging.getLogger(name).setLevel(logging.CRITICAL + 1)
from distributed import Client, as_completed
client = Client(addr)
client.wait_for_workers(3)


def inproc(argv, cwd):
    """liq-dask ARGV in cwd through the loaded module: (exit code, stdout, stderr) as bytes,
    caught at descriptors 1 and 2 (the final merge is a child writing to them)."""
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    here = os.getcwd()
    os.dup2(out.fileno(), 1)
    os.dup2(err.fileno(), 2)
    try:
        os.chdir(cwd)
        try:
            o = ld.parse(argv)
            query, inputs = ld.split_query(o)
            rc = ld.drive(o, client, query, inputs, as_completed)
        except SystemExit as e:
            rc = e.code
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os.chdir(here)
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])
    out.seek(0)
    err.seek(0)
    return rc, out.read(), err.read()


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


n = fails = commands = 0
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
        if eligible % every:
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
        one = (one.returncode, one.stdout, one.stderr)
        dargv = ["--scheduler", addr, "--min-workers", "3", "--liq", liq, "--splits", "3",
                 "--fan-in", "2"] + opts + [q, inp]
        runs = [("liq-dask's drive", inproc(dargv, d))]
        if eligible % (20 * every) == 0:
            p = subprocess.run([liq_dask] + dargv, cwd=d, capture_output=True)
            runs.append(("the liq-dask command", (p.returncode, p.stdout, p.stderr)))
            commands += 1
        for how, dask in runs:
            n += 1
            if one == dask:
                print("ok %d - %s: %s prints what liq prints (exit %d)" % (n, name, how, one[0]))
                continue
            fails += 1
            print("not ok %d - %s: liq exits %s, %s %s" % (n, name, one[0], how, dask[0]))
            for what, a, b in (("stdout", one[1], dask[1]), ("stderr", one[2], dask[2])):
                if a != b:
                    print("  | %s: liq %r" % (what, a[:300]))
                    print("  | %s: liq-dask %r" % (what, b[:300]))
client.close()
print("1..%d" % n)
print("# %d golden cases eligible, every %s run (%d also as the command)"
      % (eligible, "one" if every == 1 else "%dth" % every, commands))
sys.exit(1 if fails or n < 20 else 0)
EOF
