-- A Prometheus range result (matrix) drawn in the terminal.
--
-- Braille cells give 2x4 dots each, so a 60x10 plot has 120x40 points;
-- opts.ascii draws one point per cell with a marker per series instead
-- (*, +, o, x, ...), which also tells series apart without colour.
-- Every line is at most opts.width cells wide.
--
-- Input: the "result" list of a matrix response, each
--   { metric = { __name__ = ..., job = ... }, values = { { t_seconds, "1.5" }, ... } }
-- (the whole decoded response, or its data, is accepted too).  Values that
-- are not finite numbers ("NaN", "+Inf", stale markers) leave a gap; so does a
-- jump in time of more than 1.5 steps (the step is the smallest interval seen).
local _M = { _VERSION = "0.1.0" }

local text = require("tinkr.format.text")
local ansi = require("tinkr.format.ansi")
local time = require("tinkr.time")

local type, tonumber, tostring, pairs, ipairs = type, tonumber, tostring, pairs, ipairs
local floor, ceil, huge, abs, log = math.floor, math.ceil, math.huge, math.abs, math.log
local rep, format, gsub, sub, concat, sort = string.rep, string.format, string.gsub, string.sub, table.concat, table.sort
local width, truncate, pad = text.width, text.truncate, text.pad

local MARKERS = { "*", "+", "o", "x", "#", "@", "%", "&" }
-- braille dot bits by [column 0..1][row 0..3 from the top of the cell]
local DOTS = { [0] = { [0] = 0x01, 0x02, 0x04, 0x40 }, [1] = { [0] = 0x08, 0x10, 0x20, 0x80 } }

-- The series list out of whatever shape of matrix result was passed.
local function series_of(input)
  if type(input) ~= "table" then
    error("bad argument #1 to 'render' (matrix result expected, got " .. type(input) .. ")", 3)
  end
  if type(input.data) == "table" then input = input.data end
  if type(input.result) == "table" then input = input.result end
  return input
end

-- { {t, v}, ... } with numbers; v is nil where the sample is not finite.
local function points_of(s)
  local out = {}
  for _, p in ipairs(type(s.values) == "table" and s.values or {}) do
    local t = tonumber(p[1])
    local v = tonumber(p[2])
    if v and (v ~= v or v == huge or v == -huge) then v = nil end
    if t then out[#out + 1] = { t, v } end
  end
  sort(out, function(a, b) return a[1] < b[1] end)
  return out
end

--- `name{k="v", ...}` as Prometheus writes a series (labels by name).
function _M.label_text(metric)
  metric = metric or {}
  local keys = {}
  for k in pairs(metric) do if k ~= "__name__" then keys[#keys + 1] = k end end
  sort(keys)
  local parts = {}
  for i, k in ipairs(keys) do
    parts[i] = k .. '="' .. gsub(gsub(tostring(metric[k]), "\\", "\\\\"), '"', '\\"') .. '"'
  end
  return text.one_line(tostring(metric.__name__ or "")) .. "{" .. text.one_line(concat(parts, ", ")) .. "}"
end

-- A step of 1, 2 or 5 times a power of ten, near `raw`.
local function nice_step(raw)
  local p = 10 ^ floor(log(raw, 10))
  local m = raw / p
  if m <= 1 then return p elseif m <= 2 then return 2 * p elseif m <= 5 then return 5 * p end
  return 10 * p
end

-- The y range: data range widened to round numbers (opts.y_min/y_max win),
-- and the step between labelled values.
local function y_range(lo, hi, opts)
  if lo == hi then
    local d = lo == 0 and 1 or abs(lo) * 0.1
    lo, hi = lo - (lo == 0 and 0 or d), hi + d
  end
  local step = nice_step((hi - lo) / 4)
  lo, hi = floor(lo / step) * step, ceil(hi / step) * step
  lo, hi = opts.y_min or lo, opts.y_max or hi
  if hi <= lo then hi = lo + step end
  return lo, hi, nice_step((hi - lo) / 4)
end

-- A unit from the metric name when all series agree (_seconds, _bytes).
local function unit_of(list)
  local unit
  for _, s in ipairs(list) do
    local name = type(s.metric) == "table" and s.metric.__name__ or ""
    local u = (name:match("_seconds$") or name:match("_seconds_total$")) and "s"
      or (name:match("_bytes$") or name:match("_bytes_total$")) and "B" or nil
    if not u or (unit and unit ~= u) then return nil end
    unit = u
  end
  return unit
end

-- The canvas: dots (or ASCII cells) and which series drew each cell last.
local Canvas = {}
Canvas.__index = Canvas

local function new_canvas(cols, rows, ascii)
  local c = setmetatable({ cols = cols, rows = rows, ascii = ascii, cells = {}, owner = {} }, Canvas)
  c.x_dots = ascii and cols or cols * 2
  c.y_dots = ascii and rows or rows * 4
  for r = 0, rows - 1 do c.cells[r], c.owner[r] = {}, {} end
  return c
end

-- Sets dot (x, y), y counted from the bottom.
function Canvas:dot(x, y, series)
  if x < 0 or x >= self.x_dots or y < 0 or y >= self.y_dots then return end
  local from_top = self.y_dots - 1 - y
  if self.ascii then
    self.cells[from_top][x] = MARKERS[(series - 1) % #MARKERS + 1]
    self.owner[from_top][x] = series
    return
  end
  local r, c = from_top // 4, x // 2
  self.cells[r][c] = (self.cells[r][c] or 0) | DOTS[x % 2][from_top % 4]
  self.owner[r][c] = series
end

function Canvas:line(x0, y0, x1, y1, series)
  local steps = math.max(abs(x1 - x0), abs(y1 - y0))
  if steps == 0 then return self:dot(x0, y0, series) end
  for i = 0, steps do
    self:dot(floor(x0 + (x1 - x0) * i / steps + 0.5), floor(y0 + (y1 - y0) * i / steps + 0.5), series)
  end
end

-- One plot row as text; colours per series when `colors` is given.
function Canvas:row_text(r, colors)
  local parts, cells, owner = {}, self.cells[r], self.owner[r]
  local run, run_style = {}, nil
  local function flush()
    if #run > 0 then parts[#parts + 1] = ansi.paint(concat(run), run_style) end
    run = {}
  end
  for c = 0, self.cols - 1 do
    local v = cells[c]
    local ch = " "
    if v then ch = self.ascii and v or utf8.char(0x2800 + v) end
    local style = v and colors and colors[owner[c]] or nil
    if style ~= run_style then flush(); run_style = style end
    run[#run + 1] = ch
  end
  flush()
  return (gsub(concat(parts), " +$", ""))
end

-- ns for float seconds, to the millisecond (Prometheus timestamps).
local function seconds_ns(t)
  return floor(t * 1000 + 0.5) * time.NS_PER_MS
end

-- "start ... end" under the plot, shortened to times of day when tight.
local function time_axis(t0, t1, avail, opts)
  local fo = { precision = "s", tz = opts.tz }
  local left, right = time.format(seconds_ns(t0), fo), time.format(seconds_ns(t1), fo)
  if width(left) + 2 + width(right) > avail then
    left, right = sub(left, 12), sub(right, 12)          -- drop the date
  end
  if t1 == t0 or width(left) + 2 + width(right) > avail then
    return truncate(left, avail)
  end
  return left .. rep(" ", avail - width(left) - width(right)) .. right
end

--- render(result, opts) -> string.
--- opts: width (default $COLUMNS or 120), height (plot rows, default 10),
--- ascii, color, tz (time labels), unit (y-axis unit; default from a
--- _seconds/_bytes metric name), title, y_min, y_max, from/to (ns, x range),
--- max_legend (series listed, default 10).
function _M.render(input, opts)
  opts = opts or {}
  local list = series_of(input)
  local W = text.terminal_width(opts)
  local H = math.max(2, (opts.height or 10) // 1)
  local ascii = opts.ascii

  local series, t0, t1, lo, hi = {}, huge, -huge, huge, -huge
  for _, s in ipairs(list) do
    local pts = points_of(s)
    series[#series + 1] = { metric = type(s.metric) == "table" and s.metric or {}, points = pts }
    for _, p in ipairs(pts) do
      if p[1] < t0 then t0 = p[1] end
      if p[1] > t1 then t1 = p[1] end
      if p[2] then
        if p[2] < lo then lo = p[2] end
        if p[2] > hi then hi = p[2] end
      end
    end
  end
  if lo > hi then return "(no data)\n" end
  if opts.from then t0 = time.to_seconds(opts.from) end
  if opts.to then t1 = time.to_seconds(opts.to) end
  local step_y
  lo, hi, step_y = y_range(lo, hi, opts)
  local unit = opts.unit or unit_of(list)

  -- labels at round values, each on the row nearest to it; the room they
  -- take decides the plot width
  local labels, label_w = {}, 0
  for k = 0, ceil((hi - lo) / step_y + 1e-9) do
    local v = math.min(hi, lo + k * step_y)
    local r = floor((hi - v) / (hi - lo) * (H - 1) + 0.5)
    if not labels[r] then
      labels[r] = text.si(v, unit)
      label_w = math.max(label_w, width(labels[r]))
    end
  end
  label_w = math.min(label_w, math.max(0, W // 3))
  local plot_w = math.max(1, W - label_w - 1)
  if label_w + 1 + plot_w > W then label_w = math.max(0, W - 1 - plot_w) end

  -- smallest interval between samples: longer jumps are gaps
  local step = huge
  for _, s in ipairs(series) do
    for i = 2, #s.points do
      local d = s.points[i][1] - s.points[i - 1][1]
      if d > 0 and d < step then step = d end
    end
  end

  local canvas = new_canvas(plot_w, H, ascii)
  local function px(t)
    if t1 <= t0 then return 0 end
    return floor((t - t0) / (t1 - t0) * (canvas.x_dots - 1) + 0.5)
  end
  local function py(v)
    local y = floor((v - lo) / (hi - lo) * (canvas.y_dots - 1) + 0.5)
    return math.min(canvas.y_dots - 1, math.max(0, y))
  end
  for i, s in ipairs(series) do
    local prev
    for _, p in ipairs(s.points) do
      if p[2] and p[1] >= t0 and p[1] <= t1 then
        local x, y = px(p[1]), py(p[2])
        if prev and p[1] - prev[3] <= step * 1.5 then
          canvas:line(prev[1], prev[2], x, y, i)
        else
          canvas:dot(x, y, i)
        end
        prev = { x, y, p[1] }
      else
        prev = nil
      end
    end
  end

  local colors
  if opts.color then
    colors = {}
    for i = 1, #series do colors[i] = ansi.SERIES[(i - 1) % #ansi.SERIES + 1] end
  end

  local out = {}
  if opts.title then out[#out + 1] = truncate(text.one_line(tostring(opts.title)), W) end
  for r = 0, H - 1 do
    local label = labels[r] and pad(truncate(labels[r], label_w), label_w, true) or rep(" ", label_w)
    local axis = ascii and (labels[r] and "+" or "|") or (labels[r] and "\226\148\164" or "\226\148\130")
    out[#out + 1] = gsub(label .. axis .. canvas:row_text(r, colors), " +$", "")
  end
  out[#out + 1] = rep(" ", label_w) .. (ascii and "+" .. rep("-", plot_w) or "\226\148\148" .. rep("\226\148\128", plot_w))
  out[#out + 1] = rep(" ", label_w + 1) .. time_axis(t0, t1, plot_w, opts)

  -- legend: marker, series labels, last/min/max
  local shown = math.min(#series, opts.max_legend or 10)
  for i = 1, shown do
    local s = series[i]
    local last, smin, smax
    for _, p in ipairs(s.points) do
      if p[2] then
        last = p[2]
        smin = (smin == nil or p[2] < smin) and p[2] or smin
        smax = (smax == nil or p[2] > smax) and p[2] or smax
      end
    end
    local stats = last and format("  last %s  min %s  max %s", text.si(last, unit), text.si(smin, unit), text.si(smax, unit))
      or "  no data"
    local marker = ascii and MARKERS[(i - 1) % #MARKERS + 1] or "\226\151\143"
    local room = W - 2 - width(stats)
    local line
    if room >= 8 then
      line = truncate(_M.label_text(s.metric), room) .. stats
    else
      line = truncate(_M.label_text(s.metric) .. stats, math.max(0, W - 2))
    end
    out[#out + 1] = ansi.paint(marker, colors and colors[i]) .. " " .. line
  end
  if #series > shown then
    out[#out + 1] = truncate(format("  ... and %d more series", #series - shown), W)
  end
  return concat(out, "\n") .. "\n"
end

return _M
