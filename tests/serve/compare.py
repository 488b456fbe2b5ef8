# compare.py RESULTS.json CLI.csv [--ptr] -- are GetQueryResults' rows (without @ptr) the rows
# of the liq CLI's CSV output for the same query (header row first; empty fields are nulls,
# which GetQueryResults leaves out)? With --ptr every row must also have an @ptr (a query
# whose rows each come from one record). Prints "same", or the first difference; exit 0 or 1.
# SPDX-License-Identifier: Apache-2.0
import csv, json, sys

res = json.load(open(sys.argv[1]))["results"]
got = [{f["field"]: f["value"] for f in row if f["field"] != "@ptr"} for row in res]
with open(sys.argv[2], newline="") as f:
    rows = list(csv.reader(f))
hdr, body = rows[0], rows[1:]
want = [{k: v for k, v in zip(hdr, r) if v != ""} for r in body]
if "--ptr" in sys.argv[3:]:
    for i, row in enumerate(res):
        if not any(f["field"] == "@ptr" and f["value"] for f in row):
            print("row %d has no @ptr: %r" % (i, row))
            sys.exit(1)
if got == want:
    print("same (%d rows)" % len(got))
    sys.exit(0)
print("differ: %d rows from the server, %d from the CLI" % (len(got), len(want)))
for i, (a, b) in enumerate(zip(got, want)):
    if a != b:
        print("row %d: server %r, CLI %r" % (i, a, b))
        break
sys.exit(1)
