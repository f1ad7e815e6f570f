-- Query-string arguments -> parameters of the Lua API, checked against what
-- each route accepts.  Values arrive as strings; they are converted here,
-- so a typo (?limt=5) or a bad value is a 400 that says what to send.
local api_check = require "tinkr.api_check"
local api_params = require "tinkr.api_params"
local errors = require "tinkr.errors"

local _M = { _VERSION = "0.1.0" }

-- Which API function each route calls: its parameters are that function's,
-- from the one definition in tinkr.api_params (types, and which ones the
-- HTTP API leaves out, such as Lua callbacks).
_M.FUNCTION_OF = { logs = "logs", traces = "traces", trace = "trace",
  metrics_query = "metrics.query", metrics_range = "metrics.range", recipe = "metrics.recipe" }

-- kind: "string" | "list" (repeatable) | "integer" | "flag" | "required"
local KIND_OF_TYPE = { integer = "integer", boolean = "flag" }

--- The query-string parameters of a function, by kind.  Every route also
--- takes now= (pinned for the whole request), so it is not listed here.
function _M.spec_of(fname)
  local spec = {}
  for _, a in ipairs(api_params.FUNCTIONS[fname].args) do
    if a.type == "params" then
      for _, f in ipairs(a.fields) do
        if f.http ~= false and f.name ~= "now" then
          spec[f.name] = f.http == "repeat" and "list" or KIND_OF_TYPE[f.type] or "string"
        end
      end
    elseif type(a.http) == "string" then
      spec[a.http] = "required"
    end
  end
  return spec
end

_M.SPECS = {
  logs = _M.spec_of("logs"),
  traces = _M.spec_of("traces"),
  trace = _M.spec_of("trace"),
  metrics_query = _M.spec_of("metrics.query"),
  metrics_range = _M.spec_of("metrics.range"),
  recipe = "any",     -- the recipe's own parameters (checked by tinkr.recipes) + its window keys
  script = {},        -- parameters come in the JSON body
  mcp = {},           -- a JSON-RPC message in the body
  readyz = {},
}
_M.RECIPE_KEYS = _M.spec_of("metrics.recipe")

local function usage(fmt, ...)
  return nil, errors.new("usage", fmt:format(...))
end

local function sorted_names(spec)
  local names = { "now" }
  for k in pairs(spec) do names[#names + 1] = k end
  table.sort(names)
  return table.concat(names, ", ")
end

local FLAG = { [""] = true, ["1"] = true, ["true"] = true, yes = true, ["0"] = false, ["false"] = false, no = false }

local function convert(fname, name, kind, value, limits)
  if kind == "flag" then
    local v = FLAG[(value or ""):lower()]
    if v == nil then return usage("%s must be true or false, got %q", name, value) end
    return v
  end
  if value == nil or value == "" then
    return usage("%s needs a value (%s=...)", name, name)
  end
  if kind == "integer" then
    -- digits only (not 0x10, 1e3 or " 5"), by the API's own definition
    local n, err = api_check.text(fname, name, value)
    if n == nil then return nil, errors.new("usage", err) end
    -- limit=0 on /v1/logs streams every match as NDJSON (api.lua).
    if name == "limit" and n == 0 and fname == "logs" then return 0 end
    if name == "limit" and (n < 1 or n > limits.max_rows) then
      return usage("limit must be a whole number from 1 to %d (the server's maximum)%s, got %q",
        limits.max_rows, fname == "logs" and ", or 0 to stream every match as NDJSON" or "", value)
    end
    return n
  end
  return value
end

--- params.collect(handler, args, limits) -> params, now | nil, err
--- args: { { name, value }, ... } as the query string had them (value nil
--- for a bare ?name).  now is the now= value (or nil), kept apart because
--- the server pins it for the whole request.
function _M.collect(handler, args, limits)
  local spec = _M.SPECS[handler]
  local p, now = {}, nil
  for _, a in ipairs(args) do
    local name, value = a[1], a[2]
    if name == "now" then
      if now ~= nil then return usage("now given twice") end
      if value == nil or value == "" then return usage("now needs a value, e.g. now=2026-11-26T12:00:00Z") end
      now = value
    elseif spec == "any" then
      if p[name] ~= nil then return usage("%s given twice", name) end
      if value == nil then return usage("%s needs a value (%s=...)", name, name) end
      local kind = _M.RECIPE_KEYS[name]
      if kind then
        local v, err = convert(_M.FUNCTION_OF[handler], name, kind, value, limits)
        if err then return nil, err end
        value = v
      end
      p[name] = value
    else
      local kind = spec[name]
      if not kind then
        return usage("unknown parameter '%s'; this route takes: %s", name, sorted_names(spec))
      end
      local v, err = convert(_M.FUNCTION_OF[handler], name, kind, value, limits)
      if err then return nil, err end
      if kind == "list" then
        p[name] = p[name] or {}
        table.insert(p[name], v)
      elseif p[name] ~= nil then
        return usage("%s given twice (only where= may repeat)", name)
      else
        p[name] = v
      end
    end
  end
  if spec ~= "any" then
    for name, kind in pairs(spec) do
      if kind == "required" and p[name] == nil then
        return usage("missing parameter %s (e.g. %s=up)", name, name)
      end
    end
  end
  return p, now
end

return _M
