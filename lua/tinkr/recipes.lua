-- PromQL recipes: named, parameterised queries kept as editable Lua files
-- in queries/recipes/<name>.lua (the contract is docs/RECIPES.md).  A user
-- overrides one by putting a file with the same relative path into a
-- TINKR_PATH directory or ~/.config/tinkr.
local _M = { _VERSION = "0.1.0" }

local errors = require "tinkr.errors"
local resources = require "tinkr.resources"
local promql = require "tinkr.promql"

local DIR = "queries/recipes"
local NAME = "^[%w_%-]+$"
local UNITS = { ["req/s"] = true, ratio = true, seconds = true, count = true, bytes = true, ["1"] = true }
local PARAM_TYPES = { string = true, duration = true, number = true }
local MAX_DEPTH = 8            -- recipes built on recipes: http_latency_p99 -> http_latency

--- Names of every recipe tinkr can find (user directories included).
function _M.list()
  return resources.list(DIR, ".lua")
end

local function unknown_recipe(name)
  return errors.new("not_found", ("no recipe '%s'; known: %s"):format(
    tostring(name), table.concat(_M.list(), ", ")))
end

-- A recipe file's table must have this shape; say exactly what is wrong.
local function check_shape(r, path)
  local function bad(what)
    return errors.new("config", ("%s: %s (see docs/RECIPES.md)"):format(path, what), { path = path })
  end
  if type(r) ~= "table" then return bad("must return a table, returned " .. type(r)) end
  if type(r.description) ~= "string" then return bad("'description' must be a string") end
  if type(r.expr) ~= "function" then return bad("'expr' must be a function(p, promql)") end
  if type(r.unit) ~= "string" or not UNITS[r.unit] then
    return bad(("'unit' must be one of req/s, ratio, seconds, count, bytes, 1 (got %s)"):format(tostring(r.unit)))
  end
  if r.params ~= nil and type(r.params) ~= "table" then return bad("'params' must be a table") end
  for pname, spec in pairs(r.params or {}) do
    if type(pname) ~= "string" or not pname:match("^[%a_][%w_]*$") then
      return bad(("parameter name %s is not an identifier"):format(tostring(pname)))
    end
    if type(spec) ~= "table" then return bad(("parameter '%s' must be described by a table"):format(pname)) end
    if spec.type ~= nil and not PARAM_TYPES[spec.type] then
      return bad(("parameter '%s' has unknown type '%s' (string, duration, number)"):format(pname, tostring(spec.type)))
    end
  end
  return nil
end

local depth = 0
local naming                   -- the naming style of the expand() running now

--- What recipe files (and the helpers in queries/recipes/lib/) see besides
--- the standard allow-list:
---   promql          tinkr.promql (escaping, expand)
---   naming          how the store spells metric and label names (tinkr.metric_style.naming)
---   recipe(name)    another recipe's table, to build on
---   include(name)   the value of queries/recipes/lib/<name>.lua (shared helpers)
--- Both raise if the file is missing or broken, naming it.
function _M.env_extras()
  local extras = { promql = promql, naming = naming or require("tinkr.metric_style").naming() }
  extras.recipe = function(other)
    local r, err = _M.get(other)
    if not r then error(err.message, 2) end
    return r
  end
  extras.include = function(lib)
    if type(lib) ~= "string" or not lib:match(NAME) then
      error(("bad argument #1 to 'include' (helper name expected, got %q)"):format(tostring(lib)), 2)
    end
    if depth >= MAX_DEPTH then error("recipe helpers nest too deep (a cycle?)", 2) end
    depth = depth + 1
    local v, where = resources.load(DIR .. "/lib/" .. lib .. ".lua", _M.env_extras())
    depth = depth - 1
    if v == nil and errors.is_error(where) then error(where.message, 2) end
    return v
  end
  return extras
end

--- recipes.get(name) -> recipe | nil, err
--- recipe = the file's table plus name = and path = (where it was found).
function _M.get(name)
  if type(name) ~= "string" or not name:match(NAME) then
    return nil, unknown_recipe(name)
  end
  if depth >= MAX_DEPTH then
    return nil, errors.new("config", ("recipe '%s': recipes nest deeper than %d (a cycle?)"):format(name, MAX_DEPTH))
  end
  depth = depth + 1
  local r, where = resources.load(DIR .. "/" .. name .. ".lua", _M.env_extras())
  depth = depth - 1
  if r == nil and errors.is_error(where) then
    if where.code == "not_found" then return nil, unknown_recipe(name) end
    return nil, where
  end
  local bad = check_shape(r, where)
  if bad then return nil, bad end
  r.name, r.path, r.params = name, where, r.params or {}
  return r
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  return keys
end

local function usage(recipe, fmt, ...)
  return errors.new("usage", ("recipe '%s': " .. fmt):format(recipe.name, ...))
end

-- One parameter's value: the caller's or the default, checked against its type.
local function param_value(recipe, pname, spec, given)
  local v = given
  if v == nil then v = spec.default end
  if v == nil then
    if spec.required then
      return nil, usage(recipe, "missing required parameter '%s'%s", pname,
        spec.doc and (" (" .. spec.doc .. ")") or "")
    end
    return nil
  end
  local ptype = spec.type or (type(spec.default) == "number" and "number") or "string"
  if ptype == "number" then
    -- text (a flag, a query string) must be a decimal number: not 0x10 or " 5 "
    if type(v) == "string" and not v:match("^[-+]?%d*%.?%d+$") and not v:match("^[-+]?%d+%.?%d*[eE][-+]?%d+$") then
      return nil, usage(recipe, "parameter '%s' must be a number (got %q)", pname, v)
    end
    local n = math.type(v) and v or tonumber(v)
    if not n or n ~= n then return nil, usage(recipe, "parameter '%s' must be a number (got %q)", pname, tostring(v)) end
    if (spec.min and n < spec.min) or (spec.max and n > spec.max) then
      return nil, usage(recipe, "parameter '%s' must be between %s and %s (got %s)", pname,
        tostring(spec.min or "-inf"), tostring(spec.max or "inf"), tostring(n))
    end
    return n
  end
  if type(v) == "number" then v = tostring(v) end
  if type(v) ~= "string" then
    return nil, usage(recipe, "parameter '%s' must be a string (got %s)", pname, type(v))
  end
  if ptype == "duration" and not promql.is_duration(v) then
    return nil, usage(recipe, "parameter '%s' must be a duration like 5m or 1h (got %q)", pname, v)
  end
  if ptype == "string" and v == "" and spec.required then
    return nil, usage(recipe, "parameter '%s' must not be empty", pname)
  end
  return v
end

local function expand_now(recipe, params)
  if type(recipe) ~= "table" then
    local err
    recipe, err = _M.get(recipe)
    if not recipe then return nil, err end
  end
  if params ~= nil and type(params) ~= "table" then
    error(("bad argument #2 to 'expand' (table expected, got %s)"):format(type(params)), 2)
  end
  params = params or {}
  for k in pairs(params) do
    if not recipe.params[k] then
      return nil, usage(recipe, "unknown parameter '%s'; known: %s", tostring(k),
        table.concat(sorted_keys(recipe.params), ", "))
    end
  end
  local values = {}
  for _, pname in ipairs(sorted_keys(recipe.params)) do
    local v, err = param_value(recipe, pname, recipe.params[pname], params[pname])
    if err then return nil, err end
    values[pname] = v
  end
  local ok, expr = pcall(recipe.expr, values, promql)
  if not ok then
    return nil, errors.new("config", ("recipe '%s' (%s) failed: %s"):format(recipe.name, recipe.path, tostring(expr)))
  end
  if type(expr) ~= "string" or expr == "" then
    return nil, errors.new("config", ("recipe '%s' (%s): expr returned %s, not a PromQL string"):format(
      recipe.name, recipe.path, type(expr)))
  end
  return expr, recipe, values
end

--- recipes.expand(name_or_recipe, params [, naming]) -> expr, recipe, values | nil, err
--- Checks params against the recipe (unknown names, required, types),
--- fills defaults, and asks the recipe for its PromQL, spelled as `naming`
--- says (tinkr.metric_style.naming; default: the Collector's remote write).
function _M.expand(recipe, params, style_naming)
  if params ~= nil and type(params) ~= "table" then
    error(("bad argument #2 to 'expand' (table expected, got %s)"):format(type(params)), 2)
  end
  local outer = naming
  naming = style_naming
  local ok, expr, r, values = pcall(expand_now, recipe, params)
  naming = outer
  if not ok then error(expr, 0) end
  return expr, r, values
end

return _M
