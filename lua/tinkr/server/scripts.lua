-- POST /v1/scripts/{name}: runs queries/scripts/<name>.lua (found like any
-- resource: TINKR_PATH and the config directory first, then the copy built
-- into the server) in an allow-listed environment, under a budget of
-- instructions, wall-clock time and memory (tinkr.core.sandbox.run).
--
-- What a script sees besides the standard allow-list (tinkr.resources):
--   params   the request's JSON body (an object; {} when there is none)
--   tinkr    logs, traces, trace, all, metrics.query / range / recipe / recipes
--   json     encode, decode, null, array
-- The script's return value is the answer's "result".  See docs/SERVER.md.
local core = require "tinkr.core"
local errors = require "tinkr.errors"
local resources = require "tinkr.resources"

local json = core.json
local _M = { _VERSION = "0.1.0" }

local DIR = "queries/scripts"
local NAME = "^[%w_%-]+$"

-- A read-only view of a table of functions: scripts cannot replace what
-- later requests on the same worker will call.
local function read_only(t, what)
  return setmetatable({}, {
    __index = t,
    __newindex = function(_, k)
      error(("%s is read-only (cannot set '%s')"):format(what, tostring(k)), 2)
    end,
    __metatable = false,
  })
end

-- tinkr.all for scripts: at most `fanout` functions at once, so one
-- request cannot start thousands of backend searches.  Beyond it, a usage
-- error (400).
local function capped_all(all, fanout)
  return function(fns)
    if type(fns) == "table" then
      local n = 0
      for _ in pairs(fns) do n = n + 1 end
      if n > fanout then
        error(errors.new("usage", ("tinkr.all was given %d functions; a server script may run at most %d at once "
          .. "(ask for fewer, e.g. fewer services)"):format(n, fanout)), 2)
      end
    end
    return all(fns)
  end
end

local function api_view(fanout)
  local tinkr = require "tinkr"
  local metrics = require "tinkr.metrics"
  return read_only({
    logs = tinkr.logs, traces = tinkr.traces, trace = tinkr.trace, all = capped_all(tinkr.all, fanout),
    metrics = read_only({
      query = metrics.query, range = metrics.range, recipe = metrics.recipe, recipes = metrics.recipes,
    }, "tinkr.metrics"),
  }, "tinkr")
end

-- encode and decode are charged to the script's budget by the bytes they
-- read and write (core.sandbox.linear): one call is linear, many are counted.
local json_view = read_only({
  encode = core.sandbox.linear(json.encode), decode = core.sandbox.linear(json.decode),
  null = json.null, array = core.sandbox.linear(json.array),
}, "json")

local tinkr_views = {}   -- fan-out cap -> the read-only tinkr table

-- A NUL in any key or value of the parameters (JSON's \u0000) would cut a
-- name short wherever it becomes a C string: refuse it, at any depth.
local function find_nul(v, depth)
  if type(v) == "string" then return v:find("\0", 1, true) ~= nil end
  if type(v) ~= "table" or depth > 64 then return false end
  for k, x in pairs(v) do
    if find_nul(k, depth + 1) or find_nul(x, depth + 1) then return true end
  end
  return false
end

--- scripts.params(body) -> table | nil, err: the JSON body as parameters.
function _M.params(body)
  if body == nil or not body:find("%S") then return {} end
  local ok, bad_at = utf8.len(body)
  if not ok then
    return nil, errors.new("bad_request", ("the request body is not valid UTF-8 (byte %d)"):format(bad_at))
  end
  local v, jerr = json.decode(body)
  if v == nil then
    return nil, errors.new("usage", "the request body is not JSON: " .. tostring(jerr))
  end
  if type(v) ~= "table" or getmetatable(v) == json.array_mt then
    return nil, errors.new("usage", "the request body must be a JSON object of parameters, e.g. {\"since\": \"1h\"}")
  end
  -- {"now": null} means no now: a null parameter is an absent one
  for k, val in pairs(v) do
    if val == json.null then v[k] = nil end
  end
  if find_nul(v, 0) then
    return nil, errors.new("bad_request", "the request body holds a NUL character (\\u0000), which no parameter may hold")
  end
  return v
end

-- The first line of an error with a traceback, for the client; the whole
-- text goes to the server log.
local function first_line(text)
  return (tostring(text):match("^[^\n]*"))
end

--- scripts.run(name, params, limits, log) -> result, meta | nil, err
--- limits = { instructions =, seconds =, memory = }; log(text) records
--- details (tracebacks) that the client does not get.
function _M.run(name, params, limits, log)
  if type(name) ~= "string" or not name:match(NAME) then
    return nil, errors.new("usage", ("bad script name %q: letters, digits, '_' and '-' only"):format(tostring(name)))
  end
  local relpath = DIR .. "/" .. name .. ".lua"
  local src, chunkname = resources.find(relpath)
  if not src then
    return nil, errors.new("not_found", ("no script '%s' (looked for %s in TINKR_PATH, the config directory "
      .. "and the server's built-in scripts)"):format(name, relpath))
  end
  local fanout = limits.fanout or 32
  tinkr_views[fanout] = tinkr_views[fanout] or api_view(fanout)
  local env = resources.sandbox({ params = params, tinkr = tinkr_views[fanout], json = json_view,
                                  max_fanout = fanout }, chunkname)
  local fn, cerr = load(src, chunkname, "t", env)   -- "t": never bytecode
  if not fn then
    return nil, errors.new("script_error", ("script '%s' does not compile: %s"):format(name, cerr))
  end
  local api_check = require "tinkr.api_check"
  api_check.last_misuse = nil
  local started = core.monotonic()
  local packed = table.pack(core.sandbox.run(fn, limits))
  local took_ms = require("tinkr.time").elapsed_ms(started)
  if not packed[1] then
    local msg, reason = packed[2], packed[3]
    local misuse = api_check.last_misuse
    if reason == "error" and misuse and tostring(msg):find(misuse.message, 1, true) then
      -- the script passed on a parameter the API refuses: the client's to fix
      return nil, errors.new("usage", ("script '%s': %s"):format(name, misuse.message))
    end
    -- A misuse error (a tinkr.errors value, or a plain { code = "usage",
    -- message = } table the script raised) is the client's: 400.
    if reason == "error" and type(msg) == "table" and msg.code == "usage" and type(msg.message) == "string" then
      return nil, errors.new("usage", ("script '%s': %s"):format(name, msg.message))
    end
    if reason == "error" then
      log(("script %s failed: %s"):format(name, tostring(msg)))
      return nil, errors.new("script_error", ("script '%s' failed: %s"):format(name, first_line(msg)))
    end
    local what = {
      instructions = ("its instruction budget (%d instructions)"):format(limits.instructions),
      time = ("its time budget (%g s)"):format(limits.seconds),
      memory = ("its memory budget (%d bytes)"):format(limits.memory),
      shutdown = "the server shutting down",
    }
    return nil, errors.new(reason == "shutdown" and "unavailable" or "script_budget",
      ("script '%s' was stopped after %.0f ms: it exceeded %s"):format(name, took_ms, what[reason] or reason),
      { reason = reason })
  end
  -- The path as found under its search-path root: never where the server's
  -- files are.
  return packed[2], { script = name, path = relpath, took_ms = took_ms }
end

return _M
