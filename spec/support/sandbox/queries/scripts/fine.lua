-- A script that is well within its budget (patterns included).
local words = {}
for w in ("the quick brown fox"):gmatch("%a+") do words[#words + 1] = w:upper() end
return { words = words, n = select(2, ("a,b,c"):gsub(",", ";")) }
