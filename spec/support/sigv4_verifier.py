#!/usr/bin/env python3
"""A local AWS SigV4 checkpoint in front of a real backend, for specs.

Every request must carry an AWS4-HMAC-SHA256 Authorization header.  The
signature is computed again with botocore (botocore.auth.SigV4Auth, the
signer the AWS SDK for Python uses) over the same signed headers, the
path, the query string and the body, with the signing clock fixed to the
request's own X-Amz-Date; a mismatch, a wrong key, region, service or
date, an unsigned session token, or an x-amz-content-sha256 header that is
not the body's hash (or is missing, for service aoss, which requires it) is
answered 403 like AWS does.  A
request that passes is proxied to --upstream (a real OpenSearch or
Prometheus) and its answer passed back.

One line per request goes to --log: "OK <method> <path> signed=<headers>"
or "REJECT <reason> ...", so specs can check what was verified.

usage: sigv4_verifier.py --upstream URL --region R --service S --pidfile F --log F
       (credentials: VERIFIER_ACCESS_KEY, VERIFIER_SECRET_KEY, optional
       VERIFIER_SESSION_TOKEN in the environment).  Prints its port.
"""
import argparse
import datetime
import hashlib
import hmac
import http.client
import http.server
import json
import os
import threading
import urllib.parse

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

MAX_SKEW = datetime.timedelta(minutes=15)
HOP_HEADERS = {"host", "authorization", "connection", "content-length", "transfer-encoding",
               "x-amz-date", "x-amz-security-token", "x-amz-content-sha256", "expect",
               "accept-encoding"}  # answers go back uncompressed


def parse_authorization(value):
    scheme, _, rest = value.partition(" ")
    if scheme != "AWS4-HMAC-SHA256":
        return None
    fields = {}
    for part in rest.split(","):
        k, _, v = part.strip().partition("=")
        fields[k] = v
    if not {"Credential", "SignedHeaders", "Signature"} <= fields.keys():
        return None
    return fields


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_):
        pass

    def record(self, line):
        with self.server.log_lock, open(self.server.log_path, "a") as f:
            f.write(line + "\n")

    def reply(self, status, body, ctype="application/json", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def reject(self, why, detail=""):
        self.record(f"REJECT {why} {self.command} {self.path} {detail}".rstrip())
        msg = {"message": f"SigV4 verifier: {why}"}
        self.reply(403, json.dumps(msg).encode())

    def check(self, body):
        cfg = self.server.cfg
        auth = parse_authorization(self.headers.get("Authorization", ""))
        if not auth:
            return self.reject("missing or malformed AWS4-HMAC-SHA256 Authorization header")
        akid, date, region, service, term = (auth["Credential"].split("/") + [""] * 5)[:5]
        amz_date = self.headers.get("X-Amz-Date", "")
        if akid != cfg.access_key:
            return self.reject("unknown access key")
        if (region, service, term) != (cfg.region, cfg.service, "aws4_request"):
            return self.reject("wrong credential scope", f"{region}/{service}/{term}")
        if date != amz_date[:8]:
            return self.reject("scope date is not the X-Amz-Date")
        try:
            when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            return self.reject("bad X-Amz-Date", amz_date)
        if abs(datetime.datetime.now(datetime.timezone.utc) - when) > MAX_SKEW:
            return self.reject("signature expired (clock skew)")
        signed = auth["SignedHeaders"].split(";")
        for needed in ("host", "x-amz-date"):
            if needed not in signed:
                return self.reject(f"{needed} is not signed")
        if cfg.token is not None:
            if self.headers.get("X-Amz-Security-Token") != cfg.token:
                return self.reject("missing or wrong session token")
            if "x-amz-security-token" not in signed:
                return self.reject("the session token is not signed")
        # botocore takes a present x-amz-content-sha256 on trust; AWS
        # checks it against the body, and Serverless (aoss) requires it.
        content_hash = self.headers.get("X-Amz-Content-Sha256")
        if content_hash is None and cfg.service == "aoss":
            return self.reject("x-amz-content-sha256 is missing (aoss requires it)")
        if content_hash is not None:
            if "x-amz-content-sha256" not in signed:
                return self.reject("x-amz-content-sha256 is not signed")
            if content_hash != hashlib.sha256(body).hexdigest():
                return self.reject("x-amz-content-sha256 is not the body's hash")
        headers = {}
        for name in signed:
            values = self.headers.get_all(name)
            if values is None:
                return self.reject(f"signed header {name} is not in the request")
            headers[name] = ",".join(values)
        request = AWSRequest(method=self.command, url=f"http://{headers['host']}{self.path}",
                             data=body, headers=headers)
        request.context["timestamp"] = amz_date      # the clock, fixed to the request's
        signer = SigV4Auth(Credentials(cfg.access_key, cfg.secret_key, cfg.token), cfg.service, cfg.region)
        canonical = signer.canonical_request(request)
        expected = signer.signature(signer.string_to_sign(request, canonical), request)
        if not hmac.compare_digest(expected, auth["Signature"]):
            return self.reject("signature mismatch", "canonical request: " + canonical.replace("\n", "\\n"))
        self.record(f"OK {self.command} {self.path} signed={auth['SignedHeaders']}")
        return True

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.check(body) is not True:
            return
        up = self.server.upstream
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
        try:
            conn.request(self.command, up.path.rstrip("/") + self.path, body=body or None, headers=headers)
            res = conn.getresponse()
            data = res.read()
        except OSError as e:
            self.record(f"UPSTREAM-ERROR {e}")
            return self.reply(502, json.dumps({"message": f"upstream: {e}"}).encode())
        finally:
            conn.close()
        self.reply(res.status, data, res.getheader("Content-Type") or "application/json")

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--region", required=True)
    ap.add_argument("--service", required=True)
    ap.add_argument("--pidfile", required=True)
    ap.add_argument("--log", required=True)
    args = ap.parse_args()
    args.access_key = os.environ["VERIFIER_ACCESS_KEY"]
    args.secret_key = os.environ["VERIFIER_SECRET_KEY"]
    args.token = os.environ.get("VERIFIER_SESSION_TOKEN") or None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.cfg = args
    server.upstream = urllib.parse.urlsplit(args.upstream)
    server.log_path = args.log
    server.log_lock = threading.Lock()
    with open(args.pidfile, "w") as f:
        f.write(f"{os.getpid()}\n")
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
