-- tinkr.services{...}: one row per service seen in a window in any signal,
-- with what an on-call engineer asks first: how much it logs and how much
-- of that is errors, how fast and how well it serves (the metrics), and
-- its requests (root spans), the slowest one with its trace id.
--
-- Every query runs at once (tinkr.all): two aggregations on OpenSearch and
-- three grouped recipes on Prometheus (services_request_rate,
-- services_error_rate, services_latency), asked once for every service.
-- With compare = "1h" (or "1d", any duration) the same queries run for the
-- window shifted back by that much, at the same time.
local core = require "tinkr.core"
local errors = require "tinkr.errors"
local layout = require "tinkr.layout"
local otel = require "tinkr.otel"
local parallel = require "tinkr.parallel"
local time = require "tinkr.time"

local json = core.json
local _M = { _VERSION = "0.1.0" }

_M.SPARK_BUCKETS = 24
_M.MAX_SERVICES = 1000
-- The figures of a row, in table order; `higher_is_worse` for the arrows' colour.
_M.FIGURES = {
  { name = "log_lines" }, { name = "error_lines", higher_is_worse = true },
  { name = "error_share", higher_is_worse = true },
  { name = "request_rate" }, { name = "error_rate", higher_is_worse = true },
  { name = "p99_s", higher_is_worse = true },
  { name = "root_spans" }, { name = "error_root_spans", higher_is_worse = true },
  { name = "slowest_ms", higher_is_worse = true },
}

local function usage(msg) return nil, errors.new("usage", msg) end

local function backend()
  return require("tinkr.session").backend()
end

-- OpenSearch's date_histogram wants whole seconds (or ms) for fixed_interval.
local function interval_of(from_ns, to_ns)
  local ms = math.max(1000, (to_ns - from_ns) // 1000000 // _M.SPARK_BUCKETS)
  return ms, ms .. "ms"
end

---------------------------------------------------------------------------
-- The queries, one window each.  Each returns figures by service, meta.

local function log_figures(win)
  local L, err = backend():layout_for("logs")
  if not L then return nil, err end
  local step_ms, interval = interval_of(win.from_ns, win.to_ns)
  local q = { from = time.to_opensearch(win.from_ns, "ns"), to = time.to_opensearch(win.to_ns, "ns"),
    from_ms = win.from_ns // 1000000, to_ms = win.to_ns // 1000000,
    interval = interval, services = _M.MAX_SERVICES }
  local dsl
  dsl, err = otel.build("service_logs", q, L.resolve)
  if not dsl then return nil, err end
  local doc, meta = L.client:aggregate(L.pattern, dsl)
  if not doc then return nil, meta end
  local by = {}
  for _, b in ipairs(doc.aggregations.services.buckets) do
    local counts = {}
    for i = 1, _M.SPARK_BUCKETS do counts[i] = 0 end
    json.array(counts)
    for _, h in ipairs(b.errors.over_time.buckets) do
      local i = (math.tointeger(h.key) - q.from_ms) // step_ms + 1
      i = math.max(1, math.min(_M.SPARK_BUCKETS, i))
      counts[i] = counts[i] + h.doc_count
    end
    by[tostring(b.key)] = { log_lines = b.doc_count, error_lines = b.errors.doc_count, error_counts = counts }
  end
  meta.index, meta.layout = L.pattern, L.mapping.name
  return by, meta
end

local function top_span(hits, section)
  if not hits or #hits == 0 then return nil end
  local rows = core.map.rows(json.encode{ hits = { total = { value = #hits }, hits = hits } },
    layout.map_spec(section))
  return rows and rows[1] and otel.finish_span_row(rows[1], section)
end

local function span_figures(win)
  local S, err = backend():layout_for("spans")
  if not S then return nil, err end
  local section = S.section
  local q = { from = time.to_opensearch(win.from_ns, "ns"), to = time.to_opensearch(win.to_ns, "ns"),
    services = _M.MAX_SERVICES }
  if section.duration and section.duration.compute then
    q.duration_script = otel.DURATION_SCRIPT
    q.script_params = { s = S.resolve.field("start"), e = S.resolve.field("end") }
  end
  for raw, norm in pairs(section.status or {}) do
    if norm == "error" then q.error_status = raw end
  end
  local dsl
  dsl, err = otel.build("service_spans", q, S.resolve)
  if not dsl then return nil, err end
  local doc, meta = S.client:aggregate(S.pattern, dsl)
  if not doc then return nil, meta end
  local by = {}
  for _, b in ipairs(doc.aggregations.services.buckets) do
    by[tostring(b.key)] = { spans = b.doc_count, root_spans = 0, error_root_spans = 0 }
  end
  for _, b in ipairs(doc.aggregations.roots.services.buckets) do
    local f = by[tostring(b.key)] or { spans = b.doc_count }
    by[tostring(b.key)] = f
    f.root_spans = b.doc_count
    f.error_root_spans = b.errors and b.errors.doc_count or nil
    local top = top_span(b.slowest.hits.hits, section)
    if top then
      f.slowest_ms = top.duration_ms
      f.slowest_trace_id = top.trace_id
      f.slowest_name = top.name
    end
  end
  meta.index, meta.layout = S.pattern, S.mapping.name
  return by, meta
end

-- One grouped recipe: { [service] = value }, meta.  NaN (no traffic) is left out.
local function recipe_figures(name, field, win, params)
  local p = { window = math.max(1, (win.to_ns - win.from_ns) // 1000000000) .. "s", time = win.to_ns }
  for k, v in pairs(params or {}) do p[k] = v end
  local rows, meta = require("tinkr.metrics").recipe(name, p)
  if not rows then return nil, meta end
  local by = {}
  for _, r in ipairs(rows) do
    local svc = r.labels and r.labels.service
    if svc and type(r.value) == "number" and r.value == r.value then by[svc] = { [field] = r.value } end
  end
  return by, meta
end

local function queries_for(win, prefix, fns)
  fns[prefix .. "logs"] = function() return log_figures(win) end
  fns[prefix .. "spans"] = function() return span_figures(win) end
  fns[prefix .. "request_rate"] = function() return recipe_figures("services_request_rate", "request_rate", win) end
  fns[prefix .. "error_rate"] = function() return recipe_figures("services_error_rate", "error_rate", win) end
  fns[prefix .. "p99_s"] = function()
    return recipe_figures("services_latency", "p99_s", win, { quantile = 0.99 })
  end
end

local SIGNALS = { "logs", "spans", "request_rate", "error_rate", "p99_s" }
_M.SIGNALS = SIGNALS

--- One of the queries alone (bench/services_bench.sh times each against
--- the whole): signal is one of SIGNALS; p = { since=|from=,to= }.
--- -> figures by service, meta | nil, err
function _M.query(signal, p)
  p = p or {}
  local from_ns, to_ns = time.window{ since = p.since, from = p.from, to = p.to, now = p.now }
  if not from_ns then return usage(to_ns) end
  local fns = {}
  queries_for({ from_ns = from_ns, to_ns = to_ns }, "", fns)
  local fn = fns[signal]
  if not fn then error(("bad argument #1 to 'query' (one of %s expected)"):format(table.concat(SIGNALS, ", ")), 2) end
  return fn()
end

---------------------------------------------------------------------------
-- Rows.

local function merge(results, prefix, rows_by, warnings, requests)
  local answered = 0
  for _, signal in ipairs(SIGNALS) do
    local r = results[prefix .. signal]
    local by, meta = r[1], r[2]
    if by then
      answered = answered + 1
      for svc, figures in pairs(by) do
        local row = rows_by[svc] or {}
        rows_by[svc] = row
        for k, v in pairs(figures) do row[k] = v end
      end
      requests[#requests + 1] = meta.request
    else
      warnings[#warnings + 1] = { signal = prefix .. signal, code = meta and meta.code,
        message = errors.is_error(meta) and meta.message or tostring(meta) }
    end
  end
  return answered
end

-- Trouble first: 5xx share, then error lines, then error root spans, then name.
local function worse(a, b)
  local ea, eb = a.error_rate or -1, b.error_rate or -1
  if ea ~= eb then return ea > eb end
  local la, lb = a.error_lines or -1, b.error_lines or -1
  if la ~= lb then return la > lb end
  local ra, rb = a.error_root_spans or -1, b.error_root_spans or -1
  if ra ~= rb then return ra > rb end
  return a.service < b.service
end

local function finish(row)
  if row.log_lines and row.log_lines > 0 then row.error_share = row.error_lines / row.log_lines end
  return row
end

--- The change of each figure from `before` to `now`: a ratio (0.5 = +50 %),
--- "new" when it was 0 and is not, nil when either side is missing.
function _M.changes(now, before)
  local out = {}
  for _, f in ipairs(_M.FIGURES) do
    local a, b = now[f.name], before and before[f.name]
    if type(a) == "number" and type(b) == "number" then
      if b == 0 then out[f.name] = a == 0 and 0 or "new" else out[f.name] = (a - b) / b end
    end
  end
  return out
end

--- tinkr.services{ since=|from=,to=, now=, compare="1h"|"1d", service= }
--- -> rows (worst first), meta | nil, err
--- rows[i] = { service, log_lines, error_lines, error_share, request_rate,
---   error_rate, p99_s, spans, root_spans, error_root_spans, slowest_ms,
---   slowest_trace_id, slowest_name, error_counts (the sparkline's counts),
---   from, to (the window: pass them to tinkr.errors / logs / traces),
---   previous = { the same figures } and change = { figure = ratio } with compare }
function _M.services(p)
  p = p or {}
  if type(p) ~= "table" then
    error(("bad argument #1 to 'services' (table expected, got %s)"):format(type(p)), 2)
  end
  local from_ns, to_ns = time.window{ since = p.since, from = p.from, to = p.to, now = p.now }
  if not from_ns then return usage(to_ns) end
  local win = { from_ns = from_ns, to_ns = to_ns }
  local prev
  if p.compare ~= nil then
    local shift, err = time.duration(tostring(p.compare))
    if not shift or shift <= 0 then
      return usage(("compare: %s (use a duration: 1h compares with the hour before, 1d with the same window a day earlier)"):format(
        err or "must be more than 0"))
    end
    prev = { from_ns = from_ns - shift, to_ns = to_ns - shift }
  end
  if p.service ~= nil and type(p.service) ~= "string" then
    error(("bad argument #1 to 'services' (service: string expected, got %s)"):format(type(p.service)), 2)
  end

  local started = core.monotonic()
  local fns = {}
  queries_for(win, "", fns)
  if prev then queries_for(prev, "previous_", fns) end
  local results = parallel.run(fns)

  local rows_by, prev_by, warnings, requests = {}, {}, json.array(), json.array()
  local answered = merge(results, "", rows_by, warnings, requests)
  if prev then merge(results, "previous_", prev_by, warnings, requests) end
  if answered == 0 then
    local first = results.logs[2]
    return nil, errors.is_error(first) and first or errors.new("backend", "no signal answered")
  end

  local from_text, to_text = time.format(from_ns), time.format(to_ns)
  local rows = json.array()
  for svc, row in pairs(rows_by) do
    if p.service == nil or p.service == svc then
      row.service = svc
      row.from, row.to = from_text, to_text
      finish(row)
      if prev then
        row.previous = finish(prev_by[svc] or {})
        row.previous.error_counts = nil
        row.change = _M.changes(row, row.previous)
      end
      rows[#rows + 1] = row
    end
  end
  table.sort(rows, worse)
  return rows, {
    window = { from = from_text, to = to_text },
    previous_window = prev and { from = time.format(prev.from_ns), to = time.format(prev.to_ns) } or nil,
    took_ms = time.elapsed_ms(started),
    queries = #requests,
    requests = requests,
    warnings = warnings,
    spark_buckets = _M.SPARK_BUCKETS,
  }
end

return _M
