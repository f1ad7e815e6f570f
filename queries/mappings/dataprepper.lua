-- Data Prepper's layout: otel-v1-apm-span-* and logs-otel-v1*, with its
-- index templates.  Attributes are flattened into top-level keys whose dots
-- became '@' (resource.attributes.service@name); spans carry serviceName,
-- durationInNanos and an integer status.code (0 unset, 1 ok, 2 error).
return {
  name = "dataprepper",
  description = "Data Prepper (otel-v1-apm-span-*, logs-otel-v1*)",
  indices = { logs = "logs-otel-v1*", spans = "otel-v1-apm-span-*" },
  detect = {
    logs = { present = { "severityText" } },
    spans = { present = { "durationInNanos" } },
  },
  logs = {
    fields = {
      timestamp = "@timestamp",
      service = { "serviceName", "resource.attributes.service@name" },
      level = "severityText",
      severity_number = "severityNumber",
      message = "body",
      trace_id = "traceId",
      span_id = "spanId",
    },
    -- Attribute keys: dots become '@' under these prefixes.
    attributes = { "log.attributes.%s", "resource.attributes.%s" },
    attribute_key = "at_for_dots",
  },
  spans = {
    fields = {
      trace_id = "traceId",
      span_id = "spanId",
      parent_span_id = "parentSpanId",
      name = "name",
      kind = "kind",
      service = { "serviceName", "resource.attributes.service@name" },
      start = "startTime",
      ["end"] = "endTime",
      duration = "durationInNanos",
      status = "status.code",
      status_message = "status.message",
    },
    duration = { field = "durationInNanos", unit = "ns" },
    status = { [0] = "unset", [1] = "ok", [2] = "error" },
    attributes = { "span.attributes.%s", "resource.attributes.%s" },
    attribute_key = "at_for_dots",
  },
}
