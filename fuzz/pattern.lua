-- The sandbox's pattern matcher (src/pattern.c) against Lua's own: the
-- same results and the same errors for any subject and pattern.
local S = require("tinkr.core").sandbox.string

local function outcome(f, ...)
  local r = table.pack(pcall(f, ...))
  if not r[1] then r[2] = tostring(r[2]):gsub("^bad argument #(%d) to '[^']*'", "bad argument #%1") end
  return r
end

local function same(a, b)
  if a.n ~= b.n then return false end
  for i = 1, a.n do if a[i] ~= b[i] then return false end end
  return true
end

return function(data)
  local cut = data:find("\n", 1, true)
  if not cut then return end
  local s, p = data:sub(1, cut - 1), data:sub(cut + 1)
  -- Lua's own matcher has no bound: keep its worst case small (at most
  -- 24^5 steps) so the reference answers.
  local _, repeats = p:gsub("[*+?%-]", "")
  if #s > 24 or #p > 32 or repeats > 4 then return end
  for _, name in ipairs{ "find", "match", "gsub" } do
    local extra = name == "gsub" and "<%0>" or nil
    local a, b = outcome(string[name], s, p, extra), outcome(S[name], s, p, extra)
    assert(same(a, b), ("%s(%q, %q) differs: %s vs %s"):format(name, s, p, tostring(a[2]), tostring(b[2])))
  end
end
