-- The log search (seed/otel-backend.md, "Log query"): a bool/must of a term
-- on the service, a term on the level, a range on the timestamp; newest
-- first.  Extended with a message search, attribute filters and field
-- selection.  See docs/TEMPLATES.md for q and f.
return function(q, f)
  local must = {}
  local function add(clause) must[#must + 1] = clause end

  if q.service then
    add{ term = { [f.field("service")] = q.service } }
  end
  if q.levels then
    local field = f.field("level")
    if #q.levels == 1 then
      add{ term = { [field] = q.levels[1] } }
    else
      add{ terms = { [field] = q.levels } }
    end
  end
  add{ range = { [f.field("timestamp")] = {
    gte = q.from, lte = q.to, format = "strict_date_optional_time_nanos" } } }
  if q.grep then
    local info = f.info("message")
    if info and info.type == "keyword" then
      add{ wildcard = { [f.field("message")] = { value = "*" .. q.grep .. "*", case_insensitive = true } } }
    else
      add{ match_phrase = { [f.text("message")] = q.grep } }
    end
  end
  for _, w in ipairs(q.where) do
    add{ term = { [f.attribute(w.key)] = w.value } }
  end

  return {
    query = { bool = { must = must } },
    sort = { { [f.field("timestamp")] = { order = "desc" } } },
    size = q.size,
    track_total_hits = true,
  }
end
