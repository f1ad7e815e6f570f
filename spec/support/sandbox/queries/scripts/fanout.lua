-- Starts params.n functions through tinkr.all (none of them touches a backend).
local fns = {}
for i = 1, params.n do fns[i] = function() return i * 2 end end
return { tinkr.all(fns) }
