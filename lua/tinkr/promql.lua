-- Building PromQL from user values without letting a value change the
-- query.  Every value that reaches an expression goes through one of the
-- escapes below, or through promql.expand, which only substitutes escaped
-- or validated values.  PromQL double-quoted strings use Go's escapes.
local _M = { _VERSION = "0.1.0" }

local format, gsub, find, sub, byte = string.format, string.gsub, string.find, string.sub, string.byte
local type, tostring, tonumber, error = type, tostring, tonumber, error

local function check_string(v, n, fname)
  if type(v) ~= "string" then
    error(("bad argument #%d to '%s' (string expected, got %s)"):format(n, fname, type(v)), 3)
  end
end

-- Besides what must be escaped (backslash, quote, newline), other control
-- characters are written as escapes too: the lexer rejects some of them raw,
-- and an escape reads the same in a log.
local STRING_ESCAPES = {
  ["\\"] = "\\\\", ['"'] = '\\"', ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t",
}
local function escape_char(c)
  return STRING_ESCAPES[c] or format("\\x%02x", byte(c))
end

--- The text to put between double quotes in PromQL so that it reads back
--- as exactly s.
function _M.label_escape(s)
  check_string(s, 1, "label_escape")
  return (gsub(s, '[%c\\"]', escape_char))
end

--- s as an RE2 pattern matching exactly s, ready to put between double
--- quotes (so a backslash RE2 needs is doubled for the PromQL string).
function _M.regex_escape(s)
  check_string(s, 1, "regex_escape")
  return _M.label_escape((gsub(s, "[%.%+%*%?%(%)|%[%]{}%^%$\\]", "\\%0")))
end

local LABEL_NAME = "^[%a_][%w_]*$"

local function check_label_name(name, n, fname)
  check_string(name, n, fname)
  if not find(name, LABEL_NAME) then
    error(("bad argument #%d to '%s' (invalid label name %q)"):format(n, fname, name), 3)
  end
end

--- label="value": an equality matcher with the value escaped.
function _M.matcher(label, value)
  check_label_name(label, 1, "matcher")
  check_string(value, 2, "matcher")
  return format('%s="%s"', label, _M.label_escape(value))
end

--- label=~"pattern": a regex matcher; pattern is RE2 written by the caller
--- (not user input), so it is only escaped for the string.
function _M.regex_matcher(label, pattern)
  check_label_name(label, 1, "regex_matcher")
  check_string(pattern, 2, "regex_matcher")
  return format('%s=~"%s"', label, _M.label_escape(pattern))
end

-- PromQL durations: one or more <number><unit> with units in descending order.
local DURATION_UNITS = { ms = 1, s = 2, m = 3, h = 4, d = 5, w = 6, y = 7 }

--- true if s is a PromQL duration such as "5m", "1h30m", "90s".
function _M.is_duration(s)
  if type(s) ~= "string" or s == "" then return false end
  local pos, last = 1, 100
  while pos <= #s do
    local digits, unit, nxt = s:match("^(%d+)(%a+)()", pos)
    local rank = unit and DURATION_UNITS[unit]
    if not rank or rank >= last then return false end
    last, pos = rank, nxt
    if #digits > 12 then return false end
  end
  return true
end

-- How a placeholder's value is made safe, and where it may appear.
--   in_string: the placeholder must sit inside a double-quoted string.
local FILTERS = {
  label = { in_string = true, apply = function(v) return _M.label_escape(v) end },
  regex = { in_string = true, apply = function(v) return _M.regex_escape(v) end },
  duration = {
    in_string = false,
    apply = function(v, name)
      if not _M.is_duration(v) then
        return nil, ("parameter '%s' must be a duration like 5m or 1h (got %q)"):format(name, v)
      end
      return v
    end,
  },
  number = {
    in_string = false,
    apply = function(v, name)
      local n = tonumber(v)
      if not n or n ~= n or n == math.huge or n == -math.huge then
        return nil, ("parameter '%s' must be a finite number (got %q)"):format(name, tostring(v))
      end
      if math.type(n) == "integer" then return tostring(n) end
      for digits = 15, 17 do   -- the shortest text that reads back as n
        local text = format("%." .. digits .. "g", n)
        if tonumber(text) == n then return text end
      end
    end,
  },
  name = {
    in_string = false,
    apply = function(v, name)
      if not find(v, LABEL_NAME) then
        return nil, ("parameter '%s' must be a label name like http_route (got %q)"):format(name, v)
      end
      return v
    end,
  },
}

--- promql.expand(template, values) -> expression
--- Placeholders:
---   {{name}} or {{name|label}}  inside "...": the value, label-escaped
---   {{name|regex}}              inside "...": the value as a literal RE2 pattern
---   {{name|duration}}           outside strings: validated PromQL duration
---   {{name|number}}             outside strings: a finite number
---   {{name|name}}               outside strings: a label name (for by (...))
--- A missing value raises an error naming it; so does a placeholder in the
--- wrong place (a template bug), so a value can never end up unquoted.
function _M.expand(template, values)
  check_string(template, 1, "expand")
  if type(values) ~= "table" then
    error(("bad argument #2 to 'expand' (table expected, got %s)"):format(type(values)), 2)
  end
  local out, n = {}, 0
  local quote = nil           -- the quote character we are inside, if any
  local i, len = 1, #template
  while i <= len do
    local c = sub(template, i, i)
    if c == "{" and sub(template, i + 1, i + 1) == "{" then
      local close = find(template, "}}", i + 2, true)
      if not close then error(("unclosed placeholder at character %d of template"):format(i), 2) end
      local spec = sub(template, i + 2, close - 1)
      local name, filter = spec:match("^%s*([%a_][%w_]*)%s*|?%s*([%a_]*)%s*$")
      if not name then error(("bad placeholder {{%s}} in template"):format(spec), 2) end
      if filter == "" then filter = "label" end
      local f = FILTERS[filter]
      if not f then error(("unknown filter '%s' in placeholder {{%s}}"):format(filter, spec), 2) end
      if f.in_string and quote ~= '"' then
        error(("placeholder {{%s}} must be inside a double-quoted string"):format(spec), 2)
      elseif not f.in_string and quote then
        error(("placeholder {{%s}} must be outside strings"):format(spec), 2)
      end
      local v = values[name]
      if v == nil then error(("missing value for '%s'"):format(name), 2) end
      if type(v) ~= "string" and type(v) ~= "number" then
        error(("value for '%s' must be a string or number (got %s)"):format(name, type(v)), 2)
      end
      local text, err = f.apply(tostring(v), name)
      if not text then error(err, 2) end
      n = n + 1; out[n] = text
      i = close + 2
    else
      if quote then
        if c == "\\" and quote ~= "`" then
          n = n + 1; out[n] = sub(template, i, i + 1)
          i = i + 2
          goto continue
        elseif c == quote then
          quote = nil
        end
      elseif c == '"' or c == "'" or c == "`" then
        quote = c
      end
      n = n + 1; out[n] = c
      i = i + 1
    end
    ::continue::
  end
  if quote then error("unterminated string in template", 2) end
  return table.concat(out)
end

return _M
