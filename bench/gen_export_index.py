"""Makes (once) an OpenSearch index of N seed-layout log documents for the
export bench: bench/gen_export_index.py URL INDEX N ANCHOR_EPOCH_S.

Reused when it already holds N documents and its load finished (the load
sets refresh_interval back last, so an interrupted one is never reused).
Documents spread evenly over the hour before ANCHOR (epoch-ms timestamps).
The index is hidden: the specs share this OpenSearch, and index discovery
and `tinkr doctor` (which list every index) must not find it; naming it
still works.

Loading 1,000,000 documents on a busy 2-core machine is the slow part, so:
no replicas, no refresh and an async translog while loading; bulk bodies of
about 20 MB; documents written with string formatting (json.dumps per
document costs more than OpenSearch's parse); and the next body is built
while OpenSearch indexes the current one (one sender thread)."""
import json, queue, random, sys, threading, time, urllib.error, urllib.request

url, index, n, anchor = sys.argv[1].rstrip("/"), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
BATCH = 50000


def call(method, path, body=None, ctype="application/json", timeout=600):
    req = urllib.request.Request(url + path, data=body, method=method, headers={"Content-Type": ctype})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def say(msg):
    print(f"gen_export_index: {msg}", file=sys.stderr, flush=True)


status, doc = call("GET", f"/{index}/_count")
if status == 200 and doc.get("count") == n:
    _, st = call("GET", f"/{index}/_settings/index.refresh_interval?include_defaults=false")
    if st.get(index, {}).get("settings", {}).get("index", {}).get("refresh_interval") != "-1":
        call("PUT", f"/{index}/_settings", json.dumps({"index": {"hidden": True}}).encode())
        say(f"{index} already holds {n} documents; reused")
        sys.exit(0)
call("DELETE", f"/{index}")
mapping = {
    "settings": {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "-1", "hidden": True,
                 "translog": {"durability": "async", "flush_threshold_size": "1gb"}},
    "mappings": {"properties": {
        "@timestamp": {"type": "date"}, "severity": {"type": "keyword"}, "body": {"type": "text"},
        "traceId": {"type": "keyword"}, "spanId": {"type": "keyword"},
        "resource": {"properties": {"service": {"properties": {"name": {"type": "keyword"}}}}},
        "attributes": {"properties": {"http": {"properties": {"route": {"type": "keyword"},
            "response": {"properties": {"status_code": {"type": "long"}}}}}}},
    }},
}
status, doc = call("PUT", f"/{index}", json.dumps(mapping).encode())
if status != 200:
    sys.exit(f"cannot create {index}: {doc}")

rng = random.Random(12)
services = ["frontend", "checkout", "payments-api", "inventory", "shipping"]
levels = ["INFO"] * 6 + ["DEBUG"] * 2 + ["WARN", "ERROR"]
routes = ["/cart", "/checkout", "/pay", "/items/{id}", "/ship"]
codes = [200, 200, 200, 404, 500]
start_ms = anchor * 1000 - 3600 * 1000
# Every value below is plain ASCII without quotes or backslashes: no escaping needed.
DOC = ('{"index":{}}\n{"@timestamp":%d,"severity":"%s","body":"request %d handled in %d ms for user u-%05d",'
       '"traceId":"%032x","spanId":"%016x","resource":{"service":{"name":"%s"}},'
       '"attributes":{"http":{"route":"%s","response":{"status_code":%d}}}}\n')

bodies = queue.Queue(maxsize=1)
failure = []


def sender():
    while True:
        item = bodies.get()
        if item is None:
            return
        base, body = item
        status, doc = call("POST", f"/{index}/_bulk", body, "application/x-ndjson")
        if status != 200 or doc.get("errors"):
            first = next((i for i in doc.get("items", []) if "error" in i.get("index", {})), doc)
            failure.append(f"bulk load into {index} failed at {base}: status {status}: {str(first)[:300]}")
            return


t0 = time.monotonic()
worker = threading.Thread(target=sender, daemon=True)
worker.start()
choice, randint, bits = rng.choice, rng.randint, rng.getrandbits
for base in range(0, n, BATCH):
    parts = []
    for i in range(base, min(n, base + BATCH)):
        parts.append(DOC % (start_ms + (i * 3600 * 1000) // n, choice(levels), i, randint(1, 900),
                            randint(0, 99999), bits(128), bits(64), choice(services), choice(routes), choice(codes)))
    body = "".join(parts).encode()
    while worker.is_alive():
        try:
            bodies.put((base, body), timeout=1)
            break
        except queue.Full:
            pass
    if failure or not worker.is_alive():
        break
    if base and base % 200000 == 0:
        say(f"{base} of {n} documents sent ({time.monotonic() - t0:.0f} s)")
if worker.is_alive():
    bodies.put(None)
worker.join()
if failure:
    sys.exit(failure[0])
call("POST", f"/{index}/_refresh")
status, doc = call("GET", f"/{index}/_count")
if doc.get("count") != n:
    sys.exit(f"{index} holds {doc.get('count')} documents, expected {n}")
# Last: marks the load finished (see the reuse check above).
call("PUT", f"/{index}/_settings", json.dumps({"index": {"refresh_interval": None,
                                                         "translog": {"durability": "request"}}}).encode())
say(f"{index}: {n} documents loaded in {time.monotonic() - t0:.0f} s")
