-- Never ends; pcall inside the loop must not keep it alive.
local n = 0
while true do
  pcall(function() n = n + 1 end)
end
