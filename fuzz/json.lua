-- The JSON scanner (src/json_scan.c through tinkr.core.json): decoding any
-- bytes answers a value or nil, err, never raises; what decodes encodes,
-- and that text decodes to the same value again.
local json = require("tinkr.core").json

-- Same value: same types, numbers equal (an integer and its float are the
-- same JSON number), tables equal key by key.
local function same(a, b, depth)
  if type(a) ~= type(b) then return false end
  if type(a) ~= "table" then return a == b or (a ~= a and b ~= b) end
  if depth > 1100 then return true end
  for k, v in pairs(a) do
    if not same(v, b[k], depth + 1) then return false end
  end
  for k in pairs(b) do
    if a[k] == nil then return false end
  end
  return true
end

return function(data)
  local v, err = json.decode(data)
  if v == nil then
    assert(type(err) == "string" or type(err) == "table", "decode failed without a reason")
    return
  end
  local ok, text = pcall(json.encode, v)
  if not ok then return end          -- e.g. nesting the encoder refuses: a clean error
  local again, aerr = json.decode(text)
  assert(again ~= nil, ("encode produced text decode rejects (%s): %s"):format(tostring(aerr), text))
  assert(same(v, again, 0), "round trip changed the value: " .. text)
end
