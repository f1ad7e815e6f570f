-- The OpenTelemetry Collector's opensearch exporter in its default "ss4o"
-- mode: ss4o_logs-* / ss4o_traces-*, flat dotted keys inside `resource`
-- ({"resource":{"service.name":"x"}}), severity.text / severity.number,
-- spans without a duration and with @timestamp always 0001-01-01.  No index
-- template: strings are text with a .keyword sub-field (tinkr queries the
-- sub-field; see lua/tinkr/layout.lua).
return {
  name = "ss4o",
  description = "OpenTelemetry Collector opensearch exporter (ss4o_logs-*, ss4o_traces-*)",
  indices = { logs = "ss4o_logs-*", spans = "ss4o_traces-*" },
  detect = {
    logs = { present = { "severity.text" }, absent = { "severityText", "serviceName" } },
    spans = { present = { "startTime", "parentSpanId" }, absent = { "duration", "durationInNanos" } },
  },
  logs = {
    fields = {
      timestamp = "@timestamp",
      service = "resource.service.name",
      level = "severity.text",
      severity_number = "severity.number",
      message = "body",
      trace_id = "traceId",
      span_id = "spanId",
      attributes = "attributes",
      resource = "resource",
    },
    attributes = { "attributes.%s", "resource.%s" },
  },
  spans = {
    fields = {
      trace_id = "traceId",
      span_id = "spanId",
      parent_span_id = "parentSpanId",
      name = "name",
      kind = "kind",
      service = "resource.service.name",
      start = "startTime",
      ["end"] = "endTime",
      status = "status.code",
      status_message = "status.message",
      attributes = "attributes",
      resource = "resource",
    },
    -- The exporter writes no duration: tinkr computes endTime - startTime.
    duration = { compute = true },
    status = { Error = "error", Ok = "ok", Unset = "unset" },
    attributes = { "attributes.%s", "resource.%s" },
  },
}
