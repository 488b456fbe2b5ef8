#!/usr/bin/env python3
# s3put.py -- test helper: create a bucket on an S3-compatible endpoint and upload a tree
#
#   s3put.py ENDPOINT BUCKET [DIR [PREFIX]]
#
# Creates BUCKET (an existing one is fine), then PUTs every file under DIR with the key
# PREFIX + its path relative to DIR, over one keep-alive connection. Requests carry a real
# SigV4 signature (hmac/hashlib, UNSIGNED-PAYLOAD) made with AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY (default S3RVER/S3RVER), region us-east-1. Exit 1 on any failure.
# SPDX-License-Identifier: Apache-2.0
import datetime
import hashlib
import hmac
import http.client
import os
import sys
import urllib.parse

AKID = os.environ.get("AWS_ACCESS_KEY_ID", "S3RVER")
SECRET = os.environ.get("AWS_SECRET_ACCESS_KEY", "S3RVER")
REGION = "us-east-1"


def sign(method, host, path, headers):
    # lint-timing: allow the request date SigV4 signs (x-amz-date); no duration is measured
    now = datetime.datetime.utcnow()
    amz = now.strftime("%Y%m%dT%H%M%SZ")
    day = now.strftime("%Y%m%d")
    headers = dict(headers)
    headers["host"] = host
    headers["x-amz-date"] = amz
    headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"
    names = sorted(h.lower() for h in headers)
    canon = "\n".join(
        [
            method,
            path,
            "",
            "".join("%s:%s\n" % (n, str(headers[n]).strip()) for n in names),
            ";".join(names),
            "UNSIGNED-PAYLOAD",
        ]
    )
    scope = "%s/%s/s3/aws4_request" % (day, REGION)
    sts = "\n".join(["AWS4-HMAC-SHA256", amz, scope, hashlib.sha256(canon.encode()).hexdigest()])
    key = ("AWS4" + SECRET).encode()
    for part in (day, REGION, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (
        AKID,
        scope,
        ";".join(names),
        sig,
    )
    return headers


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: s3put.py ENDPOINT BUCKET [DIR [PREFIX]]")
    ep = urllib.parse.urlsplit(sys.argv[1])
    bucket = sys.argv[2]
    conn = http.client.HTTPConnection(ep.hostname, ep.port)

    def put(path, body):
        path = urllib.parse.quote(path, safe="/-_.~")
        conn.request("PUT", path, body=body, headers=sign("PUT", ep.netloc, path, {}))
        r = conn.getresponse()
        text = r.read()
        if r.status != 200 and not (body is None and r.status == 409):
            sys.exit("s3put: PUT %s: %d %s" % (path, r.status, text[:300]))

    put("/" + bucket, None)
    if len(sys.argv) < 4:
        return
    top = sys.argv[3]
    prefix = sys.argv[4] if len(sys.argv) > 4 else ""
    for dirpath, _, files in sorted(os.walk(top)):
        for f in sorted(files):
            full = os.path.join(dirpath, f)
            key = prefix + os.path.relpath(full, top)
            with open(full, "rb") as fp:
                put("/" + bucket + "/" + key, fp.read())


main()
