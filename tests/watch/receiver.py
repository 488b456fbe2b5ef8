#!/usr/bin/python3
"""receiver.py -- an HTTP endpoint for tests/watch/actions.sh: records what liq watch's
webhooks post.

    receiver.py LOG [FAIL_FIRST] [HOLD_FIFO]

Listens on 127.0.0.1, a free port, and prints the port on stdout (one line, flushed). Every
POST is recorded in LOG as one JSON line: path, the x-amz-sns-* headers, Content-Type, the
status answered and the body. Paths:
  /hook   the first FAIL_FIRST POSTs (all paths counted) get 503, later ones 200
  /gone   404
  /hold   opens HOLD_FIFO for reading (blocks until the test opens it for writing), then 200
Runs until killed (the test stops it by PID).
"""
import http.server
import json
import sys
import threading

LOG = sys.argv[1]
FAIL_FIRST = int(sys.argv[2]) if len(sys.argv) > 2 else 0
HOLD = sys.argv[3] if len(sys.argv) > 3 else None
lock = threading.Lock()
seen = [0]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode("utf-8")
        with lock:
            seen[0] += 1
            n = seen[0]
        path = self.path.split("?")[0]
        if path == "/gone":
            status = 404
        elif path == "/hold":
            with open(HOLD, "rb") as f:
                f.read()
            status = 200
        else:
            status = 503 if n <= FAIL_FIRST else 200
        rec = {
            "path": self.path,
            "status": status,
            "type": self.headers.get("x-amz-sns-message-type"),
            "id": self.headers.get("x-amz-sns-message-id"),
            "topic": self.headers.get("x-amz-sns-topic-arn"),
            "content_type": self.headers.get("Content-Type"),
            "body": body,
        }
        with lock:
            with open(LOG, "a") as f:
                f.write(json.dumps(rec) + "\n")
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(srv.server_address[1], flush=True)
srv.serve_forever()
