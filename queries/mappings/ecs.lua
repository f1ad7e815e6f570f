-- The Collector opensearch exporter's `ecs` mapping mode for logs
-- (encodeLogDataModel, dedot off by default): flat dotted keys at the top
-- level, resource and record attributes both under `Attributes.`,
-- SeverityText / SeverityNumber, the body as `Body.value`, TraceId / SpanId,
-- @timestamp with nanoseconds.  No index template: strings are text with a
-- .keyword sub-field.  The exporter writes spans in ss4o form whatever the
-- mode, so spans are the ss4o layout's (detected as such).
return {
  name = "ecs",
  description = "OpenTelemetry Collector opensearch exporter, mapping mode ecs (logs)",
  indices = { logs = "ss4o_logs-*", spans = "ss4o_traces-*" },
  detect = {
    logs = { present = { "SeverityText", "Attributes.service.name" } },
  },
  logs = {
    fields = {
      timestamp = "@timestamp",
      service = "Attributes.service.name",
      level = "SeverityText",
      severity_number = "SeverityNumber",
      message = "Body.value",
      trace_id = "TraceId",
      span_id = "SpanId",
    },
    attributes = { "Attributes.%s" },
  },
  spans_from = "ss4o",     -- lua/tinkr/layout.lua copies that layout's spans section
}
