-- Where HTTP server metrics live, by semantic-convention generation, most
-- recent first, spelled the way this store spells names.  `naming` is
-- detected once per Prometheus (lua/tinkr/metric_style.lua): the
-- Collector's remote write gives http_server_request_duration_seconds_bucket,
-- Prometheus 3's OTLP strategies and VictoriaMetrics give the other forms
-- (http.server.request.duration_bucket ...).
local http = { histograms = {}, counters = {} }

for _, m in ipairs(naming.HTTP) do
  local entry = {
    name = naming.metric_name(m),                  -- without _bucket / _count
    per_second = m.per_second,                     -- what divides a value into seconds
    status_label = naming.label(naming.label_name(m.status)),   -- as written in a matcher
  }
  if m.kind == "histogram" then
    http.histograms[#http.histograms + 1] = entry
  else
    http.counters[#http.counters + 1] = entry
  end
end

--- One PromQL alternative per request-counting series, newest generation
--- first: each histogram's `_count`, then each plain counter.
--- build(metric, status_label) returns the expression for one of them;
--- the result is a list for service.first_of.
function http.per_request_counter(build)
  local alternatives = {}
  for _, h in ipairs(http.histograms) do
    alternatives[#alternatives + 1] = build(h.name .. "_count", h.status_label)
  end
  for _, c in ipairs(http.counters) do
    alternatives[#alternatives + 1] = build(c.name, c.status_label)
  end
  return alternatives
end

return http
