-- tinkr.errors{...}: the error (and fatal) lines of a window grouped into
-- signatures -- lines whose text is the same once the variable parts are
-- masked (queries/masks.lua; the built-in masks run in C, core.text.mask).
-- Lines are streamed from OpenSearch page by page and grouped as they
-- come; up to max_lines (default 100,000) of the newest are grouped, and
-- meta says when the window held more.
local core = require "tinkr.core"
local errors = require "tinkr.errors"
local resources = require "tinkr.resources"
local time = require "tinkr.time"

local text = core.text
local _M = { _VERSION = "0.1.0" }

_M.MAX_LINES = 100000
_M.DEFAULT_LIMIT = 20
_M.TREND_BUCKETS = 24
_M.EXAMPLE_TRACES = 3
_M.LEVELS = "ERROR,FATAL"
_M.FIELDS = { "timestamp", "service", "level", "message", "trace_id" }

--- The masks of queries/masks.lua (a user copy wins), checked:
--- { flags = the built-in masks as core.text flags, patterns = { {pat, repl} ... } }.
--- Raises a config error for a bad file.
function _M.masks(masks)
  if masks == nil then
    local m, err = resources.load("queries/masks.lua")
    if not m then error(err, 0) end
    masks = m
  end
  if type(masks) ~= "table" then
    error(errors.new("config", "queries/masks.lua must return a table with patterns and builtin"), 0)
  end
  local flags = 0
  for name, on in pairs(masks.builtin or {}) do
    local bit = text.FLAGS[name]
    if not bit then
      error(errors.new("config", ("queries/masks.lua: unknown built-in mask '%s' (known: uuid, email, ip, duration, digits, hex, quoted, url, kv, kv_all)"):format(tostring(name))), 0)
    end
    if on then flags = flags | bit end
  end
  local patterns = {}
  for i, p in ipairs(masks.patterns or {}) do
    if type(p) ~= "table" or type(p[1]) ~= "string" or type(p[2]) ~= "string" then
      error(errors.new("config", ("queries/masks.lua: patterns[%d] must be { \"lua pattern\", \"replacement\" }"):format(i)), 0)
    end
    local ok, perr = pcall(string.gsub, "a probe: 1 x", p[1], p[2])
    if not ok then
      error(errors.new("config", ("queries/masks.lua: patterns[%d]: %s"):format(i, perr)), 0)
    end
    patterns[#patterns + 1] = p
  end
  return { flags = flags, patterns = patterns }
end

--- message -> its signature text, with the given (or the configured) masks.
function _M.signature(message, masks)
  masks = masks or _M.masks()
  for _, p in ipairs(masks.patterns) do message = string.gsub(message, p[1], p[2]) end
  return text.mask(message, masks.flags)
end

--- A grouper: g:add(message, row) for each line (or g:add_lines(text) for
--- a whole text, one message a line), then g:rows(limit).  row (optional):
--- time_ns, service, level, trace_id.  opts: masks (from _M.masks),
--- from_ns/to_ns (the window, for the trend counts).  The masking and the
--- table of signatures are C (core.text.grouper); per signature, Lua keeps
--- what rows carry.
function _M.grouper(opts)
  opts = opts or {}
  local masks = opts.masks or _M.masks()
  local patterns = #masks.patterns > 0 and masks.patterns or nil
  local table_ = text.grouper(masks.flags)
  local from_ns, to_ns = opts.from_ns, opts.to_ns
  local span = (from_ns and to_ns and to_ns > from_ns) and (to_ns - from_ns) or nil
  local buckets = _M.TREND_BUCKETS
  local sigs, lines = {}, 0          -- sigs[id] = what Lua keeps about signature id
  local gsub = string.gsub
  local g = {}

  function g.add(_, message, row)
    if type(message) ~= "string" then message = tostring(message) end
    local input = message
    if patterns then
      for i = 1, #patterns do input = gsub(input, patterns[i][1], patterns[i][2]) end
    end
    local id, is_new = table_:add(input)
    lines = lines + 1
    local s = sigs[id]
    if is_new then
      s = { services = {}, levels = {}, trace_ids = {}, seen_traces = {}, example = message,
            trend = span and {} or nil }
      if span then for i = 1, buckets do s.trend[i] = 0 end end
      sigs[id] = s
    end
    if not row then return end
    local t = row.time_ns
    if t then
      if not s.first_ns or t < s.first_ns then s.first_ns = t end
      if not s.last_ns or t > s.last_ns then s.last_ns = t end
      if span then
        local i = (t - from_ns) * buckets // span + 1
        if i < 1 then i = 1 elseif i > buckets then i = buckets end
        s.trend[i] = s.trend[i] + 1
      end
    end
    if row.service then s.services[row.service] = true end
    if row.level then s.levels[row.level] = true end
    local tid = row.trace_id
    if type(tid) == "string" and tid ~= "" then
      -- the example: the first line seen that names its trace (lines
      -- come newest first), else the first line seen
      if not s.example_trace then s.example, s.example_trace = message, tid end
      if not s.seen_traces[tid] and #s.trace_ids < _M.EXAMPLE_TRACES then
        s.seen_traces[tid] = true
        s.trace_ids[#s.trace_ids + 1] = tid
      end
    end
  end

  --- Every line of a text at once (the whole loop in C); no per-line
  --- details (times, services), so rows have counts and examples only.
  function g.add_lines(_, whole)
    if patterns then
      for line in whole:gmatch("[^\n]+") do g:add(line) end
      return
    end
    lines = lines + table_:add_lines(whole)
  end

  --- Every line of a file (read in C when there are no Lua pattern masks).
  --- -> true | nil, message
  function g.add_file(_, path)
    if patterns then
      local f, err = io.open(path, "rb")
      if not f then return nil, err end
      local whole = f:read("a")
      f:close()
      g:add_lines(whole)
      return true
    end
    local n, err = table_:add_file(path)
    if not n then return nil, err end
    lines = lines + n
    return true
  end

  local function keys(set)
    local out = {}
    for k in pairs(set) do out[#out + 1] = k end
    table.sort(out)
    return out
  end

  --- The signatures, most lines first (then by text), at most `limit` (0 = all).
  function g.rows(_, limit)
    local n = table_:size()
    local order = {}
    for id = 1, n do order[id] = { id = id, count = table_:count(id), signature = table_:signature(id) } end
    table.sort(order, function(a, b)
      if a.count ~= b.count then return a.count > b.count end
      return a.signature < b.signature
    end)
    local out = {}
    local shown = (limit == nil or limit == 0) and n or math.min(limit, n)
    for i = 1, shown do
      local o = order[i]
      local s = sigs[o.id] or { services = {}, levels = {}, trace_ids = {}, example = table_:example(o.id) }
      out[i] = {
        rank = i, signature = o.signature, count = o.count, share = lines > 0 and o.count / lines or 0,
        first_seen = s.first_ns and time.format(s.first_ns) or nil,
        last_seen = s.last_ns and time.format(s.last_ns) or nil,
        services = keys(s.services), levels = keys(s.levels),
        example = s.example, example_trace_id = s.example_trace, trace_ids = s.trace_ids, trend = s.trend,
      }
    end
    return out, { lines = lines, signatures = n }
  end

  return g
end

local function usage(msg) return nil, errors.new("usage", msg) end

--- tinkr.errors{ service=, level="ERROR,FATAL", since=|from=,to=, now=,
---   where=, limit=20 (signatures; 0 = all), max_lines=100000 }
--- -> rows (most lines first), meta | nil, err
--- rows[i] = { rank, signature, count, share, first_seen, last_seen,
---   services, levels, example, example_trace_id (the example's trace),
---   trace_ids (up to 3), trend (counts over the window, for a sparkline) }
--- meta = { lines (grouped), total (in the window), truncated, signatures,
---   max_lines, window, took_ms, request, ... }
function _M.errors(p)
  p = p or {}
  if type(p) ~= "table" then
    error(("bad argument #1 to 'errors' (table expected, got %s)"):format(type(p)), 2)
  end
  local limit = p.limit == nil and _M.DEFAULT_LIMIT or tonumber(p.limit)
  if not limit or limit < 0 or limit ~= math.floor(limit) then
    return usage(("limit must be a whole number >= 0 (0 = all signatures), got %s"):format(tostring(p.limit)))
  end
  local max_lines = p.max_lines == nil and _M.MAX_LINES or tonumber(p.max_lines)
  if not max_lines or max_lines < 1 or max_lines ~= math.floor(max_lines) then
    return usage(("max_lines must be a whole number >= 1, got %s"):format(tostring(p.max_lines)))
  end
  local from_ns, to_ns = time.window{ since = p.since, from = p.from, to = p.to, now = p.now }
  if not from_ns then return usage(to_ns) end
  local ok, masks = pcall(_M.masks)
  if not ok then return nil, errors.is_error(masks) and masks or errors.new("config", tostring(masks)) end
  local g = _M.grouper{ masks = masks, from_ns = from_ns, to_ns = to_ns }
  local started = core.monotonic()
  local backend = require("tinkr.session").backend()
  local rows, meta = backend:logs{
    service = p.service, level = p.level or _M.LEVELS, where = p.where,
    from = time.format(from_ns, { precision = "ns" }), to = time.format(to_ns, { precision = "ns" }),
    limit = math.tointeger(max_lines), fields = _M.FIELDS,
    each = function(row) g:add(row.message or "", row) end,
  }
  if not rows then return nil, meta end
  local out, stats = g:rows(math.tointeger(limit))
  meta.lines, meta.signatures, meta.max_lines = stats.lines, stats.signatures, math.tointeger(max_lines)
  meta.truncated = (meta.relation == "gte") or (meta.total or 0) > stats.lines
  meta.shown = #out
  meta.took_ms = (core.monotonic() - started) * 1000
  meta.window = { from = time.format(from_ns), to = time.format(to_ns) }
  return out, meta
end

return _M
