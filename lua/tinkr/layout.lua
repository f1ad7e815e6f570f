-- Which of the known data layouts an index pattern holds, and how tinkr's
-- field names become OpenSearch field names for it.
--
-- The layout comes from configuration (TINKR_LAYOUT / profile `layout`) or
-- is detected once per index pattern from its _mapping (cached on the
-- client, and on disk for a few minutes: see fields), never guessed per
-- document.
local errors = require "tinkr.errors"
local resources = require "tinkr.resources"

local _M = { _VERSION = "0.1.0" }

-- Detection order: the most specific rules first (a Jaeger span index also
-- has the seed layout's "duration" and "startTime").
_M.KNOWN = { "jaeger", "dataprepper", "seed", "ss4o", "ecs", "flatten_attributes" }

local loaded = {}

--- The mapping table for a layout name (queries/mappings/NAME.lua).
function _M.mapping(name)
  if loaded[name] then return loaded[name] end
  local m, err = resources.load("queries/mappings/" .. name .. ".lua")
  if not m then
    return nil, errors.new("config", ("unknown layout '%s' (%s); known layouts: %s"):format(
      name, tostring(err), table.concat(_M.KNOWN, ", ")))
  end
  if type(m) == "table" and m.spans_from and not m.spans then
    local base, berr = _M.mapping(m.spans_from)
    if not base then return nil, berr end
    m.spans = base.spans
  end
  loaded[name] = m
  return m
end

-- _mapping properties -> { ["a.b.c"] = { type = "text", keyword = "a.b.c.keyword" }, ... }
local function flatten(props, prefix, out)
  for name, def in pairs(props) do
    local path = prefix .. name
    if type(def) == "table" then
      if type(def.properties) == "table" then
        flatten(def.properties, path .. ".", out)
      end
      if def.type then
        local entry = out[path] or {}
        entry.type = def.type
        if type(def.fields) == "table" then
          for sub, subdef in pairs(def.fields) do
            if type(subdef) == "table" and subdef.type == "keyword" then
              entry.keyword = path .. "." .. sub
            end
          end
        end
        out[path] = entry
      end
    end
  end
  return out
end

--- The flattened fields of one index's _mapping entry (nil if it has none).
function _M.index_fields(index, out)
  local props = type(index) == "table" and type(index.mappings) == "table" and index.mappings.properties
  if type(props) ~= "table" then return out end
  return flatten(props, "", out or {})
end

-- A cached field table is used only if it still has the shape flatten()
-- gives (a foreign or damaged entry reads as absent).
local function well_formed(fields)
  if type(fields) ~= "table" or next(fields) == nil then return false end
  for path, f in pairs(fields) do
    if type(path) ~= "string" or type(f) ~= "table" or type(f.type) ~= "string"
        or (f.keyword ~= nil and type(f.keyword) ~= "string") then
      return false
    end
  end
  return true
end

local function cache_key(client, pattern)
  return require("tinkr.disk_cache").key(client.base, "mapping", pattern)
end

--- Flattened fields of every index matching pattern (union), cached on the
--- client and, when the client has a mapping_cache (a tinkr.disk_cache the
--- otel backend attaches), on disk between runs: a command against a
--- remote cluster then pays one round trip (the search), not two.  Fields
--- read from disk are marked in client.mappings_cached[pattern], so a
--- query they fail can drop them (forget_fields) and ask again.
function _M.fields(client, pattern)
  local cached = _M.cached_fields(client, pattern)
  if cached then return cached end
  local doc, err = client:json("GET", "/" .. require("tinkr.index_pattern").path(pattern) .. "/_mapping", nil, pattern)
  if not doc then return nil, err end
  local fields, n = {}, 0
  for _, index in pairs(doc) do
    local props = type(index) == "table" and type(index.mappings) == "table" and index.mappings.properties
    if type(props) == "table" then flatten(props, "", fields) end
    n = n + 1
  end
  if n == 0 then
    return nil, errors.new("not_found", ("index pattern '%s' matches no index on OpenSearch; check the pattern (OTEL_LOG_INDEX / OTEL_TRACE_INDEX)"):format(pattern))
  end
  _M.remember_fields(client, pattern, fields)
  return fields
end

--- The fields known for pattern without asking OpenSearch (this process's,
--- else the disk cache's), or nil.
function _M.cached_fields(client, pattern)
  local known = client.mappings[pattern]
  if known then return known end
  local disk = client.mapping_cache
  if not disk then return nil end
  local stored = disk:get(cache_key(client, pattern))
  if not well_formed(stored) then return nil end
  client.mappings[pattern] = stored
  client.mappings_cached = client.mappings_cached or {}
  client.mappings_cached[pattern] = true
  return stored
end

--- Keeps fields read from OpenSearch for pattern (on the client, and on
--- disk when the client has a mapping_cache).
function _M.remember_fields(client, pattern, fields)
  client.mappings[pattern] = fields
  if client.mappings_cached then client.mappings_cached[pattern] = nil end
  if client.mapping_cache and next(fields) ~= nil then
    client.mapping_cache:put(cache_key(client, pattern), fields)
  end
end

--- True when the client's fields for pattern came from the disk cache
--- (not asked of OpenSearch in this process).
function _M.fields_from_cache(client, pattern)
  return client.mappings_cached ~= nil and client.mappings_cached[pattern] == true
end

--- Drops what is known of pattern's fields, here and on disk.
function _M.forget_fields(client, pattern)
  client.mappings[pattern] = nil
  if client.mappings_cached then client.mappings_cached[pattern] = nil end
  if client.mapping_cache then client.mapping_cache:forget(cache_key(client, pattern)) end
end

--- True when two field tables say the same (paths, types, keyword sub-fields).
function _M.same_fields(a, b)
  if type(a) ~= "table" or type(b) ~= "table" then return false end
  local n = 0
  for path, f in pairs(a) do
    local g = b[path]
    if type(g) ~= "table" or g.type ~= f.type or g.keyword ~= f.keyword then return false end
    n = n + 1
  end
  for _ in pairs(b) do n = n - 1 end
  return n == 0
end

local function satisfies(fields, rule)
  for _, p in ipairs(rule.present or {}) do
    if not fields[p] then return false end
  end
  for _, p in ipairs(rule.absent or {}) do
    if fields[p] then return false end
  end
  return true
end

--- The known layout whose detection rule the flattened fields satisfy, or
--- nil (nil, err only when a mapping file is broken).
function _M.detect(fields, kind)
  for _, name in ipairs(_M.KNOWN) do
    local m, merr = _M.mapping(name)
    if not m then return nil, merr end
    if m.detect and m.detect[kind] and satisfies(fields, m.detect[kind]) then
      return m
    end
  end
  return nil
end

--- The layout for an index pattern: from config, else detected.
--- kind is "logs" or "spans".  Returns mapping, how ("configured"/"detected").
function _M.for_pattern(client, pattern, kind, configured)
  if configured then
    local m, err = _M.mapping(configured)
    if not m then return nil, err end
    return m, "configured"
  end
  local fields, err = _M.fields(client, pattern)
  if not fields then return nil, err end
  local m, derr = _M.detect(fields, kind)
  if m then return m, "detected" end
  if derr then return nil, derr end
  return nil, errors.new("config", ("cannot tell the data layout of '%s' from its mapping; set TINKR_LAYOUT to one of %s"):format(
    pattern, table.concat(_M.KNOWN, ", ")))
end

local function first_path(p)
  return type(p) == "table" and p[1] or p
end

--- A resolver for query fields: tinkr name or attribute key -> the field to
--- put in a term/range/sort, via the .keyword sub-field for text fields.
--- Its functions raise an error object (errors.lua) for a field the mapping
--- lacks; templates run under pcall, so that becomes `nil, err`.
function _M.resolver(fields, section, pattern)
  local function queryable(path)
    local f = fields and fields[path]
    if not f then return nil end
    if f.type == "text" then return f.keyword or path, f end
    return path, f
  end
  local r = {}
  function r.field(name)
    local candidates = section.query_fields and section.query_fields[name] or section.fields[name]
    if type(candidates) ~= "table" then candidates = { candidates } end
    for _, p in ipairs(candidates) do
      local q = queryable(p)
      if q then return q end
    end
    if not fields then return first_path(section.fields[name]) end
    error(errors.new("bad_query", ("field '%s' (%s) is not in the mapping of '%s'"):format(
      name, tostring(first_path(section.fields[name])), pattern)))
  end
  -- The field itself, for full-text queries (match_phrase on a text field).
  function r.text(name)
    local candidates = section.fields[name]
    if type(candidates) ~= "table" then candidates = { candidates } end
    for _, p in ipairs(candidates) do
      if not fields or fields[p] then return p end
    end
    return r.field(name)
  end
  -- Whether the mapping has the field (templates add optional clauses).
  function r.has(name)
    local candidates = section.fields[name]
    if candidates == nil then return false end
    if type(candidates) ~= "table" then candidates = { candidates } end
    for _, p in ipairs(candidates) do
      if not fields or fields[p] then return true end
    end
    return false
  end
  -- The raw type info for a tinkr field (for choosing match vs wildcard).
  function r.info(name)
    local p = first_path(section.fields[name])
    return fields and fields[p]
  end
  -- An attribute filter key: an exact field, or one under the layout's prefixes.
  function r.attribute(key)
    if fields and fields[key] then return (queryable(key)) end
    if section.fields[key] then return r.field(key) end
    local k = key
    if section.attribute_key == "at_for_dots" then k = key:gsub("%.", "@") end
    local tried = {}
    for _, pattern_ in ipairs(section.attributes or {}) do
      local path = pattern_:format(k)
      tried[#tried + 1] = path
      local q = queryable(path)
      if q then return q end
    end
    if not fields then return tried[1] end
    error(errors.new("bad_query", ("no field '%s' in the mapping of '%s' (tried %s)"):format(
      key, pattern, table.concat(tried, ", "))))
  end
  -- The clause selecting root spans: no parent id, or (Jaeger) no reference
  -- of the parent kind.
  function r.root()
    local root = section.root
    if not root then return { term = { [r.field("parent_span_id")] = "" } } end
    local musts = {}
    for path, value in pairs(root.none) do musts[#musts + 1] = { term = { [path] = value } } end
    local q = { bool = { filter = musts } }
    if not fields or (fields[root.nested] or {}).type == "nested" then
      q = { nested = { path = root.nested, query = q } }
    end
    return { bool = { must_not = { q } } }
  end
  -- The clause for `key = value` on an attribute: a term on the attribute's
  -- field, or (key/value tag lists) a nested match in any of the lists.
  function r.match(key, value)
    local lists = section.nested_attributes
    if not lists then return { term = { [r.attribute(key)] = value } } end
    local should = {}
    for _, l in ipairs(lists) do
      should[#should + 1] = { nested = { path = l.path, query = { bool = { filter = {
        { term = { [l.key] = key } }, { term = { [l.value] = tostring(value) } } } } } } }
    end
    return { bool = { should = should, minimum_should_match = 1 } }
  end
  -- The clause for spans in error: the status field holding its error value,
  -- or (status in tags) the error tag / otel.status_code ERROR.
  function r.failed(raw)
    if not (section.status and section.status.from_tags) then
      return { term = { [r.field("status")] = raw } }
    end
    local tagged = section.tags.span
    local should = {
      { nested = { path = tagged, query = { bool = { filter = {
        { term = { [tagged .. ".key"] = "error" } }, { term = { [tagged .. ".value"] = "true" } } } } } } },
      { nested = { path = tagged, query = { bool = { filter = {
        { term = { [tagged .. ".key"] = "otel.status_code" } }, { term = { [tagged .. ".value"] = "ERROR" } } } } } } },
    }
    if fields and fields[section.tags.typed .. ".error"] then
      should[#should + 1] = { term = { [section.tags.typed .. ".error"] = true } }
    end
    return { bool = { should = should, minimum_should_match = 1 } }
  end
  return r
end

--- The map spec (tinkr.core.map) that reads a section's fields from _source.
function _M.map_spec(section, extra)
  local spec = { fields = {}, hit_fields = { _id = "_id", _index = "_index", _sort = "sort" } }
  for name, paths in pairs(section.fields) do spec.fields[name] = paths end
  for name, path in pairs(extra or {}) do spec.fields[name] = path end
  return spec
end

return _M
