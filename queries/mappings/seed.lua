-- The product document's layout (seed/otel-backend.md): otel-logs-* and
-- otel-traces-*, nested resource.service.name, a `severity` string and a
-- `duration` on spans.  See docs/TEMPLATES.md for what each key means.
return {
  name = "seed",
  description = "product document layout (otel-logs-*, otel-traces-*)",
  indices = { logs = "otel-logs-*", spans = "otel-traces-*" },
  detect = {
    logs = { present = { "severity" }, absent = { "severity.text", "severityText" } },
    spans = { present = { "duration", "startTime" } },
  },
  logs = {
    fields = {
      timestamp = "@timestamp",
      service = "resource.service.name",
      level = "severity",
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
      duration = "duration",
      status = "status.code",
      status_message = "status.message",
      attributes = "attributes",
      resource = "resource",
    },
    duration = { field = "duration", unit = "ms" },
    status = { Error = "error", Ok = "ok", Unset = "unset" },
    attributes = { "attributes.%s", "resource.%s" },
  },
}
