#!/usr/bin/env python3
"""A TCP proxy in front of a real server, for tinkr-server specs: a backend
URL the spec controls, that it can slow down (--delay-ms), hold until it
says so (--hold-file: requests wait until that file exists, so "while a
request waits on the backend" is certain, not a matter of timing), or kill
half-way through a load test without touching the shared stack.

Binds 127.0.0.1 on a free port, writes its pid to --pidfile, then prints the
port as the first line of stdout.  Exits when killed, when its parent goes
away, or after --max-seconds.
"""
import argparse
import os
import socket
import sys
import threading
import time
from lifetime import end_with_parent


def pipe(src, dst, delay_s, hold_file=None):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if delay_s:
                time.sleep(delay_s)
            while hold_file and not os.path.exists(hold_file):
                time.sleep(0.02)
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(client, target, delay_s, hold_file):
    try:
        upstream = socket.create_connection(target, timeout=5)
        upstream.settimeout(None)
    except OSError:
        client.close()
        return
    # Only requests are delayed: the answer comes back as fast as it can.
    t = threading.Thread(target=pipe, args=(client, upstream, delay_s, hold_file), daemon=True)
    t.start()
    pipe(upstream, client, 0)
    t.join()
    client.close()
    upstream.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", required=True, help="host:port to forward to")
    ap.add_argument("--delay-ms", type=int, default=0)
    ap.add_argument("--hold-file", help="forward no request until this file exists")
    ap.add_argument("--pidfile", required=True)
    ap.add_argument("--max-seconds", type=float, default=600)
    ap.add_argument("--port", type=int, default=0, help="listen here (a restarted proxy takes its old port)")
    args = ap.parse_args()
    host, port = args.target.rsplit(":", 1)
    target = (host, int(port))

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(512)
    with open(args.pidfile, "w") as f:
        f.write(str(os.getpid()))
    print(listener.getsockname()[1], flush=True)

    end_with_parent(args.max_seconds)
    while True:
        client, _ = listener.accept()
        threading.Thread(target=serve, args=(client, target, args.delay_ms / 1000.0, args.hold_file),
                         daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
