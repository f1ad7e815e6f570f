-- map.ndjson on several threads (src/map_parallel.c) must give exactly what
-- one thread gives: the same lines, the same meta, the same errors at the
-- same byte offsets.  The cuts between chunks are guessed from the text
-- `},{"_index":`, so the responses here are full of decoys: objects inside
-- _source whose first key is "_index" (also one after another in arrays),
-- the same text escaped inside strings, hits that are not objects, and
-- documents broken at random places.
local helpers = require "helpers"
local core = require "tinkr.core"
local json, map = core.json, core.map

local rand = helpers.lcg(20261201)   -- 1..k: the same cases every run

local DECOYS = {
  '{"_index":"x","_source":{"a":1}}',
  '[{"_index":1},{"_index":2},{"_index":{"_index":3}}]',
  '"},{\\"_index\\":\\"fake\\",\\"_source\\":{}}"',
  '"\\u007d,{\\"_index\\":"',
  '{"_index":"ss4o_logs","_id":"d","sort":[1]}',
}

local function source(i)
  local parts = { '"body":"line ' .. i .. '"', '"severity":{"text":"INFO","number":' .. rand(24) .. '}' }
  if rand(3) == 1 then parts[#parts + 1] = '"attributes":' .. DECOYS[rand(#DECOYS)] end
  if rand(4) == 1 then parts[#parts + 1] = '"nested":{"deeper":' .. DECOYS[rand(#DECOYS)] .. '}' end
  parts[#parts + 1] = '"@timestamp":"2026-11-26T11:' .. ("%02d"):format(rand(60) - 1) .. ':00.123456789Z"'
  return "{" .. table.concat(parts, ",") .. "}"
end

-- A search response of n hits; odd_hit makes one of them something that is
-- not an object.
local function response(n, odd_hit)
  local hits = {}
  for i = 1, n do
    if i == odd_hit then
      hits[i] = rand(2) == 1 and "17" or '"hit"'
    else
      hits[i] = '{"_index":"ss4o_logs-default","_id":"id' .. i .. '","_score":null,"_source":'
        .. source(i) .. ',"sort":[' .. (1795694399864 - i) .. ']}'
    end
  end
  return '{"took":3,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},'
    .. '"hits":{"total":{"value":' .. n .. ',"relation":"eq"},"max_score":null,"hits":['
    .. table.concat(hits, ",") .. ']},"pit_id":"p1"}'
end

local SPEC = {
  fields = { timestamp = "@timestamp", message = "body", level = "severity.text",
    attributes = "attributes", deeper = "nested.deeper" },
  hit_fields = { _id = "_id" },
  order = { "timestamp", "message" },
  time_field = "timestamp",
}

local function with_threads(n) return helpers.with(SPEC, "threads", n) end

local function same_result(body, label)
  local want, want_meta = map.ndjson(body, with_threads(1))
  for threads = 2, 6 do
    local got, got_meta = map.ndjson(body, with_threads(threads))
    assert.equal(want, got, label .. " with " .. threads .. " threads")
    if type(want_meta) == "table" then
      assert.same(want_meta, got_meta, label .. " (meta) with " .. threads .. " threads")
    else
      assert.equal(want_meta, got_meta, label .. " (error) with " .. threads .. " threads")
    end
  end
  return want, want_meta
end

describe("map.ndjson on several threads", function()
  it("gives the one-thread lines and meta on 150 responses full of decoy cuts", function()
    local lines = 0
    for _ = 1, 150 do
      local text, meta = same_result(response(rand(60)), "response")
      assert.is_string(text, meta)
      local _, n = text:gsub("\n", "")
      assert.equal(meta.hits, n)
      lines = lines + n
    end
    assert.is_true(lines > 2000, "too few lines compared: " .. lines)
  end)

  it("maps every hit once, in order, with the last hit's sort", function()
    local body = response(500)
    local text, meta = map.ndjson(body, with_threads(4))
    local n = 0
    for line in text:gmatch("[^\n]+") do
      n = n + 1
      assert.equal("id" .. n, json.decode(line)._id)
    end
    assert.equal(500, n)
    assert.equal(500, meta.hits)
    assert.same({ 1795694399864 - 500 }, meta.last_sort)
    assert.equal("p1", meta.pit_id)
  end)

  it("names a hit that is not an object as one thread does, wherever it is", function()
    for _ = 1, 40 do
      local n = rand(40) + 2
      local _, err = same_result(response(n, rand(n)), "odd hit")
      assert.matches("^not a search response: hits.hits%[%d+%] is not an object", err)
    end
  end)

  it("refuses broken responses with the one-thread error and byte offset", function()
    local breakers = { "\31", "}", "]", ",", '"', "\\", "x", "\255", "{", "0", ":", " " }
    local refused = 0
    for _ = 1, 300 do
      local body = response(rand(30) + 1)
      local at = rand(#body)
      local broken = rand(4) == 1 and body:sub(1, at)
        or body:sub(1, at - 1) .. breakers[rand(#breakers)] .. body:sub(at + 1)
      local text, err = same_result(broken, "broken at " .. at)
      local _, want = json.decode(broken)
      if want then
        refused = refused + 1
        assert.is_nil(text)
        assert.equal(want, err)
      end
    end
    assert.is_true(refused > 150, "too few broken responses: " .. refused)
  end)

  it("cuts a large response on its own (threads unset) with the same result", function()
    local body = response(6000)
    assert.is_true(#body > 1024 * 1024)
    local want = map.ndjson(body, with_threads(1))
    local got, meta = map.ndjson(body, SPEC)
    assert.equal(want, got)
    assert.equal(6000, meta.hits)
  end)

  it("refuses a threads option that is not 1 to 16", function()
    for _, bad in ipairs { 0, 17, 2.5, "x", -1 } do
      assert.has_error(function() map.ndjson("{}", with_threads(bad)) end,
        "bad argument #2 to 'ndjson' ('threads' must be an integer from 1 to 16)")
    end
  end)
end)
