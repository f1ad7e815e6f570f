-- The on-call commands: `tinkr services` and `tinkr errors`.  Each is
-- run(opts, positional, out, cli) -> exit status, where cli = { fail,
-- usage, result_status } from tinkr.cli.
local _M = {}

local stdout, stderr = io.stdout, io.stderr

local function width()
  local core = require "tinkr.core"
  return core.terminal_width(1) or tonumber(os.getenv("COLUMNS") or "") or 120
end

-- Fields of a services row, in output order (json, ndjson, csv).
local SERVICE_FIELDS = { "service", "log_lines", "error_lines", "error_share", "request_rate", "error_rate",
  "p99_s", "spans", "root_spans", "error_root_spans", "slowest_ms", "slowest_trace_id", "slowest_name",
  "from", "to" }

-- JSON keeps every field: a signal that has nothing for the service is null.
local function with_nulls(row, fields)
  local null = require("tinkr.core").json.null
  for _, f in ipairs(fields) do if row[f] == nil then row[f] = null end end
  return row
end

-- csv: one flat line per service (previous_* and change_* with --compare).
local function flat(row, compare)
  local out, cols = {}, {}
  for _, f in ipairs(SERVICE_FIELDS) do out[f] = row[f]; cols[#cols + 1] = f end
  if compare then
    for _, f in ipairs(require("tinkr.services").FIGURES) do
      out["previous_" .. f.name] = row.previous and row.previous[f.name]
      local c = row.change and row.change[f.name]
      out["change_" .. f.name] = c
      cols[#cols + 1] = "previous_" .. f.name
      cols[#cols + 1] = "change_" .. f.name
    end
  end
  return out, cols
end

local function run_services(opts, pos, out, cli)
  if #pos > 0 then return cli.usage("services", ("unexpected argument '%s'"):format(pos[1])) end
  local tinkr = require "tinkr"
  local rows, meta = tinkr.services{ since = opts.since, from = opts.from, to = opts.to,
    compare = opts.compare, service = opts.service }
  if not rows then return cli.fail(meta) end
  local fmt = opts.format or "table"
  if fmt == "table" then
    stdout:write(require("tinkr.format.services").render(rows, meta,
      { width = width(), color = out.color, compare = opts.compare ~= nil }))
    local note = ("%d services, %s .. %s"):format(#rows, meta.window.from, meta.window.to)
    if meta.previous_window then
      note = note .. (", compared with %s .. %s"):format(meta.previous_window.from, meta.previous_window.to)
    end
    stderr:write(note, (", %d queries at once in %.0f ms\n"):format(meta.queries, meta.took_ms))
    for _, w in ipairs(meta.warnings) do
      stderr:write("tinkr: ", w.signal, " shown as '-': ", w.message, "\n")
    end
  elseif fmt == "csv" then
    local w
    for _, r in ipairs(rows) do
      local row, cols = flat(r, opts.compare ~= nil)
      w = w or require("tinkr.format.csv").writer{ out = stdout, columns = cols }
      w:row(row)
    end
    if w then w:finish(meta) end
  elseif fmt == "json" or fmt == "ndjson" then
    local f = require("tinkr.format." .. fmt)
    local cols = {}
    for i, c in ipairs(SERVICE_FIELDS) do cols[i] = c end
    cols[#cols + 1] = "error_counts"
    if opts.compare then cols[#cols + 1] = "previous"; cols[#cols + 1] = "change" end
    local w = f.writer{ out = stdout, columns = cols }
    for _, r in ipairs(rows) do w:row(with_nulls(r, SERVICE_FIELDS)) end
    w:finish(meta)
  else
    return cli.usage("services", ("unknown format '%s': use table, json, ndjson or csv"):format(fmt))
  end
  require("tinkr.output").verbose(meta, out)
  return cli.result_status(#rows, opts)
end

-- Fields of an errors row, in output order (json, ndjson; csv drops the lists' brackets).
local ERROR_FIELDS = { "rank", "count", "share", "first_seen", "last_seen", "services", "levels",
  "signature", "example", "example_trace_id", "trace_ids", "trend" }

local function run_errors(opts, pos, out, cli)
  if #pos > 0 then return cli.usage("errors", ("unexpected argument '%s'"):format(pos[1])) end
  local tinkr = require "tinkr"
  local max_lines = opts.max_lines and tonumber(opts.max_lines)
  if opts.max_lines and (not max_lines or max_lines < 1 or max_lines ~= math.floor(max_lines)) then
    return cli.usage("errors", ("--max-lines: a whole number >= 1, got %q"):format(opts.max_lines))
  end
  local pick = opts.trace and tonumber(opts.trace)
  if opts.trace and (not pick or pick < 1 or pick ~= math.floor(pick)) then
    return cli.usage("errors", ("--trace: the number of a signature (1 = the top one), got %q"):format(opts.trace))
  end
  local limit = opts.limit
  if pick and limit ~= nil and limit ~= 0 and limit < pick then limit = pick end
  local rows, meta = tinkr.errors{ service = opts.service, level = opts.level, since = opts.since,
    from = opts.from, to = opts.to, where = opts.where, limit = limit,
    max_lines = max_lines and math.tointeger(max_lines) }
  if not rows then return cli.fail(meta) end

  if pick then
    -- the pivot: signature N -> its example trace, as a waterfall with its logs
    local row = rows[math.tointeger(pick)]
    if not row then
      stderr:write(("tinkr: there are %d signatures in the window, not %d\n"):format(#rows, pick))
      return 1
    end
    if not row.example_trace_id then
      stderr:write(("tinkr: signature %d has no trace id (its lines were not written while serving a request): %s\n"):format(
        pick, row.signature))
      return 1
    end
    stderr:write(("signature %d: %s\nexample: %s\n"):format(pick, row.signature, row.example))
    local t, tmeta = tinkr.trace(row.example_trace_id)
    if not t then return cli.fail(tmeta) end
    require("tinkr.output").trace(t, tmeta, out)
    return cli.result_status(#t.spans, opts)
  end

  local fmt = opts.format or "table"
  if fmt == "table" then
    stdout:write(require("tinkr.format.errors").render(rows, { width = width(), tz = out.tz }))
    local note = ("%d lines in %d signatures, %s .. %s"):format(meta.lines, meta.signatures,
      meta.window.from, meta.window.to)
    if meta.shown < meta.signatures then note = note .. (" (top %d shown: --limit 0 for all)"):format(meta.shown) end
    if meta.truncated then
      note = note .. ("; the window holds %s%s lines, the newest %d were grouped (raise --max-lines)"):format(
        tostring(meta.total), meta.relation == "gte" and "+" or "", meta.lines)
    end
    stderr:write(note, ("; %.0f ms\n"):format(meta.took_ms))
    if #rows > 0 and rows[1].example_trace_id then
      stderr:write("tinkr errors --trace 1 (same options) draws the example trace of signature 1\n")
    end
  elseif fmt == "json" or fmt == "ndjson" or fmt == "csv" then
    local w = require("tinkr.format." .. fmt).writer{ out = stdout, columns = ERROR_FIELDS }
    local null = require("tinkr.core").json.null
    for _, r in ipairs(rows) do
      if fmt == "csv" then
        r.services, r.levels = table.concat(r.services, " "), table.concat(r.levels, " ")
        r.trace_ids, r.trend = table.concat(r.trace_ids, " "), r.trend and table.concat(r.trend, " ")
      end
      for _, f in ipairs(ERROR_FIELDS) do if r[f] == nil then r[f] = null end end
      w:row(r)
    end
    w:finish(meta)
  else
    return cli.usage("errors", ("unknown format '%s': use table, json, ndjson or csv"):format(fmt))
  end
  require("tinkr.output").verbose(meta, out)
  return cli.result_status(#rows, opts)
end

-- Options and help: tinkr.cli.surface (services.lua, errors.lua).
_M.COMMANDS = {
  services = run_services,
  errors = run_errors,
}

return _M
