"""A log writer for the --follow specs: indexes seed-layout log documents
into a real OpenSearch while tinkr follows them.
usage: log_writer.py URL INDEX GO_FILE BATCHES
Creates INDEX, prints "ready", waits for GO_FILE to exist, then writes
BATCHES batches 0.15 s apart: three documents sharing one timestamp, and
every fourth batch one "late" document whose timestamp is 2 s in the past
(stored after newer ones, as a slow shipper does).  Every third document is
ERROR.  Prints one JSON line per document written: {"seq", "ts", "level", "late"}.
A count, not a duration: how much gets written must not depend on how fast
a loaded machine lets OpenSearch index."""
import json, os, sys, time, urllib.request

url, index, go_file, batches = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3], int(sys.argv[4])

def call(method, path, body, ctype="application/json"):
    req = urllib.request.Request(url + path, data=body, method=method, headers={"Content-Type": ctype})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)

call("PUT", f"/{index}", json.dumps({
    "settings": {"number_of_shards": 1, "number_of_replicas": 0},
    "mappings": {"properties": {
        "@timestamp": {"type": "date"}, "severity": {"type": "keyword"}, "body": {"type": "text"},
        "traceId": {"type": "keyword"}, "spanId": {"type": "keyword"},
        "resource": {"properties": {"service": {"properties": {"name": {"type": "keyword"}}}}}}},
}).encode())
print("ready", flush=True)
while not os.path.exists(go_file):
    time.sleep(0.02)

seq = 0
for batch in range(batches):
    now_ms = int(time.time() * 1000)
    docs = []
    for _ in range(3):                      # three lines, one timestamp
        docs.append((seq, now_ms, False))
        seq += 1
    if batch % 4 == 3:
        docs.append((seq, now_ms - 2000, True))
        seq += 1
    lines = []
    for s, ts, late in docs:
        level = "ERROR" if s % 3 == 0 else "INFO"
        lines.append('{"index":{}}')
        lines.append(json.dumps({"@timestamp": ts, "severity": level, "body": f"follow seq={s}",
                                 "resource": {"service": {"name": "follow-writer"}}}))
    res = call("POST", f"/{index}/_bulk", ("\n".join(lines) + "\n").encode(), "application/x-ndjson")
    if res.get("errors"):
        sys.exit("bulk failed: " + json.dumps(res)[:300])
    for s, ts, late in docs:
        print(json.dumps({"seq": s, "ts": ts, "level": "ERROR" if s % 3 == 0 else "INFO", "late": late}), flush=True)
    time.sleep(0.15)
