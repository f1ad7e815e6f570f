#!/usr/bin/env python3
"""Fires N GET requests at a URL, C at a time (threads, one connection per
request), and kills a process (the backend proxy) once half of them have
been answered.  Prints one JSON object: {"statuses": {"200": n, ...},
"failures": [...], "killed_after": k, "seconds": s}.  A failure is a request
that got no HTTP answer at all (refused, reset, timeout)."""
import argparse
import http.client
import json
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=200)
    ap.add_argument("--kill-pid", type=int, help="SIGKILL this pid half-way")
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--header", action="append", default=[])
    args = ap.parse_args()
    u = urlsplit(args.url)
    path = u.path + ("?" + u.query if u.query else "")
    headers = dict(h.split(": ", 1) for h in args.header)

    lock = threading.Lock()
    statuses, failures = {}, []
    done = [0]
    killed_after = [None]

    def one(_):
        status = None
        try:
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=args.timeout)
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            resp.read()
            status = str(resp.status)
            conn.close()
        except Exception as e:  # noqa: BLE001 - every failure is counted
            failure = type(e).__name__ + ": " + str(e)
        with lock:
            if status:
                statuses[status] = statuses.get(status, 0) + 1
            else:
                failures.append(failure)
            done[0] += 1
            if args.kill_pid and killed_after[0] is None and done[0] >= args.requests // 2:
                killed_after[0] = done[0]
                try:
                    os.kill(args.kill_pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        list(pool.map(one, range(args.requests)))
    print(json.dumps({"statuses": statuses, "failures": failures[:20], "failure_count": len(failures),
                      "killed_after": killed_after[0], "seconds": time.monotonic() - t0}))


if __name__ == "__main__":
    main()
