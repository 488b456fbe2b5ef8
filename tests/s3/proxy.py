#!/usr/bin/env python3
# proxy.py -- test helper: a loopback HTTP proxy in front of s3rver that injects faults and,
# optionally, checks every request's SigV4 signature with botocore
#
#   proxy.py UPSTREAM_PORT PORT_FILE LOG_FILE [OPTION...]
#
# Listens on 127.0.0.1 (a free port, written to PORT_FILE once listening) and forwards each
# request to 127.0.0.1:UPSTREAM_PORT. Every request is logged to LOG_FILE as one line:
# "METHOD PATH range=RANGE -> STATUS" when the request ends. Options (a RULE applies to the
# first COUNT requests whose path, query included, matches the regex RE; COUNT 0 means always):
#   --status CODE[/NAME]:COUNT:RE  answer CODE with an S3 error body (<Code>NAME, by default
#                            SlowDown for 503, InternalError for 5xx) instead of forwarding
#   --cut BYTES:COUNT:RE     forward, but send only BYTES of the body, then close
#   --hang COUNT:RE          answer nothing until the client closes the connection; logged
#                            "-> client gone unanswered"
#   --hold COUNT:RE          forward, but hold back the last 64 KiB of the body until the
#                            client closes the connection (they are never sent); logged
#                            "-> STATUS held: client gone after SENT of TOTAL bytes"
#   --reset COUNT:RE         close the connection without an answer
# No rule waits on a clock: what the client did is told by what it closed and when in the
# exchange, never by how long it took (tests/repo/lint_timing.sh).
#   --glacier RE             in listings, report keys matching RE in StorageClass GLACIER
#   --redirect REGION[/KIND] the bucket lives in REGION: a request signed for another region
#                            is answered 301 PermanentRedirect with x-amz-bucket-region:
#                            REGION (KIND 400: 400 AuthorizationHeaderMalformed with
#                            <Region>REGION</Region> in the body, no header; KIND always:
#                            301 with the header whatever the region); "none" answers 301
#                            without any region to every request. The log notes
#                            "signed=REGION" of each request.
#   --objects BUCKET:FILE    answer every request for BUCKET itself, never forwarding it: a
#                            stub S3 bucket holding the objects of FILE, a JSON list of
#                            [KEY, BODY] pairs (keys S3 takes but s3rver refuses or changes:
#                            "../x", "/abs", "a//b", control bytes, 1024 bytes). A
#                            ListObjectsV2 lists the keys under its prefix in one page (with
#                            encoding-type=url they are URL-encoded as S3 does, spaces as '+',
#                            and <EncodingType>url</EncodingType> says so; without it, as XML
#                            character references, which XML 1.0 refuses for control bytes,
#                            as S3 does); a GET whose path, percent-decoded, is exactly a key
#                            (no dot segment resolved) answers its body with its ETag (MD5),
#                            304 to a matching If-None-Match, 206 to a Range; any other path
#                            404 NoSuchKey
#   --verify SECRET          recompute the SigV4 signature (botocore) with SECRET, S3's
#                            canonical form (path and query decoded and re-encoded per RFC
#                            3986); answer 403 SignatureDoesNotMatch when it differs, and log
#                            "token=SESSION-TOKEN region=REGION sig=ok" or "sig=BAD" (and the
#                            canonical request); the 403's body holds the canonical request
#                            (as S3's does: the session token in it)
# SPDX-License-Identifier: Apache-2.0
import http.client
import http.server
import re
import socket
import sys
import threading
import urllib.parse

upstream = int(sys.argv[1])
port_file, log_file = sys.argv[2], sys.argv[3]
rules = []  # [kind, arg, remaining, regex]
glacier = None
redirect = None
secret = None
stubs = {}  # bucket -> {key bytes: body bytes}
args = sys.argv[4:]
i = 0
while i < len(args):
    opt, val = args[i], args[i + 1]
    i += 2
    if opt in ("--status", "--cut"):
        arg, count, rx = val.split(":", 2)
        rules.append([opt[2:], arg, int(count) or -1, re.compile(rx)])
    elif opt in ("--reset", "--hang", "--hold"):
        count, rx = val.split(":", 1)
        rules.append([opt[2:], None, int(count) or -1, re.compile(rx)])
    elif opt == "--glacier":
        glacier = re.compile(val)
    elif opt == "--redirect":
        redirect = val
    elif opt == "--objects":
        import json

        bucket, _, path = val.partition(":")
        with open(path, encoding="utf-8") as fp:
            stubs[bucket] = {k.encode(): b.encode() for k, b in json.load(fp)}
    elif opt == "--verify":
        secret = val
    else:
        sys.exit("proxy.py: unknown option " + opt)
lock = threading.Lock()


def log(line):
    with lock:
        with open(log_file, "a") as fp:
            fp.write(line + "\n")


def take(path):
    """The rules that fire for this request (their counts used up)."""
    fired = []
    with lock:
        for r in rules:
            if r[2] != 0 and r[3].search(path):
                if r[2] > 0:
                    r[2] -= 1
                fired.append(r)
    return fired


def verify(method, path, headers):
    """None when the signature is right, else why not."""
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    auth = headers.get("Authorization", "")
    m = re.match(
        r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/s3/aws4_request, "
        r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$",
        auth,
    )
    if not m:
        return "malformed Authorization: " + re.sub(r"Signature=\w+", "Signature=...", auth)
    akid, day, region, signed, sig = m.groups()
    names = signed.split(";")
    if "x-amz-content-sha256" not in names or "host" not in names:
        return "host or x-amz-content-sha256 not signed: " + signed
    if headers.get("x-amz-content-sha256") != "UNSIGNED-PAYLOAD":
        return "x-amz-content-sha256 is not UNSIGNED-PAYLOAD"
    # S3's canonical form: the path and query decoded, then encoded per RFC 3986
    parts = urllib.parse.urlsplit(path)
    cpath = urllib.parse.quote(urllib.parse.unquote(parts.path), safe="/-_.~")
    pairs = []
    for p in parts.query.split("&") if parts.query else []:
        k, _, v = p.partition("=")
        pairs.append(
            (
                urllib.parse.quote(urllib.parse.unquote(k), safe="-_.~"),
                urllib.parse.quote(urllib.parse.unquote(v), safe="-_.~"),
            )
        )
    cquery = "&".join("%s=%s" % kv for kv in sorted(pairs))
    if cquery != parts.query:
        return "query not sent in canonical form: %s (canonical: %s)" % (parts.query, cquery)
    hdrs = {n: headers.get(n, "") for n in names}
    req = AWSRequest(method=method, url="http://" + hdrs["host"] + cpath + ("?" + cquery if cquery else ""), headers=hdrs)
    req.context["timestamp"] = headers.get("x-amz-date", "")
    signer = S3SigV4Auth(Credentials(akid, secret, headers.get("x-amz-security-token")), "s3", region)
    canon = signer.canonical_request(req)
    want = signer.signature(signer.string_to_sign(req, canon), req)
    if want != sig:
        return "signature differs; canonical request: " + canon.replace("\n", "\\n")
    return None


def xml_text(b):
    """Bytes as XML text: &, <, >, quotes and every byte below 0x20 but tab and LF as character
    references (as S3 sends them)."""
    out = []
    for ch in b.decode():
        o = ord(ch)
        if ch in "&<>\"'" or (o < 0x20 and ch not in "\t\n") or o == 0x7F:
            out.append("&#x%X;" % o)
        else:
            out.append(ch)
    return "".join(out)


def etag_of(body):
    import hashlib

    return '"%s"' % hashlib.md5(body).hexdigest()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def wait_gone(self):
        """Blocks until the client closes the connection (it sends nothing more on it)."""
        try:
            while self.connection.recv(65536):
                pass
        except OSError:
            pass
        self.close_connection = True

    def send_counted(self, data):
        """Writes data in 64 KiB pieces; the bytes handed to the socket before the client went
        away (len(data) when it stayed)."""
        sent = 0
        try:
            while sent < len(data):
                piece = data[sent:sent + 65536]
                self.wfile.write(piece)
                sent += len(piece)
        except OSError:
            self.close_connection = True
        return sent

    def error(self, status, code, extra=None, more=""):
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code>'
                "<Message>injected by proxy.py</Message>%s</Error>" % (code, more)).encode()
        self.send_response(status)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.body = body  # written after the log line (do)
        return status

    def handle_one(self):
        body = None
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            body = self.rfile.read(n)
        note = ""
        if secret is not None:
            why = verify(self.command, self.path, self.headers)
            m = re.search(r"Credential=[^/]+/\d+/([^/]+)/", self.headers.get("Authorization", ""))
            note = " token=%s region=%s" % (self.headers.get("x-amz-security-token", "-"),
                                             m.group(1) if m else "-")
            note += " sig=ok" if why is None else " sig=BAD " + why
            if why is not None:
                # as S3 does: the canonical request (session token included) in the body
                canon = why.partition("canonical request: ")[2].replace("\\n", "\n")
                return self.error(403, "SignatureDoesNotMatch", None,
                                  "<CanonicalRequest>%s</CanonicalRequest>"
                                  % canon.replace("&", "&amp;").replace("<", "&lt;")), note
        cut = hold = None
        for kind, arg, _, _ in take(self.path):
            if kind == "hang":
                self.wait_gone()
                return "client gone unanswered", note
            elif kind == "status":
                code, _, name = arg.partition("/")
                code = int(code)
                name = name or ("SlowDown" if code == 503 else "InternalError" if code >= 500 else "Injected")
                return self.error(code, name), note
            elif kind == "reset":
                self.close_connection = True
                self.log_now("reset", note)  # before the client can see the reset
                self.connection.shutdown(socket.SHUT_RDWR)
                return "reset", note
            elif kind == "cut":
                cut = int(arg)
            elif kind == "hold":
                hold = True
        if redirect:
            m = re.search(r"Credential=[^/]+/\d+/([^/]+)/", self.headers.get("Authorization", ""))
            signed = m.group(1) if m else "-"
            note += " signed=" + signed
            where, _, kind = redirect.partition("/")
            if where == "none":
                return self.error(301, "PermanentRedirect"), note
            if kind == "always" or signed != where:
                if kind == "400":
                    return self.error(400, "AuthorizationHeaderMalformed", None,
                                      "<Region>%s</Region>" % where), note
                return self.error(301, "PermanentRedirect", {"x-amz-bucket-region": where}), note
        stub = self.stub()
        if stub is not None:
            return stub, note
        conn = http.client.HTTPConnection("127.0.0.1", upstream)
        hdrs = {k: v for k, v in self.headers.items() if k.lower() not in ("connection",)}
        conn.request(self.command, self.path, body=body, headers=hdrs)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        if glacier is not None and "list-type=2" in self.path:
            text = data.decode()

            def cls(m):
                key = re.search(r"<Key>(.*?)</Key>", m.group(0)).group(1)
                if glacier.search(key):
                    return m.group(0).replace("<StorageClass>STANDARD<", "<StorageClass>GLACIER<")
                return m.group(0)

            data = re.sub(r"<Contents>.*?</Contents>", cls, text).encode()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if cut is not None and cut < len(data):
            self.wfile.write(data[:cut])
            self.wfile.flush()
            self.close_connection = True
            self.log_now("%d cut at %d" % (r.status, cut), note)  # before the client sees the cut
            self.connection.shutdown(socket.SHUT_RDWR)
            return "%d cut at %d" % (r.status, cut), note
        if hold and len(data) > 65536:
            sent = self.send_counted(data[:-65536])
            if not self.close_connection:
                self.wait_gone()
            return "%d held: client gone after %d of %d bytes" % (r.status, sent, len(data)), note
        self.body = data  # written after the log line (do)
        return r.status, note

    def answer(self, status, headers, data):
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.body = data if self.command != "HEAD" else None
        return status

    def stub(self):
        """The answer of a --objects bucket (None: not one)."""
        raw, _, query = self.path.partition("?")
        bucket, slash, rawkey = raw[1:].partition("/")
        objs = stubs.get(bucket)
        if objs is None:
            return None
        q = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        if not slash or (not rawkey and "list-type" in q):
            if q.get("list-type") != "2":
                return self.error(400, "InvalidRequest")
            prefix = q.get("prefix", "").encode()
            enc = q.get("encoding-type") == "url"
            items = []
            for k in sorted(objs):
                if not k.startswith(prefix):
                    continue
                name = urllib.parse.quote_plus(k, safe="/") if enc else xml_text(k)
                items.append("<Contents><Key>%s</Key><LastModified>2026-12-01T00:00:00.000Z"
                             "</LastModified><ETag>%s</ETag><Size>%d</Size><StorageClass>"
                             "STANDARD</StorageClass></Contents>"
                             % (name, xml_text(etag_of(objs[k]).encode()), len(objs[k])))
            body = ('<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns='
                    '"http://s3.amazonaws.com/doc/2006-03-01/"><Name>%s</Name><Prefix>%s</Prefix>'
                    "<KeyCount>%d</KeyCount><MaxKeys>1000</MaxKeys>%s<IsTruncated>false"
                    "</IsTruncated>%s</ListBucketResult>"
                    % (bucket, urllib.parse.quote_plus(prefix, safe="/") if enc else xml_text(prefix),
                       len(items), "<EncodingType>url</EncodingType>" if enc else "",
                       "".join(items))).encode()
            return self.answer(200, {"Content-Type": "application/xml"}, body)
        key = urllib.parse.unquote_to_bytes(rawkey)
        data = objs.get(key)
        if data is None or self.command not in ("GET", "HEAD"):
            return self.error(404, "NoSuchKey")
        etag = etag_of(data)
        hdrs = {"ETag": etag, "Last-Modified": "Tue, 01 Dec 2026 00:00:00 GMT",
                "Content-Type": "application/octet-stream"}
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            for k, v in hdrs.items():
                self.send_header(k, v)
            self.end_headers()
            return 304
        m = re.match(r"bytes=(\d+)-(\d*)$", self.headers.get("Range", ""))
        if m and int(m.group(1)) < len(data):
            a = int(m.group(1))
            b = min(int(m.group(2)), len(data) - 1) if m.group(2) else len(data) - 1
            hdrs["Content-Range"] = "bytes %d-%d/%d" % (a, b, len(data))
            return self.answer(206, hdrs, data[a:b + 1])
        return self.answer(200, hdrs, data)

    def log_now(self, status, note):
        """Logs the request at once (do will not log it again): for answers cut or reset by
        the proxy, whose client may retry and exit before do would log."""
        log("%s %s range=%s -> %s%s" % (self.command, self.path, self.headers.get("Range", "-"), status, note))
        self.logged = True

    def do(self):
        """Answers one request. A request is logged before the last part of its answer (the
        body) is written, so when liq has read an answer the log already holds its line: a
        test may read the log as soon as liq exits. Requests whose outcome is the client's doing
        (held, hung) are logged after it and read with lib.sh's wait_log; cut and reset answers are
        logged before the client can see them (log_now)."""
        self.body = None
        self.logged = False
        try:
            status, note = self.handle_one()
        except (BrokenPipeError, ConnectionResetError):
            status, note = "client gone", ""
            self.close_connection = True
        if not self.logged:
            log("%s %s range=%s -> %s%s" % (self.command, self.path, self.headers.get("Range", "-"), status, note))
        if self.body is not None:
            try:
                self.wfile.write(self.body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

    do_GET = do_PUT = do_HEAD = do_DELETE = do_POST = do


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
srv.daemon_threads = True
with open(port_file + ".tmp", "w") as fp:
    fp.write(str(srv.server_address[1]))
import os  # noqa: E402

os.rename(port_file + ".tmp", port_file)
srv.serve_forever()
