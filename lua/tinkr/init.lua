-- tinkr: the public Lua API.
--
--   local rows, meta = tinkr.logs{ service = "payments-api", level = "ERROR", since = "1h" }
--   local spans, meta = tinkr.traces{ service = "payments-api", since = "1h", limit = 20 }
--   local trace, meta = tinkr.trace(trace_id)
--   local v = tinkr.metrics.query(promql, { time = ... })
--   local a, b = tinkr.all{ function() ... end, function() ... end }
--
-- World failures return nil, err (err.code, err.message); misuse raises a
-- usage error.  Every parameter is declared in tinkr.api_params and
-- checked by tinkr.api_check before anything else runs (docs/API.md).
-- Submodules load on first use, so `tinkr -e ''` stays fast.
local _M = { _VERSION = "0.1.0" }

local core_areas = { http = true, json = true, map = true, text = true }
local submodules = {
  pretty = "tinkr.pretty",
  time = "tinkr.time",
  errors = "tinkr.errors",
  config = "tinkr.config",
  metrics = "tinkr.metrics",
  recipes = "tinkr.recipes",
  toml = "tinkr.toml",
  output = "tinkr.output",
}

local function backend()
  return require("tinkr.session").backend()
end

local check = require("tinkr.api_check").args

--- Log lines, newest first.  See docs/API.md for every parameter.
function _M.logs(...) return backend():logs(check("logs", ...)) end

--- Root spans, slowest first.
function _M.traces(...) return backend():traces(check("traces", ...)) end

--- One trace: every span as a tree, with its log lines.
function _M.trace(...) return backend():trace(check("trace", ...)) end

--- One row per service seen in any signal, worst first (tinkr.services).
function _M.services(...) return require("tinkr.services").services(check("services", ...)) end

--- Iterates over log rows one at a time, fetching pages as needed.
--- for row in tinkr.each_log{ service = "x", limit = 0 } do ... end
function _M.each_log(...)
  local q = check("each_log", ...) or {}
  local co = coroutine.wrap(function()
    q.each = function(row) coroutine.yield(row) end
    local rows, err = backend():logs(q)
    if not rows then error(err, 0) end
  end)
  return co
end

--- Runs functions concurrently; returns their first results in order
--- (or a table keyed like the argument).
function _M.all(...) return require("tinkr.parallel").all(check("all", ...)) end

--- Pins "now" for relative times (since = "1h", now-15m).
function _M.now(...)
  local value = check("now", ...)
  local time = require "tinkr.time"
  if value ~= nil then return time.pin(value) end
  return time.now()
end

--- Configures profile/overrides for this state (same as the CLI flags).
function _M.configure(...) return require("tinkr.session").configure(check("configure", ...)) end

setmetatable(_M, {
  __index = function(t, k)
    local v
    if k == "core" then
      v = require("tinkr.core")
    elseif core_areas[k] then
      v = require("tinkr.core")[k]
    elseif k == "errors" then
      -- tinkr.errors is the error module (tinkr.errors.new, ...) and, called,
      -- the error signatures: tinkr.errors{ service = "x", since = "1h" }
      v = require "tinkr.errors"
      if getmetatable(v) == nil then
        setmetatable(v, { __call = function(_, ...)
          return require("tinkr.signatures").errors(check("errors", ...))
        end })
      end
    elseif submodules[k] then
      v = require(submodules[k])
    else
      return nil
    end
    rawset(t, k, v)
    return v
  end,
})

return _M
