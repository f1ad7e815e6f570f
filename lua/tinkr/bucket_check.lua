-- Honest quantiles.  histogram_quantile interpolates linearly inside the
-- bucket the quantile falls in; when that bucket is wider than the value
-- itself, the value says little more than "somewhere in (lower, upper]".
-- The OTel SDKs' default buckets (0, 5, 10, 25 ... 10000, whatever the unit)
-- do exactly that to a histogram in seconds: every request of 50-290 ms
-- lands in (0, 5] and p99 comes out as 4.95 s.  This finds the bucket each
-- value came from and words a caveat when it is too wide.
local _M = { _VERSION = "0.1.0" }

--- The sorted finite upper bounds from `sum by (le) (...)` rows, divided by
--- per_second (so they are in the recipe's unit); nil when there are none.
function _M.bounds(rows, per_second)
  local out = {}
  for _, r in ipairs(rows or {}) do
    local le = r.labels and tonumber(r.labels.le)
    if le and le ~= math.huge then out[#out + 1] = le / (per_second or 1) end
  end
  if #out == 0 then return nil end
  table.sort(out)
  return out
end

--- The bucket (lower, upper] that holds v.
function _M.bucket_of(bounds, v)
  local lower = 0
  for _, b in ipairs(bounds) do
    if v <= b then return lower, b end
    lower = b
  end
  return lower, math.huge
end

--- The worst value of a result whose bucket is wider than itself:
--- { value =, lower =, upper =, labels =, time_ns = } or nil.
--- result: instant rows ({ value }) or range series ({ points = {{t, v}} }).
--- floor: a value in the lowest bucket (0, upper] is always "wider than
--- itself", yet it says "at most upper", which is precise enough while
--- upper is small (p99 <= 5 ms); such a value counts only when upper >=
--- floor (default 0: always).
function _M.worst(bounds, result, floor)
  local worst, worst_ratio
  local function check(v, labels, t)
    if type(v) ~= "number" or v ~= v or v <= 0 or v == math.huge then return end
    local lo, hi = _M.bucket_of(bounds, v)
    if lo == 0 and hi < (floor or 0) then return end
    local ratio = (hi - lo) / v
    if hi - lo > v and (not worst_ratio or ratio > worst_ratio) then
      worst, worst_ratio = { value = v, lower = lo, upper = hi, labels = labels, time_ns = t }, ratio
    end
  end
  for _, r in ipairs(result or {}) do
    if r.points then
      for _, p in ipairs(r.points) do check(p[2], r.labels, p[1]) end
    else
      check(r.value, r.labels, r.time_ns)
    end
  end
  return worst
end

local function num(x)
  if x == math.huge then return "+Inf" end
  return (("%.6g"):format(x))
end

--- Whether bounds are the OTel SDKs' default explicit buckets (0, 5, 10,
--- 25, 50, 75, 100, ... 10000: made for milliseconds, used whatever the unit).
function _M.sdk_default(bounds)
  local want = { [5] = true, [10] = true, [25] = true, [50] = true, [75] = true, [100] = true }
  local n = 0
  for _, b in ipairs(bounds) do
    if want[b] then n = n + 1 end
  end
  return n == 6
end

--- The caveat's one line.
function _M.caveat(what, w, unit, bounds)
  unit = unit == "seconds" and "s" or (unit or "")
  local why = bounds and _M.sdk_default(bounds) and unit == "s"
    and "these are the OTel SDKs' default buckets (0, 5, 10, 25 ... 10000), made for milliseconds; "
      .. "give the instrument a View with second-scale buckets"
    or "narrower buckets around this value would say more"
  return ("%s = %s %s is interpolated inside the bucket (%s, %s] %s, which is wider than the value itself: %s"):format(
    what, num(w.value), unit, num(w.lower), num(w.upper), unit, why)
end

return _M
