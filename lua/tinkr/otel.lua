-- The otel backend: logs, root spans and whole traces from OpenSearch, in
-- tinkr's vocabulary.  Policy lives here; the DSL lives in
-- queries/templates/, the field mappings in queries/mappings/.
local core = require "tinkr.core"
local discovery = require "tinkr.discovery"
local errors = require "tinkr.errors"
local layout = require "tinkr.layout"
local opensearch = require "tinkr.opensearch"
local resources = require "tinkr.resources"
local severity = require "tinkr.severity"
local suggest = require "tinkr.suggest"
local time = require "tinkr.time"

local json = core.json
local elapsed_ms = time.elapsed_ms
local _M = { _VERSION = "0.1.0" }

_M.PAGE = 10000            -- OpenSearch's default max_result_window
-- Pages of a streamed NDJSON export (two in memory at once): the first of
-- EXPORT_PAGE hits, the next ones sized to about EXPORT_PAGE_BYTES of
-- response from the bytes per hit seen so far, at most PAGE.  Fewer, larger
-- pages cost OpenSearch less CPU (each page pays a fixed cost); the byte
-- size keeps documents of any size inside 64 MB.
_M.EXPORT_PAGE = 5000
_M.EXPORT_PAGE_BYTES = 4 * 1024 * 1024
_M.LOG_ORDER = { "timestamp", "service", "level", "trace_id", "message" }
_M.DEFAULT_LIMIT = { logs = 100, traces = 20 }

local Backend = {}
Backend.__index = Backend

--- otel.new(config) -> backend (nothing is contacted until a query runs)
function _M.new(cfg)
  return setmetatable({ config = cfg, layouts = {} }, Backend)
end

function Backend:client()
  if self._client then return self._client end
  local c, err = opensearch.new(self.config)
  if not c then return nil, err end
  -- What a run learns of the index fields is kept on disk for a while, so
  -- the next command's only request is its search (see layout.fields).
  local ttl = self.config:get("mapping_cache_ttl")
  if ttl and ttl > 0 then
    c.mapping_cache = require("tinkr.disk_cache").open("mapping", { ttl = ttl })
  end
  self._client = c
  return c
end

---------------------------------------------------------------------------
-- Parameters shared by the queries.

local function usage(msg) return nil, errors.new("usage", msg) end

local function list_of(v)
  if v == nil then return nil end
  if type(v) == "string" then
    local out = {}
    for item in v:gmatch("[^,%s]+") do out[#out + 1] = item end
    return out
  end
  return v
end

-- where = { ["http.route"] = "/cart" } or { "http.route=/cart", ... }
local function where_list(w)
  local out = {}
  if w == nil then return out end
  if type(w) == "string" then w = { w } end
  for k, v in pairs(w) do
    if math.type(k) == "integer" then
      local key, value = tostring(v):match("^([^=]+)=(.*)$")
      if not key then return nil, ("bad filter %q: use key=value, e.g. http.route=/cart"):format(tostring(v)) end
      out[#out + 1] = { key = key, value = value }
    else
      out[#out + 1] = { key = k, value = v }
    end
  end
  table.sort(out, function(a, b) return a.key < b.key end)
  return out
end

local function normalize(p, kind)
  if type(p) ~= "table" then
    error(("bad argument #1 to '%s' (table expected, got %s)"):format(kind, type(p)), 3)
  end
  local from_ns, to_ns = time.window{ since = p.since, from = p.from, to = p.to, now = p.now }
  if not from_ns then return usage(to_ns) end
  -- Types were checked by tinkr.api_check (p is its copy): limit is an
  -- integer >= 0, service and grep strings, level and fields strings or lists.
  local limit = p.limit == nil and _M.DEFAULT_LIMIT[kind] or p.limit
  local where, werr = where_list(p.where)
  if not where then return usage(werr) end
  if p.order ~= nil and p.order ~= "asc" and p.order ~= "desc" then
    return usage(("order must be \"asc\" (oldest first) or \"desc\" (newest first), got %s"):format(tostring(p.order)))
  end
  local levels = list_of(p.level)
  local level_filter = levels and severity.filter(levels)
  if levels then
    for i, l in ipairs(levels) do levels[i] = l:upper() end
  end
  return {
    service = p.service,
    levels = levels,
    level_texts = level_filter and level_filter.texts,
    level_bands = level_filter and level_filter.bands,
    from_ns = from_ns, to_ns = to_ns,
    from = time.to_opensearch(from_ns, "ns"), to = time.to_opensearch(to_ns, "ns"),
    limit = limit,
    grep = p.grep,
    trace_id = p.trace_id and p.trace_id:lower(),
    where = where,
    fields = list_of(p.fields),
    order = p.order or "desc",
  }
end

---------------------------------------------------------------------------
-- Layouts, templates and the search loop.

-- The mapping section, query-field resolver and pattern for logs or spans.
function Backend:layout_for(kind)
  local cached = self.layouts[kind]
  if cached then return cached end
  local client, err = self:client()
  if not client then return nil, err end
  local setting = kind == "logs" and "log_index" or "trace_index"
  local pattern, source, perr = self.config:lookup(setting)
  if perr then return nil, perr end
  local found
  if source == "default" then
    -- Only an unset pattern is discovered; explicit configuration wins.
    pattern, found = discovery.resolve(client, kind, pattern, self.config:get("layout"))
    if not pattern then return nil, found end
    if found then io.stderr:write("tinkr: ", found.note, "\n") end
  end
  local configured = self.config:get("layout")
  local mapping, how = layout.for_pattern(client, pattern, kind, configured)
  if not mapping then
    if how.code == "not_found" and not found then return nil, discovery.explain_missing(client, kind, how) end
    return nil, how
  end
  local fields, ferr = layout.fields(client, pattern)
  if not fields then return nil, ferr end
  local section = mapping[kind]
  cached = {
    client = client, pattern = pattern, mapping = mapping, section = section,
    how = how, resolve = layout.resolver(fields, section, pattern),
    discovered = found, kind = kind,
    from_cache = layout.fields_from_cache(client, pattern),   -- fields not asked of OpenSearch this run
  }
  self.layouts[kind] = cached
  return cached
end

-- Loaded templates by path, with the text they were compiled from: a
-- long-lived state (tinkr-server's workers) compiles each once, and again
-- only when its file changes.  Each call still runs under the budget.
local templates = {}

local function template_of(relpath)
  local src = resources.find(relpath)
  local cached = templates[relpath]
  if cached and src and cached.src == src then return cached.fn end
  local fn, err = resources.load(relpath)
  if not fn then return nil, err end
  templates[relpath] = { src = src, fn = fn }
  return fn
end

-- Fields from the mapping cache may be out of date (the index was
-- recreated, a field added or retyped).  A query built from them that
-- OpenSearch rejects, or whose hits do not look like the layout, or that
-- finds nothing, is not the user's answer yet: the cached entry is checked
-- against a fresh _mapping and, when it differs, dropped and the query run
-- again (once).  Returns the fresh layout and whether its fields differ
-- from the cached ones, or nil (not cached, or the mapping cannot be read).
function Backend:refreshed_layout(L)
  if not (L and L.from_cache) then return nil end
  local client, pattern = L.client, L.pattern
  local old = client.mappings[pattern]
  layout.forget_fields(client, pattern)
  self.layouts[L.kind] = nil
  local fresh = self:layout_for(L.kind)
  if not fresh then return nil end
  return fresh, not (fresh.pattern == pattern and layout.same_fields(old, client.mappings[pattern]))
end

-- Runs query(L) -> rows, meta, emitted for the layout of kind; when L's
-- fields came from the mapping cache and the answer is an error a stale
-- field table can cause (OpenSearch rejected the query, the hits do not
-- look like the layout) or no hits at all, and nothing was handed out
-- yet, the fields are checked (refreshed_layout) and the query run again
-- if they changed.
function Backend:with_layout(kind, query)
  local L, err = self:layout_for(kind)
  if not L then return nil, err end
  local rows, meta, emitted = query(L)
  if not L.from_cache or emitted then return rows, meta end
  local stale = rows == nil and type(meta) == "table" and meta.stale_layout
  local suspect = stale or (rows == nil and type(meta) == "table" and meta.code == "bad_query")
    or (rows ~= nil and type(meta) == "table" and (meta.total or 0) == 0)
  if not suspect then return rows, meta end
  local fresh, changed = self:refreshed_layout(L)
  if fresh and (changed or stale) then return query(fresh) end
  return rows, meta
end

-- Runs a template under pcall: a field the mapping lacks becomes nil, err.
local function build(template_name, q, resolve)
  local template, err = template_of("queries/templates/" .. template_name .. ".lua")
  if not template then return nil, err end
  local ok, dsl = pcall(template, q, resolve)
  if not ok then
    if errors.is_error(dsl) then return nil, dsl end
    return nil, errors.new("config", ("template queries/templates/%s.lua failed: %s"):format(template_name, tostring(dsl)))
  end
  return dsl
end

-- Page sorts need a unique tiebreaker, or documents sharing a timestamp at
-- a page boundary are skipped.  OpenSearch 2.x has no _shard_doc; _id is
-- unique and sortable (fielddata), _doc is the fallback where _id sorting
-- is disabled (unique per shard only).
local TIEBREAKERS = { { _id = "asc" }, { _doc = "asc" } }
-- Inside a point in time over a single shard, _doc (the Lucene document
-- number, fixed by the point in time) is unique and much cheaper to sort
-- by than _id's fielddata: about half OpenSearch's CPU time per page.
local SHARD_DOC = 2

-- Opens a point in time -> its id, the shards it spans; nil when the server
-- has none (OpenSearch < 2.4, known from its version: 1.x routes the PIT
-- path elsewhere).
local function open_pit(client, pattern)
  if not client:has_pit() then return nil end
  local pit, err = client:json("POST", "/" .. require("tinkr.index_pattern").path(pattern)
    .. "/_search/point_in_time?keep_alive=2m", nil, pattern)
  if pit and pit.pit_id then
    return pit.pit_id, nil, type(pit._shards) == "table" and math.tointeger(pit._shards.total) or nil
  end
  if err and (err.code == "bad_query" or err.status == 404 or err.status == 405) then return nil end
  return nil, err
end

-- Seconds to wait before each new try of a page whose shards or node
-- failed (replica promotion takes a few seconds after a node is lost).
_M.RECOVERY_WAITS = { 1, 2, 4, 8 }

local RECOVERABLE = { connect = true, timeout = true }
local function recoverable(err)
  return type(err) == "table" and (err.partial or RECOVERABLE[err.code]
    or (err.code == "backend" and (err.status == 503 or err.status == 404))) or false
end

-- Searches, paging past OpenSearch's window with search_after (inside a
-- point in time where the server has one).  on_page(rows, meta) is called
-- per page (an error it returns ends the search: no more pages are asked
-- for); returns the meta of the whole search (total, pages, requests) or
-- nil, err.  check_first(rows, meta), when given, sees the first page
-- before on_page does; an error it returns ends the search.
local function search_all(L, dsl, spec, limit, on_page, as_ndjson, check_first)
  local client, pattern = L.client, L.pattern
  if limit > 0 and limit <= _M.PAGE then
    dsl.size = limit
    local rows, meta = client:search(pattern, dsl, spec, as_ndjson)
    if not rows then return nil, meta end
    local wrong = check_first and check_first(rows, meta)
    if wrong then return nil, wrong end
    local stop = on_page(rows, meta)
    if stop then return nil, stop end
    meta.pages = 1
    return meta
  end

  local pit_id, err, pit_shards = open_pit(client, pattern)
  if err then return nil, err end
  local function close_pit()
    if pit_id then client:json("DELETE", "/_search/point_in_time", { pit_id = json.array{ pit_id } }) end
  end
  local index = pattern
  if pit_id then
    dsl.pit = { id = pit_id, keep_alive = "2m" }
    index = nil                          -- a PIT search names no index
  end
  local base_sort = #dsl.sort
  local tiebreaker = pit_shards == 1 and SHARD_DOC or 1
  dsl.sort[base_sort + 1] = TIEBREAKERS[tiebreaker]
  dsl.track_total_hits = true

  local wanted = limit == 0 and math.maxinteger or limit
  -- An NDJSON export asks for the next page before writing the current
  -- one, so OpenSearch searches while tinkr writes; its pages are smaller
  -- so two of them in memory stay well inside 64 MB.
  local prefetch = as_ndjson
  local page_size = prefetch and _M.EXPORT_PAGE or _M.PAGE
  local function fetch()
    if prefetch then return client:search_start(index, dsl, spec, as_ndjson) end
    return function() return client:search(index, dsl, spec, as_ndjson) end
  end
  local got, pages, first_meta, requests, recovered = 0, 0, nil, json.array(), 0
  dsl.size = math.min(page_size, wanted)
  local pending = fetch()
  while true do
    local rows, meta = pending()
    if not rows and pages == 0 and tiebreaker < #TIEBREAKERS and meta.code == "bad_query" then
      tiebreaker = tiebreaker + 1        -- _id sorting disabled here: use _doc
      dsl.sort[base_sort + 1] = TIEBREAKERS[tiebreaker]
      rows, meta = fetch()()
    end
    -- A node lost mid-export: its shards (and their part of the point in
    -- time) are gone until replicas take over.  The sort is total (the
    -- unique tiebreaker), so the same search_after in a fresh point in
    -- time continues exactly where the last page ended: no row twice,
    -- none missing.  Gives up after RECOVERY_WAITS.
    -- Document numbers belong to the lost point in time: after a _doc
    -- tiebreaker there is no exact place to continue from, so say so.
    if not rows and recoverable(meta) and pit_id and tiebreaker == SHARD_DOC and pages > 0 then
      close_pit()
      return nil, errors.new(meta.code or "backend", ("%s; the export stopped after %d rows because its point in "
        .. "time was lost and could not be continued exactly: run it again"):format(
        tostring(meta.message):match("^[^\n]*"), got), { status = meta.status, request = meta.request })
    end
    local attempt = 0
    while not rows and recoverable(meta) and attempt < #_M.RECOVERY_WAITS do
      attempt = attempt + 1
      core.sleep(_M.RECOVERY_WAITS[attempt])
      if pit_id then
        close_pit()
        pit_id, err = open_pit(client, pattern)
        if pit_id then dsl.pit.id = pit_id end
      end
      if pit_id or not dsl.pit then
        rows, meta = client:search(index, dsl, spec, as_ndjson)
      elseif err then
        meta = err
      end
    end
    if attempt > 0 then recovered = recovered + 1 end
    if not rows then close_pit(); return nil, meta end
    pages = pages + 1
    requests[#requests + 1] = meta.request
    first_meta = first_meta or meta
    local wrong = pages == 1 and check_first and check_first(rows, meta)
    if wrong then close_pit(); return nil, wrong end
    local n = meta.hits or #rows
    if n == 0 then break end
    got = got + n
    local more = meta.last_sort ~= nil and n >= dsl.size and got < wanted
    if more then
      -- The first page counted the hits; counting them again for every
      -- page would make OpenSearch visit every match each time.
      dsl.track_total_hits = false
      dsl.search_after = meta.last_sort
      if pit_id and meta.pit_id then dsl.pit.id = meta.pit_id end
      if prefetch and meta.bytes then
        page_size = math.max(1000, math.min(_M.PAGE, _M.EXPORT_PAGE_BYTES * n // meta.bytes))
      end
      dsl.size = math.min(page_size, wanted - got)
      pending = fetch()
    end
    local stop = on_page(rows, meta)
    if stop then close_pit(); return nil, stop end
    if not more then break end
  end
  close_pit()
  first_meta.pages = pages
  first_meta.requests = requests
  first_meta.recovered = recovered > 0 and recovered or nil
  first_meta.paged_with = (pit_id and "point in time + " or "") .. "search_after, tiebreaker " ..
    next(TIEBREAKERS[tiebreaker])
  return first_meta
end

-- Asks OpenSearch for only the _source paths the map spec reads (a template
-- that sets _source itself wins).  Only worth it for a few chosen fields:
-- source filtering costs the server more than it saves when most of each
-- document is wanted (10k hits: 26 ms plain, 70 ms filtered, on loopback).
local function only_needed_source(dsl, spec)
  if dsl._source ~= nil then return dsl end
  local paths, seen = {}, {}
  for _, p in pairs(spec.fields) do
    for _, path in ipairs(type(p) == "table" and p or { p }) do
      if not seen[path] then seen[path] = true; paths[#paths + 1] = path end
    end
  end
  table.sort(paths)
  dsl._source = { includes = json.array(paths) }
  return dsl
end
_M.only_needed_source = only_needed_source

---------------------------------------------------------------------------
-- Rows.

local iso_ns, iso_format = core.iso_ns, core.iso_format

local function ns_of(v)
  if type(v) == "string" then return iso_ns(v) or time.from_iso_ns(v) end
  if math.type(v) == "integer" then return v * 1000000 end   -- epoch ms
  if type(v) == "number" then return math.floor(v * 1e6) end
  return nil
end

-- RFC 3339 UTC text with as many fraction digits as the instant needs
-- (ms, us or ns), so nothing the store kept is lost.
local iso = iso_format
_M.iso = iso

-- Timestamps become ns + RFC 3339 UTC text; hit metadata is dropped.
local function finish_log_row(r)
  local ns = ns_of(r.timestamp)
  if ns then
    r.time_ns = ns
    r.timestamp = iso(ns)
  end
  r._sort, r._index = nil, nil
  return r
end

_M.finish_log_row = finish_log_row

-- The duration of a span in ns, from the layout's field or computed.
local UNIT_NS = { ns = 1, us = 1000, ms = 1000000, s = 1000000000 }

-- A time value in the layout's unit (epoch integers, e.g. Jaeger's us) -> ns.
local function time_ns(v, unit)
  if unit and math.type(v) == "integer" then return v * UNIT_NS[unit] end
  return ns_of(v)
end

-- Jaeger-style {key, type, value} tag lists -> { key = typed value }.
local function tag_map(list)
  local out = {}
  if type(list) ~= "table" then return out end
  for _, t in ipairs(list) do
    if type(t) == "table" and t.key ~= nil then
      local v = t.value
      if t.type == "bool" and type(v) == "string" then v = v == "true"
      elseif (t.type == "int64" or t.type == "float64") and type(v) == "string" then v = tonumber(v) or v end
      out[t.key] = v
    end
  end
  return out
end

-- Status, kind and attributes of a span whose layout keeps them in tags
-- (Jaeger: error=true or otel.status_code, span.kind).
local TAG_STATUS = { ERROR = "error", OK = "ok" }
local function from_tags(r, section)
  local tags = section.tags
  local attrs = tag_map(r[tags.span] or r.tags)
  local typed = type(r.tag) == "table" and r.tag or {}
  -- Tags Jaeger copied as fields (tag.error, tag.span@kind): '@' stands for '.'.
  for k, v in pairs(typed) do
    local key = k:gsub("@", ".")
    if attrs[key] == nil then attrs[key] = v end
  end
  r.resource = tag_map(r.process_tags)
  local code = attrs["otel.status_code"]
  if attrs.error == true or attrs.error == "true" then code = "ERROR" end
  r.status = code or "UNSET"
  r.status_message = attrs["otel.status_description"]
  r.kind = r.kind or attrs["span.kind"]
  r.attributes = attrs
  r.tags, r.process_tags, r.tag = nil, nil, nil
end

-- The parent span id named by the first reference of the parent kind.
local function parent_from(r, parent)
  local refs = r[parent.from]
  r[parent.from] = nil
  if type(refs) ~= "table" then return "" end
  for _, ref in ipairs(refs) do
    if type(ref) == "table" and ref.refType == parent.ref_type and ref.spanID then return ref.spanID end
  end
  return ""
end

local function finish_span_row(r, section)
  local units = section.time_units or {}
  r.start_ns = time_ns(r.start, units.start)
  r.end_ns = time_ns(r["end"], units["end"])
  local d = section.duration or {}
  if d.field and type(r.duration) == "number" then
    local ns = r.duration * UNIT_NS[d.unit or "ns"]
    r.duration_ns = math.tointeger(ns) or math.floor(ns + 0.5)
    if not r.end_ns and r.start_ns then r.end_ns = r.start_ns + r.duration_ns end
  elseif r.start_ns and r.end_ns then
    r.duration_ns = r.end_ns - r.start_ns
  end
  r.duration = nil
  if r.duration_ns then r.duration_ms = r.duration_ns / 1e6 end
  if r.start_ns then r.start = iso(r.start_ns) end
  if r.end_ns then r["end"] = iso(r.end_ns) end
  if section.parent then r.parent_span_id = parent_from(r, section.parent) end
  if section.status and section.status.from_tags then
    from_tags(r, section)
    r.status_code, r.status = r.status, TAG_STATUS[r.status] or "unset"
  else
    local status = section.status and section.status[r.status]
    r.status_code, r.status = r.status, status or (r.status ~= nil and tostring(r.status):lower() or "unset")
  end
  if r.parent_span_id == json.null then r.parent_span_id = "" end
  r._sort, r._index = nil, nil
  return r
end

_M.finish_span_row = finish_span_row

-- How a layout without a duration field is sorted by duration: a painless
-- expression over the start and end dates (ms precision in OpenSearch's
-- doc values; exact ns durations are computed from _source afterwards).
local DURATION_SCRIPT = "doc[params.e].value.toInstant().toEpochMilli() - doc[params.s].value.toInstant().toEpochMilli()"
_M.DURATION_SCRIPT = DURATION_SCRIPT

-- Why a query for a service found nothing: the service names that do exist
-- in the index, closest first (one terms aggregation, only on empty results).
local function service_hint(L, service, what)
  local ok, field = pcall(L.resolve.field, "service")
  if not ok then return nil end
  local doc = L.client:json("POST", "/" .. opensearch.escape_index(L.pattern) .. "/_search",
    { size = 0, aggs = { services = { terms = { field = field, size = 1000 } } } }, L.pattern)
  local buckets = type(doc) == "table" and type(doc.aggregations) == "table"
    and type(doc.aggregations.services) == "table" and doc.aggregations.services.buckets
  if type(buckets) ~= "table" then return nil end
  local names = {}
  for _, b in ipairs(buckets) do
    local name = tostring(b.key)
    if name == service then
      return ("service '%s' has %s in '%s', but none match this window and filters"):format(service, what, L.pattern)
    end
    names[#names + 1] = name
  end
  if #names == 0 then return ("'%s' holds no %s at all"):format(L.pattern, what) end
  local close = suggest.closest(service, names, 3)
  if #close > 0 then
    return ("no service '%s' in '%s'; closest: %s"):format(service, L.pattern, table.concat(close, ", "))
  end
  table.sort(names)
  local shown = {}
  for i = 1, math.min(8, #names) do shown[i] = names[i] end
  return ("no service '%s' in '%s'; its services: %s%s"):format(service, L.pattern,
    table.concat(shown, ", "), #names > 8 and ", ..." or "")
end

---------------------------------------------------------------------------
-- The queries.

-- With fields from the mapping cache: a first page in which no hit has one
-- of the wanted fields (a log's timestamp or message, a span's start or
-- trace id) was read with another layout's field names (the index changed
-- since), or is a rare page indeed: either way, worth one _mapping.
local function layout_check(spec, as_ndjson, wanted)
  local names = {}
  for _, n in ipairs(wanted) do
    if spec.fields[n] then names[#names + 1] = n end
  end
  if #names == 0 then return nil end
  local function found(page, n)
    if as_ndjson then return page:find('"' .. n .. '":', 1, true) ~= nil end   -- a string or lines buffer
    for _, r in ipairs(page) do
      if r[n] ~= nil then return true end
    end
    return false
  end
  return function(page, meta)
    if (meta.hits or #page) == 0 then return nil end
    for _, n in ipairs(names) do
      if not found(page, n) then
        return errors.new("backend", ("no hit has the cached layout's %s field"):format(n), { stale_layout = true })
      end
    end
    return nil
  end
end

-- A page of JSON lines (a string, or map.ndjson's lines buffer, freed here)
-- to the caller's ndjson sink: written straight to a file, else handed to
-- the function as text.  A file that refuses the bytes (a full disk) ends
-- the search: nil, or the error.
local function put_lines(sink, page)
  local text = type(page) == "string"
  local lines <close> = not text and page or nil   -- freed now: the collector does not see its size
  if io.type(sink) ~= "file" then
    sink(text and page or page:text())
    return nil
  end
  local ok, why
  if text then ok, why = sink:write(page) else ok, why = page:write(sink) end
  if ok then return nil end
  return errors.new("output", ("could not write the output: %s"):format(tostring(why)))
end

local function logs_with(L, p)
  local q, err = normalize(p, "logs")
  if not q then return nil, err end
  local dsl
  dsl, err = build("logs", q, L.resolve)
  if not dsl then return nil, err end
  local extra = {}
  for _, f in ipairs(q.fields or {}) do
    -- _id and _index come from the hit, not _source (see layout.map_spec)
    if not L.section.fields[f] and f ~= "_id" and f ~= "_index" then extra[f] = f end
  end
  local spec = layout.map_spec(L.section, extra)
  local rows, each, write = json.array(), p.each, p.ndjson
  if write then
    -- The fast path: C writes each hit as a JSON line from the raw value
    -- text; no Lua row is built (timestamps still normalised to UTC).
    spec.hit_fields = { _id = "_id" }
    spec.order = q.fields or _M.LOG_ORDER
    spec.time_field = "timestamp"
    if q.fields then
      local keep, hit = {}, {}
      for _, f in ipairs(q.fields) do
        if f == "_id" then hit._id = "_id" else keep[f] = spec.fields[f] end
      end
      if not keep.timestamp then spec.time_field = nil end
      spec.fields, spec.hit_fields = keep, hit
    end
  end
  if q.fields then only_needed_source(dsl, spec) end
  local started = core.monotonic()
  local meta, emitted
  meta, err = search_all(L, dsl, spec, q.limit, function(page, pmeta)
    if write then
      if (pmeta.hits or 0) > 0 then emitted = true end
      rows.n = (rows.n or 0) + (pmeta.hits or 0)
      return put_lines(write, page)
    end
    for _, r in ipairs(page) do
      finish_log_row(r)
      emitted = true
      if each then each(r) else rows[#rows + 1] = r end
    end
  end, write ~= nil, L.from_cache and layout_check(spec, write ~= nil, { "timestamp", "message" }) or nil)
  if not meta then return nil, err, emitted end
  local n = (each and nil) or rows.n or #rows
  local hint = q.service and (meta.total or 0) == 0 and service_hint(L, q.service, "logs") or nil
  return rows, {
    hint = hint,
    total = meta.total, relation = meta.relation,
    returned = n,
    truncated = (meta.relation == "gte") or (n ~= nil and meta.total ~= nil and n < meta.total),
    took_ms = elapsed_ms(started),
    server_took_ms = meta.took,
    pages = meta.pages, paged_with = meta.paged_with, recovered = meta.recovered,
    request = meta.requests and meta.requests[1] or meta.request,
    requests = meta.requests,
    index = L.pattern, layout = L.mapping.name, layout_source = L.how,
    discovered = L.discovered,
    window = { from = q.from, to = q.to },
  }
end

--- backend:logs{ service=, level=, since=|from=,to=, now=, limit=, grep=,
---               where=, fields=, each=function(row) } -> rows, meta | nil, err
--- With `each`, rows are streamed to it page by page and not kept.
function Backend:logs(p)
  local q, qerr = normalize(p, "logs")          -- usage errors before any request
  if not q then return nil, qerr end
  return self:with_layout("logs", function(L) return logs_with(L, p) end)
end

local function traces_with(L, p)
  local q, err = normalize(p, "traces")
  if not q then return nil, err end
  local section = L.section
  local duration_source
  if section.duration and section.duration.compute then
    local s_field, e_field = L.resolve.field("start"), L.resolve.field("end")
    q.duration_script = DURATION_SCRIPT
    q.script_params = { s = s_field, e = e_field }
    duration_source = ("computed: %s - %s (OpenSearch script sort, ms precision; exact value from _source)"):format(
      section.fields["end"], section.fields.start)
  else
    duration_source = ("field %s (%s)"):format(section.duration and section.duration.field or "?",
      section.duration and section.duration.unit or "?")
  end
  if p.errors then
    for raw, norm in pairs(section.status or {}) do
      if norm == "error" then q.errors_only, q.error_status = true, raw end
    end
    if section.status and section.status.from_tags then q.errors_only = true end
  end
  local dsl
  dsl, err = build("root_spans", q, L.resolve)
  if not dsl then return nil, err end
  if q.duration_script then
    dsl.sort[1]._script.script.params = q.script_params
  end
  local spec = layout.map_spec(section)
  local rows = json.array()
  local started = core.monotonic()
  local meta
  meta, err = search_all(L, dsl, spec, q.limit, function(page)
    for _, r in ipairs(page) do rows[#rows + 1] = finish_span_row(r, section) end
  end, false, L.from_cache and layout_check(spec, false, { "start", "trace_id" }) or nil)
  if not meta then return nil, err end
  local hint = q.service and (meta.total or 0) == 0 and service_hint(L, q.service, "spans") or nil
  return rows, {
    hint = hint,
    total = meta.total, relation = meta.relation, returned = #rows,
    truncated = meta.relation == "gte" or (meta.total or 0) > #rows,
    took_ms = elapsed_ms(started), server_took_ms = meta.took,
    request = meta.request, requests = meta.requests, pages = meta.pages,
    index = L.pattern, layout = L.mapping.name, layout_source = L.how,
    duration_source = duration_source, discovered = L.discovered,
    window = { from = q.from, to = q.to },
  }
end

--- backend:traces{ service=, since=|from=,to=, limit=20, errors=true, where= }
--- -> root spans, slowest first: rows, meta | nil, err
function Backend:traces(p)
  local q, qerr = normalize(p, "traces")        -- usage errors before any request
  if not q then return nil, qerr end
  return self:with_layout("spans", function(L) return traces_with(L, p) end)
end

-- Parent/child links, depth and order (by start) for the spans of a trace.
_M.build = build

local function build_tree(spans)
  local by_id, roots = {}, json.array()
  for _, s in ipairs(spans) do
    s.children = json.array()
    by_id[s.span_id] = s
  end
  local function by_start(a, b) return (a.start_ns or 0) < (b.start_ns or 0) end
  for _, s in ipairs(spans) do
    local parent = s.parent_span_id ~= "" and by_id[s.parent_span_id] or nil
    if parent then
      table.insert(parent.children, s)
    else
      s.orphan = s.parent_span_id ~= "" or nil   -- parent not (yet) stored
      roots[#roots + 1] = s
    end
  end
  table.sort(roots, by_start)
  local ordered = json.array()
  local function walk(s, depth)
    s.depth = depth
    ordered[#ordered + 1] = s
    table.sort(s.children, by_start)
    for _, c in ipairs(s.children) do walk(c, depth + 1) end
  end
  for _, r in ipairs(roots) do walk(r, 0) end
  return roots, ordered
end

local function is_trace_id(id)
  return type(id) == "string" and #id > 0 and #id <= 64 and id:match("^%x+$") ~= nil
end

--- backend:trace(id) -> trace, meta | nil, err
--- trace = { trace_id, spans (depth-first, with depth and children), roots,
---           logs (oldest first), start_ns, end_ns, duration_ns, services }
function Backend:trace(id, p)
  if not is_trace_id(id) then
    return usage(("bad trace id %q: a trace id is hex, e.g. 4bf92f3577b34da6a3ce929d0e0e4736"):format(tostring(id)))
  end
  id = id:lower()
  local trace, meta = self:trace_of(id, p)
  -- Not found, or rejected, with fields from the mapping cache: ask again
  -- if the cached fields turn out stale (see with_layout).
  if not trace and type(meta) == "table" and (meta.code == "not_found" or meta.code == "bad_query") then
    local changed = false
    for _, kind in ipairs{ "spans", "logs" } do
      local L = self.layouts[kind]
      if L and L.from_cache then
        local fresh, differs = self:refreshed_layout(L)
        changed = changed or (fresh ~= nil and differs)
      end
    end
    if changed then return self:trace_of(id, p) end
  end
  return trace, meta
end

function Backend:trace_of(id, p)
  p = p or {}
  local S, err = self:layout_for("spans")
  if not S then return nil, err end
  local Lg, lerr = self:layout_for("logs")
  local started = core.monotonic()
  local span_dsl
  span_dsl, err = build("trace_spans", { trace_id = id, size = _M.PAGE }, S.resolve)
  if not span_dsl then return nil, err end

  -- Spans and logs at once (they are independent requests).
  local parallel = require "tinkr.parallel"
  local results = parallel.run{
    spans = function() return S.client:search(S.pattern, span_dsl, layout.map_spec(S.section)) end,
    logs = function()
      if not Lg then return nil, lerr end
      local dsl, derr = build("trace_logs", { trace_id = id, size = _M.PAGE }, Lg.resolve)
      if not dsl then return nil, derr end
      return Lg.client:search(Lg.pattern, dsl, layout.map_spec(Lg.section))
    end,
  }
  local spans, smeta = results.spans[1], results.spans[2]
  if not spans then return nil, smeta end
  if #spans == 0 then
    return nil, errors.new("not_found", ("no spans with trace id %s in '%s'"):format(id, S.pattern))
  end
  for _, s in ipairs(spans) do finish_span_row(s, S.section) end
  local roots, ordered = build_tree(spans)
  local logs, lmeta = results.logs[1], results.logs[2]
  local log_error
  if logs then
    for _, r in ipairs(logs) do finish_log_row(r) end
  else
    log_error, logs = lmeta, json.array()
  end
  local t0, t1, services = math.maxinteger, math.mininteger, {}
  for _, s in ipairs(ordered) do
    if s.start_ns and s.start_ns < t0 then t0 = s.start_ns end
    if s.end_ns and s.end_ns > t1 then t1 = s.end_ns end
    if s.service then services[s.service] = true end
  end
  local service_list = json.array()
  for k in pairs(services) do service_list[#service_list + 1] = k end
  table.sort(service_list)
  return {
    trace_id = id, spans = ordered, roots = roots, logs = logs,
    start_ns = t0, end_ns = t1, duration_ns = t1 - t0, services = service_list,
  }, {
    took_ms = elapsed_ms(started),
    requests = json.array{ smeta.request, lmeta and lmeta.request or nil },
    request = smeta.request,
    span_index = S.pattern, log_index = Lg and Lg.pattern,
    layout = S.mapping.name, log_error = log_error,
    discovered = S.discovered or (Lg and Lg.discovered) or nil,
  }
end

return _M
