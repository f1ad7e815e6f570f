# Python's side of the map benchmark: json + dict walk, same projection as
# bench/map_tinkr.lua.
import json
import sys

with open(sys.argv[1], "rb") as f:
    doc = json.load(f)
rows = []
for h in doc["hits"]["hits"]:
    s = h["_source"]
    rows.append({
        "service": s["resource"]["service.name"],
        "level": s["severity"]["text"],
        "timestamp": s["@timestamp"],
        "message": s["body"],
        "trace_id": s["traceId"],
    })
print(len(rows))
