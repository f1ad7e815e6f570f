-- Terminal colours.  Formats call these only when opts.color is true; the
-- caller decides that (a terminal, and NO_COLOR unset).
local _M = { _VERSION = "0.1.0" }

local upper, sub = string.upper, string.sub

local CODES = {
  bold = "1", dim = "2", red = "31", green = "32", yellow = "33",
  blue = "34", magenta = "35", cyan = "36",
}
_M.RESET = "\27[0m"

--- s wrapped in the escape codes for `style`; s itself when style is nil.
function _M.paint(s, style)
  if style == nil or s == "" then return s end
  return "\27[" .. CODES[style] .. "m" .. s .. _M.RESET
end

--- Style for a log level: errors red, warnings yellow, debug/trace dim.
function _M.level_style(level)
  if type(level) ~= "string" then return nil end
  local l = sub(upper(level), 1, 4)
  if l == "ERRO" or l == "FATA" or l == "CRIT" or l == "EMER" or l == "ALER" or l == "PANI" then return "red" end
  if l == "WARN" then return "yellow" end
  if l == "DEBU" or l == "TRAC" then return "dim" end
  return nil
end

--- Colours given to chart series, in turn.
_M.SERIES = { "cyan", "magenta", "yellow", "green", "blue", "red" }

return _M
