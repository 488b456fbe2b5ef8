#!/usr/bin/env python3
# shape.py -- make check guard: the architecture of docs/architecture.md holds (issue 12)
#
#   tests/repo/shape.py SRCDIR [LIBLIQ.a]
#
# Checks, each a TAP line (ok / not ok with what is wrong):
#   1. no include cycle between modules (x.c and x.h are one module; generated grammar headers
#      belong to their .y) -- a cycle means two files cannot be understood one without the other;
#   2. rooms include only the rooms below them (the ROOMS table, the same as the room table of
#      docs/architecture.md), so no cycle between rooms either;
#   3. cli/ includes only the public headers of the library (PUBLIC) and its own;
#   4. no file outside the front end and planning sees the AST, directly or through another
#      header (operators take slots, compiled expressions and compiled patterns);
#   5. with LIBLIQ.a: the library has no writable global (objdump -t: no object symbol in a
#      .data or .bss section or COMMON), except those in ALLOWED_GLOBALS, each with its reason;
#      two runs in one process must share nothing they write. Tables are declared const all
#      the way (static const char *const names[]): a sanitizer build does not move a table
#      that is never written to read-only memory, as -O2 alone does.
# Exit: 0 when every check passes, 1 otherwise.
#
# SPDX-License-Identifier: Apache-2.0
import os
import re
import subprocess
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "."
LIB = sys.argv[2] if len(sys.argv) > 2 else None

# room -> the rooms its files may include (besides its own); order matters only for reading
ROOMS = {
    "base": set(),
    "lexer": {"base", "parser"},  # parser: the token headers bison writes
    "parser": {"base"},
    "engine/data": {"base"},
    "engine/s3": {"base", "engine/data"},
    # engine/public: liq.h, the public types and functions (implemented above, declared here)
    "engine/public": {"base", "engine/data"},
    "engine/input": {"base", "engine/data", "engine/s3", "engine/public"},
    # parser/functions: the function table (parser/functions.def, parser/func.h), not the AST
    "engine/exec": {"base", "engine/data", "engine/s3", "engine/input", "parser/functions",
                    "engine/public"},
    "engine/pattern": {"base", "engine/data", "engine/s3", "engine/input", "parser/functions",
                       "engine/public", "engine/exec"},
    "engine/plan": {"base", "engine/data", "engine/s3", "engine/input", "parser", "engine/public",
                    "engine/exec", "engine/pattern"},
    "engine": {"base", "engine/data", "engine/s3", "engine/input", "parser", "engine/public",
               "engine/exec", "engine/pattern", "engine/plan", "lexer"},
    "cli": {"base", "engine/public"},
    # serve/: a client of liq.h like cli/, which also reads requests with the one JSON reader
    "serve": {"base", "engine/public", "engine/data"},
    # watch/: liq watch, a client of liq.h too (metric filters run as queries), reading
    # definitions with the JSON reader; cli/ for the exit code registry (cli/cli.h)
    "watch": {"base", "engine/public", "engine/data", "cli"},
}
# the library's public headers: all cli/ may include of it (besides base/)
PUBLIC = {"engine/liq.h"}
# the executable's entry (cli/main.c) dispatches 'liq serve' and 'liq watch' to their one
# entry points
ENTRY = {("cli/main.c", "serve/serve.h"), ("cli/main.c", "watch/watch.h")}
# files that may see the AST: the front end, planning, and the compile entry of the door
AST_ROOMS = ("lexer/", "parser/", "engine/plan/")
AST_FILES = {"engine/liq.c", "engine/liq_int.h"}
AST_HEADERS = {"parser/ast.h"}
# writable globals of libliq that are allowed: symbol -> why it is safe
ALLOWED_GLOBALS = {}

SKIP_DIRS = ("build", ".git", "fuzz", "tests", "bench", "node_modules", "corpora", "docs")


def sources():
    for d, dirs, files in os.walk(SRC):
        rel = os.path.relpath(d, SRC)
        if rel != "." and rel.split(os.sep)[0].startswith(SKIP_DIRS):
            dirs[:] = []
            continue
        for f in files:
            if f.endswith((".c", ".h", ".y", ".l")):
                yield os.path.normpath(os.path.join(rel, f))


def includes(path):
    text = open(os.path.join(SRC, path), errors="replace").read()
    return re.findall(r'^\s*#\s*include\s+"([^"]+)"', text, re.M)


def module(path):
    """x.c, x.h, x.y (and the x.h bison writes) are one module, and so is x_int.h, the
    internal header x's own files share."""
    return re.sub(r"_int$", "", os.path.splitext(path)[0])


def room(path):
    if path in PUBLIC:
        return "engine/public"
    d = os.path.dirname(path)
    while d and d not in ROOMS:
        d = os.path.dirname(d)
    return d


n = 0
failures = 0


def check(ok, label, detail=()):
    global n, failures
    n += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", n, label))
    if not ok:
        failures += 1
        for line in detail:
            print("  | " + line)


files = sorted(sources())
inc = {f: [i for i in includes(f) if not i.endswith(".def") and i != "config.h"] for f in files}

# ----- 1. module cycles (Tarjan's strongly connected components)
graph = {}
for f, incs in inc.items():
    graph.setdefault(module(f), set())
    for i in incs:
        if module(i) != module(f):
            graph[module(f)].add(module(i))
index, low, stack, on, comps = {}, {}, [], set(), []
sys.setrecursionlimit(100000)


def strong(v):
    index[v] = low[v] = len(index)
    stack.append(v)
    on.add(v)
    for w in graph.get(v, ()):
        if w not in index:
            strong(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            comps.append(sorted(comp))


for v in sorted(graph):
    if v not in index:
        strong(v)
detail = []
for comp in comps:
    edges = ["%s -> %s" % (a, b) for a in comp for b in sorted(graph[a]) if b in comp]
    detail.append("cycle: " + ", ".join(comp) + " (" + "; ".join(edges) + ")")
check(not comps, "no include cycle between modules", detail)

# ----- 2. rooms include only the rooms below them
detail = []
for f in files:
    r = room(f)
    if r not in ROOMS:
        detail.append("%s: in no room of the table" % f)
        continue
    for i in inc[f]:
        ri = room(i)
        if ri == r or ri == "":
            continue
        if i in ("parser/functions.def", "parser/func.h") and "parser/functions" in ROOMS[r]:
            continue  # the function table: ids and kinds the front end and the engine share
        if ri not in ROOMS[r] and (f, i) not in ENTRY:
            detail.append("%s (%s) includes %s (%s)" % (f, r, i, ri))
check(not detail, "rooms include only the rooms below them", detail)

# ----- 3. cli/ sees only the public headers
detail = ["%s includes %s" % (f, i) for f in files if f.startswith("cli/") for i in inc[f]
          if not (i.startswith(("cli/", "base/")) or i in PUBLIC or (f, i) in ENTRY)]
check(not detail, "cli/ includes only engine/liq.h, base/ and its own headers", detail)

# ----- 4. the AST stays in the front end and planning
sees = {}


def sees_ast(path, seen=()):
    if path in sees:
        return sees[path]
    if path in AST_HEADERS:
        return [path]
    sees[path] = None  # cycle guard
    for i in inc.get(path, ()):
        if i in seen:
            continue
        chain = sees_ast(i, seen + (path,))
        if chain:
            sees[path] = [path] + chain
            return sees[path]
    return None


detail = []
for f in files:
    if f.startswith(AST_ROOMS) or f in AST_FILES:
        continue
    chain = sees_ast(f)
    if chain:
        detail.append(" -> ".join(chain))
check(not detail, "no file outside the front end and planning sees the AST", detail)

# ----- 5. no writable globals in the library
if LIB:
    out = subprocess.run(["objdump", "-t", LIB], capture_output=True, text=True)
    detail = []
    if out.returncode != 0:
        detail.append("objdump -t %s failed: %s" % (LIB, out.stderr.strip()))
    obj = "?"
    for line in out.stdout.splitlines():
        m = re.match(r"^(\S+\.o):\s+file format", line)
        if m:
            obj = m.group(1)
            continue
        # "0000000000000000 l     O .bss	0000000000000008 failures"
        m = re.match(r"^[0-9a-f]+ (.{7}) (\S+)\s+[0-9a-f]+\s+(\S+)$", line)
        if not m or "O" not in m.group(1):
            continue
        sect, sym = m.group(2), m.group(3)
        if sect.startswith((".data.rel.ro", ".rodata")) or sect == ".tbss" or sect == ".tdata":
            continue
        if sym.startswith("__odr_asan"):
            continue  # AddressSanitizer's one-definition-rule indicators: its runtime's, not liq's
        if sect.startswith((".data", ".bss")) or sect == "*COM*":
            name = re.sub(r"\.\d+$", "", sym)
            if name not in ALLOWED_GLOBALS:
                detail.append("%s: %s in %s" % (obj, sym, sect))
    check(not detail, "libliq has no writable global", detail)

print("1..%d" % n)
sys.exit(1 if failures else 0)
