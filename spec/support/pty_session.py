#!/usr/bin/env python3
"""Drives a program on a pseudo-terminal, as a person at a keyboard would.

usage: pty_session.py STEPS.json -- CMD [ARGS...]

STEPS is a list of {"send": text} and {"expect": text, "timeout": s}.
"expect" waits until the text has appeared in the output since the last
expect.  Prints a JSON object: {"output": all output, "status": exit status,
"failed_expect": the text that never appeared, or null}.
"""
import json, os, pty, select, signal, sys, time

def main():
    steps = json.load(open(sys.argv[1]))
    cmd = sys.argv[sys.argv.index("--") + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "dumb"
        os.execvp(cmd[0], cmd)
    out = b""
    seen = 0
    failed = None

    def pump(deadline):
        nonlocal out
        while True:
            left = deadline - time.time()
            if left <= 0:
                return False
            r, _, _ = select.select([fd], [], [], min(left, 0.05))
            if r:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    return True
                if not data:
                    return True
                out += data
                return False

    for step in steps:
        if "send" in step:
            os.write(fd, step["send"].encode())
        elif "expect" in step:
            want = step["expect"].encode()
            deadline = time.time() + step.get("timeout", 5)
            while want not in out[seen:]:
                if pump(deadline) or time.time() >= deadline:
                    break
            idx = out.find(want, seen)
            if idx < 0:
                failed = step["expect"]
                break
            seen = idx + len(want)
        elif "sleep" in step:
            end = time.time() + step["sleep"]
            while time.time() < end:
                pump(end)

    deadline = time.time() + 5
    status = None
    while time.time() < deadline:
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(st)
            break
        pump(time.time() + 0.05)
    if status is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        status = "killed"
    try:
        while pump(time.time() + 0.05) is False and select.select([fd], [], [], 0)[0]:
            pass
    except OSError:
        pass
    print(json.dumps({"output": out.decode("utf-8", "replace"), "status": status,
                      "failed_expect": failed}))

main()
