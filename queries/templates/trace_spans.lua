-- Every span of one trace, oldest first (tinkr.trace draws the tree).
return function(q, f)
  return {
    query = { bool = { filter = { { term = { [f.field("trace_id")] = q.trace_id } } } } },
    sort = { { [f.field("start")] = { order = "asc" } } },
    size = q.size,
  }
end
