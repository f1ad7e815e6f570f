-- "Did you mean": the names closest to one that matched nothing.
local _M = { _VERSION = "0.1.0" }

-- Edit distance (insert, delete, substitute: 1 each), case-insensitive.
function _M.distance(a, b)
  a, b = a:lower(), b:lower()
  if a == b then return 0 end
  local la, lb = #a, #b
  if la == 0 then return lb end
  if lb == 0 then return la end
  local prev, cur = {}, {}
  for j = 0, lb do prev[j] = j end
  for i = 1, la do
    cur[0] = i
    local ca = a:byte(i)
    for j = 1, lb do
      local cost = ca == b:byte(j) and 0 or 1
      local v = prev[j] + 1
      if cur[j - 1] + 1 < v then v = cur[j - 1] + 1 end
      if prev[j - 1] + cost < v then v = prev[j - 1] + cost end
      cur[j] = v
    end
    prev, cur = cur, prev
  end
  return prev[lb]
end

--- The up to n names closest to wanted: a name containing it (or contained
--- in it) first, then by edit distance; names further than half the longer
--- name's length are left out.
function _M.closest(wanted, names, n)
  n = n or 3
  local w = wanted:lower()
  local scored = {}
  for _, name in ipairs(names) do
    local l = name:lower()
    local d = _M.distance(w, l)
    if l:find(w, 1, true) or w:find(l, 1, true) then d = math.min(d, 1) end
    if d <= math.max(2, math.max(#w, #l) // 2) then scored[#scored + 1] = { name = name, d = d } end
  end
  table.sort(scored, function(x, y)
    if x.d ~= y.d then return x.d < y.d end
    return x.name < y.name
  end)
  local out = {}
  for i = 1, math.min(n, #scored) do out[i] = scored[i].name end
  return out
end

return _M
