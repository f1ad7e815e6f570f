#!/usr/bin/env python3
"""A recording HTTP proxy in front of the real OpenSearch, for specs that
count the requests a command makes (the mapping cache: one round trip, not
two).  Not a stand-in: every request goes to the real server and its real
answer comes back; the proxy only appends "METHOD PATH" to --log, one line
per request, before forwarding it.

Binds 127.0.0.1 on a free port, writes its pid to --pidfile, prints the
port as the first line of stdout.  Exits when killed, when its parent goes
away, or after --max-seconds.
"""
import argparse
import http.client
import http.server
import os
import sys
import threading
import urllib.parse
from lifetime import end_with_parent

HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
       "proxy-authorization", "proxy-authenticate", "content-length"}


def handler_for(upstream, log_path, lock):
    class Recorder(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def relay(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            with lock, open(log_path, "a") as f:
                f.write("%s %s\n" % (self.command, self.path))
            conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            conn.request(self.command, self.path, body=body, headers=headers)
            res = conn.getresponse()
            data = res.read()
            conn.close()
            self.send_response(res.status, res.reason)
            for k, v in res.getheaders():
                if k.lower() not in HOP:
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = relay

    return Recorder


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True, help="e.g. http://127.0.0.1:19200")
    ap.add_argument("--log", required=True)
    ap.add_argument("--pidfile", required=True)
    ap.add_argument("--max-seconds", type=float, default=600)
    args = ap.parse_args()
    upstream = urllib.parse.urlparse(args.upstream)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             handler_for(upstream, args.log, threading.Lock()))
    server.daemon_threads = True
    with open(args.pidfile, "w") as f:
        f.write(str(os.getpid()))
    print(server.server_address[1], flush=True)
    end_with_parent(args.max_seconds)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
