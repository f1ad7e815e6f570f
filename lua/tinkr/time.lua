-- Time in one representation: integer nanoseconds since the Unix epoch, UTC.
--
-- A Lua 5.4 integer holds int64, so every instant from
-- 1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z fits
-- exactly; anything outside that is an "out of range" error, never a wrap.
-- Calendar math is done here (days-from-civil), because os.time() reads
-- broken-down times as *local* time and cannot be trusted for UTC.
local _M = { _VERSION = "0.1.0" }

local type, tostring, tonumber, error = type, tostring, tonumber, error
local math_type, floor = math.type, math.floor
local maxinteger, mininteger = math.maxinteger, math.mininteger
local format, match, lower, rep, sub = string.format, string.match, string.lower, string.rep, string.sub
local getenv, os_time, os_date = os.getenv, os.time, os.date

local NS_PER_US = 1000
local NS_PER_MS = 1000000
local NS_PER_S = 1000000000
local S_PER_DAY = 86400
local NS_PER_DAY = S_PER_DAY * NS_PER_S

_M.NS_PER_US, _M.NS_PER_MS, _M.NS_PER_S = NS_PER_US, NS_PER_MS, NS_PER_S

-- Epoch numbers are read by magnitude (absolute value of the integer part):
--   below 1e11  seconds       (1e11 s  is the year 5138)
--   below 1e14  milliseconds  (1e11 ms is 1973-03-03)
--   below 1e17  microseconds
--   otherwise   nanoseconds
-- So a milliseconds value before 1973-03-03 reads as seconds: pass seconds
-- for such old times.
_M.EPOCH_MS_FROM, _M.EPOCH_US_FROM, _M.EPOCH_NS_FROM = 1e11, 1e14, 1e17

local ACCEPTED_TIMES = "use RFC 3339 (2026-11-26T12:00:00Z), a date (2026-11-26), "
  .. "epoch seconds/ms/ns (1764158400), now, now-15m, or a duration ago (15m)"
local ACCEPTED_DURATIONS = "use a number with a unit: 500ms, 30s, 15m, 1h, 2d, 1w"
local OUT_OF_RANGE = "out of range (tinkr times are int64 nanoseconds: 1677-09-21 .. 2262-04-11)"

local function bad_time(value, why)
  return format("bad time %q: %s", tostring(value), why)
end

local function bad_duration(value, why)
  return format("bad duration %q: %s", tostring(value), why or ACCEPTED_DURATIONS)
end

---------------------------------------------------------------------------
-- Calendar (proleptic Gregorian, any year; March-based years make the leap
-- day the last day of the year, so month lengths follow a simple pattern).

-- (tinkr.calendar: shared with tinkr.timezone, which must not depend on
-- this module.)
local calendar = require "tinkr.calendar"
local is_leap, days_in_month = calendar.is_leap, calendar.days_in_month
local days_from_civil, civil_from_days = calendar.days_from_civil, calendar.civil_from_days
local MONTH_NAMES = { "January", "February", "March", "April", "May", "June", "July",
  "August", "September", "October", "November", "December" }

_M.is_leap, _M.days_in_month = is_leap, days_in_month
_M.days_from_civil, _M.civil_from_days = days_from_civil, civil_from_days

---------------------------------------------------------------------------
-- Exact integer arithmetic with range checks.

local MAX_S, MAX_S_REM = maxinteger // NS_PER_S, maxinteger % NS_PER_S
local MIN_S, MIN_S_REM = mininteger // NS_PER_S, mininteger % NS_PER_S

-- secs * 1e9 + nanos (0 <= nanos < 1e9), or nil when it does not fit.
local function from_parts(secs, nanos)
  if secs > MAX_S or (secs == MAX_S and nanos > MAX_S_REM)
      or secs < MIN_S or (secs == MIN_S and nanos < MIN_S_REM) then
    return nil
  end
  return secs * NS_PER_S + nanos
end

-- Digits after a decimal point -> that fraction of `scale`, truncated.
-- scale is a power of ten (1e9 for seconds -> ns); extra digits are dropped.
local function fraction_of(digits, scale)
  if digits == "" or scale == 1 then return 0 end
  local places = #tostring(scale) - 1
  digits = sub(digits, 1, places)
  return tonumber(digits .. rep("0", places - #digits))
end

-- int * scale + frac (frac < scale), or nil on overflow.
local function scaled(int, frac, scale)
  if int > (maxinteger - frac) // scale then return nil end
  return int * scale + frac
end

-- "123.45" -> sign, integer part, fraction digits; nil if not a plain decimal.
local function split_decimal(s)
  local sign, int, frac = match(s, "^([+-]?)(%d*)%.?(%d*)$")
  if not sign or (int == "" and frac == "") then return nil end
  if int == "" then int = "0" end
  return sign, int, frac
end

-- A decimal string in `scale` units (1e9 = seconds) -> exact integer ns.
local function decimal_to_ns(int_digits, frac_digits, scale)
  local int = tonumber(int_digits)
  if math_type(int) ~= "integer" then return nil end   -- too many digits
  return scaled(int, fraction_of(frac_digits, scale), scale)
end

---------------------------------------------------------------------------
-- Durations.

local UNITS = {
  ns = 1, us = NS_PER_US, ["\194\181s"] = NS_PER_US, ms = NS_PER_MS,
  s = NS_PER_S, m = 60 * NS_PER_S, h = 3600 * NS_PER_S,
  d = NS_PER_DAY, w = 7 * NS_PER_DAY,
}

-- A float as exact decimal text with `places` decimals; nil if not finite.
local function float_text(v, places)
  if v ~= v or v == math.huge or v == -math.huge then return nil end
  return format("%." .. places .. "f", v)
end

local TOO_LONG = "too long (int64 nanoseconds hold about 292 years)"

-- One "<number><unit>" piece -> ns, or nil on overflow.  Units of a second
-- and more are whole seconds, so their fraction is taken to the ns of one
-- second first; that keeps every product inside int64.
local function piece_ns(int_digits, frac_digits, scale)
  local whole = tonumber(int_digits)
  if math_type(whole) ~= "integer" or whole > maxinteger // scale then return nil end
  local fpart
  if scale >= NS_PER_S then
    fpart = fraction_of(frac_digits, NS_PER_S) * (scale // NS_PER_S)
  else
    fpart = fraction_of(frac_digits, scale)
  end
  return scaled(whole, fpart, scale) or nil
end

-- Bare number (seconds) -> ns.
local function seconds_duration(text, original)
  local sign, int, frac = split_decimal(text)
  if sign == "-" then return nil, bad_duration(original, "must not be negative") end
  local ns = piece_ns(int, frac, NS_PER_S)
  if not ns then return nil, bad_duration(original, TOO_LONG) end
  return ns
end

--- Parses a duration: "1h", "15m", "30s", "500ms", "2d", "1w", "1h30m",
--- "1.5h", "250us", "100ns"; a bare number (string or Lua number) is seconds.
--- Units are case-insensitive except "M", which is refused as ambiguous.
--- Returns nanoseconds, or nil and a message saying what is accepted.
function _M.duration(s)
  local t = type(s)
  if t == "number" then
    local text = math_type(s) == "integer" and tostring(s) or float_text(s, 9)
    if not text then return nil, bad_duration(s, "not a finite number") end
    return seconds_duration(text, s)
  end
  if t ~= "string" then
    error(format("bad argument #1 to 'duration' (string or number expected, got %s)", t), 2)
  end
  local text = match(s, "^%s*(.-)%s*$")
  if text == "" then return nil, bad_duration(s, "empty; " .. ACCEPTED_DURATIONS) end
  if match(text, "^[+-]") then
    return nil, bad_duration(s, "must not have a sign; " .. ACCEPTED_DURATIONS)
  end
  if split_decimal(text) then return seconds_duration(text, s) end

  local total, pos = 0, 1
  while pos <= #text do
    local int, frac, unit, nxt = match(text, "^(%d+)%.?(%d*)([%a\194\181]+)%s*()", pos)
    if not int then return nil, bad_duration(s) end
    local scale = UNITS[unit] or (unit ~= "M" and UNITS[lower(unit)])
    if not scale then
      if unit == "M" then
        return nil, bad_duration(s, "\"M\" could mean minutes or months; use m for minutes or d for days")
      end
      return nil, bad_duration(s, format("unknown unit %q; %s", unit, ACCEPTED_DURATIONS))
    end
    local part = piece_ns(int, frac, scale)
    if not part or total > maxinteger - part then return nil, bad_duration(s, TOO_LONG) end
    total, pos = total + part, nxt
  end
  return total
end

---------------------------------------------------------------------------
-- The clock.

local pinned

-- The wall clock in ns: tinkr.core's clock_gettime when the C runtime is
-- there, else os.time() -- pure Lua has only whole seconds.
local core_now_ns
function _M.clock()
  if core_now_ns == nil then
    local ok, core = pcall(require, "tinkr.core")
    core_now_ns = ok and type(core) == "table" and core.now_ns or false
  end
  if core_now_ns then return core_now_ns() end
  return os_time() * NS_PER_S
end

local parse

--- "Now": the pinned time (time.pin), else $TINKR_NOW, else the wall clock.
--- A TINKR_NOW that does not parse raises: a test anchored at the wrong
--- time should stop, not quietly use the wall clock.
function _M.now()
  if pinned then return pinned end
  local env = getenv("TINKR_NOW")
  if env and env ~= "" then
    local ns, err = parse(env, _M.clock())
    -- a config error value: one line and exit 3 from a script, not a traceback
    if not ns then error(require("tinkr.errors").new("config", "TINKR_NOW: " .. err), 2) end
    return ns
  end
  return _M.clock()
end

--- The pinned "now" in ns, or nil.
function _M.pinned() return pinned end

--- Pins "now" (ns or any form time.parse accepts); nil unpins.
--- Returns the pinned ns, or nil and an error.
function _M.pin(value)
  if value == nil then pinned = nil; return nil end
  local ns, err = parse(value)
  if not ns then return nil, err end
  pinned = ns
  return ns
end

--- A duration in ms as results report it (took_ms): rounded to the
--- microsecond, so 8.394931999873734 shows as 8.395.
function _M.round_ms(ms)
  return floor(ms * 1000 + 0.5) / 1000
end

--- Milliseconds since `started` (a tinkr.core.monotonic() reading), rounded to µs.
function _M.elapsed_ms(started)
  return _M.round_ms((require("tinkr.core").monotonic() - started) * 1000)
end

---------------------------------------------------------------------------
-- Parsing instants.

-- Epoch number (as decimal text) -> ns, choosing the unit by magnitude.
local function epoch_text(text, original)
  local sign, int, frac = split_decimal(text)
  local magnitude = tonumber(int)
  local scale
  if magnitude < _M.EPOCH_MS_FROM then scale = NS_PER_S
  elseif magnitude < _M.EPOCH_US_FROM then scale = NS_PER_MS
  elseif magnitude < _M.EPOCH_NS_FROM then scale = NS_PER_US
  else scale = 1 end
  local ns = decimal_to_ns(int, frac, scale)
  if not ns then return nil, bad_time(original, OUT_OF_RANGE) end
  -- the fraction belongs to the magnitude: -1.5 s is -1500000000 ns
  if sign == "-" then ns = -ns end
  return ns
end

local function epoch_number(v)
  if math_type(v) == "integer" then return epoch_text(tostring(v), v) end
  -- decimals a double really carries in each unit: microseconds at most
  local a = v < 0 and -v or v
  local places = a < _M.EPOCH_MS_FROM and 6 or a < _M.EPOCH_US_FROM and 3 or 0
  local text = float_text(v, places)
  if not text then return nil, bad_time(v, "not a finite number") end
  return epoch_text(text, v)
end

-- "+02:00", "-0530", "+02", "Z", "UTC" -> offset seconds east of UTC.
local function zone_offset(z)
  if z == "" or z == "Z" or z == "z" then return 0 end
  local uz = z:upper()
  if uz == "UTC" or uz == "GMT" then return 0 end
  local sign, hh, mm = match(z, "^([+-])(%d%d):?(%d%d)$")
  if not sign then sign, hh = match(z, "^([+-])(%d%d)$"); mm = "00" end
  if not sign then return nil, "bad UTC offset " .. format("%q", z) .. " (use Z, +02:00 or -0530)" end
  local h, m = tonumber(hh), tonumber(mm)
  if h > 23 or m > 59 then return nil, "UTC offset " .. z .. " out of range (-23:59..+23:59)" end
  local off = h * 3600 + m * 60
  return sign == "-" and -off or off
end
_M.zone_offset = zone_offset

-- RFC 3339 / ISO 8601 extended: date, optional [Tt ]time, optional zone.
-- A time without a zone is UTC (as OpenSearch reads it).  Returns nil with
-- no error when the text is not date-shaped, so other forms can be tried.
local function parse_iso(s)
  local ys, mos, ds, rest = match(s, "^(%d%d%d%d)%-(%d%d)%-(%d%d)(.*)$")
  if not ys then return nil end
  local y, mo, d = tonumber(ys), tonumber(mos), tonumber(ds)
  if mo < 1 or mo > 12 then return nil, bad_time(s, "month must be 01..12") end
  if d < 1 or d > days_in_month(y, mo) then
    return nil, bad_time(s, format("%s %d has %d days", MONTH_NAMES[mo], y, days_in_month(y, mo)))
  end
  local secs = days_from_civil(y, mo, d) * S_PER_DAY
  if rest == "" then
    local ns = from_parts(secs, 0)
    if not ns then return nil, bad_time(s, OUT_OF_RANGE) end
    return ns
  end

  local hs, mis, after = match(rest, "^[Tt ](%d%d):(%d%d)(.*)$")
  if not hs then return nil, bad_time(s, "expected a time after the date, like T12:00:00Z") end
  local ss, frac = match(after, "^:(%d%d)")
  if ss then
    after = sub(after, 4)
    frac = match(after, "^[.,](%d+)")
    if frac then after = sub(after, #frac + 2) end
  end
  local h, mi, sec = tonumber(hs), tonumber(mis), ss and tonumber(ss) or 0
  if h > 23 then return nil, bad_time(s, "hour must be 00..23") end
  if mi > 59 then return nil, bad_time(s, "minute must be 00..59") end
  if sec > 60 then return nil, bad_time(s, "second must be 00..60") end  -- 60: leap second

  local offset, why = zone_offset(match(after, "^%s*(.-)$"))
  if not offset then return nil, bad_time(s, why) end
  secs = secs + h * 3600 + mi * 60 + sec - offset
  -- Fractions past nanoseconds are truncated: ns is the finest tinkr keeps.
  local ns = from_parts(secs, fraction_of(frac or "", NS_PER_S))
  if not ns then return nil, bad_time(s, OUT_OF_RANGE) end
  return ns
end

-- Rounding "/d" etc. in date math: floor to the start of the unit, in UTC.
local function round_down(ns, unit, original)
  local secs = ns // NS_PER_S
  local days = secs // S_PER_DAY
  if unit == "s" then return secs * NS_PER_S
  elseif unit == "m" then return secs // 60 * 60 * NS_PER_S
  elseif unit == "h" then return secs // 3600 * 3600 * NS_PER_S
  elseif unit == "d" then return days * NS_PER_DAY
  elseif unit == "w" then return (days - (days + 3) % 7) * NS_PER_DAY   -- ISO weeks start Monday
  elseif unit == "M" or unit == "y" then
    local y, m = civil_from_days(days)
    return days_from_civil(y, unit == "M" and m or 1, 1) * NS_PER_DAY
  end
  return nil, bad_time(original, format("cannot round to %q; use /s, /m, /h, /d, /w, /M or /y", unit))
end

-- "now", "now-15m", "now+1h30m", "now-1d/d" (OpenSearch-style date math).
local function parse_now(s, now_ns)
  local ops = match(s, "^[Nn][Oo][Ww](.*)$")
  if not ops then return nil end
  local ns = now_ns or _M.now()
  local pos = 1
  while pos <= #ops do
    local sign, dur, nxt = match(ops, "^%s*([+-])%s*([%w%.\194\181]+)()", pos)
    if sign then
      local d, err = _M.duration(dur)
      if not d then return nil, bad_time(s, err) end
      if sign == "-" then
        if ns < mininteger + d then return nil, bad_time(s, OUT_OF_RANGE) end
        ns = ns - d
      else
        if ns > maxinteger - d then return nil, bad_time(s, OUT_OF_RANGE) end
        ns = ns + d
      end
      pos = nxt
    else
      local unit
      unit, nxt = match(ops, "^%s*/(%a)()", pos)
      if not unit then return nil, bad_time(s, "expected now, now-15m, now+1h or now-1d/d") end
      local r, err = round_down(ns, unit, s)
      if not r then return nil, err end
      ns, pos = r, nxt
    end
  end
  return ns
end

-- "15m" / "15m ago" / "-15m" mean 15 minutes before now; "+15m" after.
local function parse_relative(s, now_ns)
  local sign, body = match(s, "^([+-]?)%s*(.-)%s*$")
  body = match(body, "^(.-)%s+[Aa][Gg][Oo]$") or body
  if not match(body, "^%d") or not match(body, "[%a\194\181]") then return nil end
  local d, err = _M.duration(body)
  if not d then return nil, bad_time(s, err) end
  local ns = now_ns or _M.now()
  if sign == "+" then
    if ns > maxinteger - d then return nil, bad_time(s, OUT_OF_RANGE) end
    return ns + d
  end
  if ns < mininteger + d then return nil, bad_time(s, OUT_OF_RANGE) end
  return ns - d
end

--- Parses an instant in any accepted form (see ACCEPTED_TIMES and the epoch
--- thresholds above) into integer ns.  now_ns anchors relative forms; it
--- defaults to time.now(), read only when needed.
--- Returns ns, or nil and a message saying what was wrong.
parse = function(value, now_ns)
  local t = type(value)
  if now_ns ~= nil and math_type(now_ns) ~= "integer" then
    error("bad argument #2 to 'parse' (integer ns expected, got " .. (math_type(now_ns) or type(now_ns)) .. ")", 2)
  end
  if t == "number" then return epoch_number(value) end
  if t ~= "string" then
    error(format("bad argument #1 to 'parse' (string or number expected, got %s)", t), 2)
  end
  local s = match(value, "^%s*(.-)%s*$")
  if s == "" then return nil, bad_time(value, "empty; " .. ACCEPTED_TIMES) end
  local ns, err = parse_iso(s)
  if ns then return ns elseif err then return nil, err end
  if split_decimal(s) then return epoch_text(s, value) end
  ns, err = parse_now(s, now_ns)
  if ns then return ns elseif err then return nil, err end
  ns, err = parse_relative(s, now_ns)
  if ns then return ns elseif err then return nil, err end
  return nil, bad_time(value, ACCEPTED_TIMES)
end
_M.parse = parse

--- Exact RFC 3339 -> ns: "2026-11-26T11:59:59.123456789Z".
function _M.from_iso_ns(s)
  if type(s) ~= "string" then
    error(format("bad argument #1 to 'from_iso_ns' (string expected, got %s)", type(s)), 2)
  end
  local ns, err = parse_iso(match(s, "^%s*(.-)%s*$"))
  if ns then return ns elseif err then return nil, err end
  return nil, bad_time(s, "not RFC 3339 (2026-11-26T12:00:00Z)")
end

---------------------------------------------------------------------------
-- Windows.

--- time.window{ since=, from=, to=, now= } -> from_ns, to_ns | nil, err.
--- since (a duration, default "1h") means [to - since, to]; to defaults to
--- now; from/to take any form time.parse accepts; now anchors relative forms.
function _M.window(opts)
  opts = opts or {}
  if type(opts) ~= "table" then
    error(format("bad argument #1 to 'window' (table expected, got %s)", type(opts)), 2)
  end
  if opts.since ~= nil and opts.from ~= nil then
    return nil, "give since or from, not both (since = 1h means from now-1h to now)"
  end
  local now_ns, err = opts.now
  if now_ns ~= nil then
    now_ns, err = parse(now_ns)
    if not now_ns then return nil, "now: " .. err end
  else
    now_ns = _M.now()   -- once, so from and to see the same now
  end
  local to_ns = now_ns
  if opts.to ~= nil then
    to_ns, err = parse(opts.to, now_ns)
    if not to_ns then return nil, "to: " .. err end
  end
  local from_ns
  if opts.from ~= nil then
    from_ns, err = parse(opts.from, now_ns)
    if not from_ns then return nil, "from: " .. err end
  else
    local d
    d, err = _M.duration(opts.since == nil and "1h" or opts.since)
    if not d then return nil, "since: " .. err end
    if to_ns < mininteger + d then return nil, "since: " .. OUT_OF_RANGE end
    from_ns = to_ns - d
  end
  if from_ns > to_ns then
    return nil, format("from (%s) is after to (%s)", _M.format(from_ns), _M.format(to_ns))
  end
  return from_ns, to_ns
end

---------------------------------------------------------------------------
-- Formatting.

local PRECISION_DIGITS = { s = 0, ms = 3, us = 6, ns = 9 }

local function offset_text(off)
  if off == 0 then return "Z" end
  local sign = off < 0 and "-" or "+"
  if off < 0 then off = -off end
  return format("%s%02d:%02d", sign, off // 3600, off % 3600 // 60)
end

local function local_offset(secs)
  local t = os_date("*t", secs)
  local as_utc = days_from_civil(t.year, t.month, t.day) * S_PER_DAY
    + t.hour * 3600 + t.min * 60 + t.sec
  return as_utc - secs
end

--- Resolves a zone spec: "UTC"/"Z", a fixed offset ("+02:00", "-0530"),
--- "local" (the process's TZ via os.date) or an IANA name read from the
--- system zoneinfo (tinkr.timezone).  Returns a function secs -> offset
--- seconds east of UTC, or nil and an error.
function _M.zone(spec)
  if spec == nil or spec == "UTC" or spec == "utc" or spec == "Z" or spec == "z" then
    return function() return 0 end
  end
  if type(spec) ~= "string" then
    return nil, format("bad time zone: string expected, got %s", type(spec))
  end
  if spec == "local" then return local_offset end
  if match(spec, "^[+-]%d") then
    local off, err = zone_offset(spec)
    if not off then return nil, err end
    return function() return off end
  end
  local zone, err = require("tinkr.timezone").load(spec)
  if not zone then return nil, err end
  return function(secs) return zone:offset(secs) end
end

local zone_cache = {}

--- ns -> RFC 3339 text.  opts.precision = "s" | "ms" (default) | "us" | "ns"
--- (digits are truncated, so a time never shows later than it is);
--- opts.tz = "UTC" (default) | "+02:00" | "local" | IANA name.
--- Bad options raise (validate user input first with time.zone).
function _M.format(ns, opts)
  if math_type(ns) ~= "integer" then
    local i = math_type(ns) == "float" and math.tointeger(ns)
    if not i then
      error(format("bad argument #1 to 'format' (integer ns expected, got %s)", math_type(ns) or type(ns)), 2)
    end
    ns = i
  end
  local precision, tz = "ms", nil
  if opts then precision, tz = opts.precision or "ms", opts.tz end
  local digits = PRECISION_DIGITS[precision]
  if not digits then
    error(format("bad precision %q (use s, ms, us or ns)", tostring(precision)), 2)
  end
  local secs, nanos = ns // NS_PER_S, ns % NS_PER_S
  local off = 0
  if tz ~= nil and tz ~= "UTC" and tz ~= "Z" then
    local z = zone_cache[tz]
    if not z then
      local err
      z, err = _M.zone(tz)
      if not z then error(err, 2) end
      if tz ~= "local" then zone_cache[tz] = z end
    end
    off = z(secs)
  end
  local lsecs = secs + off
  local days = lsecs // S_PER_DAY
  local sod = lsecs - days * S_PER_DAY
  local y, m, d = civil_from_days(days)
  local text = format("%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, sod // 3600, sod % 3600 // 60, sod % 60)
  if digits > 0 then
    text = text .. "." .. sub(format("%09d", nanos), 1, digits)
  end
  return text .. offset_text(off)
end

--- For an OpenSearch `range` on a `date` field: RFC 3339, UTC, ms.
--- precision = "ns" suits `date_nanos` fields.
function _M.to_opensearch(ns, precision)
  return _M.format(ns, { precision = precision or "ms" })
end

--- For Prometheus `time`/`start`/`end`: decimal seconds, up to 3 decimals,
--- trailing zeros dropped ("1764158400.5").  Truncated to the millisecond.
function _M.to_prometheus(ns)
  if math_type(ns) ~= "integer" then
    error(format("bad argument #1 to 'to_prometheus' (integer ns expected, got %s)", math_type(ns) or type(ns)), 2)
  end
  local ms = ns // NS_PER_MS
  local sign = ""
  if ms < 0 then sign, ms = "-", -ms end
  local whole, frac = ms // 1000, ms % 1000
  if frac == 0 then return sign .. whole end
  return sign .. whole .. (format(".%03d", frac):gsub("0+$", ""))
end

--- ns -> float seconds (for plotting; loses sub-microsecond detail).
function _M.to_seconds(ns)
  return (ns // NS_PER_S) + (ns % NS_PER_S) / NS_PER_S
end

-- 3 significant digits, trailing zeros dropped: 1.50 -> "1.5", 12.0 -> "12".
local function three_digits(v)
  local text
  if v < 10 then text = format("%.2f", v)
  elseif v < 100 then text = format("%.1f", v)
  else text = format("%.0f", v) end
  if text:find(".", 1, true) then text = text:gsub("0+$", ""):gsub("%.$", "") end
  return text
end

local DURATION_UNITS = { { 1e3, "\194\181s" }, { 1e6, "ms" }, { 1e9, "s" } }

--- A short human duration: "850ns", "12.3µs", "1.5ms", "2.35s", "2m30s",
--- "1h05m", "3d04h".  opts.ascii writes "us" for "µs".
function _M.format_duration(ns, opts)
  if math_type(ns) ~= "integer" then
    local i = type(ns) == "number" and ns == ns and math.tointeger(floor(ns + 0.5))
    if not i then
      error(format("bad argument #1 to 'format_duration' (ns expected, got %s)", type(ns)), 2)
    end
    ns = i
  end
  if ns < 0 then
    if ns == mininteger then ns = ns + 1 end
    return "-" .. _M.format_duration(-ns, opts)
  end
  if ns < 1000 then return ns .. "ns" end
  for i = 1, #DURATION_UNITS do
    local u = DURATION_UNITS[i]
    local text = three_digits(ns / u[1])
    -- 999.6ms rounds to "1000": that belongs to the next unit
    local limit = u[2] == "s" and 60 or 1000
    if tonumber(text) < limit then
      if i == 1 and opts and opts.ascii then return text .. "us" end
      return text .. u[2]
    end
  end
  local secs = (ns + NS_PER_S // 2) // NS_PER_S
  if secs < 3600 then return format("%dm%02ds", secs // 60, secs % 60) end
  if secs < S_PER_DAY then return format("%dh%02dm", secs // 3600, secs % 3600 // 60) end
  return format("%dd%02dh", secs // S_PER_DAY, secs % S_PER_DAY // 3600)
end

return _M
