"""The Python peer of `tinkr logs --limit 10000 --format ndjson`: POST the
same DSL with urllib, decode with json, print one projected row per line."""
import json, sys, urllib.request

url, body_file = sys.argv[1], sys.argv[2]
body = open(body_file, "rb").read()
req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
doc = json.load(urllib.request.urlopen(req))
out = sys.stdout
for hit in doc["hits"]["hits"]:
    s = hit["_source"]
    res = s.get("resource", {})
    sev = s.get("severity", {})
    out.write(json.dumps({
        "timestamp": s.get("@timestamp"), "service": res.get("service.name"),
        "level": sev.get("text"), "message": s.get("body"),
        "trace_id": s.get("traceId"), "span_id": s.get("spanId"),
    }) + "\n")
