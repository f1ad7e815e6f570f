#!/usr/bin/env python3
"""Writes tinkr's deterministic OTel sample data and its expected answers.

    scripts/gen-otel-data.py --out DIR

DIR gets:
  plan.tsv        what scripts/stack sends to OpenSearch, in order:
                  METHOD <tab> PATH <tab> FILE (relative to DIR, may be empty)
  setup/*.json    index templates and index bodies
  bulk/*.ndjson   _bulk bodies of a few MB each
  metrics.om      OpenMetrics text for promtool tsdb create-blocks-from openmetrics
  expected.json   the manifest: counts, slowest traces, bursts, PromQL answers

Same seed, same bytes: run it twice and the files are identical.
Standard library only.
"""
import argparse
import hashlib
import json
import os
import shutil
import sys

sys.dont_write_bytecode = True     # keep scripts/otel_sample free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from otel_sample import layouts, manifest, metrics  # noqa: E402
from otel_sample.world import SEED, World  # noqa: E402

CHUNK_BYTES = 4 * 1024 * 1024


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


class BulkWriter:
    """Splits one index's documents into _bulk bodies of about CHUNK_BYTES."""

    def __init__(self, out_dir, plan):
        self.out_dir, self.plan = out_dir, plan
        self.seq = 0

    def write(self, target, action, docs):
        head = dumps({action: {"_index": target}}) + "\n"
        buf, size, count = [], 0, 0
        for doc in docs:
            line = head + dumps(doc) + "\n"
            buf.append(line)
            size += len(line)
            count += 1
            if size >= CHUNK_BYTES:
                self._flush(buf)
                buf, size = [], 0
        if buf:
            self._flush(buf)
        return count

    def _flush(self, lines):
        self.seq += 1
        rel = "bulk/%04d.ndjson" % self.seq
        with open(os.path.join(self.out_dir, rel), "w", encoding="utf-8") as f:
            f.writelines(lines)
        self.plan.append(("POST", "_bulk", rel))


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="output directory (replaced)")
    args = ap.parse_args()
    out = args.out
    if os.path.isdir(out):
        shutil.rmtree(out)
    for sub in ("", "setup", "bulk"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)

    world = World(SEED).build()
    roots = {tid: root for tid, _, root, _ in world.traces}

    plan = []
    for layout in layouts.ALL:          # start from nothing, every time
        for kind in ("logs", "traces"):
            if layout[kind + "_index"]:
                plan.append(("DELETE", layout[kind + "_index"], ""))
        for template in layout["templates"]:
            plan.append(("DELETE", template, ""))
    for layout in layouts.ALL:
        for i, (method, path, body) in enumerate(layout["setup"]):
            rel = "setup/%s-%d.json" % (layout["name"], i)
            with open(os.path.join(out, rel), "w", encoding="utf-8") as f:
                f.write(dumps(body))
            plan.append((method, path, rel))

    bulk = BulkWriter(out, plan)
    index_counts = {}
    for layout in layouts.ALL:
        index_counts[layout["logs_index"]] = bulk.write(
            layouts.bulk_target(layout, "logs"), layout["bulk_action"],
            (layout["log"](l) for l in world.logs))
        if layout["traces_index"]:
            index_counts[layout["traces_index"]] = bulk.write(
                layouts.bulk_target(layout, "traces"), layout["bulk_action"],
                (layout["span"](s, roots[s["trace_id"]]) for s in world.spans))
    plan.append(("POST", "_refresh", ""))

    with open(os.path.join(out, "plan.tsv"), "w", encoding="utf-8") as f:
        for method, path, rel in plan:
            f.write("%s\t%s\t%s\n" % (method, path, rel))
    with open(os.path.join(out, "counts.tsv"), "w", encoding="utf-8") as f:
        for index, n in index_counts.items():
            f.write("%s\t%d\n" % (index, n))

    times, series = metrics.build(world)
    metrics.write_openmetrics(os.path.join(out, "metrics.om"), times, series)

    # scripts/stack reloads a server when its hash differs from what it loaded
    files = {"metrics.om": sha256(os.path.join(out, "metrics.om")),
             "bulk": hashlib.sha256("".join(
                 sha256(os.path.join(out, rel)) for _, _, rel in plan if rel
             ).encode()).hexdigest()}
    facts = manifest.build(world, layouts.ALL, series, index_counts, files)
    with open(os.path.join(out, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(facts, f, indent=1, sort_keys=False)
        f.write("\n")

    t = facts["traces"]
    print("gen-otel-data: %d logs x 5 layouts, %d spans (%d traces) x 3 layouts, %d series -> %s"
          % (facts["logs"]["total"], t["spans"], t["traces"], facts["metrics"]["series"], out))
    print("gen-otel-data: slowest root %s %s %.1f ms" % (
        t["slowest_root"]["trace_id"], t["slowest_root"]["service"],
        t["slowest_root"]["duration_ns"] / 1e6))


if __name__ == "__main__":
    main()
