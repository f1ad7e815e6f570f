-- `tinkr logs | traces | trace | metrics | profiles`: the commands an
-- on-call engineer types.  Each returns the process exit status:
--   0  results (or, with --fail-if-found, no results)
--   1  no results (or, with --fail-if-found, results: a pipeline gate)
--   2  usage error;  3 and up: see tinkr.errors.CODES (config, connect, ...)
local args = require "tinkr.cli.args"
local errors = require "tinkr.errors"

local _M = {}

local COMMON = {
  since = "value", from = "value", to = "value", now = "value",
  format = "value", tz = "value", limit = "value", fields = "value",
  profile = "value", config = "value", layout = "value",
  fail_if_found = "flag", no_color = "flag", verbose = "flag", help = "flag",
  aliases = { h = "help", v = "verbose" },
}

local function with_common(extra)
  local spec = {}
  for k, v in pairs(COMMON) do spec[k] = v end
  for k, v in pairs(extra) do spec[k] = v end
  return spec
end

local SPECS = {
  logs = with_common{ service = "value", level = "value", grep = "value", where = "list" },
  traces = with_common{ service = "value", errors = "flag", where = "list" },
  trace = with_common{},
  metrics = with_common{ recipe = "value", service = "value", step = "value", range = "flag",
    instant = "flag", time = "value", param = "list", quantile = "value", window = "value" },
  profiles = with_common{},
}

local HELP = {
  logs = [==[
usage: tinkr logs [--service S] [--level L[,L]] [--since 1h | --from T --to T]
                  [--grep TEXT] [--where key=value]... [--limit N] [--fields a,b]
                  [--format table|json|ndjson|csv] [--tz UTC|+02:00|local] [--now T]
Log lines, newest first.  --limit 0 returns every match (paged past 10,000).]==],
  traces = [==[
usage: tinkr traces [--service S] [--errors] [--since 1h | --from T --to T]
                    [--where key=value]... [--limit N] [--format ...]
Root spans (requests), slowest first.]==],
  trace = [==[
usage: tinkr trace TRACE_ID [--format table|json] [--tz ...]
Every span of one trace as a waterfall, with the log lines that carry its id.]==],
  metrics = [==[
usage: tinkr metrics 'PROMQL' [--since 1h --step 30s | --instant --time T]
       tinkr metrics --recipe NAME [--service S] [--since 1h] [--param k=v]...
       tinkr metrics --recipe list
A range query draws a chart; --instant (or --time) asks for one value per series.]==],
  profiles = [==[
usage: tinkr profiles [--config FILE]          list profiles (secrets redacted)
       tinkr profiles check NAME               reach each backend of a profile]==],
}

local COMMON_HELP = [==[

Common options: --profile NAME, --config FILE, --now T (pin "now"),
--fail-if-found (exit 1 when there are results: a gate), --no-color (or NO_COLOR),
--verbose (print the exact request sent to stderr).
Exit status: 0 results, 1 no results, 2 usage, 3+ errors (see README).]==]

local function stderr(msg)
  io.stderr:write("tinkr: ", msg, "\n")
end

-- Reports err (one line) and returns its exit status.
local function fail(err)
  if errors.is_error(err) then
    stderr(err.message)
    return errors.exit_status(err)
  end
  stderr(tostring(err))
  return 1
end

local function usage(command, msg)
  stderr(msg)
  io.stderr:write("Run 'tinkr ", command, " --help' for usage.\n")
  return 2
end

-- The exit status for a successful query with n results.
local function result_status(n, opts)
  local found = n > 0
  if opts.fail_if_found then return found and 1 or 0 end
  return found and 0 or 1
end

local function output_options(opts)
  local isatty = require("tinkr.output").isatty
  local color = not opts.no_color and (os.getenv("NO_COLOR") or "") == "" and isatty()
  return {
    format = opts.format or "table",
    tz = opts.tz,
    color = color,
    fields = opts.fields,
    verbose = opts.verbose,
  }
end

-- Sets up configuration (profile, overrides) and the pinned now.
local function setup(opts)
  local session = require "tinkr.session"
  return session.configure{
    profile = opts.profile, config_file = opts.config,
    overrides = { layout = opts.layout, now = opts.now },
  }
end

local commands = {}

function commands.logs(opts, pos, out)
  if #pos > 0 then return usage("logs", ("unexpected argument '%s'"):format(pos[1])) end
  local tinkr = require "tinkr"
  local output = require "tinkr.output"
  -- ndjson in UTC takes the C fast path (map.ndjson): lines straight from
  -- the response text; other streamed formats get rows one by one.
  local raw = opts.format == "ndjson" and (opts.tz == nil or opts.tz == "UTC")
  local stream = not raw and (opts.format == "ndjson" or opts.format == "csv")
  local writer = stream and output.writer(out)
  local n = 0
  local rows, meta = tinkr.logs{
    service = opts.service, level = opts.level, since = opts.since, from = opts.from, to = opts.to,
    limit = opts.limit, grep = opts.grep, where = opts.where, fields = opts.fields,
    each = writer and function(r) n = n + 1; writer:row(r) end or nil,
    ndjson = raw and function(text) io.stdout:write(text) end or nil,
  }
  if not rows then return fail(meta) end
  if raw then
    n = meta.returned or 0
  elseif writer then
    writer:finish(meta)
  else
    n = #rows
    output.logs(rows, meta, out)
  end
  output.verbose(meta, out)
  return result_status(n, opts)
end

function commands.traces(opts, pos, out)
  if #pos > 0 then return usage("traces", ("unexpected argument '%s'"):format(pos[1])) end
  local tinkr = require "tinkr"
  local output = require "tinkr.output"
  local rows, meta = tinkr.traces{
    service = opts.service, since = opts.since, from = opts.from, to = opts.to,
    limit = opts.limit, errors = opts.errors, where = opts.where,
  }
  if not rows then return fail(meta) end
  output.traces(rows, meta, out)
  output.verbose(meta, out)
  return result_status(#rows, opts)
end

function commands.trace(opts, pos, out)
  if #pos ~= 1 then return usage("trace", "give one trace id: tinkr trace 4bf92f3577b34da6a3ce929d0e0e4736") end
  local tinkr = require "tinkr"
  local output = require "tinkr.output"
  local t, meta = tinkr.trace(pos[1])
  if not t then
    if errors.is_error(meta) and meta.code == "not_found" then
      stderr(meta.message)
      return result_status(0, opts)
    end
    return fail(meta)
  end
  output.trace(t, meta, out)
  output.verbose(meta, out)
  return result_status(#t.spans, opts)
end

local function params_of(opts)
  local p = { service = opts.service, quantile = opts.quantile and tonumber(opts.quantile), window = opts.window }
  for _, kv in ipairs(opts.param or {}) do
    local k, v = kv:match("^([%w_]+)=(.*)$")
    if not k then return nil, ("bad --param %q: use name=value"):format(kv) end
    p[k] = tonumber(v) or v
  end
  return p
end

function commands.metrics(opts, pos, out)
  local tinkr = require "tinkr"
  local output = require "tinkr.output"
  if opts.recipe == "list" then
    output.recipes(require("tinkr.recipes").list(), out)
    return 0
  end
  local range = opts.range or opts.since or opts.from or opts.step or (not opts.instant and not opts.time)
  local window = { since = opts.since, from = opts.from, to = opts.to, step = opts.step, time = opts.time }
  local result, meta
  if opts.recipe then
    if #pos > 0 then return usage("metrics", "give a PromQL expression or --recipe, not both") end
    local p, perr = params_of(opts)
    if not p then return usage("metrics", perr) end
    for k, v in pairs(window) do p[k] = v end
    p.range = range and true or false
    result, meta = tinkr.metrics.recipe(opts.recipe, p)
  else
    if #pos ~= 1 then return usage("metrics", "give one PromQL expression (quote it), or --recipe NAME") end
    if range then
      result, meta = tinkr.metrics.range(pos[1], window)
    else
      result, meta = tinkr.metrics.query(pos[1], { time = opts.time })
    end
  end
  if not result then return fail(meta) end
  output.metrics(result, meta, out)
  output.verbose(meta, out)
  return result_status(#result, opts)
end

function commands.profiles(opts, pos, out)
  local profiles = require "tinkr.profiles"
  return profiles.command(opts, pos, out)
end

--- cli.main(argv) -> exit status.  argv[1] is the command.
function _M.main(argv)
  local name = argv[1]
  local command = commands[name]
  if not command then return usage("", ("unknown command '%s'"):format(tostring(name))) end
  local opts, pos = args.parse(argv, SPECS[name], 2)
  if not opts then return usage(name, pos) end
  if opts.help then
    io.stdout:write(HELP[name], "\n", COMMON_HELP, "\n")
    return 0
  end
  if name ~= "profiles" then
    local ok, err = setup(opts)
    if not ok then return fail(err) end
  end
  local out = output_options(opts)
  local ok, status = xpcall(command, debug.traceback, opts, pos, out)
  if not ok then
    if errors.is_error(status) then return fail(status) end
    error(status, 0)
  end
  return status
end

return _M
