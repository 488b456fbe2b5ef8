# gen_app.py DIR -- the sample log group of tests/serve: DIR/host1/app.log, DIR/host2/app.log,
# 500 JSON events each, from 2024-01-01T00:00:00Z (host2 one second later), 7 s apart
# SPDX-License-Identifier: Apache-2.0
import datetime, json, os, random, sys

d = sys.argv[1]
rnd = random.Random(1)
for k, h in enumerate(("host1", "host2")):
    os.makedirs(os.path.join(d, h), exist_ok=True)
    with open(os.path.join(d, h, "app.log"), "w") as f:
        for i in range(500):
            t = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc) + \
                datetime.timedelta(seconds=i * 7 + k)
            f.write(json.dumps({"timestamp": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                "level": rnd.choice(["INFO", "WARN", "ERROR"]),
                                "latency": rnd.randint(1, 500),
                                "msg": "request %d from %s" % (i, h)}) + "\n")
