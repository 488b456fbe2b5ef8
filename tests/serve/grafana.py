# grafana.py URL -- replays with boto3 the requests Grafana's CloudWatch data source sends to a
# custom endpoint (pkg/tsdb/cloudwatch: cloudwatch.go CheckHealth, log_actions.go), and checks
# liq serve's answers are those Grafana reads. Prints TAP lines.
#   Save & test: ListMetrics(Namespace AWS/Billing, MetricName EstimatedCharges) on the
#     metrics API (query protocol, and AWS JSON 1.0 as newer SDKs send it), then
#     DescribeLogGroups(limit 1)
#   the log group picker: DescribeLogGroups with logGroupNamePattern; GetLogGroupFields
#   a logs query: StartQuery with logGroupIdentifiers (ARNs with the trailing '*' cut) or
#     logGroupNames, the query rewritten to 'fields @timestamp,ltrim(@log) as
#     __log__grafana_internal__,ltrim(@logStream) as __logstream__grafana_internal__|' + query,
#     startTime in seconds and endTime rounded up; GetQueryResults polled; StopQuery when a
#     query is cancelled (InvalidParameterException for a finished one, which Grafana ignores)
#   log context: GetLogEvents(limit 10, startFromHead false)
# SPDX-License-Identifier: Apache-2.0
import json, math, os, sys, time, urllib.request
import boto3, botocore.auth, botocore.awsrequest, botocore.config, botocore.credentials

url = sys.argv[1]
n = failed = 0


def check(cond, label, detail=""):
    global n, failed
    n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, label))
    if not cond:
        failed += 1
        print("  | " + str(detail)[:2000])


cfg = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"})
cw = boto3.client("cloudwatch", endpoint_url=url, region_name="us-east-1", config=cfg)
logs = boto3.client("logs", endpoint_url=url, region_name="us-east-1", config=cfg)

# ---- Save & test
r = cw.list_metrics(Namespace="AWS/Billing", MetricName="EstimatedCharges")
check(r["Metrics"] == [] and r["ResponseMetadata"]["HTTPStatusCode"] == 200,
      "health check: ListMetrics on the same endpoint (query protocol)", r)
body = json.dumps({"Namespace": "AWS/Billing", "MetricName": "EstimatedCharges"}).encode()
req = botocore.awsrequest.AWSRequest(method="POST", url=url + "/", data=body, headers={
    "Content-Type": "application/x-amz-json-1.0",
    "X-Amz-Target": "GraniteServiceVersion20100801.ListMetrics"})
botocore.auth.SigV4Auth(botocore.credentials.Credentials(
    os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"]),
    "monitoring", "us-east-1").add_auth(req)
p = req.prepare()
with urllib.request.urlopen(urllib.request.Request(p.url, data=body, method="POST",
                                                   headers=dict(p.headers)), timeout=60) as f:
    got = json.loads(f.read())
check(got == {"Metrics": []}, "health check: ListMetrics in AWS JSON 1.0", got)
r = logs.describe_log_groups(limit=1)
check(len(r["logGroups"]) == 1 and "nextToken" in r, "health check: DescribeLogGroups(limit 1)", r)

# ---- the log group picker, fields for autocompletion
r = logs.describe_log_groups(logGroupNamePattern="app", limit=50)
groups = r["logGroups"]
check([g["logGroupName"] for g in groups] == ["/aws/app"], "picker: logGroupNamePattern", r)
arn = groups[0]["arn"]
check(arn.endswith(":log-group:/aws/app:*"), "picker: the group's ARN ends in ':*'", arn)
r = logs.get_log_group_fields(logGroupName="/aws/app")
check("level" in [f["name"] for f in r["logGroupFields"]], "GetLogGroupFields", r)

# ---- a logs query as Grafana sends it
PREFIX = ("fields @timestamp,ltrim(@log) as __log__grafana_internal__,ltrim(@logStream) as "
          "__logstream__grafana_internal__|")
frm, to = 1704067200.0, 1704069000.4  # Grafana's range: from floored, to rounded up


def run(**kw):
    qid = logs.start_query(startTime=int(frm), endTime=int(math.ceil(to)), **kw)["queryId"]
    for _ in range(600):  # Grafana polls GetQueryResults until the status is final
        r = logs.get_query_results(queryId=qid)
        if r["status"] not in ("Scheduled", "Running"):
            return qid, r
        time.sleep(0.1)
    return qid, r


qid, r = run(logGroupIdentifiers=[arn.rstrip("*")],
             queryString=PREFIX + "fields @message | filter level = 'ERROR' | limit 20")
rows = [{f["field"]: f["value"] for f in row} for row in r["results"]]
check(r["status"] == "Complete" and len(rows) == 20, "logGroupIdentifiers (ARN without '*'): "
      "20 rows", (r["status"], len(rows)))
check(all(x["__log__grafana_internal__"] == "/aws/app" and
          x["__logstream__grafana_internal__"] in ("host1/app.log", "host2/app.log") and
          "@timestamp" in x and "@message" in x and "@ptr" in x for x in rows),
      "each row has Grafana's internal @log and @logStream columns, @timestamp, @ptr", rows[:2])
check([x["@timestamp"] for x in rows] == sorted((x["@timestamp"] for x in rows), reverse=True),
      "rows newest first (the console's defaults)")
_, r = run(logGroupNames=["/aws/app"], queryString=PREFIX + "stats count(*) as n by bin(5m)")
rows = [{f["field"]: f["value"] for f in row} for row in r["results"]]
check(len(rows) == 7 and sum(int(x["n"]) for x in rows) == 516 and
      all(set(x) == {"bin(5m)", "n"} for x in rows),
      "logGroupNames, stats ... by bin(5m): a time series without the internal columns", rows)
try:
    logs.stop_query(queryId=qid)
    check(False, "StopQuery of a finished query: InvalidParameterException")
except logs.exceptions.InvalidParameterException:
    check(True, "StopQuery of a finished query: InvalidParameterException (Grafana ignores it)")
try:
    logs.start_query(logGroupNames=["/aws/app"], startTime=int(frm), endTime=int(math.ceil(to)),
                     queryString=PREFIX + "filter level = ")
    check(False, "a bad query: MalformedQueryException")
except logs.exceptions.MalformedQueryException as e:
    off = e.response["queryCompileError"]["location"]["startCharOffset"]
    check(off >= len(PREFIX), "a bad query: MalformedQueryException, located in the user's part",
          e.response)

# ---- log context
r = logs.get_log_events(logGroupName="/aws/app", logStreamName="host2/app.log", limit=10,
                        startFromHead=False)
check(len(r["events"]) == 10 and r["events"][-1]["timestamp"] == 1704070694000,
      "GetLogEvents(limit 10, startFromHead false): the stream's last 10 events", r["events"][-1:])
print("1..%d" % n)
sys.exit(1 if failed else 0)
