-- Plain Lua work: params.iterations turns of a loop (keeps a request in
-- flight for a while without any backend).
local n = 0
for _ = 1, math.tointeger(params.iterations) or 1000 do n = n + 1 end
return { n = n }
