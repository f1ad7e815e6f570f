#!/usr/bin/env python3
"""A fake OpenSearch / Prometheus (named such: installed as `java` and
`prometheus` on PATH) that loses the race for its port, as when two stacks
pick the same free port at once: another process group -- the impostor,
standing in for the other stack's server -- takes the port and answers 200
to every request, logging each; this one then exits as a server that could
not bind.  The port comes from the arguments scripts/stack passes:
`... TinkrOpenSearchNode HOME PORT TPORT` or `--web.listen-address=HOST:PORT`.
The impostor's pid goes to $PORT_TAKER_DIR/impostor.pid, its requests to
$PORT_TAKER_DIR/requests."""
import os
import socket
import subprocess
import sys
import time

IMPOSTOR = r'''
import http.server, sys
log = sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def answer(self):
        with open(log, "a") as f:
            f.write(self.command + " " + self.path + "\n")
        body = b'{"status":"green"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_GET = do_PUT = do_POST = do_HEAD = answer
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
'''


def port_of(argv):
    for a in argv:
        if a.startswith("--web.listen-address="):
            return int(a.rsplit(":", 1)[1])
    if "TinkrOpenSearchNode" in argv:
        return int(argv[argv.index("TinkrOpenSearchNode") + 2])
    sys.exit("port_taker: no port in " + " ".join(argv))


def main():
    port, out = port_of(sys.argv[1:]), os.environ["PORT_TAKER_DIR"]
    imp = subprocess.Popen([sys.executable, "-c", IMPOSTOR, str(port), out + "/requests"],
                           start_new_session=True, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(out + "/impostor.pid", "w") as f:
        f.write(str(imp.pid))
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if imp.poll() is not None or time.monotonic() > deadline:
                sys.exit("port_taker: the impostor did not listen on %d" % port)
            time.sleep(0.02)
    sys.exit("port_taker: address 127.0.0.1:%d already in use" % port)


if __name__ == "__main__":
    main()
