-- Root spans (seed/otel-backend.md, "Distributed tracing"): spans whose
-- parentSpanId is empty (f.root(): or, in Jaeger, that have no CHILD_OF
-- reference), in a startTime window, slowest first.
-- Where the layout has no duration field, q.duration_script is a painless
-- expression computing it and the sort runs on that (meta says so).
return function(q, f)
  local must = {
    { range = { [f.field("start")] = { gte = q.from, lte = q.to, format = "strict_date_optional_time_nanos" } } },
    f.root(),
  }
  if q.service then
    table.insert(must, 1, { term = { [f.field("service")] = q.service } })
  end
  if q.errors_only then
    must[#must + 1] = f.failed(q.error_status)
  end
  for _, w in ipairs(q.where) do
    must[#must + 1] = f.match(w.key, w.value)
  end

  local sort
  if q.duration_script then
    sort = { { _script = { type = "number", order = "desc",
      script = { lang = "painless", source = q.duration_script } } } }
  else
    sort = { { [f.field("duration")] = { order = "desc" } } }
  end
  return {
    query = { bool = { must = must } },
    sort = sort,
    size = q.size,
    track_total_hits = true,
  }
end
