#!/usr/bin/env python3
"""Sends raw bytes to a port and prints the answer: status line, then the
headers, a blank line and the body.  For requests no HTTP client would send
(a 100 kB path, a bad request line or Content-Length).  Usage:
raw_http.py PORT  (the request bytes on stdin)"""
import socket
import sys

port = int(sys.argv[1])
request = sys.stdin.buffer.read()
with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
    # No half-close: the server could take it for a client that went away.
    # Requests say "Connection: close" (or are ones the server refuses and
    # closes), so the answer ends when the server closes.
    try:
        s.sendall(request)
    except OSError:
        pass  # the server may answer and close before reading everything
    chunks = []
    while True:
        try:
            data = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not data:
            break
        chunks.append(data)
sys.stdout.buffer.write(b"".join(chunks))
