"""The same spans and logs as three real writers store them in OpenSearch.

seed          -- the product document (seed/otel-backend.md): otel-logs-*/otel-traces-*,
                 resource.service.name as nested objects, `severity`, `duration`;
                 an index template makes the strings keywords, so its `term`
                 queries work as written.
ss4o          -- the Collector's opensearch exporter, default sso mode
                 (exporter/opensearchexporter encodeLogSSO/encodeTrace):
                 flat dotted keys inside `resource`, severity.text/number, span
                 @timestamp always Go's zero time, no duration, status strings.
                 No template: dynamic mapping gives text + .keyword.
data_prepper  -- Data Prepper's otel-v1-apm-span / logs-otel-v1 documents with
                 flattened `resource.attributes.service@name` keys and its
                 index templates (durationInNanos, status.code 0/1/2, date_nanos).

Each layout is a dict: name, indices, setup (HTTP steps before the bulk load),
log(record) and span(record, root) -> _source dict.
"""
from .timefmt import go_rfc3339nano, iso_micros, iso_millis, java_instant
from .world import LEVELS, SERVICES

GO_ZERO_TIME = "0001-01-01T00:00:00Z"


def resource_attributes(service):
    facts = SERVICES[service]
    return {
        "service.name": service,
        "service.version": facts["version"],
        "service.instance.id": facts["instance"],
        "deployment.environment": "production",
        "host.name": facts["host"],
        "telemetry.sdk.name": "opentelemetry",
        "telemetry.sdk.language": facts["language"],
        "telemetry.sdk.version": facts["sdk"],
    }


def nest(flat):
    """{"a.b": 1, "a.c": 2} -> {"a": {"b": 1, "c": 2}}"""
    out = {}
    for key in sorted(flat):
        parts = key.split(".")
        node = out
        for p in parts[:-1]:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                raise ValueError("attribute %s clashes with a shorter key" % key)
        if parts[-1] in node:
            raise ValueError("attribute %s clashes with a longer key" % key)
        node[parts[-1]] = flat[key]
    return out


def sorted_map(m):
    """Go's encoding/json writes map keys sorted."""
    return {k: m[k] for k in sorted(m)}


# -- 1. the product document's layout -----------------------------------------

SEED_KEYWORDS = [{"strings_as_keywords": {"match_mapping_type": "string",
                                          "mapping": {"type": "keyword", "ignore_above": 1024}}}]


def _seed_log(log):
    doc = {
        "@timestamp": iso_millis(log["ts"]),
        "severity": log["level"],
        "body": log["body"],
        "resource": nest({"service.name": log["service"]}),
    }
    if log["trace_id"]:
        doc["traceId"] = log["trace_id"]
        doc["spanId"] = log["span_id"]
    if log["attributes"]:
        doc["attributes"] = nest(log["attributes"])
    return doc


def _seed_span(span, _root):
    return {
        "traceId": span["trace_id"],
        "spanId": span["span_id"],
        "parentSpanId": span["parent_id"],
        "name": span["name"],
        "kind": span["kind"],
        "startTime": iso_micros(span["start"]),
        "endTime": iso_micros(span["end"]),
        "duration": (span["end"] - span["start"]) / 1e6,
        "status": {"code": span["status"], "message": span["status_message"]},
        "resource": nest({"service.name": span["service"]}),
        "attributes": nest(span["attributes"]),
    }


SEED = dict(
    name="seed",
    logs_index="otel-logs-2026.11.26", logs_pattern="otel-logs-*",
    traces_index="otel-traces-2026.11.26", traces_pattern="otel-traces-*",
    bulk_action="index",
    fields=dict(service="resource.service.name", level="severity", timestamp="@timestamp",
                message="body", span_time="startTime", duration="duration (ms, double)",
                status="status.code (Unset/Ok/Error)"),
    setup=[
        ("PUT", "_index_template/tinkr-sample-otel-logs", {
            "index_patterns": ["otel-logs-*"],
            "template": {
                "settings": {"number_of_shards": 1, "number_of_replicas": 0},
                "mappings": {
                    "dynamic_templates": SEED_KEYWORDS,
                    "properties": {
                        "@timestamp": {"type": "date"},
                        "severity": {"type": "keyword"},
                        "body": {"type": "text"},
                        "traceId": {"type": "keyword"},
                        "spanId": {"type": "keyword"},
                        "resource": {"properties": {"service": {"properties": {
                            "name": {"type": "keyword"}}}}},
                    }}}}),
        ("PUT", "_index_template/tinkr-sample-otel-traces", {
            "index_patterns": ["otel-traces-*"],
            "template": {
                "settings": {"number_of_shards": 1, "number_of_replicas": 0},
                "mappings": {
                    "dynamic_templates": SEED_KEYWORDS,
                    "properties": {
                        "traceId": {"type": "keyword"},
                        "spanId": {"type": "keyword"},
                        "parentSpanId": {"type": "keyword"},
                        "name": {"type": "keyword"},
                        "kind": {"type": "keyword"},
                        "startTime": {"type": "date_nanos"},
                        "endTime": {"type": "date_nanos"},
                        "duration": {"type": "double"},
                        "status": {"properties": {"code": {"type": "keyword"},
                                                  "message": {"type": "keyword"}}},
                        "resource": {"properties": {"service": {"properties": {
                            "name": {"type": "keyword"}}}}},
                    }}}}),
    ],
    templates=["_index_template/tinkr-sample-otel-logs", "_index_template/tinkr-sample-otel-traces"],
    log=_seed_log, span=_seed_span,
)


# -- 2. the Collector opensearch exporter (sso mode, defaults) ------------------

def _scope(service):
    facts = SERVICES[service]
    return facts["scope"], facts["scope_version"]


def _ss4o_log(log):
    attrs = dict(log["attributes"])
    # dataset "default" / namespace "namespace" are the exporter's defaults
    attrs["data_stream"] = {"dataset": "default", "namespace": "namespace", "type": "record"}
    name, version = log["service"], SERVICES[log["service"]]["version"]
    # the exporter stamps time.Now(); a fixed, plausible lag keeps this reproducible
    observed = log["ts"] + 200_000_000 + (log["ts"] % 1000) * 300_000
    doc = {
        "attributes": sorted_map(attrs),
        "body": log["body"],
        "instrumentationScope": {"name": name, "version": version},
        "observedTimestamp": go_rfc3339nano(observed),
        "resource": sorted_map(resource_attributes(log["service"])),
        "severity": {"text": log["level"], "number": LEVELS[log["level"]]},
    }
    if log["span_id"]:
        doc["spanId"] = log["span_id"]
    doc["@timestamp"] = go_rfc3339nano(log["ts"])
    if log["trace_id"]:
        doc["traceId"] = log["trace_id"]
    return doc


def _ss4o_span(span, _root):
    attrs = dict(span["attributes"])
    attrs["data_stream"] = {"dataset": "default", "namespace": "namespace", "type": "span"}
    scope, version = _scope(span["service"])
    doc = {
        "attributes": sorted_map(attrs),
        "droppedAttributesCount": 0,
        "droppedEventsCount": 0,
        "droppedLinksCount": 0,
        "endTime": go_rfc3339nano(span["end"]),
    }
    if span["events"]:
        doc["events"] = [{"attributes": sorted_map(e["attributes"]), "droppedAttributesCount": 0,
                          "name": e["name"], "@timestamp": go_rfc3339nano(e["ts"])}
                         for e in span["events"]]
    doc.update({
        "instrumentationScope": {"droppedAttributesCount": 0, "name": scope, "schemaUrl": "",
                                 "version": version},
        "kind": span["kind"],
        "name": span["name"],
        "parentSpanId": span["parent_id"],
        "resource": sorted_map(resource_attributes(span["service"])),
        "spanId": span["span_id"],
        "startTime": go_rfc3339nano(span["start"]),
        "status": {"code": span["status"], "message": span["status_message"]},
        "@timestamp": GO_ZERO_TIME,     # the exporter never sets it for spans
        "traceId": span["trace_id"],
        "traceState": "",
    })
    return doc


SS4O = dict(
    name="ss4o",
    logs_index="ss4o_logs-default-namespace", logs_pattern="ss4o_logs-*",
    traces_index="ss4o_traces-default-namespace", traces_pattern="ss4o_traces-*",
    bulk_action="create",
    fields=dict(service="resource.service.name (text; .keyword for term)",
                level="severity.text (text; .keyword for term)", timestamp="@timestamp",
                message="body", span_time="startTime (span @timestamp is 0001-01-01)",
                duration="none: endTime - startTime", status="status.code (Unset/Ok/Error)"),
    setup=[],           # the exporter creates nothing: dynamic mapping decides
    templates=[],
    log=_ss4o_log, span=_ss4o_span,
)


# -- 3. Data Prepper --------------------------------------------------------------

DP_STATUS = {"Unset": 0, "Ok": 1, "Error": 2}
DP_KIND = {"Server": "SPAN_KIND_SERVER", "Client": "SPAN_KIND_CLIENT",
           "Internal": "SPAN_KIND_INTERNAL", "Consumer": "SPAN_KIND_CONSUMER"}


def _dp_flat(prefix, attrs):
    """Data Prepper flattens attributes into top-level keys, dots become '@'."""
    return {prefix + k.replace(".", "@"): v for k, v in attrs.items()}


def _dp_span(span, root):
    doc = {
        "traceId": span["trace_id"],
        "droppedLinksCount": 0,
        "kind": DP_KIND[span["kind"]],
        "droppedEventsCount": 0,
        "traceGroupFields": {
            "endTime": java_instant(root["end"]),
            "durationInNanos": root["end"] - root["start"],
            "statusCode": DP_STATUS[root["status"]],
        },
        "traceGroup": root["name"],
        "serviceName": span["service"],
        "parentSpanId": span["parent_id"],
        "spanId": span["span_id"],
        "traceState": "",
        "name": span["name"],
        "startTime": java_instant(span["start"]),
        "links": [],
        "endTime": java_instant(span["end"]),
        "droppedAttributesCount": 0,
        "durationInNanos": span["end"] - span["start"],
        "events": [{"name": e["name"], "time": java_instant(e["ts"]), "droppedAttributesCount": 0,
                    "attributes": e["attributes"]} for e in span["events"]],
        "instrumentationScope.name": _scope(span["service"])[0],
        "instrumentationScope.version": _scope(span["service"])[1],
        "status.code": DP_STATUS[span["status"]],
    }
    if span["status_message"]:
        doc["status.message"] = span["status_message"]
    doc.update(_dp_flat("span.attributes.", span["attributes"]))
    doc.update(_dp_flat("resource.attributes.", resource_attributes(span["service"])))
    return doc


def _dp_log(log):
    doc = {}
    if log["trace_id"]:
        doc["traceId"] = log["trace_id"]
        doc["spanId"] = log["span_id"]
        doc["flags"] = 1
    stamp = java_instant(log["ts"])
    doc.update({
        "severityText": log["level"],
        "time": stamp,
        "@timestamp": stamp,
        "severityNumber": LEVELS[log["level"]],
        "droppedAttributesCount": 0,
        "serviceName": log["service"],
        "body": log["body"],
        "observedTime": stamp,
        "schemaUrl": "",
        "instrumentationScope.name": log["service"],
    })
    doc.update(_dp_flat("log.attributes.", log["attributes"]))
    doc.update(_dp_flat("resource.attributes.", resource_attributes(log["service"])))
    return doc


def _dp_dynamic(*prefixes):
    return [{"%s_map" % p.replace(".", "_").strip("_"): {
        "mapping": {"type": "keyword"}, "path_match": p + "*"}} for p in prefixes]


DATA_PREPPER = dict(
    name="data_prepper",
    logs_index="logs-otel-v1-000001", logs_pattern="logs-otel-v1*", logs_alias="logs-otel-v1",
    traces_index="otel-v1-apm-span-000001", traces_pattern="otel-v1-apm-span-*",
    traces_alias="otel-v1-apm-span",
    bulk_action="index",
    fields=dict(service="serviceName / resource.attributes.service@name (keyword)",
                level="severityText (keyword)", timestamp="time (also @timestamp)",
                message="body", span_time="startTime", duration="durationInNanos",
                status="status.code (0 unset, 1 ok, 2 error)"),
    setup=[
        ("PUT", "_template/otel-v1-apm-span-index-template", {
            "index_patterns": ["otel-v1-apm-span-*"],
            "version": 1,
            "settings": {"number_of_shards": 1, "number_of_replicas": 0},
            "mappings": {
                "date_detection": False,
                "dynamic_templates": _dp_dynamic("resource.attributes.", "span.attributes."),
                "_source": {"enabled": True},
                "properties": {
                    "traceId": {"ignore_above": 256, "type": "keyword"},
                    "spanId": {"ignore_above": 256, "type": "keyword"},
                    "parentSpanId": {"ignore_above": 256, "type": "keyword"},
                    "name": {"ignore_above": 1024, "type": "keyword"},
                    "traceGroup": {"ignore_above": 1024, "type": "keyword"},
                    "traceGroupFields": {"properties": {
                        "endTime": {"type": "date_nanos"},
                        "durationInNanos": {"type": "long"},
                        "statusCode": {"type": "integer"}}},
                    "kind": {"ignore_above": 128, "type": "keyword"},
                    "startTime": {"type": "date_nanos"},
                    "endTime": {"type": "date_nanos"},
                    "status": {"properties": {"code": {"type": "integer"},
                                              "message": {"type": "keyword"}}},
                    "serviceName": {"type": "keyword"},
                    "durationInNanos": {"type": "long"},
                    "events": {"type": "nested", "properties": {"time": {"type": "date_nanos"}}},
                    "links": {"type": "nested"},
                }}}),
        ("PUT", "_template/logs-otel-v1-index-template", {
            "index_patterns": ["logs-otel-v1*"],
            "version": 1,
            "settings": {"number_of_shards": 1, "number_of_replicas": 0},
            "mappings": {
                "date_detection": False,
                "dynamic_templates": _dp_dynamic("resource.attributes.", "log.attributes."),
                "_source": {"enabled": True},
                "properties": {
                    "severityText": {"type": "keyword"},
                    "severityNumber": {"type": "integer"},
                    "serviceName": {"type": "keyword"},
                    "body": {"type": "text"},
                    "@timestamp": {"type": "date_nanos"},
                    "time": {"type": "date_nanos"},
                    "observedTime": {"type": "date_nanos"},
                    "traceId": {"ignore_above": 256, "type": "keyword"},
                    "spanId": {"ignore_above": 256, "type": "keyword"},
                    "schemaUrl": {"type": "keyword"},
                    "flags": {"type": "long"},
                }}}),
        # Data Prepper bootstraps the first index of each rollover alias.
        ("PUT", "otel-v1-apm-span-000001", {"aliases": {"otel-v1-apm-span": {"is_write_index": True}}}),
        ("PUT", "logs-otel-v1-000001", {"aliases": {"logs-otel-v1": {"is_write_index": True}}}),
    ],
    templates=["_template/otel-v1-apm-span-index-template", "_template/logs-otel-v1-index-template"],
    log=_dp_log, span=_dp_span,
)

# -- 4./5. the opensearch exporter's other log modes: ecs, flatten_attributes -----
# (encodeLogDataModel; dedup and dedot off, the exporter's defaults).  No real
# writer is available here: the exporter cannot be built on these machines.
# Spans are written in ss4o form whatever the mode, so these are logs only.

def _ns9(ns):
    """objmodel's tsLayout: always nine fraction digits, Z."""
    return go_rfc3339nano(ns - ns % 1_000_000_000)[:-1] + ".%09dZ" % (ns % 1_000_000_000)


def _datamodel_log(log, resource_prefix, record_prefix):
    doc = {}
    for k, v in resource_attributes(log["service"]).items():
        doc[resource_prefix + k] = v
    doc["@timestamp"] = _ns9(log["ts"])
    if log["trace_id"]:
        doc["TraceId"] = log["trace_id"]
        doc["SpanId"] = log["span_id"]
    doc["TraceFlags"] = 1 if log["trace_id"] else 0
    doc["SeverityText"] = log["level"]
    doc["SeverityNumber"] = LEVELS[log["level"]]
    doc["Body.value"] = log["body"]          # AddAttribute: a scalar body gets ".value"
    for k, v in log["attributes"].items():
        doc[record_prefix + k] = v
    return doc


def _logs_only(name, index, log):
    return dict(
        name=name, logs_index=index, logs_pattern=index, traces_index=None, traces_pattern=None,
        bulk_action="create",
        fields=dict(service=("Attributes." if name == "ecs" else "") + "service.name (text; .keyword)",
                    level="SeverityText (text; .keyword)", timestamp="@timestamp (ns)",
                    message="Body.value", span_time="spans are ss4o", duration="-", status="-"),
        setup=[], templates=[], log=log, span=None,
    )


ECS = _logs_only("ecs", "otel-ecs-logs", lambda log: _datamodel_log(log, "Attributes.", "Attributes."))
FLATTEN = _logs_only("flatten_attributes", "otel-flat-logs", lambda log: _datamodel_log(log, "", ""))

ALL = [SEED, SS4O, DATA_PREPPER, ECS, FLATTEN]


def bulk_target(layout, kind):
    """Where the writer sends its bulk: Data Prepper writes through the alias."""
    return layout.get(kind + "_alias") or layout[kind + "_index"]
