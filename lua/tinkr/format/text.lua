-- Terminal text: one-line cells, display width of UTF-8, truncation, padding.
-- Log bodies come from anywhere, so cells are made safe first: valid UTF-8,
-- no control bytes (an ESC in a log line must not drive the terminal).
local _M = { _VERSION = "0.1.0" }

local type, tostring, tonumber = type, tostring, tonumber
local find, sub, gsub, rep, format = string.find, string.sub, string.gsub, string.rep, string.format
local concat = table.concat
local utf8_len, utf8_codes, utf8_char = utf8.len, utf8.codes, utf8.char
local math_type = math.type

local REPLACEMENT = "\239\191\189"     -- U+FFFD
local RETURN_MARK = "\226\143\142"     -- U+23CE ⏎
local ELLIPSIS = "\226\128\166"        -- U+2026 …

-- Invalid UTF-8 bytes become U+FFFD, each on its own.
local function valid_utf8(s)
  if utf8_len(s) then return s end
  local parts, i = {}, 1
  while true do
    local n, bad = utf8_len(s, i)
    if n then parts[#parts + 1] = sub(s, i); break end
    parts[#parts + 1] = sub(s, i, bad - 1)
    parts[#parts + 1] = REPLACEMENT
    i = bad + 1
  end
  return concat(parts)
end
_M.valid_utf8 = valid_utf8

--- A string safe to print on one line: newlines become ⏎ (or the two
--- characters \n with opts.ascii), tabs a space, other control characters
--- (C0, DEL, C1) U+FFFD; invalid UTF-8 is replaced too.
function _M.one_line(s, ascii)
  if not find(s, "[%c\128-\255]") then return s end     -- plain ASCII: nothing to do
  s = valid_utf8(s)
  s = gsub(s, "\r?\n", ascii and "\\n" or RETURN_MARK)
  s = gsub(s, "\t", " ")
  s = gsub(s, "%c", REPLACEMENT)
  s = gsub(s, "\194[\128-\159]", REPLACEMENT)           -- C1 controls (U+0080..U+009F)
  return s
end

-- East Asian wide and emoji ranges take two cells; combining marks none.
-- A simple table, not the full Unicode width data.
local WIDE = {
  { 0x1100, 0x115F }, { 0x2E80, 0x303E }, { 0x3041, 0x33FF }, { 0x3400, 0x4DBF },
  { 0x4E00, 0x9FFF }, { 0xA000, 0xA4CF }, { 0xAC00, 0xD7A3 }, { 0xF900, 0xFAFF },
  { 0xFE30, 0xFE4F }, { 0xFF00, 0xFF60 }, { 0xFFE0, 0xFFE6 }, { 0x1F300, 0x1F64F },
  { 0x1F900, 0x1F9FF }, { 0x20000, 0x3FFFD },
}
local ZERO = { { 0x0300, 0x036F }, { 0x200B, 0x200F }, { 0x20D0, 0x20FF }, { 0xFE00, 0xFE0F } }

local function in_ranges(cp, ranges)
  for i = 1, #ranges do
    local r = ranges[i]
    if cp < r[1] then return false end
    if cp <= r[2] then return true end
  end
  return false
end

local function char_width(cp)
  if cp < 0x300 then return 1 end
  if in_ranges(cp, ZERO) then return 0 end
  if in_ranges(cp, WIDE) then return 2 end
  return 1
end
_M.char_width = char_width

--- Display width in terminal cells.
function _M.width(s)
  if not find(s, "[\128-\255]") then return #s end
  s = valid_utf8(s)
  local w = 0
  for _, cp in utf8_codes(s) do w = w + char_width(cp) end
  return w
end
local width = _M.width

--- At most w cells; a cut string ends in "…" ("..." with ascii).
--- Returns the text and its width in cells.
function _M.truncate(s, w, ascii)
  if w <= 0 then return "", 0 end
  local sw = width(s)
  if sw <= w then return s, sw end
  local mark, mark_w = ELLIPSIS, 1
  if ascii then mark, mark_w = "...", 3 end
  if w <= mark_w then mark, mark_w = "", 0 end
  if not find(s, "[\128-\255]") then return sub(s, 1, w - mark_w) .. mark, w end
  s = valid_utf8(s)
  local limit, used, cut = w - mark_w, 0, 0
  for pos, cp in utf8_codes(s) do
    local cw = char_width(cp)
    if used + cw > limit then cut = pos - 1; break end
    used = used + cw
  end
  return sub(s, 1, cut) .. mark, used + mark_w
end

--- s padded with spaces to w cells (on the left when right_align).
function _M.pad(s, w, right_align)
  local n = w - width(s)
  if n <= 0 then return s end
  if right_align then return rep(" ", n) .. s end
  return s .. rep(" ", n)
end

--- Shortest decimal text that reads back as the same float.
function _M.number_text(v)
  if math_type(v) == "integer" then return tostring(v) end
  if v ~= v then return "NaN" end
  if v == math.huge then return "+Inf" end
  if v == -math.huge then return "-Inf" end
  for digits = 14, 17 do
    local s = format("%." .. digits .. "g", v)
    if tonumber(s) == v then return s end
  end
  return format("%.17g", v)
end

--- 3 significant digits, trailing zeros dropped: 1.50 -> "1.5", 12.0 -> "12".
function _M.sig3(v)
  local a = v < 0 and -v or v
  local s
  if a < 10 then s = format("%.2f", v)
  elseif a < 100 then s = format("%.1f", v)
  else s = format("%.0f", v) end
  if find(s, ".", 1, true) then s = gsub(gsub(s, "0+$", ""), "%.$", "") end
  if s == "-0" then s = "0" end
  return s
end

local SI = {
  { 1e12, "T" }, { 1e9, "G" }, { 1e6, "M" }, { 1e3, "k" }, { 1, "" },
  { 1e-3, "m" }, { 1e-6, "\194\181" }, { 1e-9, "n" },
}

--- A number with an SI prefix and unit: 1500 -> "1.5k", 0.25 with "s" ->
--- "250ms".  Without a unit, numbers below 1 stay decimals ("0.25"): "250m"
--- of a ratio reads badly.
function _M.si(v, unit)
  unit = unit or ""
  if v ~= v then return "NaN" end
  local a = v < 0 and -v or v
  if a == 0 then return "0" .. unit end
  if a == math.huge then return (v < 0 and "-Inf" or "+Inf") .. unit end
  if unit == "" and a < 0.9995 then return format("%.3g", v) end
  if unit == "s" and a >= 60 and a < 9e9 then                 -- "1m40s", not "100s" or "1ks"
    return require("tinkr.time").format_duration(math.floor(v * 1e9 + 0.5))
  end
  for i = 1, #SI do
    local p = SI[i]
    if a >= p[1] * 0.9995 or i == #SI then          -- 999.96 shows as 1k, not 1000
      return _M.sig3(v / p[1]) .. p[2] .. unit
    end
  end
end

--- Terminal width: opts.width, else $COLUMNS, else the terminal on stdout
--- (tinkr.core, when loaded), else 120.
function _M.terminal_width(opts)
  local w = opts and opts.width or tonumber(os.getenv("COLUMNS") or "")
  if not w then
    local ok, core = pcall(require, "tinkr.core")
    w = ok and type(core) == "table" and core.terminal_width and core.terminal_width(1) or nil
  end
  if not w or w < 1 then return 120 end
  return w // 1
end

--- The UTF-8 text for a code point (braille and box drawing).
_M.char = utf8_char

return _M
