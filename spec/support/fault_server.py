#!/usr/bin/env python3
"""A named fake HTTP server for the faults a real backend cannot produce on
demand (resets mid-body, garbage, hangs, slow drips, huge bodies).  Used by
spec/http_spec.lua through spec/support/fault_server.lua.

Binds 127.0.0.1 on a free port and prints that port as the first line of
stdout.  Exits by itself when its parent goes away or after --max-seconds,
so a crashed test run leaves nothing behind.

Routes:
  /ok                  200 {"ok": true}
  /echo[?ms=N]         method, path, query, headers, body, client_port and
                       request_on_connection (1 for a new TCP connection),
                       after an optional pause
  /delay?ms=200        answers after a pause
  /together?group=G&n=N  answers once N requests of group G wait at the same
                       time (all of them then), or 409 after 20 s saying how
                       many came: proves requests are concurrent without
                       timing them
  /status?code=503     answers with that status
  /reset?bytes=N       announces N bytes, sends half, then closes with RST
  /garbage             bytes that are not HTTP, then closes
  /never[?tag=T]       reads the request and never answers (with tag: counts
                       it as /mark does, so a spec knows it arrived)
  /drip?bytes=N&ms=M   N bytes, one every M ms
  /big?bytes=N         streams N bytes (&chunked=1: without Content-Length)
  /gzip?bytes=N        N bytes of JSON-ish text, gzip-encoded
  /auth                200 for basic auth user:s3cret, else 401
  /redirect            302 to /ok
  /headers             repeated and mixed-case response headers
  /unused_port         a port number that was free a moment ago
  /blackhole_port      a port whose accept queue is full: connects hang
  /mark?tag=T          counts a request for tag T; /marks?tag=T tells the count
"""
import argparse
import base64
import gzip
import json
import os
import socket
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from lifetime import end_with_parent

STOP = threading.Event()
MARKS = {}
BLACKHOLE = []  # the listening socket and the connections that fill it
MARKS_LOCK = threading.Lock()
GROUPS = {}  # /together: group -> requests arrived
GROUPS_CHANGED = threading.Condition()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so connection reuse shows
    # headers and body go out in separate writes: without TCP_NODELAY each
    # keep-alive response waits ~40 ms for the client's delayed ACK
    disable_nagle_algorithm = True
    server_version = "fault_server"

    def setup(self):
        super().setup()
        self.requests_on_connection = 0

    def log_message(self, fmt, *args):
        pass

    # -- helpers --
    def param(self, name, default):
        values = parse_qs(urlsplit(self.path).query).get(name)
        return int(values[0]) if values else default

    def text_param(self, name, default=""):
        values = parse_qs(urlsplit(self.path).query).get(name)
        return values[0] if values else default

    def send_body(self, status, body, content_type="application/json", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status, value, extra=()):
        self.send_body(status, json.dumps(value).encode(), extra=extra)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def hard_close(self):
        """Close with RST instead of FIN: SO_LINGER on, zero seconds."""
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    # -- routes --
    def route(self):
        self.requests_on_connection += 1
        body = self.read_body()
        path = urlsplit(self.path).path
        # the first segment picks the route, so a client that appends its own
        # paths to a base URL (/auth/otel-logs-*/_search) still gets it
        handler = getattr(self, "r_" + path.strip("/").split("/")[0], None)
        if handler is None:
            return self.send_json(404, {"error": "no route " + path})
        return handler(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = route

    def r_ok(self, body):
        self.send_json(200, {"ok": True})

    def r_echo(self, body):
        STOP.wait(self.param("ms", 0) / 1000.0)
        self.send_json(200, {
            "method": self.command,
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body.decode("latin-1"),
            "body_hex": body.hex(),
            "client_port": self.client_address[1],
            "request_on_connection": self.requests_on_connection,
        })

    def r_together(self, body):
        group, n = self.text_param("group"), self.param("n", 2)
        with GROUPS_CHANGED:
            GROUPS[group] = GROUPS.get(group, 0) + 1
            GROUPS_CHANGED.notify_all()
            together = GROUPS_CHANGED.wait_for(lambda: GROUPS[group] >= n or STOP.is_set(), timeout=20)
            arrived = GROUPS[group]
        if not together or arrived < n:
            return self.send_json(409, {"error": "only %d of %d requests of group %s arrived together"
                                                 % (arrived, n, group)})
        self.send_json(200, {"together": n, "arrived": arrived})

    def r_delay(self, body):
        STOP.wait(self.param("ms", 200) / 1000.0)
        self.send_json(200, {"delayed_ms": self.param("ms", 200)})

    # Hostile error bodies (a proxy's HTML page, terminal escape sequences):
    # a real OpenSearch or Prometheus does not send these on demand.
    def r_hostile_html(self, body):
        page = ("<!DOCTYPE html>\n<html>\n<head><title>502 Bad\n Gateway \x1b]0;pwned\x07</title></head>\n"
                "<body>\x1b[31m<h1>502 Bad Gateway</h1>\r\n<hr>nginx</body>\n</html>\n")
        self.send_body(self.param("code", 502), page.encode(), content_type="text/html")

    def r_hostile_text(self, body):
        text = "upstream \x1b]0;retitled\x07failed\r\x1b[2K\x1b[31mbad\x1b[0m\nsecond line\n"
        self.send_body(self.param("code", 500), text.encode(), content_type="text/plain")

    def r_hostile_json(self, body):
        self.send_json(self.param("code", 500), {"error": {"type": "x", "reason": "bad \x1b[2J\x07thing\nline two"},
                                                 "status": 500, "errorType": "internal",
                                                 "error_text": "\x1b[31m"})

    def r_hostile_prom(self, body):
        self.send_json(self.param("code", 422), {"status": "error", "errorType": "execution",
                                                 "error": "bad \x1b[2J\x07thing\nline two"})

    def r_status(self, body):
        code = self.param("code", 503)
        self.send_json(code, {"status": code})

    def r_reset(self, body):
        size = self.param("bytes", 100000)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        self.wfile.write(b"r" * (size // 2))
        self.wfile.flush()
        time.sleep(0.05)  # let the half body leave before the RST
        self.hard_close()

    def r_garbage(self, body):
        self.wfile.write(b"\x00\x01\x02 this is not HTTP \xff\xfe\r\n\r\nmore junk\r\n")
        self.wfile.flush()
        self.close_connection = True

    def r_never(self, body):
        tag = self.text_param("tag")
        if tag:
            with MARKS_LOCK:
                MARKS[tag] = MARKS.get(tag, 0) + 1
        STOP.wait(60)
        self.close_connection = True

    def r_drip(self, body):
        size, pause = self.param("bytes", 50), self.param("ms", 100)
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        for _ in range(size):
            if STOP.wait(pause / 1000.0):
                break
            self.wfile.write(b"d")
            self.wfile.flush()

    def r_big(self, body):
        size, chunked = self.param("bytes", 1 << 20), self.param("chunked", 0)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(size))
        self.end_headers()
        block = b"x" * 65536
        left = size
        try:
            while left > 0:
                piece = block[:min(left, len(block))]
                if chunked:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                else:
                    self.wfile.write(piece)
                left -= len(piece)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client stopped reading: expected

    def r_gzip(self, body):
        size = self.param("bytes", 1000)
        text = (b'{"n":1}' * (size // 7 + 1))[:size]
        self.send_body(200, gzip.compress(text), extra=[("Content-Encoding", "gzip")])

    def r_auth(self, body):
        expected = "Basic " + base64.b64encode(b"user:s3cret").decode()
        if self.headers.get("Authorization") == expected:
            return self.send_json(200, {"user": "user"})
        self.send_json(401, {"error": "unauthorized"},
                       extra=[("WWW-Authenticate", 'Basic realm="fault"')])

    def r_forbidden(self, body):
        self.send_json(403, {"error": {"root_cause": [{"type": "security_exception",
                       "reason": "no permissions for [indices:data/read/search]"}],
                       "type": "security_exception", "reason": "no permissions"}, "status": 403})

    def r_redirect(self, body):
        self.send_json(302, {"to": "/ok"}, extra=[("Location", "/ok")])

    def r_headers(self, body):
        self.send_json(200, {}, extra=[("X-Multi", "one"), ("x-multi", "two"),
                                       ("X-Mixed-Case", "Value")])

    def r_unused_port(self, body):
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        self.send_json(200, {"port": port})

    def r_blackhole_port(self, body):
        with MARKS_LOCK:
            if not BLACKHOLE:
                # listen(0) and never accept: once the queue holds a
                # connection or two, Linux drops further SYNs and a client's
                # connect() just waits -- a connect timeout on loopback.
                hole = socket.socket()
                hole.bind(("127.0.0.1", 0))
                hole.listen(0)
                BLACKHOLE.append(hole)
                for _ in range(3):
                    filler = socket.socket()
                    filler.setblocking(False)
                    filler.connect_ex(hole.getsockname())
                    BLACKHOLE.append(filler)
                time.sleep(0.05)
        self.send_json(200, {"port": BLACKHOLE[0].getsockname()[1]})

    def r_mark(self, body):
        tag = self.text_param("tag")
        with MARKS_LOCK:
            MARKS[tag] = MARKS.get(tag, 0) + 1
            count = MARKS[tag]
        self.send_json(200, {"tag": tag, "count": count})

    def r_marks(self, body):
        with MARKS_LOCK:
            count = MARKS.get(self.text_param("tag"), 0)
        self.send_json(200, {"count": count})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # parallel specs connect many clients at once

    def handle_error(self, request, client_address):
        # clients hanging up mid-response is what these routes provoke
        if not isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, TimeoutError)):
            super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pidfile")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--max-seconds", type=float, default=300)
    args = ap.parse_args()

    server = Server(("127.0.0.1", 0), Handler)
    if args.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*args.tls)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    end_with_parent(args.max_seconds, poll=0.2)
    sys.stdout.write("%d\n" % server.server_address[1])
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        STOP.set()


if __name__ == "__main__":
    main()
