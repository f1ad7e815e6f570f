"""Creates (once) an OpenSearch index of N seed-layout log documents for the
export bench: bench/gen_export_index.py URL INDEX N ANCHOR_EPOCH_S.
Reuses the index when it already holds N documents.  Documents spread
evenly over the hour before ANCHOR (epoch-ms timestamps)."""
import json, random, sys, urllib.error, urllib.request

url, index, n, anchor = sys.argv[1].rstrip("/"), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

def call(method, path, body=None, ctype="application/json"):
    req = urllib.request.Request(url + path, data=body, method=method, headers={"Content-Type": ctype})
    try:
        with urllib.request.urlopen(req, timeout=300) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)

status, doc = call("GET", f"/{index}/_count")
if status == 200 and doc.get("count") == n:
    sys.exit(0)
call("DELETE", f"/{index}")
mapping = {
    "settings": {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "-1"},
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
start_ms = anchor * 1000 - 3600 * 1000
BATCH = 20000
for base in range(0, n, BATCH):
    lines = []
    for i in range(base, min(n, base + BATCH)):
        ts = start_ms + (i * 3600 * 1000) // n
        t = "%d.%03d" % divmod(ts, 1000)
        lines.append('{"index":{}}')
        lines.append(json.dumps({
            "@timestamp": ts, "severity": rng.choice(levels),
            "body": "request %d handled in %d ms for user u-%05d" % (i, rng.randint(1, 900), rng.randint(0, 99999)),
            "traceId": "%032x" % rng.getrandbits(128), "spanId": "%016x" % rng.getrandbits(64),
            "resource": {"service": {"name": rng.choice(services)}},
            "attributes": {"http": {"route": rng.choice(routes), "response": {"status_code": rng.choice([200, 200, 200, 404, 500])}}},
        }))
    status, doc = call("POST", f"/{index}/_bulk", ("\n".join(lines) + "\n").encode(), "application/x-ndjson")
    if status != 200 or doc.get("errors"):
        sys.exit(f"bulk load into {index} failed at {base}: status {status}")
call("PUT", f"/{index}/_settings", json.dumps({"index": {"refresh_interval": "1s"}}).encode())
call("POST", f"/{index}/_refresh")
status, doc = call("GET", f"/{index}/_count")
if doc.get("count") != n:
    sys.exit(f"{index} holds {doc.get('count')} documents, expected {n}")
