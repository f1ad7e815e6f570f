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

-- Options and help: tinkr.cli.surface (services.lua, errors.lua).
_M.COMMANDS = {
  services = run_services,
}

return _M
