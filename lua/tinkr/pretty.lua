-- Pretty printing for the REPL and for scripts: nested tables with sorted
-- keys, cycles marked, long arrays elided with a count.
local _M = { _VERSION = "0.1.0" }

local concat, sort, format, rep = table.concat, table.sort, string.format, string.rep
local type, tostring, pairs, getmetatable = type, tostring, pairs, getmetatable
local math_type = math.type

_M.defaults = {
  max_items = 20,   -- array elements shown before "... N more"
  max_depth = 8,    -- deeper tables print as {...}
  width = 78,       -- a table whose one-line form fits stays on one line
  indent = "  ",
}

local IDENTIFIER = "^[%a_][%w_]*$"
local KEYWORDS = {}
for w in ([[and break do else elseif end false for function goto if in
  local nil not or repeat return then true until while]]):gmatch("%a+") do KEYWORDS[w] = true end

local function is_null(v)
  local ok, core = pcall(require, "tinkr.core")
  return ok and v == core.json.null
end

local function scalar(v)
  local t = type(v)
  if t == "string" then
    return (format("%q", v):gsub("\\\n", "\\n"))
  elseif t == "number" then
    if math_type(v) == "float" and v == math.floor(v) and v > -1e15 and v < 1e15 then
      return format("%.1f", v)
    end
    return tostring(v)
  elseif t == "userdata" and is_null(v) then
    return "null"
  end
  return tostring(v)
end

local function key_text(k)
  if type(k) == "string" and k:match(IDENTIFIER) and not KEYWORDS[k] then
    return k
  end
  return "[" .. scalar(k) .. "]"
end

-- Numbers first (ascending), then strings, then everything else.
local function key_order(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then
    if ta == "number" then return true end
    if tb == "number" then return false end
    if ta == "string" then return true end
    if tb == "string" then return false end
    return ta < tb
  end
  if ta == "number" or ta == "string" then return a < b end
  return tostring(a) < tostring(b)
end

local render

local function render_table(t, opts, depth, on_path)
  if on_path[t] then return "<cycle: " .. tostring(t) .. ">" end
  local mt = getmetatable(t)
  if mt and mt.__tostring then return tostring(t) end
  if depth >= opts.max_depth then return "{...}" end
  on_path[t] = true

  local n = #t
  local items = {}
  local shown = n < opts.max_items and n or opts.max_items
  for i = 1, shown do
    items[#items + 1] = render(t[i], opts, depth + 1, on_path)
  end
  if n > shown then
    items[#items + 1] = format("... %d more (%d in all)", n - shown, n)
  end
  local keys = {}
  for k in pairs(t) do
    if not (math_type(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = k end
  end
  sort(keys, key_order)
  for _, k in ipairs(keys) do
    items[#items + 1] = key_text(k) .. " = " .. render(t[k], opts, depth + 1, on_path)
  end
  on_path[t] = nil

  if #items == 0 then return "{}" end
  local one_line = "{ " .. concat(items, ", ") .. " }"
  if #one_line + #opts.indent * depth <= opts.width and not one_line:find("\n", 1, true) then
    return one_line
  end
  local pad = rep(opts.indent, depth + 1)
  return "{\n" .. pad .. concat(items, ",\n" .. pad) .. "\n" .. rep(opts.indent, depth) .. "}"
end

render = function(v, opts, depth, on_path)
  if type(v) == "table" then return render_table(v, opts, depth, on_path) end
  return scalar(v)
end

--- Returns the text for any Lua value.
function _M.format(v, opts)
  local o = {}
  for k, d in pairs(_M.defaults) do o[k] = (opts and opts[k] ~= nil) and opts[k] or d end
  return render(v, o, 0, {})
end

--- Prints each value on its own line (the REPL's printer).
function _M.print_values(...)
  local out = {}
  for i = 1, select("#", ...) do out[i] = _M.format((select(i, ...))) end
  io.stdout:write(concat(out, "\n"), "\n")
end

return _M
