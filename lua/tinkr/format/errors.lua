-- The `tinkr errors` table: one line per signature, the signature itself
-- last (it gives way when the terminal is narrow).
local sparkline = require "tinkr.format.sparkline"
local text = require "tinkr.format.text"
local time = require "tinkr.time"

local format, rep, concat = string.format, string.rep, table.concat
local _M = {}

local function clock(iso, tz)
  if not iso then return "-" end
  local ns = time.from_iso_ns(iso)
  if not ns then return iso end
  local s = time.format(ns, { tz = tz, precision = "s" })
  return (s:gsub("^%d+%-%d+%-%d+T", ""):gsub("Z$", ""))
end

-- Columns; `optional` ones are dropped (in that order) before the
-- signature would get fewer than MIN_SIGNATURE cells.
_M.MIN_SIGNATURE = 60
_M.COLUMNS = {
  { "#", function(r) return tostring(r.rank) end },
  { "COUNT", function(r) return tostring(r.count) end },
  { "SHARE", function(r) return format("%.1f%%", r.share * 100) end },
  { "FIRST", function(r, o) return clock(r.first_seen, o.tz) end, optional = 2 },
  { "LAST", function(r, o) return clock(r.last_seen, o.tz) end },
  { "SERVICES", function(r) return #r.services > 0 and concat(r.services, ",") or "-" end, left = true },
  { "TREND", function(r) return r.trend and sparkline.render(r.trend) or "-" end, left = true },
  { "TRACE", function(r) return r.example_trace_id or "-" end, left = true, optional = 1 },
  { "SIGNATURE", function(r) return text.one_line(r.signature) end, left = true, flexible = true },
}

--- render(rows, opts) -> text.  opts: width, tz.
local function natural_width(c, rows, opts)
  local w = text.width(c[1])
  for _, row in ipairs(rows) do w = math.max(w, text.width(c[2](row, opts))) end
  return w
end

function _M.render(rows, opts)
  opts = opts or {}
  local cols = {}
  for i, c in ipairs(_M.COLUMNS) do cols[i] = c end
  for drop = 1, 2 do
    local used = 0
    for _, c in ipairs(cols) do if not c.flexible then used = used + natural_width(c, rows, opts) + 2 end end
    if (opts.width or 120) - used >= _M.MIN_SIGNATURE then break end
    for i, c in ipairs(cols) do
      if c.optional == drop then table.remove(cols, i); break end
    end
  end
  local cells, widths = {}, {}
  for i, c in ipairs(cols) do widths[i] = text.width(c[1]) end
  for r, row in ipairs(rows) do
    cells[r] = {}
    for i, c in ipairs(cols) do
      local s = c[2](row, opts)
      cells[r][i] = s
      if not c.flexible then widths[i] = math.max(widths[i], text.width(s)) end
    end
  end
  local used = 0
  for i = 1, #cols - 1 do used = used + widths[i] + 2 end
  local last = math.max(20, (opts.width or 120) - used)
  local function line(parts)
    local out = {}
    for i, s in ipairs(parts) do
      if cols[i].flexible then
        out[i] = (text.truncate(s, last))
      else
        local pad = rep(" ", widths[i] - text.width(s))
        out[i] = cols[i].left and (s .. pad) or (pad .. s)
      end
    end
    return (concat(out, "  "):gsub(" +$", ""))
  end
  local head = {}
  for i, c in ipairs(cols) do head[i] = c[1] end
  local lines = { line(head) }
  for r = 1, #cells do lines[#lines + 1] = line(cells[r]) end
  return concat(lines, "\n") .. "\n"
end

return _M
