-- Jaeger v2 (v1.76) writing to OpenSearch: [<prefix>-]jaeger-span-YYYY-MM-DD
-- under Jaeger's own index template.  One document per span:
--   traceID, spanID, operationName, startTime and duration in MICROseconds
--   (long), startTimeMillis (a date, for range queries), process.serviceName,
--   references (nested; CHILD_OF names the parent, absent on a root span),
--   tags / process.tags (nested {key, type, value}, values as text),
--   tag.* (typed, where Jaeger copies tags as fields), logs (span events,
--   exceptions included).
-- Traces only: Jaeger stores no log records.
return {
  name = "jaeger",
  description = "Jaeger v2 OpenSearch storage (jaeger-span-*)",
  indices = { spans = "*jaeger-span-*" },
  detect = {
    spans = { present = { "process.serviceName", "startTimeMillis", "operationName" } },
  },
  spans = {
    fields = {
      trace_id = "traceID",
      span_id = "spanID",
      name = "operationName",
      service = "process.serviceName",
      start = "startTime",
      duration = "duration",
      references = "references",
      tags = "tags",
      process_tags = "process.tags",
      tag = "tag",
    },
    -- Queries on the start time go to the date twin of the microsecond long.
    query_fields = { start = "startTimeMillis" },
    time_units = { start = "us" },
    duration = { field = "duration", unit = "us" },
    -- The parent is the span a CHILD_OF reference names; a root span has none.
    parent = { from = "references", ref_type = "CHILD_OF" },
    root = { nested = "references", none = { ["references.refType"] = "CHILD_OF" } },
    -- Status, kind and attributes live in the key/type/value tags.
    tags = { span = "tags", resource = "process.tags", typed = "tag" },
    status = { from_tags = true },
    -- `where key=value`: a nested match on span tags, then process tags.
    nested_attributes = {
      { path = "tags", key = "tags.key", value = "tags.value" },
      { path = "process.tags", key = "process.tags.key", value = "process.tags.value" },
    },
  },
}
