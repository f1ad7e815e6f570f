-- The log lines that carry one trace id, oldest first.
return function(q, f)
  return {
    query = { bool = { filter = { { term = { [f.field("trace_id")] = q.trace_id } } } } },
    sort = { { [f.field("timestamp")] = { order = "asc" } } },
    size = q.size,
  }
end
