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

local function api_view()
  local tinkr = require "tinkr"
  local metrics = require "tinkr.metrics"
  return read_only({
    logs = tinkr.logs, traces = tinkr.traces, trace = tinkr.trace, all = tinkr.all,
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

local tinkr_view

--- scripts.params(body) -> table | nil, err: the JSON body as parameters.
function _M.params(body)
  if body == nil or not body:find("%S") then return {} end
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
  tinkr_view = tinkr_view or api_view()
  local env = resources.sandbox({ params = params, tinkr = tinkr_view, json = json_view }, chunkname)
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
  return packed[2], { script = name, path = chunkname:sub(2), took_ms = took_ms }
end

return _M
