#!/usr/bin/env python3
# bench.py -- time liq against the tools a user would otherwise pick, on the same questions.
#
# usage: bench/bench.py --liq PATH [--reps N] [--slow-reps N] [--queries Q1,Q4a,...]
#                       [--tools liq,duckdb,...] [--timeout S] [--report FILE] [--no-scaling]
#
# Called by bench/run.sh once the inputs exist under $BENCH_DIR (bench/gen.sh). For every
# query below each tool computes the same answer; the runs are interleaved (rep 1: Q1 liq,
# Q1 duckdb, ..., Q6 mlr; rep 2: ...), and the median wall time of each (query, tool) is
# reported, with GB/s of input, the ratio tool/liq, peak RSS (ru_maxrss of the whole process
# tree, from wait4) and peak RssAnon of the main process (sampled from /proc/PID/status every
# 10 ms; meaningful for liq and DuckDB, which run as one process, not for shell pipelines).
#
# Every output is normalised (rows split on tabs, timestamps and numbers put in one form,
# rows sorted unless the query's order matters) and compared with liq's; any disagreement is
# printed in full and makes the run exit 1: a wrong fast answer is not a result. The slow
# peers (jq, mlr, and any peer whose first run took over --slow-secs, default 30) run only in
# the first --slow-reps repetitions (default 1). CPU time (user + system of the whole process
# tree) is reported beside wall time: on a shared, loaded machine it is the steadier measure.
#
# Scaling: every liq query also runs with --threads 1 right after the --threads N run (N = 2 by
# default) in every repetition, its answer checked against the N-thread one; the report's
# scaling table gives both medians and the speed-up wall(1)/wall(N), CPU time beside
# (--no-scaling leaves the 1-thread runs out).
import argparse
import datetime
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DIR = os.environ.get("BENCH_DIR", "/tmp/liq-bench")
J = os.path.join(DIR, "app.jsonl")
T = os.path.join(DIR, "access.log")
S = os.path.join(DIR, "small")
W = os.path.join(DIR, "wide.jsonl")
SO = os.path.join(DIR, "sort.jsonl")

# Tool order in every repetition and in the tables.
TOOLS = ["liq", "duckdb", "rg", "gawk", "mawk", "jq", "mlr"]
SLOW = {"jq", "mlr"}

# One glob for the access log: ip, ts, method, path, proto, status, rest (bytes, referer, agent).
GLOB = 'parse @message "* - - [*] \\"* * *\\" * *" as ip, ts, method, path, proto, status, rest'
# The status column of a combined-format line, for the peers that use a regex.
STATUS_RE = r'^\S+ \S+ \S+ \[[^\]]+\] "[^"]*" (\d{3}) '
UNIQ = "sort | uniq -c | awk '{print $2 \"\\t\" $1}'"


def regex_query(qid, title, liq_re, rg_re, awk_cond, gawk_begin, jq_re, mlr_re, duck_re):
    """Q4: count lines matching one regex (liq on @message, the raw line)."""
    return dict(
        id=qid, title=title, input="json", ordered=False,
        liq="filter @message like /%s/ | stats count(*)" % liq_re,
        peers={
            "duckdb": ("sql", "SELECT count(*) FROM read_json_auto('%s') WHERE regexp_matches(msg, '%s')"
                       % (J, duck_re)),
            "rg": ("sh", "rg -c '%s' \"$J\"" % rg_re),
            "gawk": ("sh", "gawk '%s %s { n++ } END { print n + 0 }' \"$J\"" % (gawk_begin, awk_cond)),
            "mawk": ("sh", "mawk '%s { n++ } END { print n + 0 }' \"$J\"" % awk_cond),
            "jq": ("sh", "jq -nR 'reduce inputs as $l (0; if ($l | test(\"%s\")) then . + 1 else . end)' \"$J\""
                   % jq_re),
            "mlr": ("sh", "mlr --ijson --otsv --ho filter '$msg =~ \"%s\"' then count \"$J\"" % mlr_re),
        })


def access_peers(path, gz):
    """Q5/Q6 peers: count of lines by HTTP status in combined-format access logs."""
    cat = 'zcat "%s"/*.gz | ' % path if gz else ""
    src = "" if gz else ' "%s"' % path
    csv = "%s/*.gz" % path if gz else path
    return {
        "duckdb": ("sql", "SELECT column6, count(*) FROM read_csv('%s', delim=' ', header=false) GROUP BY column6"
                   % csv),
        "rg": ("sh", "rg %s--no-filename -o -r '$1' '%s' \"%s\" | %s"
               % ("-z " if gz else "", STATUS_RE, path, UNIQ)),
        "gawk": ("sh", "%sgawk '{ n[$9]++ } END { for (k in n) print k \"\\t\" n[k] }'%s" % (cat, src)),
        "mawk": ("sh", "%smawk '{ n[$9]++ } END { for (k in n) print k \"\\t\" n[k] }'%s" % (cat, src)),
        "mlr": ("sh", "mlr %s--inidx --ifs space --otsv --ho count -g 9 %s"
                % ("--gzin " if gz else "", '"%s"/*.gz' % path if gz else '"%s"' % path)),
    }


AWK_USER = """match($0, /"userId":"[^"]*"/) { n[substr($0, RSTART + 10, RLENGTH - 11)]++ }
END { for (k in n) print n[k] "\\t" k }"""
AWK_BIN = """match($0, /"timestamp":"[^"]*"/) {
  b = substr($0, RSTART + 13, 15) (substr($0, RSTART + 28, 1) < 5 ? "0" : "5"); n[b]++
  if (match($0, /"latency":[0-9.]+/)) {
    v = substr($0, RSTART + 10, RLENGTH - 10) + 0; s[b] += v; c[b]++
    if (!(b in m) || v > m[b]) m[b] = v
  }
}
END { for (b in n) printf "%s\\t%.12g\\t%.12g\\t%d\\n", b, s[b] / c[b], m[b], n[b] }"""
AWK_ERR = """/"level":"ERROR"/ { if (match($0, /"service":"[^"]*"/)) n[substr($0, RSTART + 11, RLENGTH - 12)]++ }
END { for (k in n) print k "\\t" n[k] }"""
JQ_BIN = """reduce inputs as $r ({};
  ($r.timestamp[0:15] + (if $r.timestamp[15:16] < "5" then "0" else "5" end)) as $b
  | .[$b].n += 1
  | if $r.latency != null then .[$b].s += $r.latency | .[$b].c += 1 | .[$b].m = ([.[$b].m, $r.latency] | max)
    else . end)
| to_entries[] | [.key, .value.s / .value.c, .value.m, .value.n] | @tsv"""
MLR_BIN = ("put '$one = 1; $b = substr1($timestamp, 1, 15) . (substr1($timestamp, 16, 16) < \"5\" ? \"0\" : \"5\")' "
           "then stats1 -a mean,max,sum -f latency,one -g b then cut -o -f b,latency_mean,latency_max,one_sum")

# Q7: 20 fields read of 31 (bench/gen_wide.awk): a filter on s04, 16 sums by s01, s02, s03.
WIDE_SUMS = ", ".join("sum(n%02d)" % i for i in range(1, 17))
# awk peers: the keys come in a fixed order and no value holds ':' or ',', so with FS [:,] key i
# (id = 0) is field 2i + 2: s01-s04 are $4-$10, n01-n16 $12-$42.
AWK_WIDE = r"""$10 != "\"e\"" { g = $4 "\t" $6 "\t" $8; seen[g] = 1; for (i = 1; i <= 16; i++) s[g, i] += $(10 + 2 * i) }
END { for (g in seen) { l = g; gsub(/"/, "", l); for (i = 1; i <= 16; i++) l = l "\t" sprintf("%.17g", s[g, i]); print l } }"""
# the same sums over TSV rows s01 s02 s03 n01..n16 (jq's output)
AWK_WIDE_TSV = r"""{ g = $1 "\t" $2 "\t" $3; seen[g] = 1; for (i = 1; i <= 16; i++) s[g, i] += $(3 + i) }
END { for (g in seen) { l = g; for (i = 1; i <= 16; i++) l = l "\t" sprintf("%.17g", s[g, i]); print l } }"""
# Q8: distinct userId per host (about 14,000 each: liq's count_distinct is exact up to 100,000)
AWK_DISTINCT = r"""match($0, /"host":"[^"]*","userId":"[^"]*"/) { split(substr($0, RSTART, RLENGTH), a, "\"")
  k = a[4] "\t" a[8]; if (!(k in seen)) { seen[k] = 1; n[a[4]]++ } }
END { for (h in n) print h "\t" n[h] }"""
DISTINCT_SORT = "LC_ALL=C sort -u -S 1G --parallel=2 | mawk '{ n[$1]++ } END { for (h in n) print h \"\\t\" n[h] }'"
# Q9: nearest-rank percentiles (liq's pct, DuckDB's quantile_disc). The peers write lines
# "service latency", sort them by service, then latency, and print per service the values of
# rank ceil(p n / 100) for p = 50, 95, 99.
AWK_PCT = r"""match($0, /"service":"[^"]*"/) { s = substr($0, RSTART + 11, RLENGTH - 12)
  if (match($0, /"latency":[0-9.]+/)) print s "\t" substr($0, RSTART + 10, RLENGTH - 10) }"""
PCT_RANKS = ("LC_ALL=C sort -S 1G --parallel=2 -k1,1 -k2,2g | mawk 'function out() { if (n) print g \"\\t\" "
             "v[int((50 * n + 99) / 100)] \"\\t\" v[int((95 * n + 99) / 100)] \"\\t\" v[int((99 * n + 99) / 100)] } "
             "$1 != g { out(); g = $1; n = 0 } { v[++n] = $2 } END { out() }'")
# Q10: every row, sorted by k descending, then s; the peers write "k<TAB>s", then sort(1)
SORT_KS = "LC_ALL=C sort -S 1G --parallel=2 -t \"$(printf '\\t')\" -k1,1nr -k2,2"
AWK_KS = r"""{ print substr($3, 2, length($3) - 2) "\t" $6 }"""

QUERIES = [
    dict(id="Q1", title="filter + count by field", input="json", ordered=False,
         liq='filter level = "ERROR" | stats count(*) by service',
         peers={
             "duckdb": ("sql", "SELECT service, count(*) FROM read_json_auto('%s') WHERE level = 'ERROR' "
                        "GROUP BY service" % J),
             "rg": ("sh", "rg -o -r '$1' '\"level\":\"ERROR\".*\"service\":\"([^\"]*)\"' \"$J\" | " + UNIQ),
             "gawk": ("sh", "gawk '%s' \"$J\"" % AWK_ERR),
             "mawk": ("sh", "mawk '%s' \"$J\"" % AWK_ERR),
             "jq": ("sh", "jq -r 'select(.level == \"ERROR\") | .service' \"$J\" | " + UNIQ),
             "mlr": ("sh", "mlr --ijson --otsv --ho filter '$level == \"ERROR\"' then count -g service \"$J\""),
         }),
    dict(id="Q2", title="avg/max/count by bin(5m)", input="json", ordered=False,
         liq="stats avg(latency), max(latency), count(*) by bin(5m)",
         peers={
             "duckdb": ("sql", "SELECT time_bucket(INTERVAL 5 MINUTE, \"timestamp\"::TIMESTAMP) AS b, avg(latency), "
                        "max(latency), count(*) FROM read_json_auto('%s') GROUP BY b" % J),
             "gawk": ("sh", "gawk '%s' \"$J\"" % AWK_BIN),
             "mawk": ("sh", "mawk '%s' \"$J\"" % AWK_BIN),
             "jq": ("sh", "jq -nr '%s' \"$J\"" % JQ_BIN),
             "mlr": ("sh", "mlr --ijson --otsv --ho %s \"$J\"" % MLR_BIN),
         }),
    dict(id="Q3", title="count by userId (high cardinality), top 10", input="json", ordered=True,
         liq="stats count(*) as n by userId | sort n desc | limit 10",
         peers={
             "duckdb": ("sql", "SELECT userId, count(*) AS n FROM read_json_auto('%s') GROUP BY userId "
                        "ORDER BY n DESC LIMIT 10" % J),
             "rg": ("sh", "rg -o -r '$1' '\"userId\":\"([^\"]*)\"' \"$J\" | sort | uniq -c | sort -rn | head -10 "
                    "| awk '{print $2 \"\\t\" $1}'"),
             "gawk": ("sh", "gawk '%s' \"$J\" | sort -rn | head -10 | awk '{print $2 \"\\t\" $1}'" % AWK_USER),
             "mawk": ("sh", "mawk '%s' \"$J\" | sort -rn | head -10 | awk '{print $2 \"\\t\" $1}'" % AWK_USER),
             "jq": ("sh", "jq -r .userId \"$J\" | sort | uniq -c | sort -rn | head -10 | awk '{print $2 \"\\t\" $1}'"),
             "mlr": ("sh", "mlr --ijson --otsv --ho count -g userId then sort -nr count then head -n 10 \"$J\""),
         }),
    regex_query("Q4a", "regex with a required literal: /connection (refused|reset) by peer/",
                "connection (refused|reset) by peer", "connection (refused|reset) by peer",
                "/connection (refused|reset) by peer/", "", "connection (refused|reset) by peer",
                "connection (refused|reset) by peer", "connection (refused|reset) by peer"),
    regex_query("Q4b", "case-insensitive regex: /(?i)payment declined/",
                "(?i)payment declined", "(?i)payment declined",
                "tolower($0) ~ /payment declined/", "", "(?i)payment declined",
                "payment declined\"i\"", "(?i)payment declined"),
    regex_query("Q4c", "regex with no literal: /\\d{3}ms/",
                "\\d{3}ms", "\\d{3}ms", "/[0-9][0-9][0-9]ms/", "", "\\\\d{3}ms",
                "\\d{3}ms", "\\d{3}ms"),
    dict(id="Q5", title="glob parse + count by status (access log)", input="text", ordered=False,
         liq=GLOB + " | stats count(*) as n by status",
         peers=access_peers(T, False)),
    dict(id="Q6", title="Q5 over the small gzipped files (10,000 by default)", input="small", ordered=False,
         liq=GLOB + " | stats count(*) as n by status",
         peers=access_peers(S, True)),
]
# gawk's case-insensitive form of Q4b: IGNORECASE, not tolower()
QUERIES[4]["peers"]["gawk"] = ("sh", "gawk 'BEGIN { IGNORECASE = 1 } /payment declined/ { n++ } END { print n + 0 }' \"$J\"")
# Q4b for mlr: the "..."i literal is a case-insensitive regex
QUERIES[4]["peers"]["mlr"] = ("sh", "mlr --ijson --otsv --ho filter '$msg =~ \"payment declined\"i' then count \"$J\"")

# Issue 21's queries. No peer where the tool cannot answer it sensibly: rg for Q7 (20 fields of
# a line), mlr for Q9 (its percentiles are not nearest-rank) and Q10 (it would hold all 10 M
# records as maps in memory).
QUERIES += [
    dict(id="Q7", title="wide records: 20 of 31 fields read (a filter, 16 sums by 3 keys)", input="wide",
         ordered=False,
         liq='filter s04 != "e" | stats %s by s01, s02, s03' % WIDE_SUMS,
         peers={
             "duckdb": ("sql", "SELECT s01, s02, s03, %s FROM read_json_auto('%s') WHERE s04 <> 'e' GROUP BY ALL"
                        % (WIDE_SUMS, W)),
             "gawk": ("sh", "gawk -F '[:,]' '%s' \"$W\"" % AWK_WIDE),
             "mawk": ("sh", "mawk -F '[:,]' '%s' \"$W\"" % AWK_WIDE),
             "jq": ("sh", "jq -r 'select(.s04 != \"e\") | [.s01, .s02, .s03, %s] | @tsv' \"$W\" | mawk -F '\\t' '%s'"
                    % (", ".join(".n%02d" % i for i in range(1, 17)), AWK_WIDE_TSV)),
             "mlr": ("sh", "mlr --ijson --otsv --ho filter '$s04 != \"e\"' then stats1 -a sum -f %s -g s01,s02,s03 \"$W\""
                     % ",".join("n%02d" % i for i in range(1, 17))),
         }),
    dict(id="Q8", title="count_distinct(userId) by host (256 hosts, about 14,000 users each)", input="json",
         ordered=False,
         liq="stats count_distinct(userId) as users by host",
         peers={
             "duckdb": ("sql", "SELECT host, count(DISTINCT userId) FROM read_json_auto('%s') GROUP BY host" % J),
             "rg": ("sh", "rg -o -r '$1 $2' '\"host\":\"([^\"]*)\",\"userId\":\"([^\"]*)\"' \"$J\" | " + DISTINCT_SORT),
             "gawk": ("sh", "gawk '%s' \"$J\"" % AWK_DISTINCT),
             "mawk": ("sh", "mawk '%s' \"$J\"" % AWK_DISTINCT),
             "jq": ("sh", "jq -r '[.host, .userId] | @tsv' \"$J\" | " + DISTINCT_SORT),
             "mlr": ("sh", "mlr --ijson --otsv --ho count-distinct -f host,userId then count -g host \"$J\""),
         }),
    dict(id="Q9", title="pct(latency) 50, 95, 99 by service (nearest rank)", input="json", ordered=False,
         liq="stats pct(latency, 50), pct(latency, 95), pct(latency, 99) by service",
         peers={
             "duckdb": ("sql", "SELECT service, quantile_disc(latency, 0.5), quantile_disc(latency, 0.95), "
                        "quantile_disc(latency, 0.99) FROM read_json_auto('%s') GROUP BY service" % J),
             "rg": ("sh", "rg -o -r '$1 $2' '\"service\":\"([^\"]*)\".*\"latency\":([0-9.]+)' \"$J\" | " + PCT_RANKS),
             "gawk": ("sh", "gawk '%s' \"$J\" | %s" % (AWK_PCT, PCT_RANKS)),
             "mawk": ("sh", "mawk '%s' \"$J\" | %s" % (AWK_PCT, PCT_RANKS)),
             "jq": ("sh", "jq -r 'select(.latency != null) | [.service, .latency] | @tsv' \"$J\" | " + PCT_RANKS),
         }),
    dict(id="Q10", title="sort without limit: every row of sort.jsonl by k desc, then s", input="sort",
         ordered=True, big=True,
         liq="sort k desc, s | fields k, s",
         peers={
             "duckdb": ("sqlcopy", "SELECT k, s FROM read_json_auto('%s') ORDER BY k DESC, s" % SO),
             "rg": ("sh", "rg -o -r '$1 $2' '\"k\":([0-9]+),\"s\":\"([a-z]+)\"' \"$SO\" | tr ' ' '\\t' | " + SORT_KS),
             "gawk": ("sh", "gawk -F '\"' '%s' \"$SO\" | %s" % (AWK_KS, SORT_KS)),
             "mawk": ("sh", "mawk -F '\"' '%s' \"$SO\" | %s" % (AWK_KS, SORT_KS)),
             "jq": ("sh", "jq -r '[.k, .s] | @tsv' \"$SO\" | " + SORT_KS),
         }),
]


# ---------------------------------------------------------------------------------------------
# measuring

def rss_anon_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def run_once(argv, out_path, timeout, sample_anon):
    """Run argv (stdout to out_path); return wall s, CPU s (user + system, whole tree), maxrss KB,
    peak RssAnon KB, rc, stderr.

    The main thread blocks in wait4 (no polling); a timer kills the process group after
    `timeout` s; with sample_anon a thread reads /proc/PID/status every 10 ms."""
    err_path = out_path + ".err"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=out, stderr=err, start_new_session=True)
        peak = [0]
        done = threading.Event()
        timed_out = []

        def sample():
            while not done.is_set():
                v = rss_anon_kb(p.pid)
                if v is not None and v > peak[0]:
                    peak[0] = v
                done.wait(0.01)

        def kill():
            timed_out.append(True)
            os.killpg(p.pid, signal.SIGKILL)
        th = threading.Thread(target=sample, daemon=True)
        if sample_anon:
            th.start()
        timer = threading.Timer(timeout, kill)
        timer.start()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        timer.cancel()
        done.set()
        if sample_anon:
            th.join()
        p.returncode = os.waitstatus_to_exitcode(status)
    with open(err_path, "rb") as f:
        stderr = f.read().decode("utf-8", "replace")
    rc = "timeout" if timed_out else p.returncode
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, peak[0], rc, stderr


# ---------------------------------------------------------------------------------------------
# normalising and comparing answers

TS_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::(\d{2})(?:\.(\d+))?)?Z?$")
NUM_RE = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def canon_cell(c):
    c = c.strip()
    m = TS_RE.match(c)
    if m:
        frac = (m.group(4) or "").rstrip("0")
        return "%s %s:%s%s" % (m.group(1), m.group(2), m.group(3) or "00", "." + frac if frac else "")
    if NUM_RE.match(c):
        return float(c)
    return c


def canon(text, ordered):
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        rows.append(tuple(canon_cell(c) for c in line.split("\t")))
    if not ordered:
        rows.sort(key=lambda r: tuple(str(c) for c in r))
    return rows


def same(a, b):
    if len(a) != len(b):
        return False
    for ra, rb in zip(a, b):
        if len(ra) != len(rb):
            return False
        for x, y in zip(ra, rb):
            if isinstance(x, float) and isinstance(y, float):
                if abs(x - y) > 1e-9 * max(1.0, abs(x), abs(y)):
                    return False
            elif x != y:
                return False
    return True


def same_files(path_a, path_b):
    """Compare two answers of millions of rows in order, line by line, without holding them:
    (True, rows) or (False, message with the first difference). Lines equal as text are equal;
    others are compared as same() compares rows."""
    n = 0
    with open(path_a, encoding="utf-8", errors="replace") as fa, open(path_b, encoding="utf-8", errors="replace") as fb:
        while True:
            a, b = fa.readline(), fb.readline()
            if not a and not b:
                return True, n
            n += 1
            if a == b:
                continue
            ra, rb = canon(a, True), canon(b, True)
            if not a or not b or not same(ra, rb):
                return False, "row %d: %r against %r" % (n, a.rstrip("\n"), b.rstrip("\n"))


def show(rows, limit=15):
    lines = ["    " + "\t".join(str(c) for c in r) for r in rows[:limit]]
    if len(rows) > limit:
        lines.append("    ... (%d rows)" % len(rows))
    return "\n".join(lines) or "    (no rows)"


# ---------------------------------------------------------------------------------------------

def input_bytes(kind):
    if kind == "json":
        return os.path.getsize(J)
    if kind == "text":
        return os.path.getsize(T)
    if kind == "wide":
        return os.path.getsize(W)
    if kind == "sort":
        return os.path.getsize(SO)
    total = 0  # uncompressed size of the small files: the gzip trailer's ISIZE
    for name in os.listdir(S):
        with open(os.path.join(S, name), "rb") as f:
            f.seek(-4, 2)
            total += int.from_bytes(f.read(4), "little")
    return total


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def fmt_s(x):
    return "%.2f" % x if x >= 0.1 else "%.3f" % x


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--liq", required=True)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--slow-reps", type=int, default=1)
    ap.add_argument("--queries", default="")
    ap.add_argument("--tools", default="")
    ap.add_argument("--slow-secs", type=float, default=30)
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--threads", default="2")
    ap.add_argument("--report", default=os.path.join(DIR, "report.md"))
    ap.add_argument("--no-scaling", action="store_true", help="no --threads 1 runs of liq")
    args = ap.parse_args()

    queries = [q for q in QUERIES if not args.queries or q["id"] in args.queries.split(",")]
    want = args.tools.split(",") if args.tools else TOOLS
    have = {"liq": os.access(args.liq, os.X_OK)}
    for tool, exe in [("duckdb", "node"), ("rg", "rg"), ("gawk", "gawk"), ("mawk", "mawk"), ("jq", "jq"),
                      ("mlr", "mlr")]:
        have[tool] = subprocess.run(["sh", "-c", "command -v %s" % exe], capture_output=True).returncode == 0
    if have["duckdb"] and not os.path.isdir(os.path.join(HERE, "node_modules", "@duckdb", "node-api")):
        have["duckdb"] = False
    tools = [t for t in TOOLS if t in want and have[t]]
    missing = [t for t in TOOLS if t in want and not have[t]]
    if missing:
        print("bench: not installed, skipped: %s" % ", ".join(missing), file=sys.stderr)
    if "liq" not in tools:
        sys.exit("bench: liq is required (--liq %s)" % args.liq)
    # the scaling curve: liq at one thread, run right after liq at --threads
    if not args.no_scaling and args.threads != "1":
        tools.insert(1, "liq-t1")

    env = dict(os.environ, J=J, T=T, S=S, W=W, SO=SO, LC_ALL="C")
    os.environ.update(env)
    work = os.path.join(DIR, "out")
    os.makedirs(work, exist_ok=True)
    sizes = {k: input_bytes(k) for k in {q["input"] for q in queries}}
    paths = {"json": J, "text": T, "small": S, "wide": W, "sort": SO}

    def argv_for(q, tool):
        if tool in ("liq", "liq-t1"):
            return [args.liq, "--threads", "1" if tool == "liq-t1" else args.threads, "--format", "tsv",
                    "--no-header", q["liq"], paths[q["input"]]]
        kind, cmd = q["peers"][tool]
        if kind in ("sql", "sqlcopy"):
            return (["node", os.path.join(HERE, "duckdb_query.mjs"), "--threads", args.threads]
                    + (["--copy"] if kind == "sqlcopy" else []) + [cmd])
        return ["bash", "-c", cmd]

    # warm the page cache: every input read once before any timing
    for k in sizes:
        subprocess.run(["sh", "-c", 'find "%s" -type f -exec cat {} + > /dev/null' % paths[k]])

    results = {}      # (qid, tool) -> list of dicts
    failures = []
    loads = []
    slow_pairs = set()  # (query, peer) whose first run took longer than --slow-secs
    for rep in range(args.reps):
        loads.append(loadavg())
        for q in queries:
            ref = None
            ref_path = None
            for tool in tools:
                if not tool.startswith("liq") and tool not in q["peers"]:
                    continue
                if (tool in SLOW or (q["id"], tool) in slow_pairs) and rep >= args.slow_reps:
                    continue
                out_path = os.path.join(work, "%s.%s.out" % (q["id"], tool))
                wall, cpu, maxrss, anon, rc, stderr = run_once(argv_for(q, tool), out_path, args.timeout,
                                                               tool in ("liq", "liq-t1", "duckdb"))
                if q.get("big"):
                    rows = None  # compared as files, line by line
                else:
                    with open(out_path, encoding="utf-8", errors="replace") as f:
                        text = f.read()
                    rows = canon(text, q["ordered"])
                inproc = None
                m = re.search(r"duckdb-query-ms ([\d.]+)", stderr)
                if m:
                    inproc = float(m.group(1)) / 1000
                ok = rc == 0
                if rc != 0:
                    failures.append("%s %s: exit %s: %s" % (q["id"], tool, rc, stderr.strip()[-500:]))
                if q.get("big"):
                    nrows = os.path.getsize(out_path)
                    if tool == "liq":
                        ref_path = out_path
                    elif ok and ref_path is not None:
                        agree, what = same_files(ref_path, out_path)
                        if not agree:
                            ok = False
                            failures.append("%s: %s disagrees with liq: %s" % (q["id"], tool, what))
                else:
                    nrows = len(rows)
                    if tool == "liq":
                        ref = rows
                    elif ok and ref is not None and not same(rows, ref):
                        ok = False
                        failures.append("%s: %s disagrees with liq\n  liq:\n%s\n  %s:\n%s"
                                        % (q["id"], tool, show(ref), tool, show(rows)))
                if ok and not nrows:
                    ok = False
                    failures.append("%s %s: empty answer" % (q["id"], tool))
                results.setdefault((q["id"], tool), []).append(
                    dict(wall=wall, cpu=cpu, maxrss=maxrss, anon=anon, ok=ok, inproc=inproc))
                if not tool.startswith("liq") and rep == 0 and wall > args.slow_secs:
                    slow_pairs.add((q["id"], tool))
                print("rep %d %-4s %-6s %7.2fs  cpu %7.2fs  maxrss %6.0f MB  load %s  %s" %
                      (rep + 1, q["id"], tool, wall, cpu, maxrss / 1024, loadavg().split()[0],
                       "ok" if ok else "WRONG/FAILED"),
                      file=sys.stderr, flush=True)
    loads.append(loadavg())

    # report
    lines = []
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines.append("Run of %s: %d repetition(s) (jq, mlr and any peer whose first run took over %.0f s: %d), liq --threads %s, DuckDB threads=%s; "
                 "load average (1/5/15 min) before each repetition and at the end: %s."
                 % (now, args.reps, args.slow_secs, min(args.slow_reps, args.reps), args.threads, args.threads, "; ".join(loads)))
    lines.append("")
    lines.append("| query | tool | median s | GB/s | tool/liq | CPU s | CPU tool/liq | max RSS MB | RssAnon MB "
                 "| runs | answer |")
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    summary = []
    for q in queries:
        base = results.get((q["id"], "liq"))
        base_t = statistics.median(r["wall"] for r in base) if base else None
        base_c = statistics.median(r["cpu"] for r in base) if base else None
        for tool in tools:
            rs = results.get((q["id"], tool))
            if not rs or tool == "liq-t1":
                continue
            t = statistics.median(r["wall"] for r in rs)
            cpu = statistics.median(r["cpu"] for r in rs)
            gbs = sizes[q["input"]] / 1e9 / t
            ratio = t / base_t if base_t else float("nan")
            rss = max(r["maxrss"] for r in rs) / 1024
            anon = max(r["anon"] for r in rs) / 1024
            single = tool in ("liq", "duckdb")
            note = ""
            if tool == "duckdb" and rs[0]["inproc"] is not None:
                ti = statistics.median(r["inproc"] for r in rs if r["inproc"] is not None)
                note = " (query alone %s s, %.2fx)" % (fmt_s(ti), ti / base_t if base_t else 0)
                summary.append((q["id"], "duckdb", t / base_t, ti / base_t, cpu / base_c))
            if tool == "rg" and q["id"].startswith("Q4"):
                summary.append((q["id"], "rg", t / base_t, None, cpu / base_c))
            lines.append("| %s | %s | %s%s | %.2f | %s | %s | %s | %.0f | %s | %d | %s |" % (
                q["id"], tool, fmt_s(t), note, gbs, "1.00" if tool == "liq" else "%.2f" % ratio, fmt_s(cpu),
                "1.00" if tool == "liq" else "%.2f" % (cpu / base_c if base_c else float("nan")), rss,
                "%.0f" % anon if single else "-", len(rs),
                "ok" if all(r["ok"] for r in rs) else "**WRONG/FAILED**"))
    lines.append("")
    if "liq-t1" in tools:
        lines.append("Scaling: liq --threads 1 against --threads %s, same repetitions (each 1-thread run right after "
                     "the %s-thread one); speed-up = median wall(1) / median wall(%s); CPU = user + system."
                     % (args.threads, args.threads, args.threads))
        lines.append("")
        lines.append("| query | wall s, 1 thread | wall s, %s threads | speed-up | CPU s, 1 thread | CPU s, %s threads "
                     "| RssAnon MB 1 / %s | runs | answers equal |" % (args.threads, args.threads, args.threads))
        lines.append("|---|---:|---:|---:|---:|---:|---|---:|---|")
        for q in queries:
            r1, rn = results.get((q["id"], "liq-t1")), results.get((q["id"], "liq"))
            if not r1 or not rn:
                continue
            w1, wn = statistics.median(r["wall"] for r in r1), statistics.median(r["wall"] for r in rn)
            c1, cn = statistics.median(r["cpu"] for r in r1), statistics.median(r["cpu"] for r in rn)
            lines.append("| %s | %s | %s | %.2fx | %s | %s | %.0f / %.0f | %d | %s |" % (
                q["id"], fmt_s(w1), fmt_s(wn), w1 / wn, fmt_s(c1), fmt_s(cn),
                max(r["anon"] for r in r1) / 1024, max(r["anon"] for r in rn) / 1024, len(r1),
                "yes" if all(r["ok"] for r in r1) else "**NO**"))
        lines.append("")
    lines.append("Queries (input: json = app.jsonl %.0f MB, text = access.log %.0f MB, small = 10,000-file "
                 "directory, uncompressed size; wide = wide.jsonl %.0f MB; sort = sort.jsonl %.0f MB):"
                 % (sizes.get("json", 0) / 1e6, sizes.get("text", 0) / 1e6, sizes.get("wide", 0) / 1e6,
                    sizes.get("sort", 0) / 1e6))
    for q in queries:
        lines.append("- %s %s: `%s`" % (q["id"], q["title"], q["liq"]))
    lines.append("")
    lines.append("Targets (judged on wall time; for DuckDB on the smaller of wall and in-process query time):")
    for qid, tool, r, ri, rc in summary:
        if tool == "duckdb":
            lines.append("- %s: DuckDB/liq = %.2fx wall, %.2fx query alone, %.2fx CPU -> 3x target %s" % (
                qid, r, ri, rc, "met" if min(r, ri) >= 3 else "MISSED"))
        else:
            lines.append("- %s: liq/rg = %.2fx wall, %.2fx CPU -> within-1.5x-of-ripgrep target %s" % (
                qid, 1 / r, 1 / rc, "met" if 1 / r <= 1.5 else "MISSED"))
    report = "\n".join(lines) + "\n"
    with open(args.report, "w") as f:
        f.write(report)
    print(report)
    if failures:
        print("\n" + "!" * 70 + "\nbench: %d WRONG OR FAILED RUN(S):\n" % len(failures), file=sys.stderr)
        for f in failures:
            print(f + "\n", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
