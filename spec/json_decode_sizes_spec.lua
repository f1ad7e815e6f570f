-- json.decode (and map.rows, which builds values the same way) creates each
-- table at its final size from members staged on the Lua stack, up to 64 of
-- them (src/l_json.c); longer ones grow.  Every size around that limit,
-- repeated keys on both sides of it, and errors in the middle of it.
local core = require "tinkr.core"
local json = core.json

describe("json.decode tables of every size", function()
  it("keeps every element and member, and the last of a repeated key", function()
    for n = 0, 150 do
      local items, members, want = {}, {}, {}
      for i = 1, n do
        items[i] = tostring(i * 3)
        members[#members + 1] = '"k' .. i .. '":' .. i
        want["k" .. i] = i
      end
      -- a repeated key, once early and once late: the last value wins
      if n > 0 then
        members[#members + 1] = '"k1":"again"'
        want.k1 = "again"
      end
      local arr = json.decode("[" .. table.concat(items, ",") .. "]")
      assert.equal(n, #arr)
      assert.equal(json.array_mt, getmetatable(arr))
      for i = 1, n do assert.equal(i * 3, arr[i]) end
      assert.same(want, json.decode("{" .. table.concat(members, ",") .. "}"))
      -- nested inside a hit, as map.rows reads it
      local body = '{"hits":{"hits":[{"_source":{"o":{' .. table.concat(members, ",") .. '},"a":['
        .. table.concat(items, ",") .. "]}}]}}"
      local rows = assert(core.map.rows(body, { fields = { o = "o", a = "a" } }))
      assert.same(want, rows[1].o)
      assert.equal(n, #rows[1].a)
    end
  end)

  it("refuses a bad member anywhere with its offset, leaving the stack as it was", function()
    for n = 1, 140, 7 do
      local members = {}
      for i = 1, n do members[i] = '"k' .. i .. '":[' .. i .. "]" end
      local text = "{" .. table.concat(members, ",") .. ",}"
      local v, err = json.decode(text)
      assert.is_nil(v)
      assert.equal("invalid JSON at byte " .. #text .. ": trailing comma", err)
      text = "[" .. string.rep("{},", n) .. "x]"
      v, err = json.decode(text)
      assert.is_nil(v)
      assert.equal("invalid JSON at byte " .. (#text - 1) .. ": unexpected character 'x'", err)
    end
    -- the state is still usable after all those errors
    assert.same({ 1, 2 }, json.decode("[1,2]"))
  end)
end)
