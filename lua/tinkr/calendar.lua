-- Calendar arithmetic (proleptic Gregorian, any year; March-based years
-- make the leap day the last day of the year, so month lengths follow a
-- simple pattern).  Used by tinkr.time and tinkr.timezone.
local _M = { _VERSION = "0.1.0" }

local function is_leap(y)
  return y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0)
end

local MONTH_DAYS = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }

local function days_in_month(y, m)
  if m == 2 and is_leap(y) then return 29 end
  return MONTH_DAYS[m]
end

-- Days since 1970-01-01 for a civil date.
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = y // 400                       -- floor division: works for y < 0
  local yoe = y - era * 400                  -- year of era, 0..399
  local mp = (m + 9) % 12                    -- March = 0 .. February = 11
  local doy = (153 * mp + 2) // 5 + d - 1    -- day of the March-based year
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468         -- 719468 = days 0000-03-01..1970-01-01
end

-- Civil date (y, m, d) for days since 1970-01-01.
local function civil_from_days(z)
  z = z + 719468
  local era = z // 146097
  local doe = z - era * 146097
  local yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
  local doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
  local mp = (5 * doy + 2) // 153
  local d = doy - (153 * mp + 2) // 5 + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400
  if m <= 2 then y = y + 1 end
  return y, m, d
end

_M.is_leap, _M.days_in_month = is_leap, days_in_month
_M.days_from_civil, _M.civil_from_days = days_from_civil, civil_from_days

return _M
