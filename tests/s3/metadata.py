#!/usr/bin/env python3
# metadata.py -- test helper: a fake credentials endpoint on loopback, either the container
# endpoint (ECS/EKS) or EC2 instance metadata (IMDSv2)
#
#   metadata.py container|imds PORT_FILE LOG_FILE AKID SECRET TOKEN [OPTION...]
#
# Listens on 127.0.0.1 (a free port, written to PORT_FILE once listening) and answers the
# credentials AKID, SECRET and session token TOKEN as JSON. Every request is logged to
# LOG_FILE as one line: "METHOD PATH hdr=... -> STATUS" (PATH as received: an absolute URI
# when the client came through it as an HTTP proxy).
#   container: any GET whose path ends in --path (default /creds) answers the credentials
#              when its Authorization header equals --auth (if given), else 401.
#   imds:      PUT /latest/api/token needs X-aws-ec2-metadata-token-ttl-seconds and answers
#              a token; GET /latest/meta-data/iam/security-credentials/ answers the role name
#              (--role, default test-role) and .../ROLE the credentials, both only with that
#              token in X-aws-ec2-metadata-token (else 401); --v1 answers the PUT 405 and
#              the GETs without a token.
#   --hang         answer nothing, until the client closes the connection (a service that
#                  hangs); logged "-> client gone unanswered"
#   --rotate       each answer of credentials carries a new session token: TOKEN-1, TOKEN-2...
# SPDX-License-Identifier: Apache-2.0
import http.server
import json
import os
import sys
import threading

mode, port_file, log_file, akid, secret, token = sys.argv[1:7]
opts = {"--path": "/creds", "--auth": None, "--role": "test-role", "--hang": None, "--v1": None,
        "--rotate": None}
args = sys.argv[7:]
i = 0
while i < len(args):
    if args[i] in ("--v1", "--rotate", "--hang"):
        opts[args[i]] = "1"
        i += 1
        continue
    if args[i] not in opts:
        sys.exit("metadata.py: unknown option " + args[i])
    opts[args[i]] = args[i + 1]
    i += 2
IMDS_TOKEN = "imds-token-0123456789"
lock = threading.Lock()
served = [0]


def log(line):
    with lock:
        with open(log_file, "a") as fp:
            fp.write(line + "\n")


def creds():
    with lock:
        served[0] += 1
        n = served[0]
    tok = "%s-%d" % (token, n) if opts["--rotate"] else token
    body = {"AccessKeyId": akid, "SecretAccessKey": secret, "Token": tok,
            "Expiration": "2099-01-01T00:00:00Z"}
    if mode == "imds":
        body.update({"Code": "Success", "Type": "AWS-HMAC", "LastUpdated": "2026-11-24T00:00:00Z"})
    return json.dumps(body, indent=2)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, status, text):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain" if status != 200 else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.body = data  # written after the log line (do)
        return status

    def container(self):
        if self.command != "GET" or not self.path.endswith(opts["--path"]):
            return self.answer(404, "not found")
        if opts["--auth"] is not None and self.headers.get("Authorization") != opts["--auth"]:
            return self.answer(401, "bad authorization")
        return self.answer(200, creds())

    def imds(self):
        base = "/latest/meta-data/iam/security-credentials/"
        if self.path == "/latest/api/token":
            if self.command != "PUT" or opts["--v1"]:
                return self.answer(405, "method not allowed")
            if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                return self.answer(400, "missing ttl")
            return self.answer(200, IMDS_TOKEN)
        if self.command != "GET":
            return self.answer(405, "method not allowed")
        if not opts["--v1"] and self.headers.get("X-aws-ec2-metadata-token") != IMDS_TOKEN:
            return self.answer(401, "unauthorized")
        if self.path == base:
            return self.answer(200, opts["--role"])
        if self.path == base + opts["--role"]:
            return self.answer(200, creds())
        return self.answer(404, "not found")

    def do(self):
        """Answers one request, logged before its body is written: when liq has read an answer,
        the log holds its line (tests read the log as soon as liq exits)."""
        self.body = None
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        try:
            if opts["--hang"]:
                try:  # the client sends nothing more: recv ends when it closes the connection
                    while self.connection.recv(65536):
                        pass
                except OSError:
                    pass
                self.close_connection = True
                status = "client gone unanswered"
            else:
                status = self.container() if mode == "container" else self.imds()
        except (BrokenPipeError, ConnectionResetError):
            status = "client gone"
        hdr = "auth=%s tok=%s ttl=%s" % (
            "yes" if self.headers.get("Authorization") else "no",
            "yes" if self.headers.get("X-aws-ec2-metadata-token") else "no",
            self.headers.get("X-aws-ec2-metadata-token-ttl-seconds", "-"),
        )
        log("%s %s %s -> %s" % (self.command, self.path, hdr, status))
        if self.body is not None:
            try:
                self.wfile.write(self.body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

    do_GET = do_PUT = do


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
srv.daemon_threads = True
with open(port_file + ".tmp", "w") as fp:
    fp.write(str(srv.server_address[1]))
os.rename(port_file + ".tmp", port_file)
srv.serve_forever()
