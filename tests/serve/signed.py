# signed.py URL OPERATION BODY [--skew SECONDS] [--secret S] [--drop] [--half]
# -- one request of the AWS JSON 1.1 protocol, signed with SigV4 by botocore (as the SDKs sign)
# with the test credentials of the environment; --skew signs it as of SECONDS ago (an expired
# signature); prints the HTTP status and the body. --drop sends the request on a raw socket
# and closes the connection (a reset) before reading the answer; --half sends the headers and
# half the body, then closes. Both print "dropped".
# SPDX-License-Identifier: Apache-2.0
import datetime, os, socket, struct, sys, urllib.request
import botocore.auth, botocore.awsrequest, botocore.credentials

args = sys.argv[1:]
url, op, body = args[0], args[1], args[2].encode()
skew, secret, drop, half = 0, os.environ["AWS_SECRET_ACCESS_KEY"], False, False
i = 3
while i < len(args):
    if args[i] == "--skew":
        skew = int(args[i + 1]); i += 2
    elif args[i] == "--secret":
        secret = args[i + 1]; i += 2
    elif args[i] == "--drop":
        drop = True; i += 1
    elif args[i] == "--half":
        half = True; i += 1
    else:
        sys.exit("signed.py: unknown argument " + args[i])

if skew:
    real = datetime.datetime

    class Past(real):
        @classmethod
        def utcnow(cls):
            return real.utcnow() - datetime.timedelta(seconds=skew)

        @classmethod
        def now(cls, tz=None):
            return real.now(tz) - datetime.timedelta(seconds=skew)

    botocore.auth.datetime.datetime = Past

req = botocore.awsrequest.AWSRequest(method="POST", url=url + "/", data=body, headers={
    "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Logs_20140328." + op})
creds = botocore.credentials.Credentials(os.environ["AWS_ACCESS_KEY_ID"], secret)
botocore.auth.SigV4Auth(creds, "logs", "us-east-1").add_auth(req)
p = req.prepare()
if drop or half:
    host, port = url.split("//")[1].split(":")
    s = socket.create_connection((host, int(port)))
    head = "POST / HTTP/1.1\r\nHost: %s:%s\r\n" % (host, port)
    for k, v in p.headers.items():
        if k.lower() != "host":
            head += "%s: %s\r\n" % (k, v)
    head += "Content-Length: %d\r\n\r\n" % len(body)
    s.sendall(head.encode() + (body[: len(body) // 2] if half else body))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    print("dropped")
    sys.exit(0)
r = urllib.request.Request(p.url, data=body, method="POST", headers=dict(p.headers))
try:
    with urllib.request.urlopen(r, timeout=60) as f:
        print(f.status)
        print(f.read().decode())
except urllib.error.HTTPError as e:
    print(e.code)
    print(e.read().decode())
