#!/usr/bin/env python3
"""A webhook receiver for the `tinkr watch` specs: a real HTTP server on
127.0.0.1 (free port, printed as the first line of stdout) that appends
every POST as one JSON line {"path", "content_type", "body"} to --out.
--fail-first N answers the first N posts with 500 (to see retries).
Exits when its parent goes away or after --max-seconds."""
import argparse, http.server, json, threading

from lifetime import end_with_parent

ap = argparse.ArgumentParser()
ap.add_argument("--out", required=True)
ap.add_argument("--fail-first", type=int, default=0)
ap.add_argument("--max-seconds", type=float, default=300)
args = ap.parse_args()
lock = threading.Lock()
state = {"posts": 0}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8", "replace")
        with lock:
            state["posts"] += 1
            fail = state["posts"] <= args.fail_first
            if not fail:
                with open(args.out, "a") as f:
                    f.write(json.dumps({"path": self.path, "content_type": self.headers.get("Content-Type"),
                                        "body": body}) + "\n")
        self.send_response(500 if fail else 200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"receiver says no\n" if fail else b"ok\n")

    def log_message(self, *a):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
end_with_parent(args.max_seconds)
server.serve_forever()
