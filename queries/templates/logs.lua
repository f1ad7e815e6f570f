-- The log search (seed/otel-backend.md, "Log query"): a bool/must of a term
-- on the service, a term on the level, a range on the timestamp; newest
-- first (q.order = "asc": oldest first, for --follow).  Extended with a
-- message search, attribute filters and field selection.  See docs/TEMPLATES.md for q and f.
return function(q, f)
  local must = {}
  local function add(clause) must[#must + 1] = clause end

  if q.service then
    add{ term = { [f.field("service")] = q.service } }
  end
  if q.levels then
    -- ERROR, Error and error alike; and the OTel severity number band
    -- (ERROR = 17..20) where the layout stores one.
    local field = f.field("level")
    local texts = q.level_texts or q.levels
    local by_text = #texts == 1 and { term = { [field] = texts[1] } } or { terms = { [field] = texts } }
    if #(q.level_bands or {}) > 0 and f.has("severity_number") then
      local number = f.field("severity_number")
      local should = { by_text }
      for _, b in ipairs(q.level_bands) do
        should[#should + 1] = { range = { [number] = { gte = b[1], lte = b[2] } } }
      end
      add{ bool = { should = should, minimum_should_match = 1 } }
    else
      add(by_text)
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
  if q.trace_id then
    add{ term = { [f.field("trace_id")] = q.trace_id } }
  end
  for _, w in ipairs(q.where) do
    add{ term = { [f.attribute(w.key)] = w.value } }
  end

  return {
    query = { bool = { must = must } },
    sort = { { [f.field("timestamp")] = { order = q.order or "desc" } } },
    size = q.size,
    track_total_hits = true,
  }
end
