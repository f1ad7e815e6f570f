-- The map benchmark per data layout: which section of queries/mappings/
-- each layout's generated response holds (bench/gen_search_response.lua),
-- and where each of its fields sits in a hit, for the simdjson measuring
-- stick (bench/simdjson_extract.cpp).  tinkr maps the same response with
-- the layout's real spec (tinkr.layout.map_spec: fallback paths, dotted
-- and flat keys, _id, _index and sort from the hit).
local hit = { _id = "_id", _index = "_index", _sort = "sort" }

local function paths(t)
  for k, v in pairs(hit) do t[k] = v end
  return t
end

return {
  ss4o = { section = "logs", paths = paths {
    timestamp = "_source/@timestamp", service = "_source/resource/service.name",
    level = "_source/severity/text", severity_number = "_source/severity/number",
    message = "_source/body", trace_id = "_source/traceId", span_id = "_source/spanId",
    attributes = "_source/attributes", resource = "_source/resource",
  } },
  seed = { section = "logs", paths = paths {
    timestamp = "_source/@timestamp", service = "_source/resource/service/name",
    level = "_source/severity", message = "_source/body", trace_id = "_source/traceId",
    span_id = "_source/spanId", attributes = "_source/attributes", resource = "_source/resource",
  } },
  dataprepper = { section = "logs", paths = paths {
    timestamp = "_source/@timestamp", service = "_source/serviceName",
    level = "_source/severityText", severity_number = "_source/severityNumber",
    message = "_source/body", trace_id = "_source/traceId", span_id = "_source/spanId",
  } },
  ecs = { section = "logs", paths = paths {
    timestamp = "_source/@timestamp", service = "_source/Attributes.service.name",
    level = "_source/SeverityText", severity_number = "_source/SeverityNumber",
    message = "_source/Body.value", trace_id = "_source/TraceId", span_id = "_source/SpanId",
  } },
  flatten_attributes = { section = "logs", paths = paths {
    timestamp = "_source/@timestamp", service = "_source/service.name",
    level = "_source/SeverityText", severity_number = "_source/SeverityNumber",
    message = "_source/Body.value", trace_id = "_source/TraceId", span_id = "_source/SpanId",
  } },
  jaeger = { section = "spans", paths = paths {
    trace_id = "_source/traceID", span_id = "_source/spanID", name = "_source/operationName",
    service = "_source/process/serviceName", start = "_source/startTime",
    duration = "_source/duration", references = "_source/references", tags = "_source/tags",
    process_tags = "_source/process/tags", tag = "_source/tag",
  } },
}
