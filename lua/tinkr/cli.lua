-- `tinkr logs | traces | trace | metrics | profiles | services | errors`: the commands an
-- on-call engineer types.  Each returns the process exit status:
--   0  results (or, with --fail-if-found, no results)
--   1  no results (or, with --fail-if-found, results: a pipeline gate)
--   2  usage error;  3 and up: see tinkr.errors.CODES (config, connect, ...)
local args = require "tinkr.cli.args"
local errors = require "tinkr.errors"

local _M = {}

-- Which options each command takes, and its --help, come from one
-- description of the command line: tinkr.cli.surface (add options there).
local surface = require "tinkr.cli.surface"

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

-- What a result says about itself beyond the rows: why it is empty (a
-- hint) and how far to trust it (caveats).  One line each, on stderr.
local function notes(meta)
  if type(meta) ~= "table" then return end
  if meta.hint then stderr("hint: " .. meta.hint) end
  for _, c in ipairs(meta.caveats or {}) do stderr("caveat: " .. c) end
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

-- Flags that are checked before anything is queried (a bad --tz must not
-- cost a query and then fail): --limit by the API's own definition of
-- limit (digits only), --tz and --format by what output can do.
local function check_flags(name, opts)
  if opts.limit ~= nil then
    local fname = name == "traces" and "traces" or "logs"
    local n, err = require("tinkr.api_check").text(fname, "limit", opts.limit)
    if n == nil then return nil, "--" .. err end
    opts.limit = n
  end
  if opts.tz ~= nil then
    local ok, err = require("tinkr.time").zone(opts.tz)
    if not ok then return nil, ("--tz: %s (use UTC, +02:00, local or a zone name such as Europe/Paris)"):format(err) end
  end
  if opts.format ~= nil and name ~= "profiles" then
    local ok, err = require("tinkr.format").get(opts.format)
    if not ok then return nil, "--format: " .. err end
  end
  return true
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

local function seconds_of(name, v, default)
  if v == nil then return default end
  local ns = require("tinkr.time").duration(v)
  if not ns or ns <= 0 then return nil, ("--%s wants a duration such as 2s or 500ms, got %q"):format(name, v) end
  return ns / 1e9
end

-- --follow: the backlog, then new lines as they arrive (tinkr.follow).
local function follow_logs(opts, out)
  local output = require "tinkr.output"
  local follow = require "tinkr.follow"
  local interval, ierr = seconds_of("interval", opts.interval, follow.DEFAULTS.interval)
  if not interval then return usage("logs", ierr) end
  local lag, lerr = seconds_of("lag", opts.lag, follow.DEFAULTS.lag)
  if not lag then return usage("logs", lerr) end
  local backlog = follow.DEFAULTS.backlog
  if opts.limit ~= nil then
    backlog = math.tointeger(tonumber(opts.limit))
    if not backlog or backlog < 0 then return usage("logs", ("--limit wants a whole number >= 0, got %q"):format(opts.limit)) end
  end
  local fields = opts.fields
  if fields and not (("," .. fields .. ","):find(",timestamp,", 1, true)) then
    fields = fields .. ",timestamp"        -- needed to know where the tail is
  end
  -- A followed table takes its column widths from the first row (later
  -- rows are cut to them): every line is printed as soon as it arrives.
  local line_out = {}
  for k, v in pairs(out) do line_out[k] = v end
  line_out.sample = 1
  local writer = output.writer(line_out)
  local ok, res, err = pcall(follow.run, {
    query = { service = opts.service, level = opts.level, grep = opts.grep, where = opts.where, fields = fields },
    since = opts.since, from = opts.from, to = opts.to,
    backlog = backlog, interval = interval, lag = lag,
    emit = function(r) writer:row(r); io.stdout:flush() end,
    on_error = function(e)
      stderr((errors.is_error(e) and e.message or tostring(e)) .. " (retrying every poll)")
    end,
    on_recover = function() stderr("the backend answers again; following") end,
  })
  if not ok then
    if tostring(res):find("interrupted", 1, true) then return 0 end   -- Ctrl-C ends a follow
    error(res, 0)
  end
  if not res then return fail(err) end
  return 0
end

function commands.logs(opts, pos, out)
  if #pos > 0 then return usage("logs", ("unexpected argument '%s'"):format(pos[1])) end
  if opts.follow then return follow_logs(opts, out) end
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
    limit = opts.limit, grep = opts.grep, where = opts.where, fields = opts.fields, trace_id = opts.trace,
    each = writer and function(r) n = n + 1; writer:row(r) end or nil,
    ndjson = raw and io.stdout or nil,          -- written from the lines as mapped, no Lua string
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
  notes(meta)
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
  notes(meta)
  return result_status(#rows, opts)
end

function commands.trace(opts, pos, out)
  if #pos ~= 1 then return usage("trace", "give one trace id: tinkr trace 4bf92f3577b34da6a3ce929d0e0e4736") end
  local tinkr = require "tinkr"
  local output = require "tinkr.output"
  local t, meta = tinkr.trace(pos[1])
  -- No such trace is "not found" (exit 7, README), not "no results".
  if not t then return fail(meta) end
  if meta.log_error then
    -- The spans are shown; say on stderr why their logs are not.
    stderr(("the logs of this trace could not be read: %s"):format(tostring(meta.log_error.message or meta.log_error)))
  end
  output.trace(t, meta, out)
  output.verbose(meta, out)
  notes(meta)
  return result_status(#t.spans, opts)
end

local function params_of(opts)
  -- values stay text: the recipe converts them by each parameter's type
  local p = { service = opts.service, quantile = opts.quantile, window = opts.window }
  for _, kv in ipairs(opts.param or {}) do
    local k, v = kv:match("^([%w_]+)=(.*)$")
    if not k then return nil, ("bad --param %q: use name=value"):format(kv) end
    p[k] = v
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
  notes(meta)
  return result_status(#result, opts)
end

function commands.doctor(opts, pos, out)
  if #pos > 0 then return usage("doctor", ("unexpected argument '%s'"):format(pos[1])) end
  local doctor = require "tinkr.doctor"
  local report = doctor.run(require("tinkr.config").get())
  io.stdout:write(out.format == "json" and (doctor.plain(report) .. "\n") or doctor.render(report))
  return report.status
end

-- The command lives with the CLI; the library (tinkr.profiles) knows nothing of it.
function commands.profiles(opts, pos, out)
  return require("tinkr.cli.profiles").run(opts, pos, out)
end

-- The on-call commands (services, errors) live in tinkr.cli.oncall; their
-- options and help are in tinkr.cli.surface like every command's.
do
  local cli = { fail = fail, usage = usage, result_status = result_status }
  for name, run in pairs(require("tinkr.cli.oncall").COMMANDS) do
    commands[name] = function(opts, pos, out) return run(opts, pos, out, cli) end
  end
end

--- cli.has_command(name) -> whether `tinkr NAME` is a command here (the
--- surface spec checks these against tinkr.cli.surface).
function _M.has_command(name)
  return commands[name] ~= nil
end

--- cli.command_names() -> the names of the commands, sorted.
function _M.command_names()
  local names = {}
  for k in pairs(commands) do names[#names + 1] = k end
  table.sort(names)
  return names
end

function commands.watch(opts, pos)
  if #pos == 0 then return usage("watch", "give rule files: tinkr watch RULES.lua [more.lua | a directory]...") end
  local watch = require "tinkr.watch"
  local ok, status, err = pcall(opts.once and watch.once or watch.run, pos)
  if not ok then
    if tostring(status):find("interrupted", 1, true) then return 0 end   -- Ctrl-C
    error(status, 0)
  end
  if not status then return fail(err) end
  return status
end

function commands.mcp(_, pos)
  if #pos > 0 then return usage("mcp", ("unexpected argument '%s'"):format(pos[1])) end
  local ok, status = pcall(require("tinkr.mcp.stdio").run)
  if not ok then
    if tostring(status):find("interrupted", 1, true) then return 0 end
    error(status, 0)
  end
  return status
end

--- cli.main(argv) -> exit status.  argv[1] is the command.
function _M.main(argv)
  local name = argv[1]
  if name == "--help" or name == "-h" then
    io.stdout:write(require("tinkr.cli.help").program())
    return 0
  end
  if name == "__complete" then return require("tinkr.cli.complete").main(argv) end
  local command = commands[name]
  if not command then return usage("", ("unknown command '%s'"):format(tostring(name))) end
  local opts, pos = args.parse(argv, surface.parse_spec(name), 2)
  if not opts then return usage(name, pos) end
  if opts.help then
    io.stdout:write(require("tinkr.cli.help").command(name))
    return 0
  end
  local checked, cerr = check_flags(name, opts)
  if not checked then return usage(name, cerr) end
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
