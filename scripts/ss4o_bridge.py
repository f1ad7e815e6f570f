#!/usr/bin/env python3
"""A stand-in for the Collector's opensearch exporter (ss4o mode).

The contrib opensearch exporter cannot be built on these machines (the Go
module proxy refuses it), so the stack's real Collector sends logs and
traces with its otlphttp exporter (encoding: json) to this bridge, which
writes each record into OpenSearch as the exporter's default "ss4o" mapping
mode would (exporter/opensearchexporter encoder.go + sso_model.go: field
names and order, Go time format, resource values as strings, span
@timestamp left at Go's zero time, data_stream attributes with the
exporter's default dataset/namespace, bulk "create" actions, no template).

    ss4o_bridge.py --listen 127.0.0.1:PORT --opensearch URL \
                   [--logs-index otel-logs] [--traces-index otel-traces]

Stdlib only.  Every OpenSearch call is bounded by a timeout; a failed bulk
answers the Collector with 502 so its retry logic sees the failure.
"""
import argparse
import base64
import datetime
import json
import os
import sys
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from otel_sample.timefmt import go_rfc3339nano  # noqa: E402

GO_ZERO_TIME = "0001-01-01T00:00:00Z"
MAX_BODY = 32 * 1024 * 1024
KINDS = ["Unspecified", "Internal", "Server", "Client", "Producer", "Consumer"]
STATUS = ["Unset", "Ok", "Error"]


def any_value(v):
    """OTLP/JSON AnyValue -> the Go value pcommon's AsRaw() gives."""
    if "stringValue" in v:
        return v["stringValue"]
    if "boolValue" in v:
        return bool(v["boolValue"])
    if "intValue" in v:
        return int(v["intValue"])
    if "doubleValue" in v:
        return float(v["doubleValue"])
    if "arrayValue" in v:
        return [any_value(x) for x in v["arrayValue"].get("values", [])]
    if "kvlistValue" in v:
        return attributes(v["kvlistValue"].get("values", []))
    if "bytesValue" in v:
        return v["bytesValue"]          # base64 text, as AsRaw()+json does
    return None


def as_string(v):
    """pcommon.Value.AsString(): how resource attributes are stored."""
    raw = any_value(v)
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, float):
        return repr(raw) if raw != int(raw) else "%d" % raw
    if isinstance(raw, (list, dict)):
        return json.dumps(raw, separators=(",", ":"), sort_keys=True)
    return "" if raw is None else str(raw)


def attributes(kvs):
    return {kv["key"]: any_value(kv.get("value", {})) for kv in kvs}


def sorted_map(m):
    return {k: m[k] for k in sorted(m)}


def hex_id(v):
    """OTLP/JSON ids are hex; an absent id prints as "" (pcommon's String())."""
    if not v:
        return ""
    if len(v) in (16, 32) and all(c in "0123456789abcdefABCDEF" for c in v):
        return v.lower()
    return base64.b64decode(v).hex()


def ns(v):
    return int(v or 0)


def now_text():
    return go_rfc3339nano(int(datetime.datetime.now(datetime.timezone.utc).timestamp() * 1e9))


def data_stream(attrs, kind):
    attrs["data_stream"] = {"dataset": "default", "namespace": "namespace", "type": kind}
    return sorted_map(attrs)


def scope_doc(scope, schema_url, with_dropped):
    doc = {}
    if scope.get("attributes"):
        doc["attributes"] = sorted_map(attributes(scope["attributes"]))
    if with_dropped:
        doc["droppedAttributesCount"] = scope.get("droppedAttributesCount", 0)
    doc["name"] = scope.get("name", "")
    doc["schemaUrl"] = schema_url
    doc["version"] = scope.get("version", "")
    if not with_dropped:          # the log struct omits empty values
        doc = {k: v for k, v in doc.items() if v}
    return doc


def log_doc(resource, scope, schema_url, rec):
    doc = {"attributes": data_stream(attributes(rec.get("attributes", [])), "record")}
    body = rec.get("body", {})
    doc["body"] = as_string(body) if body else ""
    doc["instrumentationScope"] = scope_doc(scope, schema_url, False)
    doc["observedTimestamp"] = now_text()
    if resource:
        doc["resource"] = resource
    if schema_url:
        doc["schemaUrl"] = schema_url
    severity = {}
    if rec.get("severityText"):
        severity["text"] = rec["severityText"]
    if rec.get("severityNumber"):
        severity["number"] = int(rec["severityNumber"])
    doc["severity"] = severity
    if hex_id(rec.get("spanId")):
        doc["spanId"] = hex_id(rec.get("spanId"))
    doc["@timestamp"] = go_rfc3339nano(ns(rec.get("timeUnixNano")))
    if hex_id(rec.get("traceId")):
        doc["traceId"] = hex_id(rec.get("traceId"))
    return doc


def span_doc(resource, scope, schema_url, span):
    doc = {"attributes": data_stream(attributes(span.get("attributes", [])), "span"),
           "droppedAttributesCount": span.get("droppedAttributesCount", 0),
           "droppedEventsCount": span.get("droppedEventsCount", 0),
           "droppedLinksCount": span.get("droppedLinksCount", 0),
           "endTime": go_rfc3339nano(ns(span.get("endTimeUnixNano")))}
    events = []
    for e in span.get("events", []):
        ev = {"attributes": sorted_map(attributes(e.get("attributes", []))),
              "droppedAttributesCount": e.get("droppedAttributesCount", 0),
              "name": e.get("name", "")}
        if ns(e.get("timeUnixNano")):
            ev["@timestamp"] = go_rfc3339nano(ns(e.get("timeUnixNano")))
        else:
            ev["observedTimestamp"] = now_text()
        events.append(ev)
    if events:
        doc["events"] = events
    doc["instrumentationScope"] = scope_doc(scope, schema_url, True)
    doc["kind"] = KINDS[int(span.get("kind", 0))]
    links = []
    for link in span.get("links", []):
        entry = {}
        if link.get("attributes"):
            entry["attributes"] = sorted_map(attributes(link["attributes"]))
        entry["spanId"] = hex_id(link.get("spanId"))
        entry["traceId"] = hex_id(link.get("traceId"))
        if link.get("traceState"):
            entry["traceState"] = link["traceState"]
        if link.get("droppedAttributesCount"):
            entry["droppedAttributesCount"] = link["droppedAttributesCount"]
        links.append({k: v for k, v in entry.items() if v})
    if links:
        doc["links"] = links
    status = span.get("status", {})
    doc.update({
        "name": span.get("name", ""),
        "parentSpanId": hex_id(span.get("parentSpanId")),
    })
    if resource:
        doc["resource"] = resource
    doc.update({
        "spanId": hex_id(span.get("spanId")),
        "startTime": go_rfc3339nano(ns(span.get("startTimeUnixNano"))),
        "status": {"code": STATUS[int(status.get("code", 0))], "message": status.get("message", "")},
        "@timestamp": GO_ZERO_TIME,        # never set by the exporter
        "traceId": hex_id(span.get("traceId")),
        "traceState": span.get("traceState", ""),
    })
    return doc


def documents(payload, kind):
    """OTLP/JSON export request -> ss4o documents."""
    outer, inner, records = {
        "logs": ("resourceLogs", "scopeLogs", "logRecords"),
        "traces": ("resourceSpans", "scopeSpans", "spans"),
    }[kind]
    for rl in payload.get(outer, []):
        res = rl.get("resource", {})
        resource = sorted_map({kv["key"]: as_string(kv.get("value", {}))
                               for kv in res.get("attributes", [])})
        for sl in rl.get(inner, []):
            scope = sl.get("scope", {})
            schema_url = sl.get("schemaUrl", "") or rl.get("schemaUrl", "")
            for rec in sl.get(records, []):
                if kind == "logs":
                    yield log_doc(resource, scope, schema_url, rec)
                else:
                    yield span_doc(resource, scope, schema_url, rec)


class Bridge(BaseHTTPRequestHandler):
    server_version = "tinkr-ss4o-bridge/1"
    cfg = None

    def log_message(self, fmt, *args):      # quiet: errors are logged below
        pass

    def reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):  # noqa: N802 (http.server's naming)
        kind = {"/v1/logs": "logs", "/v1/traces": "traces"}.get(self.path)
        if kind is None:
            return self.reply(404, {"error": "only /v1/logs and /v1/traces"})
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0 or length > MAX_BODY:
            return self.reply(413 if length > MAX_BODY else 400, {"error": "bad Content-Length"})
        if "json" not in (self.headers.get("Content-Type") or ""):
            return self.reply(415, {"error": "send OTLP/JSON (otlphttp encoding: json)"})
        try:
            payload = json.loads(self.rfile.read(length))
            docs = list(documents(payload, kind))
        except (ValueError, KeyError, IndexError, TypeError) as e:
            return self.reply(400, {"error": "bad OTLP/JSON: %s" % e})
        index = self.cfg.logs_index if kind == "logs" else self.cfg.traces_index
        err = bulk(self.cfg.opensearch, index, docs)
        if err:
            sys.stderr.write("ss4o-bridge: %s\n" % err)
            return self.reply(502, {"error": err})
        self.reply(200, {})


def bulk(url, index, docs):
    if not docs:
        return None
    lines = []
    for d in docs:
        lines.append(json.dumps({"create": {"_index": index}}))
        lines.append(json.dumps(d, separators=(",", ":"), ensure_ascii=False))
    body = ("\n".join(lines) + "\n").encode()
    req = urllib.request.Request(url.rstrip("/") + "/_bulk", data=body, method="POST",
                                 headers={"Content-Type": "application/x-ndjson"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            resp = json.loads(r.read())
    except (urllib.error.URLError, OSError, ValueError) as e:
        return "bulk to %s failed: %s" % (index, e)
    if resp.get("errors"):
        first = next((i for i in resp.get("items", []) for a in i.values() if a.get("error")), {})
        return "bulk to %s had errors: %s" % (index, json.dumps(first)[:300])
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--listen", required=True, help="127.0.0.1:PORT")
    ap.add_argument("--opensearch", required=True, help="OpenSearch base URL")
    ap.add_argument("--logs-index", default="otel-logs")
    ap.add_argument("--traces-index", default="otel-traces")
    ap.add_argument("--state", help="the stack's state dir (names the process; unused)")
    cfg = ap.parse_args()
    host, _, port = cfg.listen.rpartition(":")
    Bridge.cfg = cfg
    server = ThreadingHTTPServer((host, int(port)), Bridge)
    sys.stderr.write("ss4o-bridge: listening on %s, writing to %s (%s, %s)\n" % (
        cfg.listen, cfg.opensearch, cfg.logs_index, cfg.traces_index))
    server.serve_forever()


if __name__ == "__main__":
    main()
