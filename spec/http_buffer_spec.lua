-- core.http's response_body = "buffer": a 2xx body handed over without a
-- copy (src/http_buffer.h), read in place by map.rows / map.ndjson; the
-- searches of tinkr.logs and tinkr.traces use it.  Against the real
-- OpenSearch of the local stack.
local core = require "tinkr.core"
local stack = require "support.stack"
local http, map = core.http, core.map

local S = stack.get()
local SEARCH = S.opensearch .. "/ss4o_logs-*/_search"
local DSL = '{"size":200,"sort":[{"@timestamp":{"order":"desc"}}]}'
local SPEC = { fields = { timestamp = "@timestamp", message = "body", resource = "resource" },
  hit_fields = { _id = "_id" }, order = { "timestamp", "message" }, time_field = "timestamp" }

-- two searches differ only in how long they took
local function untimed(text) return (text:gsub('^{"took":%d+,', '{')) end

local function search(how, url, body)
  return assert(http.request{ method = "POST", url = url or SEARCH, body = body or DSL,
    headers = { ["content-type"] = "application/json" }, response_body = how })
end

describe("core.http response_body = 'buffer'", function()
  it("gives a 2xx body as a buffer with the bytes of the string", function()
    local as_text = search("string")
    local as_buffer = search("buffer")
    assert.equal(200, as_buffer.status)
    assert.equal("userdata", type(as_buffer.body))
    assert.equal(#as_text.body, #as_buffer.body)
    assert.equal(untimed(as_text.body), untimed(as_buffer.body:text()))
    assert.equal(as_buffer.body:text(), tostring(as_buffer.body))
    assert.is_true(#as_text.body > 50000)
  end)

  it("is mapped in place to the very same rows and lines", function()
    local buffer = search("buffer").body
    local text = buffer:text()
    assert.equal(map.ndjson(text, SPEC), map.ndjson(buffer, SPEC))
    assert.same(map.rows(text, SPEC), map.rows(buffer, SPEC))
  end)

  it("leaves a body that is not 2xx a string (errors are read as text)", function()
    local res = search("buffer", S.opensearch .. "/no-such-index-at-all/_search")
    assert.equal(404, res.status)
    assert.equal("string", type(res.body))
    assert.truthy(res.body:find("index_not_found_exception", 1, true))
  end)

  it("works through a multi, beside requests that want strings", function()
    local m = http.multi()
    local a = m:add{ method = "POST", url = SEARCH, body = DSL, response_body = "buffer",
      headers = { ["content-type"] = "application/json" } }
    local b = m:add{ method = "POST", url = SEARCH, body = DSL,
      headers = { ["content-type"] = "application/json" } }
    local got = {}
    while not (got[a] and got[b]) do
      for _, d in ipairs(m:wait(5)) do got[d.id] = d end
    end
    assert.equal("userdata", type(got[a].res.body))
    assert.equal("string", type(got[b].res.body))
    assert.equal(untimed(got[b].res.body), untimed(got[a].res.body:text()))
  end)

  it("gives strings inside a sandboxed call, where the body counts against the memory budget", function()
    local ok, kind = core.sandbox.run(function()
      return type(search("buffer").body)
    end, { instructions = 1000000000000, seconds = 10, memory = 64 * 1024 * 1024 })
    assert.is_true(ok, tostring(kind))
    assert.equal("string", kind)
    collectgarbage()   -- else freeing the first body counts against the second
    collectgarbage()
    local ok2, err = core.sandbox.run(function()
      return #search("buffer").body
    end, { instructions = 1000000000000, seconds = 10, memory = 32 * 1024 })
    assert.is_false(ok2, "a 32 KB budget cannot hold the body: " .. tostring(ok2) .. " " .. tostring(err))
    assert.matches("memory", tostring(err))
  end)

  it("refuses other values, and map refuses what is neither string nor buffer", function()
    assert.has_error(function() http.request{ url = SEARCH, response_body = "file" } end)
    assert.has_error(function() http.request{ url = SEARCH, response_body = true } end)
    assert.has_error(function() map.ndjson({}, SPEC) end)
    assert.has_error(function() map.rows(io.stdout, SPEC) end)
  end)

  it("is what tinkr.logs maps, as rows and as JSON lines", function()
    stack.use(stack.LAYOUTS[2])
    local tinkr = require "tinkr"
    local rows, meta = tinkr.logs{ since = "6h", limit = 50 }
    assert.is_table(rows, tostring(meta))
    assert.equal(50, #rows)
    local text = {}
    local _, nmeta = tinkr.logs{ since = "6h", limit = 50, ndjson = function(t) text[#text + 1] = t end }
    assert.equal(50, nmeta.returned)
    local n = 0
    for line in table.concat(text):gmatch("[^\n]+") do
      n = n + 1
      assert.equal(rows[n]._id, core.json.decode(line)._id)
    end
    assert.equal(50, n)
  end)
end)
