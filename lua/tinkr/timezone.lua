-- IANA time zones ("Europe/Berlin") read from the system's compiled zoneinfo
-- (TZif files, RFC 8536): pure Lua has no tz database of its own, and the
-- files are what libc itself uses.  Instants after the last transition in the
-- file follow the POSIX TZ rule in its footer ("CET-1CEST,M3.5.0,M10.5.0/3").
local _M = { _VERSION = "0.1.0" }

local type, tonumber, format, match, sub, byte = type, tonumber, string.format, string.match, string.sub, string.byte
local unpack = string.unpack
local io_open = io.open

--- Where TZif files live ($TZDIR, else the Debian/glibc default).
_M.dir = os.getenv("TZDIR") or "/usr/share/zoneinfo"

local S_PER_DAY = 86400
local cache = {}

local function days_from_civil(y, m, d)
  return require("tinkr.calendar").days_from_civil(y, m, d)
end

local function civil_year(days)
  return (require("tinkr.calendar").civil_from_days(days))
end

---------------------------------------------------------------------------
-- POSIX TZ rules (the TZif footer).

-- "[+-]hh[:mm[:ss]]" at pos -> seconds, next pos.
local function posix_hms(s, pos)
  local sign, h, rest, nxt = match(s, "^([+-]?)(%d+)([:%d]*)()", pos)
  if not sign then return nil end
  local secs = tonumber(h) * 3600
  local m, sec = match(rest, "^:(%d+):?(%d*)$")
  if m then secs = secs + tonumber(m) * 60 + (tonumber(sec) or 0) end
  if rest ~= "" and not m then return nil end
  return sign == "-" and -secs or secs, nxt
end

-- "CET" or "<+0330>" at pos -> name, next pos.
local function posix_name(s, pos)
  local quoted, nxt = match(s, "^<([^>]*)>()", pos)
  if quoted then return quoted, nxt end
  return match(s, "^(%a%a%a+)()", pos)
end

-- ",Mm.w.d[/time]" / ",Jn[/time]" / ",n[/time]" at pos -> rule, next pos.
local function posix_date_rule(s, pos)
  local rule, nxt = {}, nil
  local m, w, d, n, j
  m, w, d, nxt = match(s, "^,M(%d+)%.(%d)%.(%d)()", pos)
  if m then
    rule.month, rule.week, rule.wday = tonumber(m), tonumber(w), tonumber(d)
  else
    j, n, nxt = match(s, "^,(J?)(%d+)()", pos)
    if not n then return nil end
    rule.julian, rule.day = j == "J", tonumber(n)
  end
  rule.time = 7200   -- 02:00 local unless given
  if sub(s, nxt, nxt) == "/" then
    local t, after = posix_hms(s, nxt + 1)
    if not t then return nil end
    rule.time, nxt = t, after
  end
  return rule, nxt
end

-- Parses a POSIX TZ string into { std = off, dst = off, start = rule, stop = rule }
-- (offsets east of UTC, as TZif stores them; POSIX writes them west).
local function parse_posix(s)
  local _, pos = posix_name(s, 1)
  if not pos then return nil end
  local std, dst
  std, pos = posix_hms(s, pos)
  if not std then return nil end
  local rule = { std = -std }
  if pos > #s then return rule end
  _, pos = posix_name(s, pos)
  if not pos then return nil end
  rule.dst = rule.std + 3600
  if pos <= #s and sub(s, pos, pos) ~= "," then
    dst, pos = posix_hms(s, pos)
    if not dst then return nil end
    rule.dst = -dst
  end
  if pos > #s then
    s, pos = s .. ",M3.2.0,M11.1.0", pos   -- POSIX default: US rules
  end
  rule.start, pos = posix_date_rule(s, pos)
  if not rule.start then return nil end
  rule.stop, pos = posix_date_rule(s, pos)
  if not rule.stop or pos <= #s then return nil end
  return rule
end
_M.parse_posix = parse_posix

-- Day (days since epoch) a date rule picks in year y.
local function rule_day(r, y)
  local jan1 = days_from_civil(y, 1, 1)
  if r.month then
    local first = days_from_civil(y, r.month, 1)
    local wday_first = (first + 4) % 7                    -- 1970-01-01 was a Thursday (4)
    local day = first + (r.wday - wday_first) % 7 + (r.week - 1) * 7
    local next_month = r.month == 12 and days_from_civil(y + 1, 1, 1) or days_from_civil(y, r.month + 1, 1)
    while day >= next_month do day = day - 7 end           -- week 5 = the last one
    return day
  elseif r.julian then
    -- Jn counts 1..365 and never counts February 29
    local leap = require("tinkr.calendar").is_leap(y)
    return jan1 + r.day - 1 + ((leap and r.day >= 60) and 1 or 0)
  end
  return jan1 + r.day
end

-- Offset at UTC seconds `secs` under a POSIX rule.
local function posix_offset(rule, secs)
  if not rule.start then return rule.std end
  local y = civil_year((secs + rule.std) // S_PER_DAY)
  -- transitions happen at local wall time: start in standard time, stop in DST
  local start = rule_day(rule.start, y) * S_PER_DAY + rule.start.time - rule.std
  local stop = rule_day(rule.stop, y) * S_PER_DAY + rule.stop.time - rule.dst
  local in_dst
  if start < stop then
    in_dst = secs >= start and secs < stop
  else                                                      -- southern hemisphere
    in_dst = not (secs >= stop and secs < start)
  end
  return in_dst and rule.dst or rule.std
end

---------------------------------------------------------------------------
-- TZif files.

-- Reads one data block; `tsize` is 4 (v1) or 8 (v2+) bytes per time.
local function read_block(data, pos, tsize)
  local isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt = unpack(">I4I4I4I4I4I4", data, pos + 20)
  local p = pos + 44
  local tfmt = tsize == 4 and ">i4" or ">i8"
  local need = timecnt * tsize + timecnt + typecnt * 6 + charcnt + leapcnt * (tsize + 4) + isstdcnt + isutcnt
  if typecnt == 0 or p + need - 1 > #data then return nil end
  local times, types, offsets = {}, {}, {}
  for i = 1, timecnt do times[i], p = unpack(tfmt, data, p) end
  for i = 1, timecnt do types[i], p = unpack("B", data, p) end
  for i = 0, typecnt - 1 do
    offsets[i], p = unpack(">i4", data, p)
    p = p + 2                                               -- isdst, abbreviation index
  end
  for i = 1, timecnt do
    if types[i] >= typecnt then return nil end
  end
  local block = { times = times, types = types, offsets = offsets }
  return block, p + charcnt + leapcnt * (tsize + 4) + isstdcnt + isutcnt
end

local function parse_tzif(data)
  if sub(data, 1, 4) ~= "TZif" or #data < 44 then return nil end
  local version = byte(data, 5)
  local block, after = read_block(data, 1, 4)
  if not block then return nil end
  if version >= 0x32 then                                   -- '2' or later: 64-bit block + footer
    block, after = read_block(data, after, 8)
    if not block then return nil end
    local footer = match(data, "^\n([^\n]*)\n", after)
    if footer and footer ~= "" then
      block.rule = parse_posix(footer)
      if not block.rule then return nil end
    end
  end
  return block
end

local Zone = {}
Zone.__index = Zone

--- Offset in seconds east of UTC at UTC seconds `secs`.
function Zone:offset(secs)
  local times = self.times
  local n = #times
  if n == 0 or secs < times[1] then
    if n == 0 and self.rule then return posix_offset(self.rule, secs) end
    return self.offsets[0]                                  -- RFC 8536: type 0 before the first transition
  end
  if secs >= times[n] and self.rule then return posix_offset(self.rule, secs) end
  local lo, hi = 1, n                                       -- last transition <= secs
  while lo < hi do
    local mid = (lo + hi + 1) // 2
    if times[mid] <= secs then lo = mid else hi = mid - 1 end
  end
  return self.offsets[self.types[lo]]
end

--- Loads a zone by IANA name ("Europe/Berlin", "America/Sao_Paulo").
--- Returns a zone with :offset(secs), or nil and an error naming what is accepted.
function _M.load(name)
  if type(name) ~= "string" then
    return nil, format("bad time zone: string expected, got %s", type(name))
  end
  local zone = cache[name]
  if zone then return zone end
  local hint = format("unknown time zone %q: use UTC, an offset like +02:00, local, "
    .. "or a name from %s such as Europe/Berlin", name, _M.dir)
  -- names are path segments of letters, digits, _ + -: no "..", no absolute paths
  if not match(name, "^[%w_+-][%w_+/-]*$") or match(name, "//") or match(name, "/$") then
    return nil, hint
  end
  local f = io_open(_M.dir .. "/" .. name, "rb")
  if not f then return nil, hint end
  local data = f:read(65536)
  f:close()
  if not data then return nil, hint end                       -- a directory such as "Europe"
  local block = parse_tzif(data)
  if not block then return nil, format("time zone %q: %s/%s is not a valid TZif file", name, _M.dir, name) end
  block.name = name
  zone = setmetatable(block, Zone)
  cache[name] = zone
  return zone
end

return _M
