-- Rows as an aligned text table that fits the terminal.
--
-- Columns: opts.columns, else the fields of the first rows in the
-- tinkr.format.columns order (timestamp, service, level, trace_id, message,
-- then by name), leaving out table-valued fields such as attributes (ask for
-- them by name to see them as JSON) and time_ns (timestamp's ns twin).
-- Integer ns in time fields (time_ns, start_ns, ...) show as RFC 3339 and
-- duration_ns as "12.3ms"; opts.tz also re-zones RFC 3339 timestamp text.  Column widths come from the first
-- opts.sample rows (default 200; render uses all rows), so a writer can
-- stream: later rows are cut to those widths.
--
-- Fitting: when the natural widths exceed opts.width, the widest columns are
-- cut down to a common width (a "water level"), so a long message gives way
-- first and short columns stay whole.  Cut cells end in "…".
local _M = { _VERSION = "0.1.0" }

local text = require("tinkr.format.text")
local ansi = require("tinkr.format.ansi")
local columns = require("tinkr.format.columns")
local sink = require("tinkr.format.sink")
local time = require("tinkr.time")

local type, tostring, upper, rep, gsub = type, tostring, string.upper, string.rep, string.gsub
local concat, math_type, ipairs, pairs = table.concat, math.type, ipairs, pairs
local width, truncate, one_line = text.width, text.truncate, text.one_line

local GAP = "  "

-- Integer values of these fields are ns instants or durations: shown as times.
local TIME_FIELDS = {
  timestamp = true, time = true, ["@timestamp"] = true, timestamp_ns = true,
  time_ns = true, start_ns = true, end_ns = true,
}
local DURATION_FIELDS = { duration_ns = true }
local LEVEL_FIELDS = { level = true, severity = true }
-- Left out of the default columns: time_ns is the ns twin of timestamp.
local HIDDEN_BY_DEFAULT = { time_ns = true }
-- Fields that say nothing when cut: kept whole while free text gives way.
local RIGID_FIELDS = { trace_id = true, span_id = true, parent_span_id = true, level = true, severity = true }

-- One value as the text of a cell (one line, safe to print).
local function cell(name, v, opts)
  local t = type(v)
  if t == "string" then
    if opts.tz and TIME_FIELDS[name] then
      local ns = time.from_iso_ns(v)
      if ns then return time.format(ns, opts.time_format) end
    end
    return one_line(v, opts.ascii)
  elseif t == "number" then
    if math_type(v) == "integer" then
      if TIME_FIELDS[name] then return time.format(v, opts.time_format) end
      if DURATION_FIELDS[name] then return time.format_duration(v, opts) end
    end
    return text.number_text(v)
  elseif t == "table" then
    return one_line(require("tinkr.format.json").encode_value(v), opts.ascii)
  elseif v == nil or t == "userdata" then      -- nil or JSON null
    return ""
  end
  return tostring(v)
end
_M.cell = cell

local function sum(list, cap)
  local s = 0
  for i = 1, #list do
    local w = list[i]
    s = s + ((cap and w > cap) and cap or w)
  end
  return s
end

-- Largest level L with sum(min(w, L)) <= avail, then what is left over
-- handed out one cell at a time to the capped columns.
local function water_level(widths, avail)
  local lo, hi = 0, 0
  for i = 1, #widths do if widths[i] > hi then hi = widths[i] end end
  while lo < hi do
    local mid = (lo + hi + 1) // 2
    if sum(widths, mid) <= avail then lo = mid else hi = mid - 1 end
  end
  local out, spare = {}, avail - sum(widths, lo)
  for i = 1, #widths do
    local w = widths[i]
    if w > lo then
      w = lo
      if spare > 0 then w, spare = lo + 1, spare - 1 end
    end
    out[i] = w
  end
  return out, lo
end

-- Below this a free-text column is no longer worth reading.
local MIN_FLEXIBLE = 10

--- Widths that fit `avail` cells.  Columns marked rigid (timestamps, ids,
--- level: useless when cut) keep their width while the others are cut to a
--- common level; if that level would drop below MIN_FLEXIBLE, all columns
--- are cut to a common level instead.
function _M.fit(widths, avail, rigid)
  if sum(widths) <= avail then return widths end
  if rigid then
    local flex, fixed = {}, 0
    for i = 1, #widths do
      if rigid[i] then fixed = fixed + widths[i] else flex[#flex + 1] = widths[i] end
    end
    if #flex > 0 and fixed < avail then
      local cut, level = water_level(flex, avail - fixed)
      if level >= MIN_FLEXIBLE then
        local out, j = {}, 0
        for i = 1, #widths do
          if rigid[i] then out[i] = widths[i] else j = j + 1; out[i] = cut[j] end
        end
        return out
      end
    end
  end
  return (water_level(widths, avail))
end

local Writer = {}
Writer.__index = Writer

-- Cells of one row, in column order.
function Writer:cells(r)
  local cols, opts, out = self.columns, self.opts, {}
  for i = 1, #cols do out[i] = cell(cols[i], r[cols[i]], opts) end
  return out
end

function Writer:line(cells, styles)
  local widths, right, n = self.widths, self.right, #self.widths
  local ascii, parts = self.opts.ascii, {}
  for i = 1, n do
    local s, sw = truncate(cells[i], widths[i], ascii)
    local pad = widths[i] - sw
    local style = styles and styles[i]
    if right[i] then
      parts[i] = rep(" ", pad) .. ansi.paint(s, style)
    else
      parts[i] = ansi.paint(s, style) .. (i < n and rep(" ", pad) or "")
    end
  end
  self.sink:write((gsub(concat(parts, GAP), " +$", "")) .. "\n")
end

function Writer:emit(r, cells)
  local styles
  if self.opts.color then
    styles = {}
    local cols = self.columns
    for i = 1, #cols do
      if LEVEL_FIELDS[cols[i]] then styles[i] = ansi.level_style(r[cols[i]]) end
    end
  end
  self:line(cells or self:cells(r), styles)
end

-- Columns whose sampled values are all numbers, and durations, are right-aligned.
local function numeric_columns(cols, rows)
  local right = {}
  for i = 1, #cols do
    local name, seen, all = cols[i], false, true
    if DURATION_FIELDS[name] then
      right[i] = true
    elseif not TIME_FIELDS[name] then
      for j = 1, #rows do
        local v = rows[j][name]
        if v ~= nil then
          seen = true
          if type(v) ~= "number" then all = false; break end
        end
      end
      right[i] = seen and all
    end
  end
  return right
end

-- Fixes columns and widths from the sampled rows, then writes them.
function Writer:start()
  local rows = self.pending
  self.pending = nil
  local cols = self.columns
  if not cols then
    cols = {}
    for _, name in ipairs(columns.from_rows(rows, nil, true)) do
      if not HIDDEN_BY_DEFAULT[name] then cols[#cols + 1] = name end
    end
    if #cols == 0 and #rows > 0 then cols = columns.from_rows(rows) end
  end
  if #cols == 0 then
    self.done = true
    self.sink:write(#rows == 0 and "(no rows)\n" or "(rows have no fields)\n")
    return
  end
  -- drop columns from the right if even one cell each cannot fit
  local max_cols = (self.width + #GAP) // (1 + #GAP)
  if #cols > max_cols then
    local kept = {}
    for i = 1, max_cols do kept[i] = cols[i] end
    cols = kept
  end
  self.columns = cols

  local header, natural = {}, {}
  for i = 1, #cols do
    header[i] = upper(one_line(cols[i], self.opts.ascii))
    natural[i] = width(header[i])
  end
  local all_cells = {}
  for j = 1, #rows do
    local c = self:cells(rows[j])
    all_cells[j] = c
    for i = 1, #cols do
      local w = width(c[i])
      if w > natural[i] then natural[i] = w end
    end
  end
  local rigid = {}
  for i = 1, #cols do rigid[i] = TIME_FIELDS[cols[i]] or RIGID_FIELDS[cols[i]] or false end
  self.widths = _M.fit(natural, self.width - #GAP * (#cols - 1), rigid)
  self.right = numeric_columns(cols, rows)

  local header_styles
  if self.opts.color then
    header_styles = {}
    for i = 1, #cols do header_styles[i] = "bold" end
  end
  self:line(header, header_styles)
  for j = 1, #rows do self:emit(rows[j], all_cells[j]) end
end

function Writer:row(r)
  if self.done then return end
  if not self.pending then return self:emit(r) end
  local p = self.pending
  p[#p + 1] = r
  if #p >= self.sample then self:start() end
end

--- Writes what is buffered; returns the text for an in-memory writer, true
--- when writing to opts.out.
function Writer:finish()
  if self.pending then self:start() end
  return self.sink:finish()
end

--- writer(opts): :row(r) per row, then :finish().
--- opts: columns, width (default $COLUMNS or 120), color, ascii,
--- tz / precision (how ns timestamps show; see tinkr.time.format),
--- sample (rows read before widths are fixed), out (file handle).
function _M.writer(opts)
  opts = opts or {}
  local o = {}
  for k, v in pairs(opts) do o[k] = v end
  o.time_format = { tz = opts.tz, precision = opts.precision }
  if opts.tz ~= nil then
    local ok, err = time.zone(opts.tz)
    if not ok then error("bad option 'tz': " .. err, 2) end
  end
  return setmetatable({
    opts = o, sink = sink.new(opts.out), columns = columns.option(opts),
    pending = {}, sample = opts.sample or 200, width = text.terminal_width(opts),
  }, Writer)
end

--- render(rows, opts) -> the table as a string (true with opts.out).
function _M.render(rows, opts)
  local o = {}
  for k, v in pairs(opts or {}) do o[k] = v end
  o.sample = math.huge
  local w = _M.writer(o)
  for i = 1, #rows do w:row(rows[i]) end
  return w:finish()
end

return _M
