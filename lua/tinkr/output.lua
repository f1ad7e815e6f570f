-- How the CLI shows results: picks a format (lua/tinkr/format/*) for each
-- kind of result, fits tables to the terminal, colours only on a terminal,
-- and prints the exact requests with --verbose.
local core = require "tinkr.core"
local time = require "tinkr.time"

local _M = {}

local stdout, stderr = io.stdout, io.stderr

function _M.isatty() return core.isatty(1) end

local function width()
  return core.terminal_width(1) or tonumber(os.getenv("COLUMNS") or "") or 120
end

local function format_module(name)
  local ok, m = pcall(require, "tinkr.format." .. name)
  if not ok then
    error(require("tinkr.errors").new("usage", ("unknown format '%s': use table, json, ndjson or csv"):format(name)), 0)
  end
  return m
end

local LOG_COLUMNS = { "timestamp", "service", "level", "trace_id", "message" }
local SPAN_COLUMNS = { "start", "service", "name", "duration_ms", "status", "trace_id" }

local function columns_for(out, default)
  if out.fields then
    local cols = {}
    for f in out.fields:gmatch("[^,%s]+") do cols[#cols + 1] = f end
    return cols
  end
  if out.format == "table" or out.format == "csv" then return default end
  return nil   -- json/ndjson: every field
end

-- Times shown in the asked zone (UTC unless --tz).
local function localize(row, out)
  if out.format == "table" or (out.tz and out.tz ~= "UTC") then
    if row.time_ns then row.timestamp = time.format(row.time_ns, { tz = out.tz, precision = "ms" }) end
    if row.start_ns then row.start = time.format(row.start_ns, { tz = out.tz, precision = "ms" }) end
  end
  return row
end

local function writer_opts(out, cols)
  return { out = stdout, columns = cols, color = out.color, width = width(), tz = out.tz, sample = out.sample }
end

--- A streaming writer for log rows (ndjson/csv): :row(r), :finish(meta).
function _M.writer(out)
  local f = format_module(out.format)
  local w = f.writer(writer_opts(out, columns_for(out, LOG_COLUMNS)))
  return {
    row = function(_, r) w:row(localize(r, out)) end,
    finish = function(_, meta) w:finish(meta) end,
  }
end

local function print_rows(rows, meta, out, default_cols)
  local f = format_module(out.format)
  for _, r in ipairs(rows) do localize(r, out) end
  local w = f.writer(writer_opts(out, columns_for(out, default_cols)))
  for _, r in ipairs(rows) do w:row(r) end
  w:finish(meta)
  if out.format == "table" and out.notes ~= false then
    local note = ("%d of %s%s"):format(#rows, tostring(meta.total or #rows),
      meta.relation == "gte" and "+" or "")
    if meta.truncated then note = note .. " (more match: raise --limit, 0 = all)" end
    stderr:write(note, ", ", ("%.0f ms"):format(meta.took_ms or 0), "\n")
  end
end

function _M.logs(rows, meta, out) print_rows(rows, meta, out, LOG_COLUMNS) end

function _M.traces(rows, meta, out)
  print_rows(rows, meta, out, SPAN_COLUMNS)
  if out.format == "table" and out.notes ~= false and meta.duration_source then
    stderr:write("duration: ", meta.duration_source, "\n")
  end
end

function _M.trace(t, meta, out)
  if out.format == "json" or out.format == "ndjson" then
    local plain = { trace_id = t.trace_id, duration_ns = t.duration_ns, services = t.services,
      spans = core.json.array(), logs = t.logs }
    for i, s in ipairs(t.spans) do
      local c = {}
      for k, v in pairs(s) do if k ~= "children" then c[k] = v end end
      plain.spans[i] = c
    end
    stdout:write(core.json.encode{ trace = plain, meta = meta }, "\n")
    return
  end
  for _, l in ipairs(t.logs) do l.timestamp_ns = l.time_ns end
  local waterfall = require "tinkr.format.waterfall"
  local text = waterfall.render(t, { width = width(), color = out.color, tz = out.tz })
  stdout:write(text, text:sub(-1) == "\n" and "" or "\n")
end

function _M.metrics(result, meta, out)
  if out.format == "json" then
    stdout:write(core.json.encode{ result = result, meta = meta }, "\n")
    return
  end
  if meta.result_type == "matrix" and out.format == "table" then
    local chart = require "tinkr.format.chart"
    local series = {}
    for i, s in ipairs(result) do
      local values = {}
      for j, p in ipairs(s.points) do values[j] = { time.to_seconds(p[1]), p[2] } end
      series[i] = { metric = s.labels, values = values }
    end
    stdout:write(chart.render(series, { width = width(), color = out.color, tz = out.tz,
      title = meta.recipe or meta.expr, unit = meta.unit }))
    return
  end
  local rows = {}
  for i, r in ipairs(result) do
    local labels = {}
    for k, v in pairs(r.labels or {}) do labels[#labels + 1] = k .. "=" .. v end
    table.sort(labels)
    if meta.result_type == "matrix" then
      local last = r.points[#r.points]
      rows[i] = { series = "{" .. table.concat(labels, ", ") .. "}", value = last and last[2],
        time = last and time.format(last[1], { tz = out.tz }) }
    else
      rows[i] = { series = "{" .. table.concat(labels, ", ") .. "}", value = r.value,
        time = r.time_ns and time.format(r.time_ns, { tz = out.tz }) }
    end
  end
  local f = format_module(out.format)
  local w = f.writer(writer_opts(out, { "series", "value", "time" }))
  for _, r in ipairs(rows) do w:row(r) end
  w:finish(meta)
end

function _M.recipes(list, out)
  local recipes = require "tinkr.recipes"
  for _, name in ipairs(list) do
    local r = recipes.get(name)
    stdout:write(("%-22s %s\n"):format(name, r and r.description or ""))
  end
end

--- With --verbose: every request sent, exactly, on stderr (no headers, so
--- no API key).
function _M.verbose(meta, out)
  if not out.verbose or not meta then return end
  local reqs = meta.requests or { meta.request }
  for _, r in ipairs(reqs) do
    if type(r) == "table" then
      stderr:write("> ", r.method or "GET", " ", r.url or "", "\n")
      if r.body then stderr:write("> ", r.body, "\n") end
      if r.params then stderr:write("> ", core.json.encode(r.params), "\n") end
    end
  end
end

return _M
