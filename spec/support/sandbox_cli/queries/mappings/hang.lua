-- A mapping file that never finishes loading.  It allocates nothing, so only
-- the time budget can stop it (garbage would let a slow, loaded machine reach
-- the memory budget first; templates/huge.lua covers that one).
local t = {}
for i = 1, math.huge do t[i % 10] = i end
return t
