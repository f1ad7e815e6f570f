-- Query-string arguments -> parameters of the Lua API, checked against what
-- each route accepts.  Values arrive as strings; they are converted here,
-- so a typo (?limt=5) or a bad value is a 400 that says what to send.
local errors = require "tinkr.errors"

local _M = { _VERSION = "0.1.0" }

-- kind: "string" | "list" (repeatable) | "limit" | "flag" | "required"
local TIME = { since = "string", from = "string", to = "string" }

local function with(base, extra)
  local t = {}
  for k, v in pairs(base) do t[k] = v end
  for k, v in pairs(extra) do t[k] = v end
  return t
end

-- Every route also takes now= (pins "now" for relative times).
_M.SPECS = {
  logs = with(TIME, { service = "string", level = "string", limit = "limit", grep = "string",
                      where = "list", fields = "string" }),
  traces = with(TIME, { service = "string", limit = "limit", errors = "flag", where = "list" }),
  trace = {},
  metrics_query = { query = "required", time = "string" },
  metrics_range = with(TIME, { query = "required", step = "string" }),
  recipe = "any",     -- the recipe's own parameters, checked by tinkr.recipes
  script = {},        -- parameters come in the JSON body
  readyz = {},
}

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

local function convert(name, kind, value, limits)
  if kind == "flag" then
    local v = FLAG[(value or ""):lower()]
    if v == nil then return usage("%s must be true or false, got %q", name, value) end
    return v
  end
  if value == nil or value == "" then
    return usage("%s needs a value (%s=...)", name, name)
  end
  if kind == "limit" then
    local n = math.tointeger(tonumber(value))
    if not n or n < 1 or n > limits.max_rows then
      return usage("limit must be a whole number from 1 to %d (the server's maximum), got %q",
        limits.max_rows, value)
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
      p[name] = value
    else
      local kind = spec[name]
      if not kind then
        return usage("unknown parameter '%s'; this route takes: %s", name, sorted_names(spec))
      end
      local v, err = convert(name, kind, value, limits)
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
