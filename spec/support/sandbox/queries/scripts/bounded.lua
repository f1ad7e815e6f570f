-- One long C call per class of C function a script can reach, picked by
-- params.case; each must be stopped by the script's budget.
local HANG = ".-.-.-.-.-b"
local cases = {}

function cases.match() return string.match(("a"):rep(3000), HANG) end
function cases.gmatch() for _ in ("a"):rep(3000):gmatch(HANG) do end end
function cases.gsub() return (("a"):rep(3000):gsub(HANG, "x")) end
function cases.rep() return #("x"):rep(1 << 30) end
function cases.concat()
  local t = {}
  for i = 1, 20 do t[i] = ("y"):rep(100000) end
  return #table.concat(t, ("z"):rep(1000000))
end
function cases.format()
  local s, args = ("x"):rep(1000000), {}
  for i = 1, 200 do args[i] = s end
  return #format(("%s"):rep(200), table.unpack(args))
end
function cases.pack() return #string.pack("c2000000000", "") end
function cases.sort()
  local t = {}
  for i = 1, 200000 do t[i] = -i end
  while true do table.sort(t) end
end
function cases.move() table.move({}, 1, math.maxinteger - 1, 2) end
function cases.utf8()
  local s = ("é"):rep(1000000)
  while true do utf8.len(s) end
end
function cases.json()
  local t = {}
  for i = 1, 10000 do t[i] = { i, "x" } end
  local text = json.encode(t)
  while true do json.decode(text) end
end
function cases.backend() return tinkr.logs{ since = "1h", limit = 1 } end

return cases[params.case]()
