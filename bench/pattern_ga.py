#!/usr/bin/env python3
"""pattern_ga.py -- grouping accuracy (GA) of liq's `pattern` on the loghub-2.0 2k datasets.

For each dataset, the Content column of <name>_2k.log_structured_corrected.csv is fed to
`liq 'pattern @message'`; every line is then assigned to the first (largest) template that
matches it whole (<Token-N> = one whitespace-free token), and GA is the share of lines whose
predicted group holds exactly the lines of their true group (EventId) -- the metric of the
loghub benchmark papers. The corpora are research-licensed and read in place; a missing
directory is skipped.

usage: bench/pattern_ga.py LIQ [CORPORA_DIR]   (default ../shared/corpora/loghub-2.0)
"""
import csv, os, re, subprocess, sys, tempfile
from collections import defaultdict

liq = sys.argv[1]
root = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "corpora", "loghub-2.0")
if not os.path.isdir(root):
    print("skip: no loghub-2.0 corpus at", root)
    sys.exit(77)

def regex_of(tmpl):
    parts = []
    for tok in tmpl.split(" "):
        # <Token-N> stands for one whitespace-free run, alone or inside a token (name=<Token-1>)
        parts.append(r"\S+?".join(re.escape(p) for p in re.split(r"<Token-\d+>", tok)))
    return re.compile(r"\s*" + r"\s+".join(parts) + r"\s*")

rows = []
for name in sorted(os.listdir(root)):
    path = os.path.join(root, name, name + "_2k.log_structured_corrected.csv")
    if not os.path.exists(path):
        continue
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        recs = [(r["Content"], r["EventId"]) for r in csv.DictReader(f)]
    with tempfile.NamedTemporaryFile("w", delete=False, encoding="utf-8") as t:
        for c, _ in recs:
            t.write(c.replace("\n", " ") + "\n")
        tmp = t.name
    out = subprocess.run([liq, "--format", "tsv", "--no-header", "pattern @message", tmp],
                         capture_output=True, text=True, check=True).stdout
    os.unlink(tmp)
    tmpls = [regex_of(line.split("\t")[0]) for line in out.splitlines() if line]
    pred = []
    for c, _ in recs:
        c = c.replace("\n", " ")
        k = next((i for i, rx in enumerate(tmpls) if rx.fullmatch(c)), -1)
        pred.append(k)
    true_groups, pred_groups = defaultdict(set), defaultdict(set)
    for i, (c, e) in enumerate(recs):
        true_groups[e].add(i)
        pred_groups[pred[i]].add(i)
    correct = sum(1 for i, (c, e) in enumerate(recs) if pred[i] >= 0 and pred_groups[pred[i]] == true_groups[e])
    rows.append((name, len(recs), len(true_groups), len(tmpls), correct / len(recs)))

print("| dataset | lines | true templates | liq templates | GA |")
print("|---|---|---|---|---|")
for r in rows:
    print("| %s | %d | %d | %d | %.3f |" % r)
print("| **average** | | | | **%.3f** |" % (sum(r[4] for r in rows) / len(rows)))
