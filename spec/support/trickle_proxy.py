#!/usr/bin/env python3
"""Answers that arrive slowly, for specs of work done while a response
arrives (core.map.stream): forwards each request to a real server
(--target host:port) and trickles the answer back, --piece bytes every
--gap-ms.  With --file instead, it is a stand-in server (named as such in
the specs): every request gets 200 and that file as application/json, for
bodies a real server never sends (broken JSON half-way through).

Binds 127.0.0.1 on a free port and prints it and its pid as the first
line of stdout.
Exits when its parent goes away or after --max-seconds.
"""
import argparse
import os
import socket
import threading
import time
from lifetime import end_with_parent


def trickle(dst, data, piece, gap_s):
    for i in range(0, len(data), piece):
        dst.sendall(data[i:i + piece])
        if gap_s:
            time.sleep(gap_s)


def read_request(conn):
    """The request head and body (by Content-Length), as bytes."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def answer_from(target, request):
    """The whole answer of the real server (it closes: Connection: close)."""
    head, _, body = request.partition(b"\r\n\r\n")
    lines = [l for l in head.split(b"\r\n") if not l.lower().startswith(b"connection:")]
    request = b"\r\n".join(lines + [b"Connection: close"]) + b"\r\n\r\n" + body
    with socket.create_connection(target, timeout=30) as up:
        up.sendall(request)
        chunks = []
        while True:
            chunk = up.recv(1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def serve(conn, args, target, file_body):
    try:
        request = read_request(conn)
        if request is None:
            return
        if file_body is not None:
            answer = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                      b"Connection: close\r\n\r\n" % len(file_body)) + file_body
        else:
            answer = answer_from(target, request)
        trickle(conn, answer, args.piece, args.gap_ms / 1000.0)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", help="host:port of the real server")
    ap.add_argument("--file", help="stand-in: answer every request with this JSON file")
    ap.add_argument("--piece", type=int, default=65536)
    ap.add_argument("--gap-ms", type=float, default=5)
    ap.add_argument("--max-seconds", type=float, default=300)
    args = ap.parse_args()
    target = None
    if args.target:
        host, port = args.target.rsplit(":", 1)
        target = (host, int(port))
    file_body = open(args.file, "rb").read() if args.file else None

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print(listener.getsockname()[1], os.getpid(), flush=True)

    end_with_parent(args.max_seconds)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn, args, target, file_body), daemon=True).start()


if __name__ == "__main__":
    main()
