-- tinkr: the public Lua API.
--
--   local rows, meta = tinkr.logs{ service = "payments-api", level = "ERROR", since = "1h" }
--   local spans, meta = tinkr.traces{ service = "payments-api", since = "1h", limit = 20 }
--   local trace, meta = tinkr.trace(trace_id)
--   local v = tinkr.metrics.query(promql, { time = ... })
--   local a, b = tinkr.all{ function() ... end, function() ... end }
--
-- World failures return nil, err (err.code, err.message); misuse raises.
-- Submodules load on first use, so `tinkr -e ''` stays fast.
local _M = { _VERSION = "0.1.0" }

local core_areas = { http = true, json = true, map = true }
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

--- Log lines, newest first.  See docs/API.md for every parameter.
function _M.logs(p) return backend():logs(p) end

--- Root spans, slowest first.
function _M.traces(p) return backend():traces(p) end

--- One trace: every span as a tree, with its log lines.
function _M.trace(id, p) return backend():trace(id, p) end

--- Iterates over log rows one at a time, fetching pages as needed.
--- for row in tinkr.each_log{ service = "x", limit = 0 } do ... end
function _M.each_log(p)
  local co = coroutine.wrap(function()
    local q = {}
    for k, v in pairs(p or {}) do q[k] = v end
    q.each = function(row) coroutine.yield(row) end
    local rows, err = backend():logs(q)
    if not rows then error(err, 0) end
  end)
  return co
end

--- Runs functions concurrently; returns their first results in order
--- (or a table keyed like the argument).
function _M.all(fns) return require("tinkr.parallel").all(fns) end

--- Pins "now" for relative times (since = "1h", now-15m).
function _M.now(value)
  local time = require "tinkr.time"
  if value ~= nil then return time.pin(value) end
  return time.now()
end

--- Configures profile/overrides for this state (same as the CLI flags).
function _M.configure(opts) return require("tinkr.session").configure(opts) end

setmetatable(_M, {
  __index = function(t, k)
    local v
    if k == "core" then
      v = require("tinkr.core")
    elseif core_areas[k] then
      v = require("tinkr.core")[k]
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
