# clients.py URL TESTDIR LIQ -- boto3 against liq serve (tests/serve/boto3.sh): the logs
# client's paginators, a waiter-style poll loop, results equal to the liq CLI's, @ptr and
# get_log_record, AWS's exceptions as boto3's modelled exception classes. Prints TAP lines.
# SPDX-License-Identifier: Apache-2.0
import csv, io, subprocess, sys, time
import boto3, botocore.config

url, d, liq = sys.argv[1], sys.argv[2], sys.argv[3]
n = 0
failed = 0


def check(cond, label, detail=""):
    global n, failed
    n += 1
    if cond:
        print("ok %d - %s" % (n, label))
    else:
        failed += 1
        print("not ok %d - %s" % (n, label))
        if detail:
            print("  | " + str(detail)[:2000])


cfg = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"})
logs = boto3.client("logs", endpoint_url=url, region_name="us-east-1", config=cfg)


def wait(qid):
    """the poll loop of a waiter: GetQueryResults until the status is final (hang guard)"""
    for _ in range(600):
        r = logs.get_query_results(queryId=qid)
        if r["status"] not in ("Scheduled", "Running"):
            return r
        time.sleep(0.1)
    return r


def cli_rows(q, s, e):
    out = subprocess.run([liq, "--insights-defaults", "--log-group", "/aws/app=" + d + "/app",
                          "--start", str(s), "--end", str(e), "--format", "csv", q],
                         check=True, capture_output=True, text=True).stdout
    rows = list(csv.reader(io.StringIO(out)))
    return [{k: v for k, v in zip(rows[0], r) if v != ""} for r in rows[1:]]


S, E = 1704067200, 1704069000
for q in ["stats count(*) as n by level | sort n desc",
          "fields @timestamp, @logStream, latency | filter latency < 20",
          "filter msg like /request 4\\d from/ | fields msg | sort msg"]:
    qid = logs.start_query(logGroupNames=["/aws/app"], startTime=S, endTime=E,
                           queryString=q)["queryId"]
    r = wait(qid)
    got = [{f["field"]: f["value"] for f in row if f["field"] != "@ptr"} for row in r["results"]]
    want = cli_rows(q, S, E)
    check(r["status"] == "Complete" and got == want,
          "boto3 start_query + poll loop: '%s' equals the liq CLI (%d rows)" % (q, len(got)),
          (r["status"], got[:3], want[:3]))

# limit: the request's limit cuts the rows
qid = logs.start_query(logGroupName="/aws/app", startTime=S, endTime=E, limit=5,
                       queryString="fields @timestamp, msg")["queryId"]
r = wait(qid)
check(len(r["results"]) == 5, "start_query limit=5: 5 rows", len(r["results"]))
ptr = [f["value"] for f in r["results"][0] if f["field"] == "@ptr"][0]
rec = logs.get_log_record(logRecordPointer=ptr)["logRecord"]
first = {f["field"]: f["value"] for f in r["results"][0]}
check(rec["msg"] == first["msg"] and rec["@log"] == "/aws/app",
      "get_log_record of the first row's @ptr", (rec, first))

# paginators
pages = list(logs.get_paginator("describe_log_groups").paginate(PaginationConfig={"PageSize": 1}))
names = [g["logGroupName"] for p in pages for g in p["logGroups"]]
check(names == ["/aws/app", "/aws/lambda/fn", "/aws/lambda/other"] and len(pages) == 3,
      "describe_log_groups paginator, pages of 1", (names, len(pages)))
pages = list(logs.get_paginator("filter_log_events").paginate(
    logGroupName="/aws/app", filterPattern="ERROR", startTime=S * 1000, endTime=E * 1000,
    PaginationConfig={"PageSize": 25}))
events = [e for p in pages for e in p["events"]]
want = cli_rows('filter @message like "ERROR" | stats count(*) as n', S, E)
check(len(pages) > 2 and str(len(events)) == want[0]["n"],
      "filter_log_events paginator, pages of 25: every event once (%d in %d pages)"
      % (len(events), len(pages)), (len(events), want))
check(len({(e["logStreamName"], e["eventId"]) for e in events}) == len(events),
      "... no event twice")
pages = list(logs.get_paginator("describe_log_streams").paginate(
    logGroupName="/aws/app", PaginationConfig={"PageSize": 1}))
check([s["logStreamName"] for p in pages for s in p["logStreams"]] ==
      ["host1/app.log", "host2/app.log"], "describe_log_streams paginator")
qs = list(logs.get_paginator("describe_queries").paginate(PaginationConfig={"PageSize": 2}))
check(sum(len(p["queries"]) for p in qs) == 4, "describe_queries paginator: the 4 queries",
      [len(p["queries"]) for p in qs])

# AWS's errors as boto3's exception classes
try:
    logs.start_query(logGroupName="/aws/app", startTime=S, endTime=E, queryString="stats count(")
    check(False, "a bad query raises MalformedQueryException")
except logs.exceptions.MalformedQueryException as e:
    loc = e.response.get("queryCompileError", {}).get("location", {})
    check(loc.get("startCharOffset") == 12, "a bad query raises MalformedQueryException "
          "with its location", e.response)
try:
    logs.filter_log_events(logGroupName="/nope")
    check(False, "an unknown group raises ResourceNotFoundException")
except logs.exceptions.ResourceNotFoundException:
    check(True, "an unknown group raises ResourceNotFoundException")
try:
    logs.get_query_results(queryId="nope")
    check(False, "an unknown query id raises ResourceNotFoundException")
except logs.exceptions.ResourceNotFoundException:
    check(True, "an unknown query id raises ResourceNotFoundException")

print("1..%d" % n)
sys.exit(1 if failed else 0)
