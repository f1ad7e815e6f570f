-- Checks a call of the public API against its definition in
-- tinkr.api_params, once, at the boundary: a value of the wrong type (a
-- table where a string is meant, 1e20 as a limit, json.null, an unknown
-- key) raises a usage error before anything reaches a query.  What passes
-- is a fresh copy holding only declared keys with checked values, so
-- nothing the caller attached (a nested query object, a metatable) can
-- change the query's shape.
--
--   p = api_check.args("logs", p)
--   expr, opts = api_check.args("metrics.query", expr, opts)
--
-- The raise is a tinkr.errors value with code "usage": one line, exit 2
-- in the CLI, 400 in the server.
local errors = require "tinkr.errors"
local defs = require "tinkr.api_params"

local _M = { _VERSION = "0.1.0" }

local type, math_type, pairs, ipairs, tostring = type, math.type, pairs, ipairs, tostring
local format = string.format

local NULL   -- json.null (a light userdata NULL), looked up once
local function is_null(v)
  if NULL == nil then
    local ok, core = pcall(require, "tinkr.core")
    NULL = ok and core.json.null or false
  end
  return v ~= nil and v == NULL
end

-- A value as an error message shows it: short, one line.
local function shown(v)
  if is_null(v) then return "null" end
  local t = type(v)
  if t == "string" then
    local s = #v > 40 and v:sub(1, 40) .. "..." or v
    return (format("string %q", s):gsub("\\\n", "\\n"))
  elseif math_type(v) == "float" then
    return format("number %.17g", v)
  elseif t == "number" then
    return "number " .. tostring(v)
  end
  return t
end
_M.shown = shown

-- Where the caller outside tinkr's own modules is ("check.lua:12: "), so
-- a one-line misuse error still points at the line to fix; "" when the
-- call came from tinkr itself (the CLI, a server route).  A script's
-- absolute path is shown from its queries/ directory on.
local function caller_where()
  for level = 4, 40 do
    local info = debug.getinfo(level, "Sl")
    if not info then return "" end
    local src = info.source or ""
    if info.what ~= "C" and not src:find("lua/tinkr/", 1, true) then
      if (info.currentline or 0) <= 0 then return "" end
      local shown_src = src:match("^@.-(queries/.*)$") or info.short_src
      return format("%s:%d: ", shown_src, info.currentline)
    end
  end
  return ""
end

--- The last misuse raised (the server turns a script failing with it into
--- a 400: the script was handed parameters the API refuses).
_M.last_misuse = nil

local function misuse(fname, argn, msg)
  local err = errors.new("usage", format("%sbad argument #%d to '%s' (%s)", caller_where(), argn, fname, msg))
  _M.last_misuse = err
  error(err, 0)
end

-- A plain sequence 1..n (n >= 0) with no other keys; returns n or nil.
local function sequence_length(t)
  local n = 0
  for k in pairs(t) do
    if math_type(k) ~= "integer" or k < 1 then return nil end
    n = n + 1
  end
  for i = 1, n do if t[i] == nil then return nil end end
  return n
end

local function list_copy(t)
  local ok, core = pcall(require, "tinkr.core")
  local out = {}
  for i = 1, #t do out[i] = t[i] end
  return ok and core.json.array(out) or out
end

-- Each checker: value, field definition -> checked value | nil, what is wrong.
local CHECK = {}

function CHECK.string(v)
  if type(v) == "string" then return v end
  return nil, "a string expected"
end
CHECK.promql = CHECK.string

function CHECK.name(v)
  if type(v) == "string" and v:match("^[%w_%-]+$") then return v end
  if type(v) == "string" then return nil, "a name of letters, digits, '_' and '-' expected" end
  return nil, "a name (string) expected"
end

function CHECK.trace_id(v)
  if type(v) == "string" then return v end      -- its form is the backend's to judge (not_found / usage)
  return nil, "a trace id (hex string) expected"
end

function CHECK.strings(v)
  if type(v) == "string" then return v end
  if type(v) == "table" and not is_null(v) then
    local n = sequence_length(v)
    if not n then return nil, "a string or a list of strings expected (a table with other keys)" end
    if n == 0 then return nil, "an empty list (leave the parameter out instead)" end
    for i = 1, n do
      if type(v[i]) ~= "string" then return nil, format("item %d: a string expected, got %s", i, shown(v[i])) end
    end
    return list_copy(v)
  end
  return nil, "a string or a list of strings expected"
end

function CHECK.integer(v, f)
  local n = v
  if type(v) == "string" then
    if not v:match("^%d+$") then return nil, "a whole number (digits only) expected" end
    n = math.tointeger(tonumber(v))
    if not n then return nil, "a whole number at most " .. math.maxinteger end
  elseif math_type(v) == "float" then
    n = math.tointeger(v)
    if not n and v == math.floor(v) then return nil, "a whole number at most " .. math.maxinteger end
    if not n then return nil, "a whole number expected" end
  elseif math_type(v) ~= "integer" then
    return nil, "a whole number expected"
  end
  if f.min and n < f.min then return nil, format("a whole number >= %d expected", f.min) end
  if f.max and n > f.max then return nil, format("a whole number <= %d expected", f.max) end
  return n
end

function CHECK.boolean(v)
  if type(v) == "boolean" then return v end
  return nil, "true or false expected"
end

local function finite_number(v) return type(v) == "number" and v == v and v ~= math.huge and v ~= -math.huge end

function CHECK.time(v)
  if type(v) == "string" or finite_number(v) then return v end
  return nil, "a time (string or number) expected"
end

function CHECK.duration(v)
  if type(v) == "string" or (finite_number(v) and v >= 0) then return v end
  return nil, "a duration (string such as \"15m\", or seconds >= 0) expected"
end

CHECK["function"] = function(v)
  if type(v) == "function" then return v end
  return nil, "a function expected"
end

-- Where JSON lines go: a function called with chunks of text, or an open
-- file they are written to (the CLI's stdout: no Lua string is made).
function CHECK.sink(v)
  if type(v) == "function" or io.type(v) == "file" then return v end
  return nil, "a function or an open file expected"
end

function CHECK.functions(v)
  if type(v) ~= "table" or is_null(v) then return nil, "a table of functions expected" end
  for k, fn in pairs(v) do
    if type(fn) ~= "function" then return nil, format("entry %s: a function expected, got %s", tostring(k), shown(fn)) end
  end
  return v
end

local function scalar(v)
  local t = type(v)
  return t == "string" or t == "boolean" or finite_number(v)
end

function CHECK.filters(v)
  if type(v) == "string" then return v end
  if type(v) ~= "table" or is_null(v) then return nil, "a string \"key=value\", a list of them or a table expected" end
  local n = sequence_length(v)
  if n then
    for i = 1, n do
      if type(v[i]) ~= "string" then return nil, format("item %d: a string \"key=value\" expected, got %s", i, shown(v[i])) end
    end
    return list_copy(v)
  end
  local out = {}
  for k, val in pairs(v) do
    if type(k) ~= "string" then return nil, "a list of \"key=value\" strings or a table with string keys expected" end
    if not scalar(val) then
      return nil, format("filter '%s': a string, number or boolean expected, got %s", k, shown(val))
    end
    out[k] = val
  end
  return out
end

function CHECK.settings(v)
  if type(v) ~= "table" or is_null(v) then return nil, "a table of settings expected" end
  local known = require("tinkr.config").SETTINGS
  local out = {}
  for k, val in pairs(v) do
    if type(k) ~= "string" or not known[k] then
      local names = {}
      for name in pairs(known) do names[#names + 1] = name end
      table.sort(names)
      return nil, format("unknown setting %s; known: %s", shown(k), table.concat(names, ", "))
    end
    if not scalar(val) then return nil, format("setting '%s': a string, number or boolean expected, got %s", k, shown(val)) end
    out[k] = val
  end
  return out
end

local function field_names(fields)
  local names = {}
  for i, f in ipairs(fields) do names[i] = f.name end
  return table.concat(names, ", ")
end

-- Field definitions by name, per params definition (built once).
local by_name = setmetatable({}, { __mode = "k" })
local function index(fields)
  local t = by_name[fields]
  if not t then
    t = {}
    for _, f in ipairs(fields) do t[f.name] = f end
    by_name[fields] = t
  end
  return t
end

local function check_value(fname, argn, label, v, f)
  if is_null(v) then
    misuse(fname, argn, format("%s: %s expected, got null (leave it out instead)", label, defs.TYPES[f.type]))
  end
  local checker = CHECK[f.type] or error("api_params: unknown type " .. tostring(f.type))
  local out, why = checker(v, f)
  if out == nil then misuse(fname, argn, format("%s: %s, got %s", label, why, shown(v))) end
  return out
end

local function check_params(v, a, fname, argn)
  if type(v) ~= "table" or is_null(v) then
    misuse(fname, argn, format("%s: a table of parameters expected, got %s", a.name, shown(v)))
  end
  local fields = index(a.fields)
  local out = {}
  for k, val in pairs(v) do
    local f = type(k) == "string" and fields[k]
    if f then
      out[k] = check_value(fname, argn, k, val, f)
    elseif a.open and type(k) == "string" then
      if not scalar(val) then
        misuse(fname, argn, format("%s: a string, number or boolean expected, got %s", k, shown(val)))
      end
      out[k] = val
    elseif type(k) ~= "string" then
      misuse(fname, argn, format("parameter names are strings, got %s", shown(k)))
    else
      misuse(fname, argn, format("unknown parameter '%s'; known: %s", k,
        #a.fields > 0 and field_names(a.fields) or "none"))
    end
  end
  return out
end

--- api_check.args(name, ...) -> the arguments, checked and copied.
--- Raises a usage error (tinkr.errors) naming the argument and the key.
function _M.args(fname, ...)
  local def = defs.FUNCTIONS[fname] or error("api_check: no definition for " .. tostring(fname), 2)
  local n = select("#", ...)
  local given = { ... }
  if n > #def.args then
    misuse(fname, #def.args + 1, format("%s takes %d argument%s", def.call, #def.args, #def.args == 1 and "" or "s"))
  end
  local out = {}
  for i, a in ipairs(def.args) do
    local v = given[i]
    if v == nil then
      if a.required then misuse(fname, i, format("%s: %s expected, got no value", a.name, defs.TYPES[a.type])) end
    elseif a.type == "params" then
      out[i] = check_params(v, a, fname, i)
    else
      out[i] = check_value(fname, i, a.name, v, a)
    end
  end
  return table.unpack(out, 1, #def.args)
end

--- api_check.text(name, param, text) -> value | nil, message: converts a
--- command-line or query-string value (always text) for a parameter of
--- `name`'s params table, by its declared type.  Integers are digits only.
function _M.text(fname, pname, text)
  local def = defs.FUNCTIONS[fname] or error("api_check: no definition for " .. tostring(fname), 2)
  local f
  for _, a in ipairs(def.args) do
    if a.type == "params" then f = index(a.fields)[pname] end
    if a.name == pname or a.http == pname then f = a end
  end
  if not f then return nil, format("unknown parameter '%s'", pname) end
  if f.type == "integer" then
    local v, why = CHECK.integer(text, f)
    if v == nil then return nil, format("%s must be %s, got %q", pname, why:gsub(" expected$", ""), text) end
    return v
  end
  return text
end

-- JSON Schema for each type (what an MCP tool or an HTTP client may send).
local SCHEMA = {
  string = { type = "string" }, promql = { type = "string" }, trace_id = { type = "string", pattern = "^[0-9a-fA-F]{1,64}$" },
  name = { type = "string", pattern = "^[A-Za-z0-9_-]+$" },
  strings = { anyOf = { { type = "string" }, { type = "array", items = { type = "string" }, minItems = 1 } } },
  integer = { type = "integer" }, boolean = { type = "boolean" },
  time = { type = { "string", "number" } }, duration = { type = { "string", "number" } },
  filters = { anyOf = { { type = "string" }, { type = "array", items = { type = "string" } },
    { type = "object", additionalProperties = { type = { "string", "number", "boolean" } } } } },
}

--- api_check.schema(name) -> a JSON Schema (as a Lua table) of the
--- function's params table (its last argument of type params), plus its
--- positional arguments that have an HTTP name; nil for none.
function _M.schema(fname)
  local def = defs.FUNCTIONS[fname] or error("api_check: no definition for " .. tostring(fname), 2)
  local props, required, open = {}, {}, false
  for _, a in ipairs(def.args) do
    local fields = a.type == "params" and a.fields or ((a.http or a.required) and { a } or {})
    for _, f in ipairs(fields) do
      local s = SCHEMA[f.type]
      if s and f.http ~= false then
        local p = {}
        for k, v in pairs(s) do p[k] = v end
        p.description = f.doc
        if f.min then p.minimum = f.min end
        if f.max then p.maximum = f.max end
        if f.default ~= nil and f.default ~= "now" then p.default = f.default end
        local key = type(f.http) == "string" and f.http ~= "repeat" and f.http or f.name
        props[key] = p
        if f.required then required[#required + 1] = key end
      end
    end
    if a.type == "params" and a.open then open = true end
  end
  local json = require("tinkr.core").json
  return { type = "object", properties = props, required = json.array(required),
    additionalProperties = open }
end

return _M
