-- A mapping file that never finishes loading.
local t = {}
for i = 1, math.huge do t[i % 10] = ("k%d"):format(i):match("^(k)(%d+)$") end
return t
