-- `tinkr profiles`: the profiles of the config file, secrets redacted.
-- `tinkr profiles check [NAME]`: reaches each backend of a profile and
-- reports its version and latency, one line per backend:
--
--   opensearch  http://127.0.0.1:19200  ok  2.19.1  3.2 ms
--   prometheus  http://127.0.0.1:19090  error  Prometheus: connection refused ...
--
-- Exit status: 0 when every backend answers (list: when there are
-- profiles), else the tinkr.errors status of the first failure (list: 1
-- when there are none).
local config = require "tinkr.config"
local core = require "tinkr.core"
local errors = require "tinkr.errors"
local profiles = require "tinkr.profiles"

local _M = {}

-- Which servers make up a backend, in the order they are reported.
local PARTS = { otel = { "opensearch", "prometheus" } }

-- The columns of the table listing; JSON and the other formats get every
-- setting a profile sets.
local LIST_COLUMNS = {
  "name", "default", "backend", "opensearch_url", "prometheus_url", "log_index", "trace_index",
  "opensearch_api_key",
}

local FORMATS = {
  table = "tinkr.format.table", json = "tinkr.format.json",
  ndjson = "tinkr.format.ndjson", csv = "tinkr.format.csv",
}

-- Settings every request uses; a bad one (TINKR_TIMEOUT=abc) is reported
-- rather than silently replaced by curl's default.
local TRANSPORT_SETTINGS = { "timeout", "connect_timeout", "ca_file", "insecure" }

local function stderr(msg)
  io.stderr:write("tinkr: ", msg, "\n")
end

local function fail(err)
  stderr(tostring(err))
  return errors.exit_status(err)
end

local function usage(msg)
  stderr(msg)
  io.stderr:write("Run 'tinkr profiles --help' for usage.\n")
  return 2
end

local function format_of(opts)
  local name = opts.format or "table"
  if not FORMATS[name] then return nil end
  return name, require(FORMATS[name])
end

---------------------------------------------------------------------------
-- tinkr profiles

local function list_columns(format_name)
  if format_name == "table" then return LIST_COLUMNS end
  local cols = { "name", "default" }
  local names = {}
  for k in pairs(config.SETTINGS) do names[#names + 1] = k end
  table.sort(names)
  for _, k in ipairs(names) do cols[#cols + 1] = k end
  return cols
end

local function list(opts, out)
  local format_name, formatter = format_of(opts)
  if not format_name then
    return usage(("unknown format '%s' for profiles: use table, json, ndjson or csv"):format(tostring(opts.format)))
  end
  local file, err, path = profiles.load(opts.config)
  if err then return fail(err) end
  local rows = {}
  if file then
    for i, name in ipairs(file.names) do
      local row = { name = name }
      local is_default = name == file.default
      if format_name == "table" then row.default = is_default and "*" or nil else row.default = is_default end
      for k, v in pairs(file.profiles[name]) do row[k] = profiles.redact(k, v) end
      rows[i] = row
    end
  end
  if not file then
    stderr(path and ("no config file: %s does not exist (see docs/PROFILES.md)"):format(path)
      or "no config file: set --config or TINKR_CONFIG (HOME is not set)")
  elseif #rows == 0 then
    stderr(("%s defines no profiles: add a [profiles.NAME] table"):format(file.path))
  end
  if file or format_name ~= "table" then
    formatter.render(rows, {
      -- a cut URL cannot be checked by eye: the listing is never fitted
      -- to the terminal (a handful of rows may wrap instead)
      columns = list_columns(format_name), out = io.stdout, color = out and out.color, width = 100000,
      meta = format_name == "json" and { config_file = file and file.path or path, default_profile = file and file.default } or nil,
    })
  end
  return #rows > 0 and 0 or 1
end

---------------------------------------------------------------------------
-- tinkr profiles check

-- Milliseconds since `started` (core.monotonic), to 0.1 ms.
local function milliseconds(started)
  return math.floor((core.monotonic() - started) * 10000 + 0.5) / 10
end

-- The URL setting for a part, checked before a client sees it (their
-- messages would quote it whole, password included).
local function url_of(cfg, setting)
  local url, err = cfg:require(setting)
  if not url then return nil, err end
  if type(url) ~= "string" or not url:match("^https?://[^/]") then
    local _, source = cfg:lookup(setting)
    return nil, errors.new("config", ("%s must start with http:// or https://, got %q (from %s)"):format(
      setting, profiles.redact_url(tostring(url)), tostring(source)))
  end
  for _, name in ipairs(TRANSPORT_SETTINGS) do
    local _, serr = cfg:get(name)
    if serr then return nil, serr end
  end
  return url
end

-- The clients name the environment variable behind a URL in their
-- messages ("(set by OTEL_OPENSEARCH_URL)"); here the URL may come from
-- the profile, so the message says where it really came from.
local function attributed(err, cfg, setting)
  if not errors.is_error(err) then return err end
  local var = config.SETTINGS[setting].env
  local _, source = cfg:lookup(setting)
  if source and source ~= "env " .. var then
    err.message = err.message:gsub("%(set by " .. var .. "%)", function() return "(set by " .. source .. ")" end)
  end
  return err
end

local CHECKS = {}

function CHECKS.opensearch(cfg, row)
  local url, err = url_of(cfg, "opensearch_url")
  if not url then return err end
  row.url = profiles.redact_url(url)
  local client, cerr = require("tinkr.opensearch").new(cfg)
  if not client then return cerr end
  local started = core.monotonic()
  local doc, jerr = client:json("GET", "/")
  row.latency_ms = milliseconds(started)
  if not doc then return jerr end
  local version = type(doc) == "table" and type(doc.version) == "table" and doc.version.number
  if type(version) ~= "string" then
    return errors.new("backend", "OpenSearch answered GET / without version.number: is opensearch_url the OpenSearch base URL?")
  end
  row.version = version
end

function CHECKS.prometheus(cfg, row)
  local url, err = url_of(cfg, "prometheus_url")
  if not url then return err end
  row.url = profiles.redact_url(url)
  local client, cerr = require("tinkr.metrics").new(cfg):client()
  if not client then return cerr end
  local started = core.monotonic()
  local version, meta = client:buildinfo()
  row.latency_ms = milliseconds(started)
  if not version then return meta end
  row.version = version
end

-- Runs the checks of every part at once (an unreachable server costs its
-- connect timeout once, not once per part); returns rows in PARTS order.
local function run_checks(cfg, parts)
  local tasks = {}
  for i, part in ipairs(parts) do
    tasks[i] = function()
      local row = { backend = part }
      local err = attributed(CHECKS[part](cfg, row), cfg, part .. "_url")
      if err then
        row.status, row.error, row.code = "error", tostring(err), errors.is_error(err) and err.code or nil
        row.err = err
      else
        row.status = "ok"
      end
      return row
    end
  end
  local results = require("tinkr.parallel").run(tasks)
  local rows = {}
  for i = 1, #parts do rows[i] = results[i][1] end
  return rows
end

local function check_line(row, color)
  local text = require "tinkr.format.text"
  local paint = color and require("tinkr.format.ansi").paint or function(s) return s end
  local fields = { row.backend, text.one_line(row.url or "-") }
  if row.status == "ok" then
    fields[#fields + 1] = paint("ok", "green")
    fields[#fields + 1] = text.one_line(row.version)
    fields[#fields + 1] = ("%.1f ms"):format(row.latency_ms)
  else
    fields[#fields + 1] = paint("error", "red")
    fields[#fields + 1] = text.one_line((row.error:gsub("%s+$", "")))
  end
  return table.concat(fields, "  ")
end

local function check(opts, positional, out)
  local format_name, formatter = format_of(opts)
  if not format_name then
    return usage(("unknown format '%s' for profiles check: use table, json, ndjson or csv"):format(tostring(opts.format)))
  end
  if #positional > 2 then return usage(("unexpected argument '%s'"):format(positional[3])) end
  local wanted = positional[2] or opts.profile or os.getenv("TINKR_PROFILE")
  local profile, name_or_err = profiles.select(wanted, opts.config)
  if not profile then
    if name_or_err then return fail(name_or_err) end
    return usage("which profile? tinkr profiles check NAME (or set default_profile in the config file)")
  end
  local cfg = config.new{ profile = profile, profile_name = name_or_err }
  local backend, berr = cfg:backend()
  if not backend then return fail(berr) end
  local rows = run_checks(cfg, PARTS[backend] or {})
  if format_name == "table" then
    for _, row in ipairs(rows) do io.stdout:write(check_line(row, out and out.color), "\n") end
  else
    formatter.render(rows, {
      columns = { "backend", "url", "status", "version", "latency_ms", "error", "code" }, out = io.stdout,
      meta = format_name == "json" and { profile = name_or_err } or nil,
    })
  end
  for _, row in ipairs(rows) do
    if row.err then return errors.exit_status(row.err) end
  end
  return 0
end

---------------------------------------------------------------------------

--- run(opts, positional, out) -> exit status.  positional[1] is the
--- subcommand: nothing or "list", or "check".
function _M.run(opts, positional, out)
  local sub = positional[1]
  if sub == nil or sub == "list" then
    if #positional > 1 then return usage(("unexpected argument '%s'"):format(positional[2])) end
    return list(opts, out)
  elseif sub == "check" then
    return check(opts, positional, out)
  end
  return usage(("unknown subcommand '%s': use 'tinkr profiles' or 'tinkr profiles check NAME'"):format(sub))
end

return _M
