#!/usr/bin/python3
# serve_load.py -- the load test of liq serve (issue 17; not in make check): N clients (boto3,
# one thread each) run Logs Insights queries against a liq serve on loopback for S seconds,
# each StartQuery followed by GetQueryResults polled every 0.1 s until the status is final.
# Prints the latency of whole queries (start to final status) p50/p90/p99/max, queries per
# second, and what was lost: a query that failed, timed out, was refused, or whose rows differ
# from the first answer to the same query (nothing may be lost).
#
#   bench/serve_load.py --liq build/liq [--clients 20] [--seconds 60] [--mb 50]
#
# It generates a log group of --mb MiB of JSON lines in a temporary directory (two streams),
# starts 'liq serve --listen 127.0.0.1:0 --no-auth --max-queries 30' on it, and stops it with
# SIGTERM at the end (its exit code is printed: 0 expected).
# SPDX-License-Identifier: Apache-2.0
import argparse, datetime, json, os, random, signal, statistics, subprocess, sys, tempfile
import threading, time
import boto3, botocore.config

ap = argparse.ArgumentParser()
ap.add_argument("--liq", required=True)
ap.add_argument("--clients", type=int, default=20)
ap.add_argument("--seconds", type=float, default=60)
ap.add_argument("--mb", type=float, default=50)
a = ap.parse_args()

QUERIES = [
    "stats count(*) as n, avg(latency) as avg, pct(latency, 99) as p99 by level",
    "filter latency > 490 | fields @timestamp, msg",
    "stats count(*) by bin(5m) | sort @timestamp",
    "filter msg like /request 7\\d\\d from/ | stats count(*) by host",
    "fields @timestamp, level, latency | sort latency desc | limit 20",
]

tmp = tempfile.mkdtemp(prefix="liq-serve-load.")
rnd = random.Random(7)
t0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
size, i = 0, 0
files = {h: open(os.path.join(tmp, h + ".log"), "w") for h in ("host1", "host2")}
while size < a.mb * 1048576:
    h = "host1" if i % 2 == 0 else "host2"
    line = json.dumps({"timestamp": (t0 + datetime.timedelta(milliseconds=i * 10)).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ"), "level": rnd.choice(["INFO", "WARN", "ERROR"]),
        "latency": rnd.randint(1, 500), "host": h, "msg": "request %d from %s" % (i, h)}) + "\n"
    files[h].write(line)
    size += len(line)
    i += 1
for f in files.values():
    f.close()
end_s = int((t0 + datetime.timedelta(milliseconds=i * 10)).timestamp()) + 1
print("group: %.1f MiB, %d events" % (size / 1048576, i), flush=True)

port_file = os.path.join(tmp, "port")
srv = subprocess.Popen([a.liq, "serve", "--listen", "127.0.0.1:0", "--port-file", port_file,
                        "--no-auth", "--log-group", "/load/app=" + tmp],
                       stderr=open(os.path.join(tmp, "serve.log"), "w"))
for _ in range(300):
    if os.path.exists(port_file) and os.path.getsize(port_file):
        break
    time.sleep(0.1)
url = "http://127.0.0.1:" + open(port_file).read().strip()
os.environ.update(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="y", AWS_EC2_METADATA_DISABLED="true")

lock = threading.Lock()
lat, lost, answers = [], [], {}
stop_at = time.monotonic() + a.seconds


def client(k, logs):
    j = k
    while time.monotonic() < stop_at:
        q = QUERIES[j % len(QUERIES)]
        j += 1
        t = time.monotonic()
        try:
            qid = logs.start_query(logGroupName="/load/app", startTime=int(t0.timestamp()),
                                   endTime=end_s, queryString=q)["queryId"]
            while True:
                r = logs.get_query_results(queryId=qid)
                if r["status"] not in ("Scheduled", "Running"):
                    break
                time.sleep(0.1)
        except Exception as e:  # refused, or the connection failed
            with lock:
                lost.append("%s: %s" % (q, e))
            continue
        dt = time.monotonic() - t
        with lock:
            if r["status"] != "Complete":
                lost.append("%s: %s" % (q, r["status"]))
                continue
            lat.append(dt)
            rows = json.dumps(r["results"] if "@ptr" not in json.dumps(r["results"]) else
                              [[f for f in row if f["field"] != "@ptr"] for row in r["results"]])
            if answers.setdefault(q, rows) != rows:
                lost.append("%s: rows differ from the first answer" % q)


# clients made here: boto3's default session is not thread-safe while it makes them
cl = [boto3.session.Session().client("logs", endpoint_url=url, region_name="us-east-1", config=
      botocore.config.Config(retries={"max_attempts": 1}, max_pool_connections=2))
      for _ in range(a.clients)]
ts = [threading.Thread(target=client, args=(k, cl[k])) for k in range(a.clients)]
wall = time.monotonic()
for t in ts:
    t.start()
for t in ts:
    t.join()
wall = time.monotonic() - wall
srv.send_signal(signal.SIGTERM)
rc = srv.wait(60)
lat.sort()


def pct(p):
    return lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))] if lat else float("nan")


print("clients %d, %.0f s: %d queries complete (%.2f/s), %d lost" % (
    a.clients, wall, len(lat), len(lat) / wall, len(lost)))
print("query latency (start to Complete): p50 %.3f s, p90 %.3f s, p99 %.3f s, max %.3f s" % (
    pct(50), pct(90), pct(99), lat[-1] if lat else float("nan")))
print("server exit after SIGTERM: %d; requests logged: %d" % (
    rc, sum(1 for _ in open(os.path.join(tmp, "serve.log")))))
for l in lost[:10]:
    print("lost: " + l)
subprocess.run(["rm", "-rf", tmp])
sys.exit(1 if lost or rc != 0 else 0)
