-- tinkr.server: the policy of bin/tinkr-server.  The C side (src/server/)
-- accepts connections, checks the token and body size, answers /healthz
-- and /metrics, and calls handle() in one of its worker states for every
-- other request; everything about what a request means lives here:
--   router.lua    method + path -> handler
--   params.lua    query string -> API parameters (400 for bad ones)
--   api.lua       handlers: tinkr.logs / traces / trace / metrics / recipes, readyz
--   scripts.lua   POST /v1/scripts/{name}: sandboxed, budgeted user scripts
--   response.lua  JSON answers, error code -> HTTP status, redaction
local core = require "tinkr.core"
local errors = require "tinkr.errors"
local router = require "tinkr.server.router"
local params = require "tinkr.server.params"
local api = require "tinkr.server.api"
local response = require "tinkr.server.response"

local _M = { _VERSION = "0.1.0" }

_M.DEFAULTS = {
  max_rows = 10000,                  -- largest limit= accepted
  max_response = 64 * 1024 * 1024,   -- largest JSON answer, bytes
  script_instructions = 100000000,   -- about a second of plain Lua
  script_seconds = 10,
  script_memory = 64 * 1024 * 1024,
  script_fanout = 32,                -- functions one tinkr.all call of a script may run
  readyz_timeout = 2,                -- seconds per backend check
}

local settings = {}
local configured_now   -- "now" as the configuration pinned it (TINKR_NOW, profile)
local configured_ns    -- the same in ns, as tinkr.time holds it pinned (nil: not pinned)

-- When stderr is the journal (systemd sets JOURNAL_STREAM), each line
-- starts with its syslog priority, as the C side's server_log does.
local journal = os.getenv("JOURNAL_STREAM") ~= nil
local LOG_ERR = 3

-- One write per event, on one line (a traceback's lines joined with " | "):
-- workers log from their own threads, and journald reads a line as an event.
local function log(text, priority)
  local line = ("tinkr-server[%s]: %s"):format(tostring(settings.worker or "?"), text):gsub("\r?\n", " | ")
  if journal then line = ("<%d>"):format(priority or LOG_ERR) .. line end
  io.stderr:write(line .. "\n")      -- one piece: stderr is unbuffered, two pieces are two writes
  io.stderr:flush()
end

--- server.configure{ profile =, config_file =, timeout =, max_rows =, max_response =,
---   script_instructions =, script_seconds =, script_memory =, worker = }
--- -> true | nil, err.  Called once per worker state, before any request.
function _M.configure(opts)
  settings = {}
  for k, v in pairs(_M.DEFAULTS) do settings[k] = v end
  for k, v in pairs(opts or {}) do settings[k] = v end
  local session = require "tinkr.session"
  local ok, err = session.configure{ profile = settings.profile, config_file = settings.config_file,
    overrides = { timeout = settings.timeout } }
  if not ok then return nil, err end
  local cfg = require("tinkr.config").get()
  configured_now = cfg:get("now")
  configured_ns = require("tinkr.time").pinned()
  response.set_secrets{ (cfg:get("opensearch_api_key")) }
  settings.script_limits = {
    instructions = math.tointeger(settings.script_instructions),
    seconds = settings.script_seconds,
    memory = math.tointeger(settings.script_memory),
    fanout = math.tointeger(settings.script_fanout),
  }
  -- Load the request path now, so the first request is not the slow one.
  require "tinkr"
  require "tinkr.otel"
  require "tinkr.metrics"
  require "tinkr.server.scripts"
  return true
end

-- Pins now= for this request (all routes: logs, metrics, recipes, scripts).
local function pin_now(value)
  if value == nil then return true end
  local ok, err = require("tinkr.time").pin(value)
  if not ok then return nil, errors.new("usage", "now: " .. tostring(err)) end
  return true
end

-- (Parsing configured_now again costs more than the rest of a request's
-- time handling: only when a request changed the pin.)
local function unpin_now()
  local time = require "tinkr.time"
  if time.pinned() ~= configured_ns then time.pin(configured_now) end
end

-- The server's streamed-answer primitives (nil outside tinkr-server, e.g.
-- when a spec loads this module into a plain Lua).
local function stream_primitives()
  local ok, core_server = pcall(require, "tinkr.server.core")
  if not ok or not core_server.stream_begin then return nil end
  return { begin = core_server.stream_begin, write = core_server.stream_write }
end

local function run_route(route, capture, req)
  local p, now = params.collect(route.handler, req.args or {}, settings)
  if not p then return nil, now end
  local ok, err = pin_now(now)
  if not ok then return nil, err end
  local ctx = {
    body = req.body, script_limits = settings.script_limits, log = log,
    readyz_timeout = settings.readyz_timeout, stream = stream_primitives(),
    max_response = settings.max_response,
  }
  return api[route.handler](p, capture, ctx)
end

local function traceback(e)
  if type(e) == "table" then return e end
  return debug.traceback(tostring(e), 2)
end

-- A readiness failure still shows every check.
local function not_ready(err)
  local status, body = response.fail(err)
  local doc = core.json.decode(body)
  doc.status, doc.checks = "unavailable", err.checks
  return status, core.json.encode(doc)
end

--- server.handle{ method =, path =, args = { {name, value}, ... }, body =, id = }
--- -> status, body (JSON text), route label, backend error label | nil,
---    Allow header | nil (a 405's)
function _M.handle(req)
  local route, capture = router.match(req.method, req.path)
  if not route then
    local status, body = response.fail(capture)
    return status, body, "other", nil, capture.allow
  end
  local ok, result, err = xpcall(run_route, traceback, route, capture, req)
  unpin_now()
  if not ok then
    -- A raise: misuse inside tinkr, or a bug.  Details to the log only.
    local e = result
    if errors.is_error(e) then
      local status, body = response.fail(e)
      return status, body, route.route, response.backend_label(e, route.backend)
    end
    log(("request %s %s %s raised: %s"):format(tostring(req.id), req.method, req.path, tostring(e)))
    local status, body = response.fail(errors.new("internal", ("internal error in %s (request %s; "
      .. "details are in the server log): %s"):format(route.route, tostring(req.id), tostring(e):match("^[^\n]*"))))
    return status, body, route.route, nil
  end
  if result == nil then
    if route.handler == "readyz" and err.checks then
      local status, body = not_ready(err)
      return status, body, route.route, response.backend_label(err.first_error)
    end
    local status, body = response.fail(err)
    if status >= 500 then
      log(("%d %s %s: %s"):format(status, req.method, req.path, response.redact(tostring(err.message))))
    end
    return status, body, route.route, response.backend_label(err, route.backend)
  end
  if result.streamed then return 200, "", route.route, nil end
  if result.http_status then return result.http_status, result.http_body, route.route, nil end
  if result.rows_json then
    local status, body = response.ok_rows(result.rows_json, result.meta, settings.max_response)
    return status, body, route.route, nil
  end
  local status, body = response.ok(result, settings.max_response)
  return status, body, route.route, nil
end

return _M
