-- The `tinkr services` table: one line per service, figures right-aligned,
-- a dash where a signal has nothing for the service, and either a
-- sparkline of the error lines over the window or, with --compare, the
-- change of each figure (↑/↓ and a percentage; red when worse).
local ansi = require "tinkr.format.ansi"
local sparkline = require "tinkr.format.sparkline"
local text = require "tinkr.format.text"

local format, rep, concat = string.format, string.rep, table.concat
local _M = {}

_M.DASH = "-"

local function pct(v) return v and format(v < 0.1 and "%.2f%%" or "%.1f%%", v * 100) end
local function count(v) return v and tostring(math.tointeger(v) or v) end
local function rate(v) return v and (string.format("%.3g", v) .. "/s") end
local function seconds(v) return v and text.si(v, "s") end
local function ms(v) return v and text.si(v / 1000, "s") end

-- column: header, field, how to show the value
_M.COLUMNS = {
  { "SERVICE", "service", tostring, left = true },
  { "LOGS", "log_lines", count },
  { "ERRORS", "error_lines", count },
  { "ERR%", "error_share", pct },
  { "REQ/S", "request_rate", rate },
  { "5XX", "error_rate", pct },
  { "P99", "p99_s", seconds },
  { "ROOTS", "root_spans", count },
  { "FAILED", "error_root_spans", count },
  { "SLOWEST", "slowest_ms", ms },
  { "TRACE", "slowest_trace_id", tostring, left = true },
}

local WORSE_WHEN_HIGHER = {}
for _, f in ipairs(require("tinkr.services").FIGURES) do
  WORSE_WHEN_HIGHER[f.name] = f.higher_is_worse
end

--- "↑42%", "↓7%", "↑3.1x", "new", "=" for a change ratio (services.changes).
function _M.change_text(c)
  if c == nil then return nil end
  if c == "new" then return "\226\134\145new" end
  if c == 0 then return "=" end
  local arrow = c > 0 and "\226\134\145" or "\226\134\147"
  local a = math.abs(c)
  if a >= 10 then return arrow .. text.sig3(1 + c) .. "x" end
  return arrow .. format(a < 0.1 and "%.1f%%" or "%.0f%%", a * 100)
end

local function style_of(field, c)
  if c == nil or c == 0 or not WORSE_WHEN_HIGHER[field] then return nil end
  local up = c == "new" or c > 0
  return up and "red" or "green"
end

--- render(rows, meta, opts) -> text.  opts: width, color, compare (bool).
function _M.render(rows, meta, opts)
  opts = opts or {}
  local cols = {}
  for i, c in ipairs(_M.COLUMNS) do cols[i] = c end
  if not opts.compare then
    cols[#cols + 1] = { "ERRORS OVER TIME", "error_counts", function(v) return v and sparkline.render(v) end,
      left = true }
  end
  local head, cells, styles = {}, {}, {}
  for i, c in ipairs(cols) do head[i] = c[1] end
  for r, row in ipairs(rows) do
    cells[r], styles[r] = {}, {}
    for i, c in ipairs(cols) do
      local v = row[c[2]]
      local s = (v ~= nil) and c[3](v) or _M.DASH
      if opts.compare and row.change and i > 1 and not c.left then
        local ch = _M.change_text(row.change[c[2]])
        if ch then
          s = s .. " " .. ch
          styles[r][i] = style_of(c[2], row.change[c[2]])
        end
      end
      cells[r][i] = s
    end
  end
  local widths = {}
  for i, h in ipairs(head) do
    widths[i] = text.width(h)
    for r = 1, #cells do widths[i] = math.max(widths[i], text.width(cells[r][i])) end
  end
  local function line(parts, row_styles)
    local out = {}
    for i, s in ipairs(parts) do
      local pad = rep(" ", widths[i] - text.width(s))
      local painted = (opts.color and row_styles and row_styles[i]) and ansi.paint(s, row_styles[i]) or s
      out[i] = cols[i].left and (painted .. pad) or (pad .. painted)
    end
    return (concat(out, "  "):gsub(" +$", ""))
  end
  local lines = { opts.color and ansi.paint(line(head), "bold") or line(head) }
  for r = 1, #cells do lines[#lines + 1] = line(cells[r], styles[r]) end
  return concat(lines, "\n") .. "\n"
end

return _M
