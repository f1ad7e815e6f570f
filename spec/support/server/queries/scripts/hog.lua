-- Allocates without end, catching the out-of-memory errors it provokes.
local keep = {}
while true do
  pcall(function()
    keep[#keep + 1] = string.rep("x", 1024 * 1024) .. #keep
  end)
end
