-- map.ndjson(body, spec, stream, "buffer"): the JSON lines as the pieces
-- they were written in (the serial walk's, each thread's chunk), handed
-- over without joining them.  Whatever the pieces, #, :text(), :find() and
-- :write(file) must give exactly what the string form gives.
local helpers = require "helpers"
local core = require "tinkr.core"
local map = core.map

-- n hits of about 600 bytes in OpenSearch's layout: over 512 KB at 1000,
-- enough for map.ndjson to cut the list into chunks for threads
local function response(n)
  local hits = {}
  for i = 1, n do
    hits[i] = '{"_index":"logs","_id":"id' .. i .. '","_score":null,"_source":{"@timestamp":"2026-11-26T11:00:00.'
      .. ("%09d"):format(i) .. 'Z","body":"line ' .. i .. '","resource":{"service.name":"svc' .. (i % 7)
      .. '","pad":"' .. ("x"):rep(480) .. '"}},"sort":[' .. i .. ']}'
  end
  return '{"took":1,"hits":{"total":{"value":' .. n .. ',"relation":"eq"},"hits":[' .. table.concat(hits, ",") .. ']}}'
end

local SPEC = { fields = { timestamp = "@timestamp", message = "body", service = "resource.service.name" },
  hit_fields = { _id = "_id" }, order = { "timestamp", "service", "message" }, time_field = "timestamp" }

local function with_threads(n) return helpers.with(SPEC, "threads", n) end

local function written(lines)
  local path = os.tmpname()
  local f = assert(io.open(path, "wb"))
  assert.is_true(lines:write(f))
  f:close()
  f = assert(io.open(path, "rb"))
  local text = f:read("a")
  f:close()
  os.remove(path)
  return text
end

describe("map.ndjson's lines buffer", function()
  it("gives the string form's bytes, however many pieces the threads wrote", function()
    local body = response(1500)
    local serial = map.ndjson(body, with_threads(1))
    -- "auto": no threads asked, ~1 MB: three chunks per thread, taken in turn
    for _, threads in ipairs{ 1, 2, 3, 5, "auto" } do
      if threads == "auto" then threads = nil end
      local want, want_meta = map.ndjson(body, with_threads(threads))
      assert.equal(serial, want)
      local lines, meta = map.ndjson(body, with_threads(threads), nil, "buffer")
      assert.equal("userdata", type(lines))
      assert.same(want_meta, meta)
      assert.equal(#want, #lines)
      assert.equal(want, lines:text())
      assert.equal(want, written(lines))
      assert.equal(1500, select(2, want:gsub("\n", "")))
    end
  end)

  it("gives the same bytes when lines are longer than their hits (a chunk's window overflows)", function()
    -- 30,000 hits of ~25 bytes, each a line of ~110: longer names, the
    -- timestamp written out, time_ns added
    local hits = {}
    for i = 1, 30000 do hits[i] = '{"_source":{"t":' .. (1795694399000 + i) .. '}}' end
    local body = '{"hits":{"hits":[' .. table.concat(hits, ",") .. ']}}'
    local spec = { fields = { a_rather_long_field_name_for_a_timestamp = "t" },
      order = { "a_rather_long_field_name_for_a_timestamp" }, time_field = "a_rather_long_field_name_for_a_timestamp" }
    local function threads(n) return helpers.with(spec, "threads", n) end
    local serial = map.ndjson(body, threads(1))
    assert.is_true(#serial > 3 * #body)
    for _, n in ipairs{ 2, 4, "auto" } do
      local lines = map.ndjson(body, threads(n ~= "auto" and n or nil), nil, "buffer")
      assert.equal(serial, lines:text())
    end
  end)

  it("finds text as string.find does, in any piece, and refuses text across lines", function()
    local body = response(1500)
    local want = map.ndjson(body, with_threads(3))
    local lines = map.ndjson(body, with_threads(3), nil, "buffer")
    for _, needle in ipairs{ '"timestamp":', '"_id":"id1"', '"_id":"id1499"', '"message":"line 1500"', "svc6" } do
      assert.equal(want:find(needle, 1, true), lines:find(needle), needle)
    end
    assert.is_nil(lines:find('"no such field":'))
    assert.has_error(function() lines:find("}\n{") end)
    assert.has_error(function() lines:find("") end)
  end)

  it("is empty for no hits, and refuses a closed file and unknown forms", function()
    local empty = map.ndjson('{"hits":{"hits":[]}}', SPEC, nil, "buffer")
    assert.equal(0, #empty)
    assert.equal("", empty:text())
    assert.is_nil(empty:find("x"))
    local f = io.tmpfile()
    f:close()
    assert.has_error(function() empty:write(f) end, "attempt to use a closed file")
    assert.has_error(function() map.ndjson('{"hits":{"hits":[]}}', SPEC, nil, "file") end)
  end)

  it("is freed at once by a <close> variable, and reads as empty after", function()
    local body = response(1500)
    local want = map.ndjson(body, with_threads(2))
    local kept
    do
      local lines <close> = map.ndjson(body, with_threads(2), nil, "buffer")
      assert.equal(want, tostring(lines))
      kept = lines
    end
    assert.equal(0, #kept)
    assert.equal("", kept:text())
    assert.is_nil(kept:find("id1"))
  end)

  it("reports what the string form reports for a response it cannot read", function()
    local body = response(1500):gsub('"line 700"', '"line \1 700"')
    local want, want_err = map.ndjson(body, with_threads(3))
    local got, err = map.ndjson(body, with_threads(3), nil, "buffer")
    assert.is_nil(want)
    assert.is_nil(got)
    assert.equal(want_err, err)
  end)

  it("is a string inside a sandboxed call, where memory outside Lua's would escape the budget", function()
    local body = response(50)
    local ok, kind = core.sandbox.run(function()
      return type(map.ndjson(body, SPEC, nil, "buffer"))
    end, { instructions = 1000000000000, seconds = 10, memory = 64 * 1024 * 1024 })
    assert.is_true(ok, tostring(kind))
    assert.equal("string", kind)
  end)
end)
