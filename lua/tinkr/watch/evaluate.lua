-- One evaluation of a rule's query: its value, the exact requests sent, and
-- a `tinkr ...` command a human can paste to look at the same thing.
local errors = require "tinkr.errors"

local _M = { _VERSION = "0.1.0" }

local function q(s)
  s = tostring(s)
  if s:match("^[%w@%%+=:,./_-]+$") then return s end
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

local function copy(t)
  local c = {}
  for k, v in pairs(t or {}) do c[k] = v end
  return c
end

-- Flags for the parameters of a logs/traces query, in a stable order.
local FLAG_ORDER = { "service", "level", "grep", "errors", "since", "from", "to" }

local function command_for(kind, p, pinned)
  local parts = { "tinkr", kind }
  for _, k in ipairs(FLAG_ORDER) do
    local v = p[k]
    if v == true then
      parts[#parts + 1] = "--" .. k
    elseif v ~= nil and v ~= false then
      if type(v) == "table" then v = table.concat(v, ",") end
      parts[#parts + 1] = "--" .. k .. " " .. q(v)
    end
  end
  local where = p.where
  if type(where) == "string" then where = { where } end
  local keys = {}
  for k, v in pairs(where or {}) do keys[#keys + 1] = math.type(k) == "integer" and tostring(v) or (k .. "=" .. tostring(v)) end
  table.sort(keys)
  for _, kv in ipairs(keys) do parts[#parts + 1] = "--where " .. q(kv) end
  if pinned then parts[#parts + 1] = "--now " .. q(pinned) end
  return table.concat(parts, " ")
end

local function largest(result)
  local best
  for _, r in ipairs(result or {}) do
    local v = tonumber(r.value)
    if v and v == v and (best == nil or v > best) then best = v end
  end
  return best
end

local function requests_of(meta)
  if type(meta) ~= "table" then return {} end
  if meta.requests then return meta.requests end
  return { meta.request }
end

--- evaluate.run(rule, pinned_now) -> value, info | nil, err
--- value: a number (nil when a metrics query has no series: "no data").
--- info = { queries = { request... }, command = "tinkr ..." }
function _M.run(rule, pinned)
  local tinkr = require "tinkr"
  local query = rule.query
  if query.fn then
    local ok, value, meta = pcall(query.fn, tinkr)
    if not ok then
      if errors.is_error(value) then return nil, value end
      return nil, errors.new("config", ("rule '%s': its query function failed: %s"):format(rule.name, tostring(value)))
    end
    if value == nil and errors.is_error(meta) then return nil, meta end
    if value ~= nil and type(value) ~= "number" then
      return nil, errors.new("config", ("rule '%s': its query function returned a %s, not a number"):format(rule.name, type(value)))
    end
    local info = { queries = requests_of(meta), command = type(meta) == "table" and meta.command or nil }
    return value, info
  end
  local kind, arg = query.kind, query.arg
  if kind == "logs" or kind == "traces" then
    local p = copy(arg)
    p.limit = 1
    local rows, meta = tinkr[kind](p)
    if not rows then return nil, meta end
    return meta.total or #rows, { queries = requests_of(meta), command = command_for(kind, arg, pinned) }
  elseif kind == "metrics" then
    local result, meta = tinkr.metrics.query(arg)
    if not result then return nil, meta end
    local cmd = "tinkr metrics " .. q(arg) .. " --instant" .. (pinned and (" --time " .. q(pinned)) or "")
    return largest(result), { queries = requests_of(meta), command = cmd }
  else
    local p = copy(query.params)
    p.range = false
    local result, meta = tinkr.metrics.recipe(arg, p)
    if not result then return nil, meta end
    local parts = { "tinkr metrics --recipe " .. q(arg) }
    local keys = {}
    for k in pairs(query.params) do keys[#keys + 1] = k end
    table.sort(keys)
    for _, k in ipairs(keys) do
      local v = query.params[k]
      if k == "service" then parts[#parts + 1] = "--service " .. q(v)
      else parts[#parts + 1] = "--param " .. q(k .. "=" .. tostring(v)) end
    end
    parts[#parts + 1] = "--instant"
    if pinned then parts[#parts + 1] = "--time " .. q(pinned) end
    return largest(result), { queries = requests_of(meta), command = table.concat(parts, " ") }
  end
end

return _M
