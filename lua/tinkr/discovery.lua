-- Finding the OTel indices a cluster holds, whatever wrote them.
--
-- The default index patterns (otel-logs-*, otel-traces-*) come from the
-- product document; real writers use other names (the document's own
-- Collector config writes `otel-logs`, the exporter `ss4o_logs-default-
-- namespace`, Data Prepper `logs-otel-v1-000001`, Jaeger `jaeger-span-
-- 2026-11-26`).  When the default matches nothing, tinkr lists the
-- cluster's indices, groups them into families (one per writer index
-- name, dates and rollover numbers cut off), reads one mapping per family
-- and keeps those a known layout recognises.  Explicit configuration is
-- never second-guessed: only an unset pattern is discovered.
--
-- What was found is cached (tinkr.disk_cache, per OpenSearch URL), so the
-- next run checks the default and the cached pattern in one request, as
-- many round trips as without discovery; none while the mapping cache
-- (tinkr.layout) still holds the pattern's fields.
local core = require "tinkr.core"
local disk_cache = require "tinkr.disk_cache"
local errors = require "tinkr.errors"
local layout = require "tinkr.layout"

local json = core.json
local _M = { _VERSION = "0.1.0" }

_M.MAX_FAMILIES = 200          -- mappings read at most per discovery (URL length, time)

-- Which layout wins when several writers' indices are present: the product
-- document's first, then the Collector exporter's modes, Data Prepper, Jaeger.
_M.PREFERENCE = { "seed", "ss4o", "ecs", "flatten_attributes", "dataprepper", "jaeger" }

local SETTING = { logs = "OTEL_LOG_INDEX", spans = "OTEL_TRACE_INDEX" }
_M.SETTING = SETTING

--- The family pattern of an index name: dates and rollover counters become *.
---   otel-logs-2026.11.26 -> otel-logs-*, otel-v1-apm-span-000001 -> otel-v1-apm-span-*,
---   jaeger-span-2026-11-26 -> jaeger-span-*, otel-logs -> otel-logs
function _M.family(name)
  local base = name:match("^(.-)[-_.]%d%d%d%d[.-]%d%d[.-]%d%d$")
    or name:match("^(.-)[-_.]%d%d%d%d%d%d%d%d$")
    or name:match("^(.-)[-_]%d%d%d%d%d%d$")
  if base and base ~= "" then return base .. "-*" end
  return name
end

-- A comma-separated index pattern as Lua patterns (exclusions ignored).
local function globs(pattern)
  local out = {}
  for part in pattern:gmatch("[^,]+") do
    if part:sub(1, 1) ~= "-" then
      out[#out + 1] = "^" .. part:gsub("[%^%$%(%)%%%.%[%]%+%-%?]", "%%%0"):gsub("%*", ".*") .. "$"
    end
  end
  return out
end

-- The data stream a backing index belongs to (.ds-<stream>-000001), or nil.
local function stream_of(name)
  return name:match("^%.ds%-(.+)%-%d+$")
end

--- True when an index name (or the data stream it backs) matches an index
--- pattern (a, b*, c).
function _M.matches(pattern, name)
  local stream = stream_of(name)
  for _, g in ipairs(globs(pattern)) do
    if name:match(g) or (stream and stream:match(g)) then return true end
  end
  return false
end

local function escape_path(s)
  return (s:gsub("[^%w%-%._%*,]", function(c) return ("%%%02X"):format(c:byte()) end))
end

--- The cluster's visible index (and data stream) names, sorted.
--- _resolve/index where the server has it, else _cat/indices.
--- Returns names, round_trips | nil, err.
function _M.index_names(client)
  local names, trips = {}, 1
  local doc, err = client:json("GET", "/_resolve/index/*?expand_wildcards=open")
  if doc and type(doc.indices) == "table" then
    for _, ix in ipairs(doc.indices) do
      local hidden = false
      for _, a in ipairs(type(ix.attributes) == "table" and ix.attributes or {}) do
        if a == "hidden" or a == "system" then hidden = true end
      end
      if type(ix.name) == "string" and not hidden and ix.name:sub(1, 1) ~= "." then
        names[#names + 1] = ix.name
      end
    end
    for _, ds in ipairs(type(doc.data_streams) == "table" and doc.data_streams or {}) do
      if type(ds.name) == "string" and ds.name:sub(1, 1) ~= "." then names[#names + 1] = ds.name end
    end
  else
    if err and (err.code == "connect" or err.code == "timeout" or err.code == "auth" or err.code == "tls") then
      return nil, err
    end
    trips = trips + 1
    local rows
    rows, err = client:json("GET", "/_cat/indices?format=json&h=index,status&expand_wildcards=open")
    if not rows then return nil, err end
    for _, r in ipairs(rows) do
      if type(r.index) == "string" and r.index:sub(1, 1) ~= "." and r.status ~= "close" then
        names[#names + 1] = r.index
      end
    end
  end
  table.sort(names)
  return names, trips
end

local function rank(name)
  for i, n in ipairs(_M.PREFERENCE) do
    if n == name then return i end
  end
  return #_M.PREFERENCE + 1
end

--- Every family of OTel indices on the cluster that a layout recognises:
--- { { pattern =, indices = {...}, kind = "logs"|"spans", layout = name }, ... }
--- ordered by preference (see PREFERENCE), then pattern.
--- Returns candidates, info | nil, err; info.round_trips, info.families.
function _M.candidates(client)
  local names, trips = _M.index_names(client)
  if not names then return nil, trips end
  local families, order = {}, {}
  for _, name in ipairs(names) do
    local f = _M.family(name)
    if not families[f] then
      families[f] = { pattern = f, indices = {} }
      order[#order + 1] = f
    end
    table.insert(families[f].indices, name)
  end
  local info = { families = #order, round_trips = trips }
  if #order == 0 then return json.array({}), info end
  if #order > _M.MAX_FAMILIES then
    info.skipped = #order - _M.MAX_FAMILIES
    for i = #order, _M.MAX_FAMILIES + 1, -1 do order[i] = nil end
  end
  -- One mapping per family: its newest index (last by name).
  local reps, by_rep = {}, {}
  for _, f in ipairs(order) do
    local ix = families[f].indices
    local rep = ix[#ix]
    reps[#reps + 1] = rep
    by_rep[rep] = families[f]
  end
  local doc, err = client:json("GET", "/" .. escape_path(table.concat(reps, ",")) ..
    "/_mapping?ignore_unavailable=true&allow_no_indices=true")
  info.round_trips = info.round_trips + 1
  if not doc then return nil, err end
  local found = json.array({})
  for rep, entry in pairs(doc) do
    local fam = by_rep[rep] or by_rep[stream_of(rep) or ""]
    local fields = fam and layout.index_fields(entry)
    if fields then
      for _, kind in ipairs({ "logs", "spans" }) do
        local m = layout.detect(fields, kind)
        if m then
          found[#found + 1] = { pattern = fam.pattern, indices = fam.indices, kind = kind, layout = m.name }
        end
      end
    end
  end
  table.sort(found, function(a, b)
    local ra, rb = rank(a.layout), rank(b.layout)
    if ra ~= rb then return ra < rb end
    return a.pattern < b.pattern
  end)
  return found, info
end

---------------------------------------------------------------------------
-- The cache: per URL, kind, default pattern and wanted layout, the pattern
-- found { pattern =, layout = }, stamped when last confirmed.

_M.CACHE_TTL_S = 7 * 86400     -- a cached pattern is confirmed on use anyway

local function discovery_cache()
  return disk_cache.open("discovery", { ttl = _M.CACHE_TTL_S })
end

local function cache_key(client, kind, default, want_layout)
  return disk_cache.key(client.base, "discovery", kind, default, want_layout or "")
end

---------------------------------------------------------------------------

local function union_fields(doc, keep)
  local fields, n = {}, 0
  for name, entry in pairs(doc) do
    if keep(name) then
      layout.index_fields(entry, fields)
      n = n + 1
    end
  end
  return n > 0 and fields or nil
end

local function note_for(kind, default, found, others)
  local also = ""
  if #others > 0 then
    local list = {}
    for i = 1, math.min(#others, 3) do list[i] = ("%s (%s)"):format(others[i].pattern, others[i].layout) end
    also = "; also found " .. table.concat(list, ", ") .. (#others > 3 and ", ..." or "")
  end
  return ("%s is not set and '%s' matches no index; using '%s' (%s layout, found on the cluster)%s; pin it: export %s=%s"):format(
    SETTING[kind], default, found.pattern, found.layout, also, SETTING[kind], found.pattern)
end

--- The pattern to query for kind when the configured pattern is the default
--- (want_layout: a configured layout the families found must have).
--- Returns pattern, how | nil, err, where how is nil when the default
--- matched, else { pattern, layout, default, note, cached, others, round_trips }.
--- Fills client.mappings[pattern] with the fields it read, so the layout
--- code does not ask again.
function _M.resolve(client, kind, default, want_layout)
  local cache = discovery_cache()
  local key = cache_key(client, kind, default, want_layout)
  local hit, confirmed_at = cache:get(key)
  if type(hit) ~= "table" or type(hit.pattern) ~= "string" or type(hit.layout) ~= "string" then hit = nil end
  local function found_cached(fields, trips)
    local m = fields and layout.detect(fields, kind)
    if not m then return nil end
    local found = { pattern = hit.pattern, layout = m.name }
    return hit.pattern, {
      pattern = hit.pattern, layout = m.name, default = default, cached = true, others = json.array({}),
      note = note_for(kind, default, found, {}), round_trips = trips,
    }
  end
  if hit then
    -- Confirmed within the mapping cache's lifetime, and its fields are
    -- still cached: no request at all (the search is the only one).
    local mc = client.mapping_cache
    if mc and mc.ttl > 0 and os.time() - confirmed_at < mc.ttl then
      local pattern, how = found_cached(layout.cached_fields(client, hit.pattern), 0)
      if pattern then return pattern, how end
    end
    local doc, err = client:json("GET", "/" .. escape_path(default .. "," .. hit.pattern) ..
      "/_mapping?ignore_unavailable=true&allow_no_indices=true", nil, default)
    if not doc then return nil, err end
    local dfields = union_fields(doc, function(n) return _M.matches(default, n) end)
    if dfields then
      layout.remember_fields(client, default, dfields)
      cache:forget(key)
      return default
    end
    local pfields = union_fields(doc, function(n) return _M.matches(hit.pattern, n) end)
    local pattern, how = found_cached(pfields, 1)
    if pattern then
      layout.remember_fields(client, pattern, pfields)
      cache:put(key, hit)                -- confirmed now
      return pattern, how
    end
    -- the cached indices are gone or changed: discover again
  else
    local fields, err = layout.fields(client, default)
    if fields then return default end
    if err.code ~= "not_found" then return nil, err end
  end

  local candidates, info = _M.candidates(client)
  if not candidates then
    if info.code == "connect" or info.code == "timeout" or info.code == "tls" then return nil, info end
    return nil, errors.new("not_found", ("%s is not set and '%s' matches no index; tinkr could not list the cluster's indices to find OTel data (%s): set %s"):format(
      SETTING[kind], default, info.message, SETTING[kind]))
  end
  local mine, others = nil, json.array({})
  -- a configured layout (TINKR_LAYOUT) picks among the families found
  for _, c in ipairs(candidates) do
    if c.kind == kind and not mine and (not want_layout or c.layout == want_layout) then
      mine = c
    end
  end
  for _, c in ipairs(candidates) do
    if c.kind == kind and c ~= mine then others[#others + 1] = c end
  end
  if not mine then
    cache:forget(key)
    return nil, errors.new("not_found", ("%s is not set, '%s' matches no index, and none of the cluster's %d index families holds OTel %s%s tinkr knows; set %s to the index pattern your writer uses"):format(
      SETTING[kind], default, info.families, kind == "logs" and "logs" or "spans",
      want_layout and (" in the " .. want_layout .. " layout (TINKR_LAYOUT)") or "", SETTING[kind]))
  end
  cache:put(key, { pattern = mine.pattern, layout = mine.layout })
  return mine.pattern, {
    pattern = mine.pattern, layout = mine.layout, default = default, cached = false,
    others = others, note = note_for(kind, default, mine, others),
    round_trips = 1 + info.round_trips,
  }
end

--- A "pattern matches nothing" error, with the OTel indices the cluster
--- does have for that signal (best effort: the original error otherwise).
function _M.explain_missing(client, kind, err)
  local candidates = _M.candidates(client)
  if not candidates then return err end
  local list = {}
  for _, c in ipairs(candidates) do
    if c.kind == kind and #list < 4 then list[#list + 1] = ("%s (%s)"):format(c.pattern, c.layout) end
  end
  if #list == 0 then return err end
  err.message = err.message .. "; OTel " .. (kind == "logs" and "log" or "span") ..
    " indices on this cluster: " .. table.concat(list, ", ")
  return err
end

return _M
