-- Counts as a one-line bar chart: "▁▁▃█▅▁".  Zero is a low dot so an empty
-- stretch still reads as "nothing happened", not as missing data.
local _M = {}

local BARS = { "\226\150\129", "\226\150\130", "\226\150\131", "\226\150\132",
               "\226\150\133", "\226\150\134", "\226\150\135", "\226\150\136" }
local ZERO = "\194\183"     -- ·

--- render({ n1, n2, ... }) -> text, one character per count.
function _M.render(counts)
  if type(counts) ~= "table" then
    error(("bad argument #1 to 'render' (list of counts expected, got %s)"):format(type(counts)), 2)
  end
  local top = 0
  for _, n in ipairs(counts) do if n > top then top = n end end
  local out = {}
  for i, n in ipairs(counts) do
    if n <= 0 then
      out[i] = ZERO
    else
      out[i] = BARS[math.max(1, math.min(#BARS, math.ceil(n / top * #BARS)))]
    end
  end
  return table.concat(out)
end

return _M
