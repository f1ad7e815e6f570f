#!/usr/bin/env python3
"""Writes N error lines made from the sample world's ERROR/FATAL messages,
for `tinkr errors` vs drain3 (bench/errors_bench.sh) and the grouping spec.

    bench/error_lines.py --lines 100000 --out FILE [--truth FILE.json]

Each line is a real error/fatal message of the world (scripts/otel_sample)
with every digit redrawn, so the variable parts vary as they would over a
longer day while every line still comes from one known format string.
--truth gets {"templates": {template: count}, "lines": N}.
Same arguments, same bytes.  Standard library only.
"""
import argparse
import json
import os
import random
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))

from otel_sample.world import World  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=100000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--truth")
    args = ap.parse_args()
    world = World().build()
    errors = [l for l in world.logs if l["level"] in ("ERROR", "FATAL")]
    rng = random.Random(7)
    digits = "0123456789"
    counts = {}
    with open(args.out, "w", encoding="utf-8") as f:
        for _ in range(args.lines):
            log = errors[rng.randrange(len(errors))]
            body = "".join(rng.choice(digits) if c.isdigit() else c for c in log["body"])
            f.write(body + "\n")
            counts[log["template"]] = counts.get(log["template"], 0) + 1
    if args.truth:
        with open(args.truth, "w", encoding="utf-8") as f:
            json.dump({"lines": args.lines, "templates": dict(sorted(counts.items()))}, f, indent=1)
    print("error_lines: %d lines from %d templates -> %s" % (args.lines, len(counts), args.out))


if __name__ == "__main__":
    main()
