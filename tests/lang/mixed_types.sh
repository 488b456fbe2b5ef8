#!/bin/sh
# mixed_types.sh -- a differential test of the value rules (issue 13; L3 and L5 of the
# reference, revised 2026-12-06): the same field written as 200, "200", 200.0, 2e2, other
# numbers, 19-digit ids, text that does not read as a number, null and missing, through
# = != < <= > >=, in, not in, sort (both directions), min, max, stats ... by, dedup and
# count_distinct. The expected answers come from an independent model of L3/L5 written below
# in Python (exact decimals with the decimal module, AWS's natural sort from Part 2 §3.5),
# never from liq. The records are random with a fixed seed, so every run sees the same
# bytes. Each query runs at 1 thread and at 4 threads with batches of 7 rows.
# Env: LIQ (the binary). Exit 0 pass, 1 fail, 77 skip (no python3).
set -u
command -v python3 >/dev/null || exit 77
t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
cat >"$t/model.py" <<'PY'
import csv, functools, io, json, os, random, re, subprocess, sys
from decimal import Decimal, getcontext

getcontext().prec = 1000
LIQ = os.environ["LIQ"]
rng = random.Random(20261207)

# ---- the values: (kind, text). kind "num": a JSON number written as text; "str": a JSON
# string; "null": JSON null; None: the field is missing.
NUMS = ["200", "200.0", "2e2", "2E2", "2.0e+2", "0", "-0", "0.5", "0.50", "5e-1", "-3",
        "-3.0", "1e3", "1000", "12.25", "102.33", "9.87", "15", "15.0",
        "12345678901234567891", "1.2345678901234567891e19", "12345678901234567892"]
STRS = ["200", "200.0", "2e2", "0200", "+200", ".5", "5.", "-3", "1e3", "15", "9.87",
        "102.33", "12345678901234567891", "12345678901234567890", "abc", "ABC", "abd",
        "n/a", "NaN", "Infinity", "", " 200", "200 ", "0x10", "1_000", "10a", "a10", "a9",
        "a010", "-", ".", "e5", "1e", "x.5", "A9876fghj", "a12345hfh", "#", "@_"]
recs = []
for i in range(600):
    r = rng.random()
    if r < 0.40:
        v = ("num", rng.choice(NUMS))
    elif r < 0.88:
        v = ("str", rng.choice(STRS))
    elif r < 0.94:
        v = ("null", None)
    else:
        v = None
    recs.append(v)
with open(sys.argv[1], "w") as f:
    for i, v in enumerate(recs):
        if v is None:
            f.write('{"i":%d}\n' % i)
        elif v[0] == "num":
            f.write('{"i":%d,"v":%s}\n' % (i, v[1]))
        elif v[0] == "str":
            f.write('{"i":%d,"v":%s}\n' % (i, json.dumps(v[1])))
        else:
            f.write('{"i":%d,"v":null}\n' % i)

# ---- the model
NUMERIC = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")

def is_null(v):
    return v is None or v[0] == "null"

def numeric(v):
    """the exact decimal value of a number or numeric-looking string, else None"""
    if is_null(v):
        return None
    if v[0] == "num" or NUMERIC.fullmatch(v[1]):
        return Decimal(v[1])
    return None

def compare(v, k):
    """L5: None (null), "unordered", or -1/0/1"""
    if is_null(v) or is_null(k):
        return None
    a, b = numeric(v), numeric(k)
    if a is not None and b is not None:
        return (a > b) - (a < b)
    if (v[0] == "num" and b is None) or (k[0] == "num" and a is None):
        return "unordered"  # a number against text that is no number
    x, y = v[1].encode(), k[1].encode()
    return (x > y) - (x < y)

def op_holds(op, c):
    if c is None:
        return False  # filter keeps true only
    if c == "unordered":
        return op == "!="
    return {"=": c == 0, "!=": c != 0, "<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0}[op]

def digits_cmp(a, b):
    a, b = a.lstrip("0") or "0", b.lstrip("0") or "0"
    if len(a) != len(b):
        return -1 if len(a) < len(b) else 1
    return (a > b) - (a < b)

def natural(a, b):
    """Part 2 §3.5: runs of digits by length then value, other runs by code point"""
    i = j = 0
    while i < len(a) and j < len(b):
        da, db = a[i].isdigit(), b[j].isdigit()
        ri, rj = i, j
        while ri < len(a) and a[ri].isdigit() == da:
            ri += 1
        while rj < len(b) and b[rj].isdigit() == db:
            rj += 1
        if da and db:
            c = digits_cmp(a[i:ri], b[j:rj])
        elif da != db:
            c = -1 if a[i] < b[j] else 1
        else:
            x, y = a[i:ri].encode(), b[j:rj].encode()
            c = (x > y) - (x < y)
        if c:
            return c
        i, j = ri, rj
    return (i < len(a)) - (j < len(b))

def sort_cmp(v, w):
    """L3: text that is no number, then numbers by value, then nulls"""
    def rank(x):
        return 3 if is_null(x) else 2 if numeric(x) is not None else 1
    ra, rb = rank(v), rank(w)
    if ra != rb:
        return -1 if ra < rb else 1
    if ra == 3:
        return 0
    if ra == 2:
        a, b = numeric(v), numeric(w)
        return (a > b) - (a < b)
    return natural(v[1], w[1])

def key_of(v):
    """group identity under L5's =: numbers by value, other text by its bytes"""
    if is_null(v):
        return ("null",)
    n = numeric(v)
    return ("n", n) if n is not None else ("s", v[1])

def key_text(v):
    """a group key as it prints: a number in its shortest form"""
    if is_null(v):
        return ""
    n = numeric(v)
    if n is None:
        return v[1]
    digits = len(n.normalize().as_tuple().digits)
    if digits <= 15 and (n == 0 or Decimal("1e-290") <= abs(n) <= Decimal("1e290")):
        f = float(n)
        if f == int(f) and abs(f) < 9.007199254740992e15:
            return str(int(f))
        return format(Decimal(repr(f)), "f")
    return format(n.normalize(), "f")

def shown(v):
    return "" if is_null(v) else v[1]

# ---- running liq
def liq(query, extra):
    out = subprocess.run([LIQ, "--format", "csv"] + extra + [query, sys.argv[1]],
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        return None, out.stderr
    return list(csv.reader(io.StringIO(out.stdout))), out.stderr

fails = 0
checks = 0
def check(name, query, want):
    global fails, checks
    for extra in (["--threads", "1"], ["--threads", "4", "--debug-batch-rows", "7"]):
        checks += 1
        got, err = liq(query, extra)
        if got != want:
            fails += 1
            print("not ok - %s %s\n  query: %s\n  want: %s\n  got:  %s\n  %s" %
                  (name, " ".join(extra), query, want[:12], got[:12] if got else got, err))
            return
    print("ok - %s" % name)

def lit(k):
    return k[1] if k[0] == "num" else json.dumps(k[1])

rows = list(enumerate(recs))
consts = [("num", "200"), ("str", "200"), ("str", "2e2"), ("num", "0.5"), ("str", "abc"),
          ("num", "0"), ("num", "-3"), ("str", ""), ("num", "12345678901234567891"),
          ("str", "12345678901234567892"), ("num", "15"), ("str", "a10"), ("num", "1e3"),
          ("str", "n/a")]
for k in consts:
    for op in ("=", "!=", "<", "<=", ">", ">="):
        want = [["i"]] + [[str(i)] for i, v in rows if op_holds(op, compare(v, k))]
        check("v %s %s" % (op, lit(k)), "filter v %s %s | fields i" % (op, lit(k)), want)

lists = [[("num", "200"), ("str", "abc"), ("num", "0.5")],
         [("str", "2e2"), ("str", "-3.0"), ("num", "12345678901234567891")],
         [("str", ""), ("num", "1e3"), ("str", "NaN")]]
for l in lists:
    items = ", ".join(lit(k) for k in l)
    hit = lambda v: any(op_holds("=", compare(v, k)) for k in l)
    want = [["i"]] + [[str(i)] for i, v in rows if not is_null(v) and hit(v)]
    check("in [%s]" % items, "filter v in [%s] | fields i" % items, want)
    want = [["i"]] + [[str(i)] for i, v in rows if not is_null(v) and not hit(v)]
    check("not in [%s]" % items, "filter v not in [%s] | fields i" % items, want)

def row_cmp(x, y, desc):
    (i, v), (j, w) = x, y
    if is_null(v) or is_null(w):  # nulls last in both directions
        c = is_null(v) - is_null(w)
    else:
        c = sort_cmp(v, w) * (-1 if desc else 1)
    return c if c else (i > j) - (i < j)
for desc in (False, True):
    order = sorted(rows, key=functools.cmp_to_key(lambda x, y: row_cmp(x, y, desc)))
    check("sort v%s" % (" desc" if desc else ""), "sort v%s | fields i" % (" desc" if desc else ""),
          [["i"]] + [[str(i)] for i, v in order])

vals = [(i, v) for i, v in rows if not is_null(v)]
lo = sorted(vals, key=functools.cmp_to_key(lambda x, y: sort_cmp(x[1], y[1]) or (x[0] - y[0])))[0]
hi = sorted(vals, key=functools.cmp_to_key(lambda x, y: -sort_cmp(x[1], y[1]) or (x[0] - y[0])))[0]
check("min and max", "stats min(v) as lo, max(v) as hi", [["lo", "hi"], [shown(lo[1]), shown(hi[1])]])

groups = {}
for i, v in rows:
    groups.setdefault(key_of(v), []).append((i, v))
reps = sorted(groups.values(),
              key=functools.cmp_to_key(lambda a, b: sort_cmp(a[0][1], b[0][1]) or (a[0][0] - b[0][0])))
check("stats count(*) by v", "stats count(*) as n by v",
      [["v", "n"]] + [[key_text(g[0][1]), str(len(g))] for g in reps])
check("count_distinct(v)", "stats count_distinct(v) as n",
      [["n"], [str(len([k for k in groups if k != ("null",)]))]])
kept = [(i, v) for i, v in rows if is_null(v) or groups[key_of(v)][0][0] == i]
check("dedup v", "dedup v | fields i, v", [["i", "v"]] + [[str(i), key_text(v)] for i, v in kept])

print("mixed_types: %d runs, %d failed" % (checks, fails))
sys.exit(1 if fails else 0)
PY
python3 "$t/model.py" "$t/values.ndjson"
