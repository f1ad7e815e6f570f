-- The same data gives the same text, run after run.  A Lua table's order
-- of keys depends on the string hash seed, which Lua picks anew in every
-- process: JSON objects built from tables (nested attributes, meta, DSL)
-- and map.ndjson's fields beyond `order` used to come out in a different
-- order in every run, so that two runs of one query could not be diffed.
local helpers = require "helpers"
local core = require "tinkr.core"
local json, map = core.json, core.map

-- The same keys inserted in three different orders, with enough of them
-- that the tables' internal orders differ.
local KEYS = {}
for i = 1, 40 do KEYS[i] = ("k%02d.%s"):format((i * 17) % 41, string.rep("x", i % 5)) end

local function table_in_order(order, value_of)
  local t = {}
  for _, i in ipairs(order) do t[KEYS[i]] = value_of(i) end
  return t
end

local function orders()
  local forward, backward, shuffled = {}, {}, {}
  for i = 1, #KEYS do forward[i] = i; backward[i] = #KEYS + 1 - i; shuffled[i] = (i * 7) % #KEYS + 1 end
  return { forward, backward, shuffled }
end

describe("stable output", function()
  it("json.encode writes an object's members in bytewise key order", function()
    local texts = {}
    for n, order in ipairs(orders()) do
      texts[n] = json.encode(table_in_order(order, function(i) return { inner = i, [KEYS[i]] = true, a = 1, B = 2 } end))
    end
    assert.equal(texts[1], texts[2])
    assert.equal(texts[1], texts[3])
    local sorted = {}
    for i, k in ipairs(KEYS) do sorted[i] = k end
    table.sort(sorted)
    local seen = {}
    for k in texts[1]:gmatch('"(k%d%d%.x*)":{') do seen[#seen + 1] = k end
    assert.same(sorted, seen)
    assert.equal('{"B":2,"a":1,"inner":1,"k17.x":true}', json.encode{ inner = 1, ["k17.x"] = true, a = 1, B = 2 })
  end)

  it("json.encode orders keys that are prefixes of others, and keys with bytes above ASCII", function()
    assert.equal('{"":0,"a":1,"a.b":2,"ab":3,"b":4,"é":5}',
      json.encode{ ["é"] = 5, b = 4, ab = 3, ["a.b"] = 2, a = 1, [""] = 0 })
  end)

  it("json.encode keeps big objects exact and still names a bad value's path", function()
    local big = {}
    for i = 1, 5000 do big["key" .. i] = i end
    local back = json.decode(json.encode(big))
    assert.equal(5000, back.key5000)
    assert.equal(1, back.key1)
    big.key77 = function() end
    assert.has_error(function() json.encode{ outer = big } end, "bad argument #1 to 'encode' (cannot encode a function at $.outer.key77)")
  end)

  it("map.ndjson writes the fields beyond `order` by name, whatever the spec's table order", function()
    local body = '{"hits":{"hits":[{"_id":"1","_source":{' .. (function()
      local parts = {}
      for i, k in ipairs(KEYS) do parts[i] = ('"%s":%d'):format(k, i) end
      return table.concat(parts, ",")
    end)() .. '}}]}}'
    local texts = {}
    for n, order in ipairs(orders()) do
      local fields = table_in_order(order, function(i) return KEYS[i] end)
      texts[n] = assert(map.ndjson(body, { fields = fields, order = { KEYS[40] } }))
    end
    assert.equal(texts[1], texts[2])
    assert.equal(texts[1], texts[3])
    local names = {}
    for k in texts[1]:gmatch('"(k%d%d%.x*)":') do names[#names + 1] = k end
    assert.equal(KEYS[40], table.remove(names, 1))
    local sorted = {}
    for i = 1, 39 do sorted[i] = KEYS[i] end
    table.sort(sorted)
    assert.same(sorted, names)
  end)
end)

describe("stable output of bin/tinkr (separate processes, so separate hash seeds)", function()
  local stack = require("support.stack")
  stack.get()
  local env = stack.env(stack.LAYOUTS[1], { XDG_CONFIG_HOME = "/nonexistent" })

  -- took_ms and server_took_ms are measurements, not data
  local function without_timings(text)
    return (text:gsub('"took_ms":[%d.]+', '"took_ms":0'):gsub('"server_took_ms":%d+', '"server_took_ms":0'))
  end

  for _, args in ipairs {
    { "logs", "--since", "6h", "--limit", "20", "--format", "ndjson" },
    { "logs", "--since", "6h", "--limit", "20", "--format", "json" },
    { "traces", "--since", "6h", "--limit", "5", "--format", "json" },
  } do
    it("prints the same text four times for tinkr " .. table.concat(args, " "), function()
      local first
      for _ = 1, 4 do
        local out, err, status = helpers.tinkr(args, { env = env })
        assert.equal(0, status, err)
        out = without_timings(out)
        first = first or out
        assert.equal(first, out)
      end
      assert.is_true(#first > 1000)
    end)
  end
end)
