-- The MCP tools: tinkr's public API for an AI agent.  Each tool's input
-- JSON Schema comes from the API's parameter definitions (tinkr.api_params
-- via tinkr.api_check.schema), the same source the HTTP API and the Lua
-- type checks use; only the defaults sized for a model's context (row
-- limits, fields) are set here.  Results are { rows | result | trace,
-- meta = { asked, total, returned, truncated, took_ms, requests }, note }.
local core = require "tinkr.core"
local errors = require "tinkr.errors"
local api_check = require "tinkr.api_check"

local json = core.json
local _M = { _VERSION = "0.1.0" }

-- Sized for a model's context: rows and series an agent can read.
_M.LIMITS = { logs = 20, logs_max = 500, traces = 10, traces_max = 200, spans = 200, trace_logs = 50,
  series = 20, points = 120, services = 50, errors = 10, errors_max = 100 }
local LOG_FIELDS = { "timestamp", "service", "level", "message", "trace_id", "span_id" }

local function copy(t)
  local c = {}
  for k, v in pairs(t or {}) do c[k] = v end
  return c
end

local function schema_of(fname, tweak)
  local s = api_check.schema(fname)
  if tweak then tweak(s.properties) end
  return s
end

local function rows_limit(props, default, max)
  local l = copy(props.limit)
  l.default, l.minimum, l.maximum = default, 1, max
  l.description = ("rows to return (default %d, at most %d); narrow the window or add filters rather than raising it"):format(default, max)
  props.limit = l
end

-- Fills p.limit with the tool's default, and checks it is within the
-- tool's range (rows_limit's schema says the same): nil, or the usage error.
local function default_limit(p, kind)
  local max = _M.LIMITS[kind .. "_max"]
  p.limit = p.limit or _M.LIMITS[kind]
  if math.type(p.limit) ~= "integer" or p.limit < 1 or p.limit > max then
    return errors.new("usage", ("limit must be from 1 to %d, got %s"):format(max, tostring(p.limit)))
  end
end

-- A tinkr error as something the agent can act on.
local HINTS = {
  usage = "fix the arguments as the message says",
  bad_query = "the backend rejected the query: check field names and syntax",
  not_found = "check the index pattern, trace id or recipe name",
  connect = "the backend is unreachable; retry later or ask the operator",
  timeout = "narrow the window (since) or the filters and retry",
  auth = "tinkr's credentials were refused; ask the operator",
  too_large = "ask for fewer rows (limit), fewer fields or a shorter window",
  backend = "the backend failed; retry, or narrow the query",
}
function _M.error_text(err)
  if errors.is_error(err) or (type(err) == "table" and err.code) then
    local hint = HINTS[err.code]
    return ("%s: %s%s"):format(err.code, tostring(err.message), hint and (" (what to change: " .. hint .. ")") or "")
  end
  return tostring(err)
end

local function meta_of(asked, meta, returned, total, truncated)
  meta = meta or {}
  return {
    asked = asked,
    total = total ~= nil and total or meta.total,
    returned = returned,
    truncated = truncated and true or false,
    took_ms = meta.took_ms,
    requests = json.array(meta.requests or (meta.request and { meta.request }) or {}),
  }
end

local function pick(row, fields)
  local out = {}
  for _, f in ipairs(fields) do out[f] = row[f] end
  return out
end

local function truncation_note(kind, returned, total, limit)
  if total and total > returned then
    return ("showing %d of %d %s; narrow the query (service, level, since, grep, where) or raise limit (max %d)"):format(
      returned, total, kind, limit)
  end
end

_M.list = {
  {
    name = "logs",
    title = "Search log lines",
    description = "Log lines from OpenSearch, newest first, in tinkr's vocabulary (timestamp, service, level, message, "
      .. "trace_id). Filter by service, level, time window (since, or from/to), message text (grep) and attributes "
      .. "(where). Returns a few fields per row by default; ask for others with fields.",
    schema = function()
      return schema_of("logs", function(p) rows_limit(p, _M.LIMITS.logs, _M.LIMITS.logs_max) end)
    end,
    call = function(tinkr, args)
      local p = copy(args)
      local bad = default_limit(p, "logs")
      if bad then return nil, bad end
      local fields = p.fields
      if type(fields) == "string" then
        local l = {}
        for f in fields:gmatch("[^,%s]+") do l[#l + 1] = f end
        fields = l
      end
      local rows, meta = tinkr.logs(p)
      if not rows then return nil, meta end
      local out = {}
      for i, r in ipairs(rows) do out[i] = pick(r, fields or LOG_FIELDS) end
      local total = meta.total
      return { rows = json.array(out), meta = meta_of(args, meta, #out, total, meta.truncated),
        note = truncation_note("lines", #out, total, _M.LIMITS.logs_max) }
    end,
  },
  {
    name = "traces",
    title = "Find slow or failing requests",
    description = "Root spans (one per request), slowest first: service, name, duration_ms, status, trace_id. "
      .. "errors=true keeps failed requests only. Pass a trace_id to the trace tool to see the whole request.",
    schema = function()
      return schema_of("traces", function(p) rows_limit(p, _M.LIMITS.traces, _M.LIMITS.traces_max) end)
    end,
    call = function(tinkr, args)
      local p = copy(args)
      local bad = default_limit(p, "traces")
      if bad then return nil, bad end
      local rows, meta = tinkr.traces(p)
      if not rows then return nil, meta end
      local out = {}
      for i, r in ipairs(rows) do
        out[i] = pick(r, { "start", "service", "name", "duration_ms", "status", "trace_id", "span_id" })
      end
      return { rows = json.array(out), meta = meta_of(args, meta, #out, meta.total, meta.truncated),
        note = truncation_note("requests", #out, meta.total, _M.LIMITS.traces_max) }
    end,
  },
  {
    name = "trace",
    title = "One request, span by span",
    description = "Every span of one trace in depth-first order (depth, service, name, duration_ms, status), with "
      .. "the log lines that carry the trace id.",
    schema = function() return schema_of("trace") end,
    call = function(tinkr, args)
      local t, meta = tinkr.trace(args.id)
      if not t then return nil, meta end
      local spans = {}
      for i, s in ipairs(t.spans) do
        if i > _M.LIMITS.spans then break end
        spans[i] = pick(s, { "span_id", "parent_span_id", "depth", "service", "name", "start", "duration_ms", "status" })
      end
      local logs = {}
      for i, r in ipairs(t.logs or {}) do
        if i > _M.LIMITS.trace_logs then break end
        logs[i] = pick(r, LOG_FIELDS)
      end
      local truncated = #t.spans > #spans or #(t.logs or {}) > #logs
      return {
        trace = { trace_id = t.trace_id, services = json.array(t.services), duration_ns = t.duration_ns,
          spans = json.array(spans), logs = json.array(logs) },
        meta = meta_of(args, meta, #spans, #t.spans, truncated),
        note = truncated and ("showing %d of %d spans and %d of %d log lines"):format(#spans, #t.spans, #logs, #(t.logs or {})) or nil,
      }
    end,
  },
  {
    name = "metrics_query",
    title = "PromQL, one instant",
    description = "An instant PromQL query against Prometheus: one value per series (labels, value, time).",
    schema = function() return schema_of("metrics.query") end,
    call = function(tinkr, args)
      local rows, meta = tinkr.metrics.query(args.query, { time = args.time })
      if not rows then return nil, meta end
      local out = {}
      for i, r in ipairs(rows) do
        if i > _M.LIMITS.series then break end
        out[i] = { labels = r.labels, value = r.value, time = core.iso_format(r.time_ns) }
      end
      return { rows = json.array(out), meta = meta_of(args, meta, #out, #rows, #rows > #out),
        note = #rows > #out and ("showing %d of %d series; aggregate (sum by ...) to see fewer"):format(#out, #rows) or nil }
    end,
  },
  {
    name = "metrics_range",
    title = "PromQL over a window",
    description = "A PromQL range query: each series' points over the window (since, or from/to; step).",
    schema = function() return schema_of("metrics.range") end,
    call = function(tinkr, args)
      local series, meta = tinkr.metrics.range(args.query, { since = args.since, from = args.from, to = args.to, step = args.step })
      if not series then return nil, meta end
      local out, cut = {}, #series > _M.LIMITS.series
      for i, s in ipairs(series) do
        if i > _M.LIMITS.series then break end
        local pts = {}
        local n = #s.points
        local first = math.max(1, n - _M.LIMITS.points + 1)
        if first > 1 then cut = true end
        for j = first, n do
          local p = s.points[j]
          pts[#pts + 1] = json.array{ core.iso_format(p[1]), p[2] }
        end
        out[i] = { labels = s.labels, points = json.array(pts) }
      end
      return { result = json.array(out), meta = meta_of(args, meta, #out, #series, cut),
        note = cut and ("cut to %d series of at most %d points (the latest); use a larger step or aggregate"):format(
          _M.LIMITS.series, _M.LIMITS.points) or nil }
    end,
  },
  {
    name = "recipe",
    title = "A named metrics question",
    description = "A PromQL recipe by name (http_request_rate, http_error_rate, http_latency_p99, ...; the "
      .. "recipes tool list is in the schema's name description). Give service and the recipe's other parameters "
      .. "as extra properties; instant by default, range=true for a series over the window.",
    schema = function()
      return schema_of("metrics.recipe", function(p)
        local names = {}
        for _, r in ipairs(require("tinkr.recipes").list()) do names[#names + 1] = r end
        local n = copy(p.name)
        n.enum = json.array(names)
        n.description = "the recipe: " .. table.concat(names, ", ")
        p.name = n
        p.service = { type = "string", description = "the service the recipe is about" }
      end)
    end,
    call = function(tinkr, args)
      local p = copy(args)
      local name = p.name
      p.name = nil
      local result, meta = tinkr.metrics.recipe(name, p)
      if not result then return nil, meta end
      local out = {}
      for i, r in ipairs(result) do
        if i > _M.LIMITS.series then break end
        if r.points then
          local pts = {}
          local n = #r.points
          for j = math.max(1, n - _M.LIMITS.points + 1), n do
            pts[#pts + 1] = json.array{ core.iso_format(r.points[j][1]), r.points[j][2] }
          end
          out[i] = { labels = r.labels, points = json.array(pts) }
        else
          out[i] = { labels = r.labels, value = r.value, time = r.time_ns and core.iso_format(r.time_ns) }
        end
      end
      local m = meta_of(args, meta, #out, #result, #result > #out)
      m.expr, m.unit = meta.expr, meta.unit
      return { result = json.array(out), meta = m }
    end,
  },
  {
    name = "services",
    title = "Services and their health",
    description = "One row per service seen in the window (logs, spans, metrics), worst first: log and error "
      .. "lines, request and error rates, p99, the slowest request (slowest_trace_id for the trace tool). "
      .. "compare (a duration) adds the same window that long before and each figure's change.",
    schema = function() return schema_of("services") end,
    call = function(tinkr, args)
      local rows, meta = tinkr.services(copy(args))
      if not rows then return nil, meta end
      local out = {}
      for i, r in ipairs(rows) do
        if i > _M.LIMITS.services then break end
        out[i] = r
      end
      local m = meta_of(args, meta, #out, #rows, #rows > #out)
      m.window, m.warnings = meta.window, meta.warnings
      return { rows = json.array(out), meta = m,
        note = #rows > #out and ("showing the %d worst of %d services; ask for one with service"):format(#out, #rows) or nil }
    end,
  },
  {
    name = "errors",
    title = "What is failing: error signatures",
    description = "The ERROR and FATAL lines of the window grouped by message, with the variable parts (ids, "
      .. "numbers, durations, addresses) masked: one row per signature, most lines first, with count, share, "
      .. "first_seen, last_seen, services, an example line and example_trace_id (give it to the trace tool, or "
      .. "to logs as trace_id). Start here when asked what is wrong.",
    schema = function()
      return schema_of("errors", function(p) rows_limit(p, _M.LIMITS.errors, _M.LIMITS.errors_max) end)
    end,
    call = function(tinkr, args)
      local p = copy(args)
      local bad = default_limit(p, "errors")
      if bad then return nil, bad end
      local rows, meta = tinkr.errors(p)
      if not rows then return nil, meta end
      local out = {}
      for i, r in ipairs(rows) do
        out[i] = pick(r, { "rank", "signature", "count", "share", "first_seen", "last_seen", "example",
          "example_trace_id" })
        out[i].services = json.array(r.services or {})
        out[i].levels = json.array(r.levels or {})
      end
      local sigs = meta.signatures or #out
      local m = meta_of(args, meta, #out, sigs, sigs > #out or meta.truncated)
      m.lines, m.lines_in_window, m.window = meta.lines, meta.total, meta.window
      local notes = {}
      if sigs > #out then
        notes[#notes + 1] = ("showing %d of %d signatures; narrow with service or since, or raise limit (max %d)"):format(
          #out, sigs, _M.LIMITS.errors_max)
      end
      if meta.truncated then
        notes[#notes + 1] = ("grouped the newest %d of %s lines in the window; counts cover those only"):format(
          meta.lines or 0, tostring(meta.total))
      end
      return { rows = json.array(out), meta = m, note = #notes > 0 and table.concat(notes, "; ") or nil }
    end,
  },
}

return _M
