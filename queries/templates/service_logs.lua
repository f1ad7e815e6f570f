-- Log lines per service in a window (tinkr services): a terms aggregation
-- on the service, and under it the error lines (ERROR and FATAL: by
-- severity number where the layout has one, else the level text in any
-- case) counted over time for the sparkline.  q: from, to, from_ms, to_ms,
-- interval (e.g. "150s"), services (max buckets).
return function(q, f)
  local errors
  if f.info("severity_number") then
    errors = { range = { [f.field("severity_number")] = { gte = 17 } } }
  else
    local level, should = f.field("level"), {}
    for _, name in ipairs({ "ERROR", "FATAL", "CRITICAL", "EMERGENCY", "ALERT" }) do
      should[#should + 1] = { term = { [level] = { value = name, case_insensitive = true } } }
    end
    errors = { bool = { should = should, minimum_should_match = 1 } }
  end
  local ts = f.field("timestamp")
  return {
    size = 0,
    track_total_hits = true,
    query = { bool = { filter = {
      { range = { [ts] = { gte = q.from, lte = q.to, format = "strict_date_optional_time_nanos" } } },
    } } },
    aggs = {
      services = {
        terms = { field = f.field("service"), size = q.services },
        aggs = {
          errors = {
            filter = errors,
            aggs = {
              over_time = { date_histogram = { field = ts, fixed_interval = q.interval, min_doc_count = 0,
                extended_bounds = { min = q.from_ms, max = q.to_ms } } },
            },
          },
        },
      },
    },
  }
end
