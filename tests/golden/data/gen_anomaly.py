#!/usr/bin/env python3
"""gen_anomaly.py -- writes anomaly_app.txt, the input of tests/golden/engine/anomaly.test

One day (2026-11-23, UTC) of a made-up service's text log with one anomaly of each kind in
its last quarter (18:00-24:00) or as a burst, and steady patterns that must stay quiet:
  request GET /orders answered <status> in <N>ms   every 10 min; from 20:00 every other one 503
  db query took <N> ms rows=<R>                     every 15 min; from 21:00 N jumps 100s -> 900s
  cache miss for key user-<id>                      hourly at :30, plus 40 at 05:00-05:39
  ERROR disk full on /var                           new at 22:15, 22:45, 23:15
  job finished on node-<n>                          hourly at :05; node-7 appears from 19:05
  heartbeat ok                                      every 30 min
Usage: python3 gen_anomaly.py > anomaly_app.txt
"""
import datetime

T0 = datetime.datetime(2026, 11, 23, tzinfo=datetime.timezone.utc)
lines = []


def at(minutes, text):
    t = T0 + datetime.timedelta(minutes=minutes)
    lines.append((minutes, len(lines), t.strftime("%Y-%m-%dT%H:%M:%SZ") + " " + text))


for i in range(144):  # every 10 minutes
    m = i * 10
    status = 404 if m == 180 else 503 if m >= 1200 and (m - 1200) % 20 == 0 else 200
    at(m, "request GET /orders answered %d in %dms" % (status, 30 + i % 11))
for i in range(96):  # every 15 minutes
    m = i * 15
    base = 900 if m >= 1260 else 100
    at(m, "db query took %d ms rows=%d" % (base + (i % 7) * 3, 5 + i % 2))
for h in range(24):
    at(h * 60 + 30, "cache miss for key user-%d" % (1000 + h))
for k in range(40):
    at(300 + k, "cache miss for key user-%d" % (5000 + k))
for m in (22 * 60 + 15, 22 * 60 + 45, 23 * 60 + 15):
    at(m, "ERROR disk full on /var")
for h in range(24):
    node = (7 if h % 2 else 1) if h >= 18 else (1 if h % 2 == 0 else 2)
    if h >= 18 and h % 4 == 0:
        node = 2
    at(h * 60 + 5, "job finished on node-%d" % node)
for i in range(48):
    at(i * 30, "heartbeat ok")
for _, _, text in sorted(lines):
    print(text)
