"""The Python peer of `tinkr logs --limit 10000 --format ndjson` (ss4o
layout): POST the same DSL with urllib, decode with json, and print the same
row fields tinkr prints, one JSON object per line."""
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
    row = {
        "timestamp": s.get("@timestamp"), "service": res.get("service.name"),
        "level": sev.get("text"), "trace_id": s.get("traceId"), "message": s.get("body"),
        "_id": hit["_id"], "attributes": s.get("attributes"), "resource": res,
        "severity_number": sev.get("number"), "span_id": s.get("spanId"),
    }
    out.write(json.dumps({k: v for k, v in row.items() if v is not None}) + "\n")
