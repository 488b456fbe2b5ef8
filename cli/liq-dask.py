#!/usr/bin/python3
# liq-dask -- one liq query over a Dask cluster (issue 16, docs/scale-out.md "liq-dask")
#
#   liq-dask [--scheduler tcp://HOST:PORT] [LIQ-DASK OPTIONS] [LIQ OPTIONS] QUERY INPUT...
#
# Plans work units with `liq --splits N` (here, where liq-dask runs), runs
# `liq --partial --part-index K` over unit K on the workers (liq on each worker's PATH, or
# --liq; the inputs on paths every worker sees, or in S3), merges the partials on the workers
# as a tree (`liq --merge --partial`, FAN_IN at a time), and finishes with `liq --merge` here:
# what it prints (stdout, stderr, exit code) is what `liq QUERY INPUT...` prints. Every liq
# run on a worker starts in the directory liq-dask was started in, so relative names, @log and
# @logStream are those of one run. A worker that dies mid-query is retried by Dask (its units
# run again elsewhere: a unit's partial depends on nothing else); a liq that fails (exit 2, 4,
# 5) fails the run with liq's message and exit code; input that was not fully read travels in
# the partials and the final merge exits 3 with the diagnostics, as one liq would.
#
# Exit: liq's codes (cli/exit_codes.def): 0, 2 usage (also liq-dask's own), 3 incomplete
# input, 4 internal (also: the scheduler cannot be reached, a unit's workers died more often
# than Dask allows), 5 memory; 130/143 interrupted.
#
# SPDX-License-Identifier: Apache-2.0
import os
import shutil
import signal
import subprocess
import sys
import uuid

VERSION = "__LIQ_VERSION__"

USAGE = """usage: liq-dask [--scheduler tcp://HOST:PORT] [OPTIONS] [LIQ OPTIONS] QUERY INPUT...

Runs a liq query over a Dask cluster and prints what `liq QUERY INPUT...` prints: the inputs
are cut into work units (liq --splits), each unit runs `liq --partial` on a worker, the
partials are merged on the workers as a tree and finished here with `liq --merge`. The
inputs must be on paths every worker sees (each liq starts in this directory) or in S3.

liq-dask options:
  --scheduler ADDR        the Dask scheduler (tcp://HOST:PORT); without it, a local cluster
                          of --local-workers processes is started and stopped
  --splits N              work units (default: 2 per worker thread, at most 4096)
  --fan-in N              partials merged by one merge task (default 8, at least 2)
  --min-workers N         wait until the cluster has N workers before starting
  --resources SPEC        Dask resources each liq task needs, NAME=N[,NAME=N] (workers
                          started with --resources): e.g. liq=1 runs one liq per slot
  --local-workers N       workers of the local cluster (default: the cores here)
  --liq PATH              the liq to run, here and on the workers (default: liq on PATH)
  --progress              a progress line on stderr (units done, merges done); default
                          when stderr is a terminal; --no-progress: never
  --help, --version

Every other option is liq's (liq --help): the options that change results go to every
liq run, the output options (--format, --no-header, --chart, --chart-svg, -q) to the final
merge. Not with liq-dask: standard input, --follow, --fields, --stats, --log-group,
--partial, --merge, --part-index.
"""

# liq's long options that take a value (cli/cli.c long_opts; tests/dask/dask.sh checks this
# list against `liq --help`) and those that take none
LIQ_VALUE = {
    "query-file", "format", "threads", "start", "end", "max-line", "max-fields",
    "filter-pattern", "poll", "every", "lateness", "state-file", "chart-svg", "var",
    "query-name", "lookup", "endpoint-url", "s3-read-timeout", "s3-concurrency", "include",
    "log-group", "exclude", "input-format", "timestamp-field", "timestamp-format", "tz", "year",
    "multiline-start", "cache-dir", "memory-limit", "temp-dir", "part-index", "splits",
    "debug-batch-rows",
}
LIQ_FLAG = {
    "explain", "stats", "no-header", "list-functions", "no-prefilter", "no-seek", "quiet",
    "follow", "chart", "insights-defaults", "saved", "no-sign-request", "fields", "partial",
    "merge", "progress", "no-progress", "version", "help",
}
LIQ_SHORT_VALUE = {"f": "query-file"}
LIQ_SHORT_FLAG = {"q": "quiet", "F": "follow", "h": "help"}
# to the final merge only (--partial refuses them; they change no row)
OUTPUT_ONLY = {"format", "no-header", "chart", "chart-svg", "quiet"}
REFUSED = {
    "follow": "--follow keeps reading appended lines: run liq --follow on one machine",
    "poll": "--poll is an option of --follow",
    "every": "--every is an option of --follow",
    "lateness": "--lateness is an option of --follow",
    "state-file": "--state-file is an option of --follow",
    "fields": "--fields lists the fields of the inputs: run liq --fields",
    "stats": "--stats counts what one process reads: run liq --stats",
    "log-group": "--log-group: give the group's files as inputs, or run liq (a unit cannot "
                 "name a log group yet)",
    "partial": "liq-dask runs --partial itself",
    "merge": "liq-dask runs --merge itself",
    "part-index": "liq-dask numbers the parts itself",
    "splits": None,  # liq-dask's own --splits
}
LOCAL_ONLY = {"explain", "list-functions", "saved"}  # no input read: liq runs them here
# what `liq --splits` lists S3 prefixes with (the objects a run reads: endpoint, credentials,
# --start/--end pruning, --include/--exclude)
SPLIT_OPTS = {"endpoint-url", "no-sign-request", "s3-read-timeout", "s3-concurrency",
              "cache-dir", "start", "end", "tz", "include", "exclude"}

EXIT_USAGE, EXIT_INCOMPLETE, EXIT_INTERNAL = 2, 3, 4


class Usage(Exception):
    pass


def say(msg, hint=None):
    sys.stderr.write("liq-dask: error: %s\n" % msg)
    if hint:
        sys.stderr.write("  hint: %s\n" % hint)


def long_name(name, table):
    """The liq long option NAME abbreviates (getopt accepts unique prefixes), or None."""
    if name in table:
        return name
    hits = [o for o in table if o.startswith(name)]
    return hits[0] if len(hits) == 1 else None


class Opts:
    def __init__(self):
        self.scheduler = None
        self.splits = None
        self.fan_in = 8
        self.min_workers = 0
        self.resources = None
        self.local_workers = os.cpu_count() or 1
        self.liq = "liq"
        self.progress = None
        self.liq_args = []  # (name, [argv words]) in order
        self.positionals = []
        self.local = False  # --explain, --list-functions, --saved: run liq here


OWN_VALUE = {"scheduler", "splits", "fan-in", "min-workers", "resources", "local-workers", "liq"}
OWN_FLAG = {"progress", "no-progress", "help", "version"}


def count(name, v, lo, hi):
    try:
        n = int(v)
    except ValueError:
        n = None
    if n is None or n < lo or n > hi:
        raise Usage("--%s takes a number from %d to %d, not '%s'" % (name, lo, hi, v))
    return n


def parse(argv):
    o = Opts()
    i = 0
    only_pos = False
    while i < len(argv):
        a = argv[i]
        i += 1
        if only_pos or a == "-" or not a.startswith("-"):
            o.positionals.append(a)
            continue
        if a == "--":
            only_pos = True
            o.liq_args.append(("--", ["--"]))
            continue
        if a.startswith("--"):
            name, eq, val = a[2:].partition("=")
            own = long_name(name, OWN_VALUE | OWN_FLAG) if name not in LIQ_VALUE | LIQ_FLAG \
                else (name if name in OWN_VALUE | OWN_FLAG else None)
            if own in OWN_VALUE:
                if not eq:
                    if i >= len(argv):
                        raise Usage("--%s takes a value" % own)
                    val = argv[i]
                    i += 1
                if own == "scheduler":
                    o.scheduler = val
                elif own == "splits":
                    o.splits = count(own, val, 1, 4096)
                elif own == "fan-in":
                    o.fan_in = count(own, val, 2, 4096)
                elif own == "min-workers":
                    o.min_workers = count(own, val, 0, 100000)
                elif own == "local-workers":
                    o.local_workers = count(own, val, 1, 4096)
                elif own == "liq":
                    o.liq = val
                elif own == "resources":
                    res = {}
                    for kv in val.split(","):
                        k, _, n = kv.partition("=")
                        try:
                            res[k] = float(n)
                        except ValueError:
                            raise Usage("--resources takes NAME=N[,NAME=N], not '%s'" % val)
                        if not k:
                            raise Usage("--resources takes NAME=N[,NAME=N], not '%s'" % val)
                    o.resources = res
                continue
            if own in OWN_FLAG:
                if own == "help":
                    sys.stdout.write(USAGE)
                    sys.exit(0)
                if own == "version":
                    sys.stdout.write("liq-dask %s\n" % VERSION)
                    sys.exit(0)
                o.progress = own == "progress"
                continue
            full = long_name(name, LIQ_VALUE | LIQ_FLAG)
            if full is None:
                raise Usage("unknown option '--%s'" % name, )
            words = [a]
            if full in LIQ_VALUE and not eq:
                if i >= len(argv):
                    raise Usage("--%s takes a value" % full)
                words.append(argv[i])
                i += 1
            o.liq_args.append((full, words))
            continue
        # short options: -q, -F, -h, -f FILE (also -fFILE, -qf FILE)
        j = 1
        while j < len(a):
            c = a[j]
            j += 1
            if c in LIQ_SHORT_FLAG:
                full = LIQ_SHORT_FLAG[c]
                if full == "help":
                    sys.stdout.write(USAGE)
                    sys.exit(0)
                o.liq_args.append((full, ["-" + c]))
            elif c in LIQ_SHORT_VALUE:
                if j < len(a):
                    val = a[j:]
                elif i < len(argv):
                    val = argv[i]
                    i += 1
                else:
                    raise Usage("-%s takes a value" % c)
                o.liq_args.append((LIQ_SHORT_VALUE[c], ["-" + c, val]))
                break
            else:
                raise Usage("unknown option '-%s'" % c)
    for full, words in o.liq_args:
        if full in REFUSED and REFUSED[full]:
            raise Usage(REFUSED[full])
        if full in LOCAL_ONLY or full == "version":
            o.local = True
    return o


def split_query(o):
    """(query words, inputs): the query is the first positional unless -f gave one or
    --filter-pattern makes it optional (a first positional naming an input), as liq does."""
    names = {f for f, _ in o.liq_args}
    pos = o.positionals
    if "query-file" in names:
        return [], pos
    if "filter-pattern" in names and pos and (pos[0] == "-" or pos[0].startswith("s3://")
                                             or os.path.exists(pos[0])):
        return [], pos
    if not pos:
        raise Usage("no query given")
    return [pos[0]], pos[1:]


def liq_words(o, keep):
    out = []
    for full, words in o.liq_args:
        if keep(full):
            out += words
    return out


# ===== the tasks (run on the workers; cloudpickle sends them by value) =====

def run_liq(argv, cwd, data=None):
    """Runs liq: (exit code, stdout bytes, stderr bytes, where)."""
    import socket
    where = socket.gethostname()
    try:
        p = subprocess.run(argv, cwd=cwd, input=data if data is not None else b"",
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as e:
        return (EXIT_INTERNAL, b"", ("liq-dask: error: cannot run %s in %s on %s: %s\n"
                                     % (argv[0], cwd, where, e.strerror)).encode(), where)
    return (p.returncode, p.stdout, p.stderr, where)


def partial_task(argv, cwd, k):
    return run_liq(argv, cwd) + (k,)


def merge_task(argv, cwd, *parts):
    """Merges the partials of parts (results of partial_task or merge_task) into one, or hands
    on the first failure among them."""
    bad = [p for p in parts if p[0] != 0]
    if bad:
        return min(bad, key=lambda p: p[4])
    r = run_liq(argv, cwd, b"".join(p[1] for p in parts))
    return r + (min(p[4] for p in parts),)


# ===== the client =====

def plan_units(o, inputs):
    """`liq --splits N` over the inputs that exist here; a missing one goes whole into the
    unit of the input before it (its liq then says what one liq says about it)."""
    def exists(p):
        return p.startswith("s3://") or os.path.lexists(p)
    present = [p for p in inputs if exists(p)]
    units = []
    if present:
        p = subprocess.run([o.liq, "--splits", str(o.splits)] +
                           liq_words(o, lambda f: f in SPLIT_OPTS) + ["--"] + present,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode != 0:
            sys.stderr.buffer.write(p.stderr)
            sys.exit(p.returncode)
        units = [line.split(" ") for line in p.stdout.decode().splitlines() if line]
    if not units:
        units = [[]]
    prev = None
    for name in inputs:
        if exists(name):
            prev = name
            continue
        at, pos = 0, 0
        if prev is not None:  # after the last token of prev (a range of it, or prev whole)
            for ui, u in enumerate(units):
                for ti, t in enumerate(u):
                    if t == prev or t == "./" + prev or (t.startswith(prev + "@") and
                                                         not os.path.lexists(t)):
                        at, pos = ui, ti + 1
        units[at].insert(pos, "./" + name if name.startswith("-") else name)
        prev = name
    return units


class Progress:
    def __init__(self, on, units, merges):
        self.on, self.units, self.merges = on, units, merges
        self.udone = self.mdone = 0
        self.tty = sys.stderr.isatty()

    def show(self, end=False):
        if not self.on:
            return
        line = "liq-dask: %d/%d units, %d/%d merges" % (self.udone, self.units, self.mdone,
                                                         self.merges)
        if self.tty:
            sys.stderr.write("\r" + line + ("\n" if end else "\x1b[K"))
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()


def main(argv):
    try:
        o = parse(argv)
        if o.local:  # nothing read: liq answers here
            os.execvp(o.liq, [o.liq] + argv_without_own(argv))
        query, inputs = split_query(o)
        if not inputs or "-" in inputs:
            raise Usage("liq-dask reads inputs on the workers: give files, directories or S3 "
                        "URIs, not standard input")
    except Usage as e:
        say(str(e), "liq-dask --help")
        return EXIT_USAGE
    if shutil.which(o.liq) is None:
        say("cannot find %s here" % o.liq, "give its path with --liq PATH")
        return EXIT_USAGE
    import logging
    import warnings
    warnings.filterwarnings("ignore")  # Dask's (a port in use, ...): not liq's stderr
    # stderr is liq's: Dask's own chatter (and asyncio's about its connections as the client
    # closes) stays out of it; what fails the run is said by liq-dask
    for name in ("distributed", "asyncio", "tornado"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as e:
        say("cannot import Dask's distributed (%s)" % e, "apt-get install python3-distributed")
        return EXIT_INTERNAL
    cluster = None
    try:
        if o.scheduler:
            client = Client(o.scheduler)
        else:
            cluster = LocalCluster(n_workers=o.local_workers, threads_per_worker=1,
                                   processes=True, dashboard_address=":0",
                                   scheduler_kwargs={"dashboard": False},
                                   silence_logs=logging.CRITICAL)
            client = Client(cluster)
    except (OSError, TimeoutError) as e:
        say("cannot reach the Dask scheduler %s: %s" % (o.scheduler or "(local)", e))
        return EXIT_INTERNAL
    try:
        return drive(o, client, query, inputs, as_completed)
    except KeyboardInterrupt:
        return 130
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def argv_without_own(argv):
    out, i = [], 0
    while i < len(argv):
        a = argv[i]
        name = a[2:].partition("=")[0] if a.startswith("--") else None
        if name in OWN_VALUE:
            i += 1 if "=" in a else 2
            continue
        if name in OWN_FLAG:
            i += 1
            continue
        out.append(a)
        i += 1
    return out


def drive(o, client, query, inputs, as_completed):
    if o.min_workers:
        client.wait_for_workers(o.min_workers)
    if o.splits is None:
        threads = sum(client.nthreads().values()) or 1
        o.splits = max(1, min(4096, 2 * threads))
    units = plan_units(o, inputs)
    cwd = os.getcwd()
    part_opts = liq_words(o, lambda f: f not in OUTPUT_ONLY)
    if not o.scheduler and "threads" not in {f for f, _ in o.liq_args}:
        part_opts += ["--threads", "1"]  # the local cluster has a process per core
    merge_opts = liq_words(o, lambda f: f not in OUTPUT_ONLY)
    final_opts = liq_words(o, lambda f: True)
    run_id = uuid.uuid4().hex[:8]
    extra = {"resources": o.resources} if o.resources else {}
    futures = []
    for k, u in enumerate(units):
        argv = [o.liq, "--partial", "--part-index", str(k), "--no-progress"] + part_opts + \
            query + ["--"] + u
        futures.append(client.submit(partial_task, argv, cwd, k, key="liq-partial-%s-%d"
                                     % (run_id, k), pure=False, **extra))
    level, merges = futures, []
    while len(level) > o.fan_in:
        nxt = []
        for g in range(0, len(level), o.fan_in):
            group = level[g:g + o.fan_in]
            if len(group) == 1:
                nxt.append(group[0])
                continue
            argv = [o.liq, "--merge", "--partial", "--no-progress"] + merge_opts + query
            f = client.submit(merge_task, argv, cwd, *group, key="liq-merge-%s-%d"
                              % (run_id, len(merges)), pure=False, **extra)
            merges.append(f)
            nxt.append(f)
        level = nxt
    prog = Progress(o.progress if o.progress is not None else sys.stderr.isatty(),
                    len(futures), len(merges))
    prog.show()
    kind = {f.key: ("unit", i) for i, f in enumerate(futures)}
    kind.update({f.key: ("merge", i) for i, f in enumerate(merges)})
    results = {}
    for f in as_completed(futures + merges):
        what, i = kind[f.key]
        try:
            r = f.result()
        except Exception as e:  # KilledWorker: its workers died more often than Dask allows
            prog.show(end=True)
            say("%s %d (%s) did not finish on the cluster: %s: %s"
                % (what, i, " ".join(units[i]) if what == "unit" else "of partials",
                   type(e).__name__, e),
                "a worker running it died each time (distributed.scheduler.allowed-failures)")
            client.cancel(futures + merges)
            return EXIT_INTERNAL
        if what == "unit":
            prog.udone += 1
        else:
            prog.mdone += 1
        prog.show()
        if r[0] != 0:  # liq failed: its message and exit code, the first unit's of those
            if prog.on and prog.tty:
                prog.show(end=True)
            client.cancel(futures + merges)
            sys.stderr.buffer.write(r[2])
            if r[0] < 0:
                say("liq was stopped by signal %d on %s (unit %d)" % (-r[0], r[3], r[4]))
                return EXIT_INTERNAL
            return r[0]
        if f.key in {x.key for x in level}:
            results[f.key] = r
    if prog.on and prog.tty:
        prog.show(end=True)
    data = b"".join(results[f.key][1] for f in level)
    final = [o.liq, "--merge", "--no-progress"] + final_opts + query
    sys.stdout.flush()
    p = subprocess.run(final, input=data)
    return p.returncode


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main(sys.argv[1:]))
