-- Spans per service in a window (tinkr services): every service that has
-- spans, and for root spans (empty parent) the count, the failed ones and
-- the slowest one (top_hits sorted by duration; by q.duration_script where
-- the layout stores no duration).  q: from, to, services, error_status,
-- duration_script, script_params.
return function(q, f)
  local service = f.field("service")
  local sort
  if q.duration_script then
    sort = { { _script = { type = "number", order = "desc",
      script = { lang = "painless", source = q.duration_script, params = q.script_params } } } }
  else
    sort = { { [f.field("duration")] = { order = "desc" } } }
  end
  local per_root = {
    slowest = { top_hits = { size = 1, sort = sort } },
  }
  if q.error_status ~= nil then
    per_root.errors = { filter = { term = { [f.field("status")] = q.error_status } } }
  end
  return {
    size = 0,
    query = { bool = { filter = {
      { range = { [f.field("start")] = { gte = q.from, lte = q.to, format = "strict_date_optional_time_nanos" } } },
    } } },
    aggs = {
      services = { terms = { field = service, size = q.services } },
      roots = {
        filter = { term = { [f.field("parent_span_id")] = "" } },
        aggs = { services = { terms = { field = service, size = q.services }, aggs = per_root } },
      },
    },
  }
end
