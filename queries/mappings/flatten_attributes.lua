-- The Collector opensearch exporter's `flatten_attributes` mapping mode for
-- logs: like `ecs`, but resource and record attributes are top-level keys
-- of their own (`service.name`, `http.route`), not under `Attributes.`.
-- Spans are written in ss4o form whatever the mode.
return {
  name = "flatten_attributes",
  description = "OpenTelemetry Collector opensearch exporter, mapping mode flatten_attributes (logs)",
  indices = { logs = "ss4o_logs-*", spans = "ss4o_traces-*" },
  detect = {
    logs = { present = { "SeverityText", "service.name" } },
  },
  logs = {
    fields = {
      timestamp = "@timestamp",
      service = "service.name",
      level = "SeverityText",
      severity_number = "SeverityNumber",
      message = "Body.value",
      trace_id = "TraceId",
      span_id = "SpanId",
    },
    attributes = { "%s" },
  },
  spans_from = "ss4o",
}
