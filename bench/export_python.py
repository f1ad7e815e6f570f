"""The usual Python export script, as the peer of `tinkr logs --limit 0
--format ndjson`: open a point in time, page with search_after (10,000 hits
a page, sorted by @timestamp desc then _id), and print the same row fields
tinkr prints (seed layout), one JSON object per line.  One kept-alive
connection (http.client), stdlib json.
usage: export_python.py HOST:PORT INDEX FROM_ISO TO_ISO"""
import http.client, json, sys

hostport, index, frm, to = sys.argv[1:5]
conn = http.client.HTTPConnection(hostport, timeout=120)

def call(method, path, body=None):
    conn.request(method, path, body=json.dumps(body) if body is not None else None,
                 headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    doc = json.loads(r.read())
    if r.status >= 300:
        sys.exit(f"{method} {path}: {r.status} {doc}")
    return doc

pit = call("POST", f"/{index}/_search/point_in_time?keep_alive=2m")["pit_id"]
query = {"bool": {"filter": [{"range": {"@timestamp": {"gte": frm, "lte": to}}}]}}
after = None
out = sys.stdout
dumps = json.dumps
while True:
    body = {"size": 10000, "query": query, "pit": {"id": pit, "keep_alive": "2m"},
            "sort": [{"@timestamp": "desc"}, {"_id": "asc"}], "track_total_hits": False}
    if after is not None:
        body["search_after"] = after
    hits = call("POST", "/_search", body)["hits"]["hits"]
    if not hits:
        break
    lines = []
    for h in hits:
        s = h["_source"]
        row = {"timestamp": s.get("@timestamp"), "service": s.get("resource", {}).get("service", {}).get("name"),
               "level": s.get("severity"), "trace_id": s.get("traceId"), "message": s.get("body"),
               "_id": h["_id"], "span_id": s.get("spanId"), "attributes": s.get("attributes")}
        lines.append(dumps({k: v for k, v in row.items() if v is not None}))
    out.write("\n".join(lines) + "\n")
    after = hits[-1]["sort"]
call("DELETE", "/_search/point_in_time", {"pit_id": [pit]})
