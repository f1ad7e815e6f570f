-- TOML 1.0 parser for tinkr's profile config. Pure Lua 5.4, no dependencies.
--
--   local toml = require "tinkr.toml"
--   local doc, err = toml.parse(text, "config.toml")
--   -- err: "config.toml:12:5: duplicate key 'opensearch_url' in [profiles.otel-prod] ..."
--
-- Values map to Lua as: string -> string, integer -> integer (64-bit, exact),
-- float -> float, boolean -> boolean, array -> sequence, table -> table,
-- date/time -> a table with the toml.datetime metatable (see new_datetime).
-- Bad input returns nil, "source:line:column: message"; parse never throws
-- for any input string (misuse, e.g. a non-string argument, does raise).
local _M = { _VERSION = "1.0.0" }

local byte, sub, find, match, gsub, format, rep =
  string.byte, string.sub, string.find, string.match, string.gsub, string.format, string.rep
local concat = table.concat
local utf8_char, utf8_len = utf8.char, utf8.len
local tointeger, maxinteger, math_type, huge = math.tointeger, math.maxinteger, math.type, math.huge
local type, tonumber, tostring, error, pcall, setmetatable, getmetatable =
  type, tonumber, tostring, error, pcall, setmetatable, getmetatable

-- Arrays and inline tables nest by recursion; a limit keeps hostile input
-- from exhausting the Lua stack. Real configs nest a handful deep.
local MAX_DEPTH = 128
_M.MAX_DEPTH = MAX_DEPTH

local B_LF, B_CR, B_SPACE = 10, 13, 32
local B_QUOTE, B_HASH, B_APOS, B_PLUS, B_COMMA, B_MINUS, B_DOT = 34, 35, 39, 43, 44, 45, 46
local B_EQUALS, B_LBRACKET, B_BACKSLASH, B_RBRACKET = 61, 91, 92, 93
local B_LBRACE, B_RBRACE = 123, 125
local B_UPPER_T, B_LOWER_T, B_UPPER_Z, B_LOWER_Z, B_UPPER_E, B_LOWER_E = 84, 116, 90, 122, 69, 101

---------------------------------------------------------------------------
-- Errors: raised inside the parser as a marked table, turned into
-- nil, "source:line:col: message" by _M.parse. Anything else is a bug.

local ParseError = {}

local function fail(pos, fmt, ...)
  error(setmetatable({ pos = pos, message = format(fmt, ...) }, ParseError), 0)
end

local function line_and_column(src, pos)
  local line, line_start = 1, 1
  local nl = find(src, "\n", 1, true)
  while nl and nl < pos do
    line, line_start = line + 1, nl + 1
    nl = find(src, "\n", nl + 1, true)
  end
  -- Columns count characters, not bytes: leave out UTF-8 continuation bytes.
  local before = sub(src, line_start, pos - 1)
  local _, continuation = gsub(before, "[\128-\191]", "")
  return line, #before - continuation + 1
end

local function line_of(src, pos)
  return (line_and_column(src, pos))
end

-- How a character appears in a message: 'x', end of line, U+0007 ...
local function describe_char(src, pos)
  local b = byte(src, pos)
  if b == nil then return "end of file" end
  if b == B_LF or (b == B_CR and byte(src, pos + 1) == B_LF) then return "end of line" end
  if b < 32 or b == 127 then return format("control character U+%04X", b) end
  return "'" .. (match(src, "^[\192-\247][\128-\191]*", pos) or sub(src, pos, pos)) .. "'"
end

---------------------------------------------------------------------------
-- Keys as they appear in messages: bare when possible, quoted otherwise.

local function escape_for_message(s)
  return (gsub(s, '[%c"\\]', function(c)
    if c == '"' or c == "\\" then return "\\" .. c end
    return format("\\u%04X", byte(c))
  end))
end

local function format_key(key)
  if find(key, "^[A-Za-z0-9_%-]+$") then return key end
  return '"' .. escape_for_message(key) .. '"'
end

local function format_key_path(keys, last)
  local parts = {}
  for i = 1, last or #keys do parts[i] = format_key(keys[i]) end
  return concat(parts, ".")
end

---------------------------------------------------------------------------
-- Date and time values.

local DateTime = { __name = "toml.datetime" }
DateTime.__tostring = function(self) return self.text end
DateTime.__eq = function(a, b) return a.kind == b.kind and a.text == b.text end
_M.datetime_mt = DateTime

function _M.is_datetime(value)
  return getmetatable(value) == DateTime
end

local DAYS_IN_MONTH = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }

local function days_in_month(year, month)
  local leap = year % 4 == 0 and (year % 100 ~= 0 or year % 400 == 0)
  if month == 2 and leap then return 29 end
  return DAYS_IN_MONTH[month]
end

-- Reads YYYY-MM-DD at pos into dt; returns the position after it.
local function read_date(src, pos, dt)
  local y, mo, d, after = match(src, "^(%d%d%d%d)%-(%d%d)%-(%d%d)()", pos)
  if not y then
    local word = match(src, "^[%w%-:%.]*", pos)
    fail(pos, "invalid date '%s' (dates are written YYYY-MM-DD)", word)
  end
  local year, month, day = tointeger(tonumber(y)), tointeger(tonumber(mo)), tointeger(tonumber(d))
  if month < 1 or month > 12 then fail(pos + 5, "month %s is out of range (01-12)", mo) end
  local last_day = days_in_month(year, month)
  if day < 1 or day > last_day then
    fail(pos + 8, "day %s is out of range for %s-%s (01-%02d)", d, y, mo, last_day)
  end
  dt.year, dt.month, dt.day = year, month, day
  dt.date_text = y .. "-" .. mo .. "-" .. d
  return after
end

-- Reads HH:MM:SS[.fraction] at pos into dt; returns the position after it.
local function read_time(src, pos, dt)
  local h, mi, s, after = match(src, "^(%d%d):(%d%d):(%d%d)()", pos)
  if not h then
    local word = match(src, "^[%w:%.]*", pos)
    if word == "" then fail(pos, "expected a time HH:MM:SS, found %s", describe_char(src, pos)) end
    fail(pos, "invalid time '%s' (times are written HH:MM:SS; TOML 1.0 requires the seconds)", word)
  end
  local hour, minute, second = tointeger(tonumber(h)), tointeger(tonumber(mi)), tointeger(tonumber(s))
  if hour > 23 then fail(pos, "hour %s is out of range (00-23)", h) end
  if minute > 59 then fail(pos + 3, "minute %s is out of range (00-59)", mi) end
  -- RFC 3339 allows second 60 for a leap second.
  if second > 60 then fail(pos + 6, "second %s is out of range (00-60)", s) end
  local text = h .. ":" .. mi .. ":" .. s
  local nanosecond = 0
  if byte(src, after) == B_DOT then
    local digits, after_fraction = match(src, "^(%d+)()", after + 1)
    if not digits then fail(after, "expected digits after '.' in the seconds") end
    -- Keep nanosecond precision; TOML lets parsers truncate what is beyond.
    nanosecond = tointeger(tonumber(sub(digits .. "00000000", 1, 9)))
    text = text .. "." .. digits
    after = after_fraction
  end
  dt.hour, dt.minute, dt.second, dt.nanosecond = hour, minute, second, nanosecond
  dt.time_text = text
  return after
end

-- Reads Z or +HH:MM / -HH:MM; returns the offset in minutes (nil if none) and the next position.
local function read_offset(src, pos)
  local b = byte(src, pos)
  if b == B_UPPER_Z or b == B_LOWER_Z then return 0, "Z", pos + 1 end
  if b ~= B_PLUS and b ~= B_MINUS then return nil, nil, pos end
  local sign, h, m, after = match(src, "^([%+%-])(%d%d):(%d%d)()", pos)
  if not sign then fail(pos, "invalid UTC offset (expected Z, +HH:MM or -HH:MM)") end
  local hours, minutes = tointeger(tonumber(h)), tointeger(tonumber(m))
  if hours > 23 then fail(pos + 1, "offset hour %s is out of range (00-23)", h) end
  if minutes > 59 then fail(pos + 4, "offset minute %s is out of range (00-59)", m) end
  local total = hours * 60 + minutes
  return sign == "-" and -total or total, sign .. h .. ":" .. m, after
end

-- Builds the value: kind is "offset-datetime", "local-datetime",
-- "local-date" or "local-time"; text is the canonical RFC 3339 form
-- ('T' and 'Z' upper case, fraction digits as written).
local function new_datetime(dt, kind, offset_minutes, offset_text)
  local text
  if kind == "local-date" then
    text = dt.date_text
  elseif kind == "local-time" then
    text = dt.time_text
  else
    text = dt.date_text .. "T" .. dt.time_text .. (offset_text or "")
  end
  dt.date_text, dt.time_text = nil, nil
  dt.kind, dt.text, dt.offset_minutes = kind, text, offset_minutes
  return setmetatable(dt, DateTime)
end

local function read_datetime(p)
  local src, start = p.src, p.pos
  local dt = {}
  if find(src, "^%d%d:", start) then
    local after = read_time(src, start, dt)
    local b = byte(src, after)
    if b == B_UPPER_Z or b == B_LOWER_Z or b == B_PLUS or b == B_MINUS then
      fail(after, "a time without a date cannot have a UTC offset")
    end
    p.pos = after
    return new_datetime(dt, "local-time")
  end
  local pos = read_date(src, start, dt)
  local sep = byte(src, pos)
  -- A space separates date and time only when a time follows; otherwise
  -- the value is a plain date followed by whitespace.
  local has_time = sep == B_UPPER_T or sep == B_LOWER_T
    or (sep == B_SPACE and find(src, "^%d%d:", pos + 1) ~= nil)
  if not has_time then
    p.pos = pos
    return new_datetime(dt, "local-date")
  end
  pos = read_time(src, pos + 1, dt)
  local offset_minutes, offset_text
  offset_minutes, offset_text, pos = read_offset(src, pos)
  p.pos = pos
  return new_datetime(dt, offset_minutes and "offset-datetime" or "local-datetime",
                      offset_minutes, offset_text)
end

---------------------------------------------------------------------------
-- Whitespace, newlines and comments.

local function fail_bare_cr(pos)
  fail(pos, "carriage return not followed by a line feed (use LF or CRLF line endings)")
end

local function skip_ws(p)
  p.pos = match(p.src, "^[ \t]*()", p.pos)
end

-- Consumes LF or CRLF; returns false if there is no newline at p.pos.
local function skip_newline(p)
  local src, pos = p.src, p.pos
  local b = byte(src, pos)
  if b == B_LF then p.pos = pos + 1; return true end
  if b == B_CR then
    if byte(src, pos + 1) == B_LF then p.pos = pos + 2; return true end
    fail_bare_cr(pos)
  end
  return false
end

-- A comment runs to the end of the line; it may hold any character but
-- control characters other than tab. A bare CR is left for skip_newline.
local function skip_comment(p)
  local src = p.src
  if byte(src, p.pos) ~= B_HASH then return end
  local stop = match(src, "^[^\0-\8\10-\31\127]*()", p.pos + 1)
  p.pos = stop
  local b = byte(src, stop)
  if b and b ~= B_LF and b ~= B_CR then
    fail(stop, "%s is not allowed in a comment", describe_char(src, stop))
  end
end

local function expect_end_of_line(p, after_what)
  skip_ws(p)
  skip_comment(p)
  if p.pos > p.len or skip_newline(p) then return end
  fail(p.pos, "expected end of line after %s, found %s (put each key = value and [table] on its own line)",
       after_what, describe_char(p.src, p.pos))
end

-- Inside arrays, newlines and comments may appear between values.
local function skip_ws_comments_newlines(p)
  repeat
    skip_ws(p)
    skip_comment(p)
  until not skip_newline(p)
end

---------------------------------------------------------------------------
-- Strings.

local SIMPLE_ESCAPES = {
  [98] = "\b", [116] = "\t", [110] = "\n", [102] = "\f", [114] = "\r", [34] = '"', [92] = "\\",
}
local HEX4, HEX8 = "^" .. rep("%x", 4), "^" .. rep("%x", 8)

local function read_unicode_escape(src, pos, letter, pattern, width)
  local hex = match(src, pattern, pos + 2)
  if not hex then fail(pos, "\\%s must be followed by exactly %d hex digits", letter, width) end
  local code = tonumber(hex, 16)
  if code > 0x10FFFF or (code >= 0xD800 and code <= 0xDFFF) then
    fail(pos, "\\%s%s is not a Unicode scalar value (surrogates and values above 10FFFF are not allowed)",
         letter, hex)
  end
  return utf8_char(code), pos + 2 + width
end

-- Decodes the escape sequence whose backslash is at pos; returns its text
-- and the position after it.
local function read_escape(src, pos)
  local b = byte(src, pos + 1)
  local simple = SIMPLE_ESCAPES[b]
  if simple then return simple, pos + 2 end
  if b == 117 then return read_unicode_escape(src, pos, "u", HEX4, 4) end
  if b == 85 then return read_unicode_escape(src, pos, "U", HEX8, 8) end
  fail(pos, "invalid escape sequence: backslash followed by %s (valid: \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX; write \\\\ for a backslash)",
       describe_char(src, pos + 1))
end

local function fail_control_in_string(src, pos, literal)
  if literal then
    fail(pos, "%s is not allowed in a literal string (use a \"...\" string with \\u%04X)",
         describe_char(src, pos), byte(src, pos))
  end
  fail(pos, "%s must be escaped in a string (write \\u%04X)", describe_char(src, pos), byte(src, pos))
end

-- "..." : escapes, no raw control characters except tab, one line.
local function read_basic_string(p)
  local src, open = p.src, p.pos
  local pos = open + 1
  local parts, n = {}, 0
  while true do
    local stop = find(src, '[\0-\8\10-\31\127"\\]', pos)
    if not stop then fail(open, 'unterminated string (missing closing ")') end
    if stop > pos then n = n + 1; parts[n] = sub(src, pos, stop - 1) end
    local b = byte(src, stop)
    if b == B_QUOTE then
      p.pos = stop + 1
      return concat(parts, "", 1, n)
    elseif b == B_BACKSLASH then
      n = n + 1
      parts[n], pos = read_escape(src, stop)
    elseif b == B_LF or b == B_CR then
      fail(stop, 'unterminated string: a "..." string must end on its line (use """...""" for text over several lines)')
    else
      fail_control_in_string(src, stop, false)
    end
  end
end

-- '...' : taken as written, one line, no control characters except tab.
local function read_literal_string(p)
  local src, open = p.src, p.pos
  local stop = find(src, "[\0-\8\10-\31\127']", open + 1)
  if not stop then fail(open, "unterminated literal string (missing closing ')") end
  local b = byte(src, stop)
  if b == B_APOS then
    p.pos = stop + 1
    return sub(src, open + 1, stop - 1)
  elseif b == B_LF or b == B_CR then
    fail(stop, "unterminated literal string: a '...' string must end on its line (use '''...''' for text over several lines)")
  end
  fail_control_in_string(src, stop, true)
end

-- After a line-ending backslash: skip spaces, tabs and newlines.
local function skip_trimmed_whitespace(src, pos)
  while true do
    pos = match(src, "^[ \t\n]*()", pos)
    if byte(src, pos) ~= B_CR or byte(src, pos + 1) ~= B_LF then return pos end
    pos = pos + 2
  end
end

-- Handles a run of delimiter quotes inside a multi-line string at pos.
-- Up to two quotes may sit just inside the closing delimiter.
-- Returns the quotes that belong to the content, and whether the string ended.
local function read_quote_run(src, pos, quote_char)
  local run = #match(src, "^" .. quote_char .. "*", pos)
  if run < 3 then return rep(quote_char, run), false, pos + run end
  if run > 5 then
    fail(pos + 5, "too many quotes: at most two %s may come just before the closing %s",
         quote_char, rep(quote_char, 3))
  end
  return rep(quote_char, run - 3), true, pos + run
end

-- """...""" and '''...''': newlines allowed (CRLF becomes LF), a newline right
-- after the opening delimiter is dropped; escapes only in the basic form.
local function read_multiline_string(p, literal)
  local src, open = p.src, p.pos
  local quote_char = literal and "'" or '"'
  local special = literal and "[\0-\8\11-\31\127']" or '[\0-\8\11-\31\127"\\]'
  local pos = match(src, "^\r?\n()", open + 3) or open + 3
  local parts, n = {}, 0
  while true do
    local stop = find(src, special, pos)
    if not stop then
      fail(open, "unterminated multi-line string (missing closing %s)", rep(quote_char, 3))
    end
    if stop > pos then n = n + 1; parts[n] = sub(src, pos, stop - 1) end
    local b = byte(src, stop)
    if b == B_QUOTE or b == B_APOS then
      local quotes, closed
      quotes, closed, pos = read_quote_run(src, stop, quote_char)
      n = n + 1; parts[n] = quotes
      if closed then
        p.pos = pos
        return concat(parts, "", 1, n)
      end
    elseif b == B_BACKSLASH then
      local after_line_end = match(src, "^\\[ \t]*\r?\n()", stop)
      if after_line_end then
        pos = skip_trimmed_whitespace(src, after_line_end)
      else
        n = n + 1
        parts[n], pos = read_escape(src, stop)
      end
    elseif b == B_CR then
      if byte(src, stop + 1) ~= B_LF then fail_bare_cr(stop) end
      n = n + 1; parts[n] = "\n"
      pos = stop + 2
    else
      fail_control_in_string(src, stop, literal)
    end
  end
end

local function read_string(p)
  local src, pos = p.src, p.pos
  local b = byte(src, pos)
  local multiline = byte(src, pos + 1) == b and byte(src, pos + 2) == b
  if b == B_QUOTE then
    return multiline and read_multiline_string(p, false) or read_basic_string(p)
  end
  return multiline and read_multiline_string(p, true) or read_literal_string(p)
end

---------------------------------------------------------------------------
-- Keys.

local function read_simple_key(p)
  local src, pos = p.src, p.pos
  local b = byte(src, pos)
  if b == B_QUOTE or b == B_APOS then
    if byte(src, pos + 1) == b and byte(src, pos + 2) == b then
      fail(pos, "a multi-line string cannot be a key")
    end
    return b == B_QUOTE and read_basic_string(p) or read_literal_string(p)
  end
  local stop = match(src, "^[A-Za-z0-9_%-]+()", pos)
  if stop then
    p.pos = stop
    return sub(src, pos, stop - 1)
  end
  if b and b >= 128 then
    fail(pos, "expected a key, found %s (keys with characters other than A-Z a-z 0-9 _ - must be quoted)",
         describe_char(src, pos))
  end
  fail(pos, "expected a key, found %s", describe_char(src, pos))
end

-- Reads a simple or dotted key and the whitespace after it; returns the
-- key parts and where each part starts.
local function read_key(p)
  local keys, positions, n = {}, {}, 0
  while true do
    n = n + 1
    positions[n] = p.pos
    keys[n] = read_simple_key(p)
    skip_ws(p)
    if byte(p.src, p.pos) ~= B_DOT then return keys, positions end
    p.pos = p.pos + 1
    skip_ws(p)
  end
end

---------------------------------------------------------------------------
-- Numbers and booleans: read as one word, then checked against the grammar.

local DIGIT_SETS = { decimal = "0-9", hex = "0-9A-Fa-f", octal = "0-7", binary = "01" }
local DIGIT_RUN = {}
for name, set in pairs(DIGIT_SETS) do DIGIT_RUN[name] = "^[" .. set .. "][" .. set .. "_]*$" end

-- Digits of one base where every underscore sits between two digits.
local function is_digit_run(s, base)
  return find(s, DIGIT_RUN[base]) ~= nil and byte(s, -1) ~= 95 and not find(s, "__", 1, true)
end

local PREFIXES = { x = { "hex", 16 }, o = { "octal", 8 }, b = { "binary", 2 } }

local function fail_out_of_range(pos, word)
  fail(pos, "integer %s is out of range (TOML integers are 64-bit: -9223372036854775808 to 9223372036854775807)",
       word)
end

local function parse_prefixed_integer(word, pos)
  local prefix = PREFIXES[sub(word, 2, 2)]
  local base_name, radix = prefix[1], prefix[2]
  local digits = sub(word, 3)
  if not is_digit_run(digits, base_name) then
    fail(pos, "invalid %s integer '%s'", base_name, word)
  end
  digits = gsub(digits, "_", "")
  local value = 0
  for i = 1, #digits do
    local d = tonumber(sub(digits, i, i), 16)
    if value > (maxinteger - d) // radix then fail_out_of_range(pos, word) end
    value = value * radix + d
  end
  return value
end

local function parse_decimal_integer(word, pos)
  local sign, digits = match(word, "^([%+%-]?)(.*)$")
  if not is_digit_run(digits, "decimal") then fail(pos, "invalid number '%s'", word) end
  if #digits > 1 and byte(digits) == 48 then
    fail(pos, "leading zeros are not allowed in '%s'", word)
  end
  digits = gsub(digits, "_", "")
  -- Compare as text: tonumber would quietly turn 2^63 into a float.
  local limit = sign == "-" and "9223372036854775808" or "9223372036854775807"
  if #digits > #limit or (#digits == #limit and digits > limit) then fail_out_of_range(pos, word) end
  return tointeger(tonumber(sign .. digits))
end

local function parse_float(word, pos)
  local int_part, i = match(word, "^[%+%-]?([%d_]*)()")
  if int_part == "" and byte(word, i) == B_DOT then
    fail(pos, "invalid float '%s': a decimal point needs digits on both sides", word)
  end
  if not is_digit_run(int_part, "decimal") then fail(pos, "invalid number '%s'", word) end
  if #int_part > 1 and byte(int_part) == 48 then
    fail(pos, "leading zeros are not allowed in '%s'", word)
  end
  if byte(word, i) == B_DOT then
    local fraction, after = match(word, "^([%d_]*)()", i + 1)
    if not is_digit_run(fraction, "decimal") then
      fail(pos, "invalid float '%s': a decimal point needs digits on both sides", word)
    end
    i = after
  end
  local e = byte(word, i)
  if e == B_LOWER_E or e == B_UPPER_E then
    local exponent, after = match(word, "^[%+%-]?([%d_]*)()", i + 1)
    if not is_digit_run(exponent, "decimal") then fail(pos, "invalid exponent in '%s'", word) end
    i = after
  end
  if i <= #word then fail(pos, "invalid number '%s'", word) end
  local value = tonumber((gsub(word, "_", "")))
  if value == huge or value == -huge then
    fail(pos, "float %s is out of range (write inf for infinity)", word)
  end
  return value
end

local SPECIAL_FLOATS = {
  inf = huge, ["+inf"] = huge, ["-inf"] = -huge,
  nan = 0.0 / 0.0, ["+nan"] = 0.0 / 0.0, ["-nan"] = -(0.0 / 0.0),
}

local function parse_number(word, pos)
  local special = SPECIAL_FLOATS[word]
  if special then return special end
  if find(word, "^0[xob]") then return parse_prefixed_integer(word, pos) end
  if find(word, "^[%+%-]0[xob]") then
    fail(pos, "a sign is not allowed on hex, octal or binary integers ('%s')", word)
  end
  if find(word, "^[%+%-]?[%d_]*[%.eE]") then return parse_float(word, pos) end
  return parse_decimal_integer(word, pos)
end

local function read_word_value(p)
  local src, pos = p.src, p.pos
  local stop = match(src, "^[%w_%+%-%.]*()", pos)
  if stop == pos then fail(pos, "expected a value, found %s", describe_char(src, pos)) end
  local word = sub(src, pos, stop - 1)
  p.pos = stop
  if word == "true" then return true end
  if word == "false" then return false end
  if find(word, "^%a") and not SPECIAL_FLOATS[word] then
    local lower = word:lower()
    if lower == "true" or lower == "false" or lower == "inf" or lower == "nan" then
      fail(pos, "invalid value '%s' (write it in lower case: %s)", word, lower)
    end
    local shown = match(src, "^[^ \t\r\n,%]}#]*", pos)
    fail(pos, "invalid value '%s' (strings must be quoted: \"%s\")", shown, escape_for_message(shown))
  end
  if find(word, "^%d+%-%d") then
    fail(pos, "invalid date '%s' (dates are written YYYY-MM-DD)", word)
  end
  return parse_number(word, pos)
end

---------------------------------------------------------------------------
-- Tables. p.kinds records how each table came to be, which decides what
-- may be added to it later:
--   "header"   defined by [name] (or the root, or an [[name]] element)
--   "implicit" created as a parent by a header, e.g. a for [a.b]; a later
--              [a] may still define it, once
--   "dotted"   created by a dotted key (a.b = 1); only more dotted keys in
--              the same section may add to it
--   "inline"   { ... }: complete when written
--   "aot"      the array behind [[name]]
-- Arrays written as [ ... ] and all scalar values have no kind.
-- p.key_pos[table][key] is where the key was defined, for messages.

local function new_table(p, kind)
  local t = {}
  p.kinds[t] = kind
  return t
end

local function record_key(p, tbl, key, pos)
  local positions = p.key_pos[tbl]
  if not positions then positions = {}; p.key_pos[tbl] = positions end
  positions[key] = pos
end

local function defined_line(p, tbl, key)
  local pos = p.key_pos[tbl] and p.key_pos[tbl][key]
  return pos and line_of(p.src, pos) or 0
end

local DATETIME_NAMES = {
  ["offset-datetime"] = "an offset date-time", ["local-datetime"] = "a local date-time",
  ["local-date"] = "a local date", ["local-time"] = "a local time",
}

local function type_name(p, value)
  local kind = p.kinds[value]
  if kind == "inline" then return "an inline table" end
  if kind == "aot" then return "an array of tables" end
  if kind then return "a table" end
  local t = math_type(value) or type(value)
  if t == "table" then
    if getmetatable(value) == DateTime then return DATETIME_NAMES[value.kind] end
    return "an array"
  end
  return (t == "integer" and "an " or "a ") .. t
end

local function in_section(where)
  return where ~= "" and " in " .. where or ""
end

-- Walks the dotted key parts before the last one, creating tables as needed,
-- and returns the table that receives the last part.
local function walk_dotted_key(p, tbl, keys, positions, where)
  for i = 1, #keys - 1 do
    local key = keys[i]
    local child = tbl[key]
    if child == nil then
      child = new_table(p, "dotted")
      tbl[key] = child
      record_key(p, tbl, key, positions[i])
    elseif p.kinds[child] ~= "dotted" then
      local kind, name, line = p.kinds[child], format_key_path(keys, i), defined_line(p, tbl, key)
      if kind == "header" or kind == "implicit" then
        fail(positions[i], "cannot add to table '%s'%s with a dotted key: it was created by a [table] header (line %d); put the key under that header",
             name, in_section(where), line)
      elseif kind == "inline" then
        fail(positions[i], "cannot add to inline table '%s'%s (line %d): inline tables are complete when written",
             name, in_section(where), line)
      end
      fail(positions[i], "key '%s'%s is already %s (line %d), so it cannot hold keys",
           name, in_section(where), type_name(p, child), line)
    end
    tbl = child
  end
  return tbl
end

local read_value

-- key = value, added to tbl. where names the section for messages.
local function read_keyval(p, tbl, depth, where)
  local keys, positions = read_key(p)
  if byte(p.src, p.pos) ~= B_EQUALS then
    fail(p.pos, "expected '=' after key '%s', found %s", format_key_path(keys), describe_char(p.src, p.pos))
  end
  p.pos = p.pos + 1
  skip_ws(p)
  local target = walk_dotted_key(p, tbl, keys, positions, where)
  local last, last_pos = keys[#keys], positions[#keys]
  if target[last] ~= nil then
    fail(last_pos, "duplicate key '%s'%s (first defined at line %d)",
         format_key_path(keys), in_section(where), defined_line(p, target, last))
  end
  local b = byte(p.src, p.pos)
  if b == nil or b == B_LF or b == B_CR or b == B_HASH then
    fail(p.pos, "missing value after '=' for key '%s'", format_key_path(keys))
  end
  target[last] = read_value(p, depth)
  record_key(p, target, last, last_pos)
end

local function check_depth(p, depth)
  if depth > MAX_DEPTH then
    fail(p.pos, "arrays and inline tables are nested more than %d deep", MAX_DEPTH)
  end
end

local function read_array(p, depth)
  check_depth(p, depth)
  local open = p.pos
  p.pos = open + 1
  local array, n = {}, 0
  while true do
    skip_ws_comments_newlines(p)
    local b = byte(p.src, p.pos)
    if b == B_RBRACKET then p.pos = p.pos + 1; return array end
    if b == nil then fail(open, "unterminated array (missing ']')") end
    n = n + 1
    array[n] = read_value(p, depth)
    skip_ws_comments_newlines(p)
    b = byte(p.src, p.pos)
    if b == B_RBRACKET then p.pos = p.pos + 1; return array end
    if b == nil then fail(open, "unterminated array (missing ']')") end
    if b ~= B_COMMA then
      fail(p.pos, "expected ',' or ']' in array, found %s", describe_char(p.src, p.pos))
    end
    p.pos = p.pos + 1
  end
end

local function fail_if_inline_newline(p)
  local b = byte(p.src, p.pos)
  if b == B_LF or b == B_CR then
    fail(p.pos, "newline inside an inline table (TOML 1.0 inline tables stay on one line; use a [table] section for more)")
  end
  if b == nil then fail(p.pos, "unterminated inline table (missing '}')") end
end

local function read_inline_table(p, depth)
  check_depth(p, depth)
  p.pos = p.pos + 1
  -- Built like a section (dotted keys may add to their own sub-tables),
  -- then sealed.
  local tbl = new_table(p, "header")
  skip_ws(p)
  fail_if_inline_newline(p)
  if byte(p.src, p.pos) == B_RBRACE then
    p.pos = p.pos + 1
    p.kinds[tbl] = "inline"
    return tbl
  end
  while true do
    read_keyval(p, tbl, depth, "inline table")
    skip_ws(p)
    fail_if_inline_newline(p)
    local b = byte(p.src, p.pos)
    if b == B_RBRACE then
      p.pos = p.pos + 1
      p.kinds[tbl] = "inline"
      return tbl
    end
    if b ~= B_COMMA then
      fail(p.pos, "expected ',' or '}' in inline table, found %s", describe_char(p.src, p.pos))
    end
    p.pos = p.pos + 1
    skip_ws(p)
    fail_if_inline_newline(p)
    if byte(p.src, p.pos) == B_RBRACE then
      fail(p.pos, "trailing comma before '}' is not allowed in an inline table")
    end
  end
end

read_value = function(p, depth)
  local src, pos = p.src, p.pos
  local b = byte(src, pos)
  if b == B_QUOTE or b == B_APOS then return read_string(p) end
  if b == B_LBRACKET then return read_array(p, depth + 1) end
  if b == B_LBRACE then return read_inline_table(p, depth + 1) end
  if find(src, "^%d%d%d%d%-", pos) or find(src, "^%d%d:", pos) then return read_datetime(p) end
  return read_word_value(p)
end

---------------------------------------------------------------------------
-- [table] and [[array of tables]] headers.

local function fail_cannot_extend(p, parent, keys, positions, i)
  local child = parent[keys[i]]
  local name, line = format_key_path(keys, i), defined_line(p, parent, keys[i])
  if p.kinds[child] == "inline" then
    fail(positions[i], "cannot add to inline table '%s' (line %d): inline tables are complete when written",
         name, line)
  end
  local is_static_array = type(child) == "table" and getmetatable(child) == nil
  local hint = is_static_array and " (arrays written with [ ] cannot be extended by headers)" or ""
  fail(positions[i], "key '%s' is already %s (line %d), so it cannot hold a table%s",
       name, type_name(p, child), line, hint)
end

-- Walks the header's keys before the last one; returns the parent table.
local function walk_header_path(p, keys, positions)
  local tbl = p.root
  for i = 1, #keys - 1 do
    local key = keys[i]
    local child = tbl[key]
    if child == nil then
      child = new_table(p, "implicit")
      tbl[key] = child
      record_key(p, tbl, key, positions[i])
    else
      local kind = p.kinds[child]
      if kind == "aot" then
        child = child[#child] -- [a.b] under [[a]] goes into a's latest element
      elseif kind == nil or kind == "inline" then
        fail_cannot_extend(p, tbl, keys, positions, i)
      end
    end
    tbl = child
  end
  return tbl
end

local function define_table(p, parent, keys, positions)
  local key, pos = keys[#keys], positions[#keys]
  local existing = parent[key]
  if existing == nil then
    local t = new_table(p, "header")
    parent[key] = t
    record_key(p, parent, key, pos)
    return t
  end
  local kind, name, line = p.kinds[existing], format_key_path(keys), defined_line(p, parent, key)
  if kind == "implicit" then
    p.kinds[existing] = "header"
    record_key(p, parent, key, pos)
    return existing
  elseif kind == "header" then
    fail(pos, "table [%s] is defined twice (first at line %d)", name, line)
  elseif kind == "dotted" then
    fail(pos, "table [%s] was already created by a dotted key (line %d); a [table] header cannot reopen it",
         name, line)
  elseif kind == "aot" then
    fail(pos, "[%s] is an array of tables (line %d); use [[%s]] to add an element", name, line, name)
  end
  fail_cannot_extend(p, parent, keys, positions, #keys)
end

local function append_array_table(p, parent, keys, positions)
  local key, pos = keys[#keys], positions[#keys]
  local array = parent[key]
  if array == nil then
    array = new_table(p, "aot")
    parent[key] = array
    record_key(p, parent, key, pos)
  elseif p.kinds[array] ~= "aot" then
    local name, line = format_key_path(keys), defined_line(p, parent, key)
    if p.kinds[array] == nil and type(array) == "table" and getmetatable(array) == nil then
      fail(pos, "cannot use [[%s]]: '%s' is an array written with [ ] (line %d), which cannot be extended",
           name, name, line)
    end
    fail(pos, "cannot use [[%s]]: '%s' is already %s (line %d)", name, name, type_name(p, array), line)
  end
  local element = new_table(p, "header")
  array[#array + 1] = element
  return element
end

local function read_table_header(p)
  local src, open = p.src, p.pos
  local is_array = byte(src, open + 1) == B_LBRACKET
  p.pos = open + (is_array and 2 or 1)
  skip_ws(p)
  local keys, positions = read_key(p)
  local close = is_array and "]]" or "]"
  if sub(src, p.pos, p.pos + #close - 1) ~= close then
    fail(p.pos, "expected '%s' to close the table header, found %s", close, describe_char(src, p.pos))
  end
  p.pos = p.pos + #close
  local parent = walk_header_path(p, keys, positions)
  if is_array then
    p.current = append_array_table(p, parent, keys, positions)
    p.where = "[[" .. format_key_path(keys) .. "]]"
  else
    p.current = define_table(p, parent, keys, positions)
    p.where = "[" .. format_key_path(keys) .. "]"
  end
  expect_end_of_line(p, "table header")
end

---------------------------------------------------------------------------
-- Document.

local function check_utf8(src)
  local ok, bad = utf8_len(src)
  if not ok then
    fail(bad, "invalid UTF-8 (byte 0x%02X); TOML files must be UTF-8 encoded", byte(src, bad))
  end
end

local function read_document(p)
  check_utf8(p.src)
  while true do
    skip_ws(p)
    local b = byte(p.src, p.pos)
    if b == nil then return p.root end
    if b == B_LBRACKET then
      read_table_header(p)
    elseif b == B_HASH or b == B_LF or b == B_CR then
      expect_end_of_line(p, "comment")
    else
      read_keyval(p, p.current, 0, p.where)
      expect_end_of_line(p, "value")
    end
  end
end

-- Parses TOML text. Returns the root table, or nil and
-- "source_name:line:column: message".
function _M.parse(text, source_name)
  if type(text) ~= "string" then
    error(format("bad argument #1 to 'parse' (string expected, got %s)", type(text)), 2)
  end
  if source_name ~= nil and type(source_name) ~= "string" then
    error(format("bad argument #2 to 'parse' (string expected, got %s)", type(source_name)), 2)
  end
  source_name = source_name or "toml"
  -- A UTF-8 byte order mark is not content; editors on some systems add one.
  if sub(text, 1, 3) == "\239\187\191" then text = sub(text, 4) end
  local root = {}
  local p = {
    src = text, len = #text, pos = 1,
    root = root, current = root, where = "",
    kinds = { [root] = "header" }, key_pos = {},
  }
  local ok, result = pcall(read_document, p)
  if ok then return result end
  if getmetatable(result) == ParseError then
    local line, column = line_and_column(text, result.pos)
    return nil, format("%s:%d:%d: %s", source_name, line, column, result.message)
  end
  -- Not a TOML error (a bug, or out of memory): still no throw.
  return nil, format("%s: internal error in TOML parser: %s", source_name, tostring(result))
end

return _M
