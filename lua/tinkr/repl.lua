-- What the REPL (src/cli/repl.c) asks of Lua: Tab completion and help.
--
--   complete(line, start, finish) -> candidates for line:sub(start + 1, finish)
--     `tinkr.lo` -> tinkr.logs; `rows[1].tr` -> rows[1].trace_id (fields of
--     tables in scope, walked without calling anything); a name -> globals
--     and keywords; inside a string after service = -> service names from the
--     configured backend (asked once, then cached for the session).
--   help() -> prints the API, one line each (from tinkr.api_params, the
--     same table docs/API.md and the man pages come from).
local _M = {}

local KEYWORDS = { "and", "break", "do", "else", "elseif", "end", "false", "for", "function",
  "goto", "if", "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while" }

-- Names `tinkr.` offers before they are loaded (the table fills lazily).
local function tinkr_names()
  local names = {}
  for name in pairs(require("tinkr.api_params").FUNCTIONS) do
    names[#names + 1] = (name:match("^([%w_]+)"))
  end
  for _, n in ipairs({ "metrics", "time", "errors", "config", "pretty", "core", "http", "json", "map",
                       "text", "output", "recipes", "toml" }) do
    names[#names + 1] = n
  end
  return names
end

-- The value at a path like `a.b[1].c` from _G, or nil; never calls anything
-- except the lazy loading of tinkr's own fields.
local function resolve(path)
  local v, first = nil, true
  for part in path:gmatch("[^%.:]+") do
    local name, rest = part:match("^([%a_][%w_]*)(.*)$")
    if not name or rest:gsub("%[%d+%]", "") ~= "" then return nil end
    if first then
      v = rawget(_G, name)
      if v == nil and name == "tinkr" then v = require "tinkr" end
      first = false
    elseif type(v) ~= "table" then
      return nil
    elseif v == package.loaded.tinkr then
      v = v[name]
    else
      v = rawget(v, name)
    end
    for index in rest:gmatch("%[(%d+)%]") do
      if type(v) ~= "table" then return nil end
      v = rawget(v, tonumber(index))
    end
  end
  return v
end

local service_cache

--- Service names of the configured backend (logs and spans), asked once.
function _M.services()
  if service_cache then return service_cache end
  local ok, names = pcall(function()
    local backend = require("tinkr.session").backend()
    local set = {}
    for _, kind in ipairs({ "logs", "spans" }) do
      local L = backend:layout_for(kind)
      if L then
        local field = L.resolve.field("service")
        local doc = L.client:aggregate(L.pattern, { size = 0,
          aggs = { s = { terms = { field = field, size = 1000 } } } })
        for _, b in ipairs(doc and doc.aggregations.s.buckets or {}) do set[tostring(b.key)] = true end
      end
    end
    local out = {}
    for n in pairs(set) do out[#out + 1] = n end
    table.sort(out)
    return out
  end)
  if ok and #names > 0 then service_cache = names end
  return ok and names or {}
end

local function starting(list, prefix, before)
  local out, seen = {}, {}
  for _, name in ipairs(list) do
    if type(name) == "string" and name:sub(1, #prefix) == prefix and not seen[name] then
      seen[name] = true
      out[#out + 1] = (before or "") .. name
    end
  end
  table.sort(out)
  return out
end

local function keys_of(t)
  local out = {}
  for k in pairs(t) do
    if type(k) == "string" and k:match("^[%a_][%w_]*$") then out[#out + 1] = k end
  end
  return out
end

--- complete(line, start, finish) -> a list of candidates for the word
--- line:sub(start + 1, finish).
function _M.complete(line, start, finish)
  local word = line:sub(start + 1, finish)
  local before = line:sub(1, start)
  -- a service name inside quotes after `service =`
  local quote = before:match("service%s*=%s*([\"'])$") or before:match("%-%-service%s+([\"']?)$")
  if quote or word:match("^[\"']") then
    local q, partial = word:match("^([\"']?)(.*)$")
    if quote or before:match("service%s*=%s*$") then
      return starting(_M.services(), partial, q)
    end
  end
  local path, sep, partial = word:match("^(.*)([%.:])([%w_]*)$")
  if path then
    local t = resolve(path)
    if type(t) ~= "table" then return {} end
    local names = keys_of(t)
    if t == package.loaded.tinkr then
      for _, n in ipairs(tinkr_names()) do names[#names + 1] = n end
    end
    local mt = getmetatable(t)
    if type(mt) == "table" and type(mt.__index) == "table" then
      for _, n in ipairs(keys_of(mt.__index)) do names[#names + 1] = n end
    end
    return starting(names, partial, path .. sep)
  end
  local names = keys_of(_G)
  for _, k in ipairs(KEYWORDS) do names[#names + 1] = k end
  names[#names + 1] = "tinkr"
  names[#names + 1] = "help"
  return starting(names, word)
end

--- The API, one line each: { { call, summary }, ... } sorted by name.
function _M.help_lines()
  local out = {}
  for _, f in pairs(require("tinkr.api_params").FUNCTIONS) do
    out[#out + 1] = { f.call, f.summary }
  end
  table.sort(out, function(a, b) return a[1] < b[1] end)
  return out
end

--- help() prints the API, one line each, and where to read more.
function _M.help()
  local lines = _M.help_lines()
  local w = 0
  for _, l in ipairs(lines) do w = math.max(w, #l[1]) end
  for _, l in ipairs(lines) do io.stdout:write(("%-" .. w .. "s  %s\n"):format(l[1], l[2])) end
  io.stdout:write("\nTab completes names, fields of tables and (in service = \"...\") service names.\n"
    .. "docs/API.md has every parameter; :help or help() prints this.\n")
end

return _M
