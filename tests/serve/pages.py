# pages.py URL TESTDIR -- FilterLogEvents' pages (tests/serve/pages.sh): boto3's own calls with
# limit and nextToken. Pages of every size give the events of one call, in its order, none
# lost or repeated, when many events share a timestamp across streams; a page after files
# with earlier events were added continues after the last event returned (the token is a
# position, not a count); a token that is not the server's is refused. Prints TAP lines.
# SPDX-License-Identifier: Apache-2.0
import json, os, sys
import boto3, botocore.config

url, d = sys.argv[1], sys.argv[2]
n = failed = 0


def check(cond, label, detail=""):
    global n, failed
    n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, label))
    if not cond:
        failed += 1
        if detail:
            print("  | " + str(detail)[:2000])


cfg = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"})
logs = boto3.client("logs", endpoint_url=url, region_name="us-east-1", config=cfg)


def key(e):
    return (e["logStreamName"], e["timestamp"], e["message"])


def pages(group, size, **kw):
    """every page of size events: the events, the number of requests"""
    out, tok, reqs = [], None, 0
    while reqs < 1000:
        args = dict(logGroupName=group, limit=size, **kw)
        if tok:
            args["nextToken"] = tok
        r = logs.filter_log_events(**args)
        reqs += 1
        out += r["events"]
        tok = r.get("nextToken")
        if not tok:
            break
    return out, reqs


# ---- equal timestamps: 5 seconds, 7 events a second in each of 3 streams, and events of
# one second written out of order in a file
r = logs.filter_log_events(logGroupName="/aws/eq")
whole = r["events"]
check(len(whole) == 3 * 5 * 7 + 4 and "nextToken" not in r,
      "one call: every event (%d)" % len(whole))
ts = [e["timestamp"] for e in whole]
check(ts == sorted(ts), "one call: by time")
for size in (1, 2, 3, 5, 7, 8, 21, 50):
    got, reqs = pages("/aws/eq", size)
    keys = [key(e) for e in got]
    check(keys == [key(e) for e in whole] and len(set(keys)) == len(keys),
          "pages of %d: the events of one call, in its order, none lost or repeated (%d requests)"
          % (size, reqs), "%d events, %d distinct" % (len(keys), len(set(keys))))
got, _ = pages("/aws/eq", 4, filterPattern="odd", startTime=1704067201000,
               endTime=1704067203000)
want = [key(e) for e in whole if "odd" in e["message"] and 1704067201000 <= e["timestamp"] <= 1704067203000]
check([key(e) for e in got] == want and len(want) > 4,
      "pages of 4 with a filter pattern and a range: the matching events (%d)" % len(want))
got, _ = pages("/aws/eq", 3, logStreamNames=["s2/a.log"])
check([key(e) for e in got] == [key(e) for e in whole if e["logStreamName"] == "s2/a.log"],
      "pages of 3 of one stream")
ids = [e["eventId"] for e in pages("/aws/eq", 6)[0]]
check(len(set(ids)) == len(ids), "eventIds are distinct across pages")

# ---- a position, not a count: files with earlier events added between two pages
r1 = logs.filter_log_events(logGroupName="/aws/grow", limit=4)
check([json.loads(e["message"])["msg"] for e in r1["events"]] == ["late %d" % i for i in range(4)] and "nextToken" in r1,
      "first page of 4")
os.makedirs(d + "/grow/a0", exist_ok=True)
with open(d + "/grow/a0/early.log", "w") as f:
    for i in range(3):
        f.write(json.dumps({"timestamp": "2024-01-01T00:00:%02dZ" % i, "msg": "early %d" % i}) + "\n")
r2 = logs.filter_log_events(logGroupName="/aws/grow", limit=4, nextToken=r1["nextToken"])
check([json.loads(e["message"])["msg"] for e in r2["events"]] == ["late %d" % i for i in range(4, 8)],
      "the next page continues after the last event returned, though earlier events came",
      [json.loads(e["message"])["msg"] for e in r2["events"]])

# ---- tokens that are not the server's
for bad in ("cDQ", "bm9wZQ", "!!", "ZTE6MTox"):
    try:
        logs.filter_log_events(logGroupName="/aws/grow", nextToken=bad)
        check(False, "nextToken %r refused" % bad)
    except logs.exceptions.InvalidParameterException:
        check(True, "nextToken %r refused: InvalidParameterException" % bad)

print("1..%d" % n)
sys.exit(1 if failed else 0)
