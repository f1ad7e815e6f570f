-- Log levels as people type them and as writers store them.  OTel gives
-- every record a SeverityNumber (1-24, in bands of four: TRACE 1-4, DEBUG
-- 5-8, INFO 9-12, WARN 13-16, ERROR 17-20, FATAL 21-24) and a free-text
-- SeverityText that SDKs spell ERROR, Error or error.  So `--level error`
-- matches the text in any of those spellings, and the number band where the
-- layout stores one.
local _M = { _VERSION = "0.1.0" }

_M.BANDS = {
  TRACE = { 1, 4 }, DEBUG = { 5, 8 }, INFO = { 9, 12 }, WARN = { 13, 16 }, WARNING = { 13, 16 },
  ERROR = { 17, 20 }, FATAL = { 21, 24 }, CRITICAL = { 21, 24 },
}

--- The spellings a level is stored under: as given, UPPER, Capitalised, lower.
function _M.spellings(level)
  local out, seen = {}, {}
  local function add(s) if not seen[s] then seen[s] = true; out[#out + 1] = s end end
  add(level:upper())
  add(level:sub(1, 1):upper() .. level:sub(2):lower())
  add(level:lower())
  add(level)
  return out
end

--- levels (list of names) -> { texts = {...}, bands = { {lo, hi}, ... } }
--- bands only for names OTel defines (others match by text alone).
function _M.filter(levels)
  local texts, bands, seen = {}, {}, {}
  for _, l in ipairs(levels) do
    for _, s in ipairs(_M.spellings(l)) do texts[#texts + 1] = s end
    local b = _M.BANDS[l:upper()]
    if b and not seen[b] then seen[b] = true; bands[#bands + 1] = b end
  end
  return { texts = texts, bands = bands }
end

return _M
