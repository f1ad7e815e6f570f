"""The lifetime of a spec's helper server (the proxies, the fault server,
the webhook receiver): it ends when the spec that started it is gone (its
parent changed) or after max_seconds, whichever comes first, so a spec that
crashed or was killed never leaves one running."""
import os
import threading
import time


def end_with_parent(max_seconds, poll=0.5):
    parent, deadline = os.getppid(), time.monotonic() + max_seconds

    def watch():
        while time.monotonic() < deadline and os.getppid() == parent:
            time.sleep(poll)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
