-- Every list in every JSON answer is [] when empty.  The encoder cannot
-- tell an empty list from an empty object, so lists carry the array marker
-- (json.array) from where they are made: map.rows, the otel backend, the
-- Prometheus client.  The class is checked by walking whole results: any
-- sequence without the marker would become {} the day it is empty.
-- Also here: took_ms rounded to µs, and map.ndjson one line per hit.
local stack = require("support.stack").get()
local core = require "tinkr.core"
local helpers = require "helpers"
local tinkr = require "tinkr"

local json = core.json
local E = stack.expected

local support = require "support.stack"
local SS4O = support.LAYOUTS[2]
local function use(extra) support.use(SS4O, extra) end

-- Paths of tables that hold 1..n and lack the array marker (labels,
-- attributes and other objects have string keys and are left alone).
local function unmarked_lists(v, path, out, seen)
  out, seen, path = out or {}, seen or {}, path or "$"
  if type(v) ~= "table" or seen[v] then return out end
  seen[v] = true
  if v[1] ~= nil and getmetatable(v) ~= json.array_mt then out[#out + 1] = path end
  for k, child in pairs(v) do unmarked_lists(child, path .. "." .. tostring(k), out, seen) end
  return out
end

local function assert_all_marked(what, ...)
  for i = 1, select("#", ...) do
    local bad = unmarked_lists((select(i, ...)))
    assert.same({}, bad, what .. ": lists without the array marker")
  end
end

-- took_ms has at most three decimals (µs).
local function assert_rounded(what, ms)
  assert.is_number(ms, what)
  assert.is_true(math.abs(ms * 1000 - math.floor(ms * 1000 + 0.5)) < 1e-6, what .. " took_ms = " .. tostring(ms))
end

describe("lists in API results", function()
  before_each(function() use() end)

  it("are marked arrays in logs, traces and a trace (full and empty)", function()
    local rows, meta = tinkr.logs{ service = "payments-api", since = "1h", limit = 3 }
    assert.is_table(rows, tostring(meta))
    assert_all_marked("logs", rows, meta)
    assert_rounded("logs", meta.took_ms)
    rows, meta = tinkr.logs{ service = "no-such-service", since = "1h" }
    assert.equal(0, #rows)
    assert.matches('"rows":%[%]', json.encode{ rows = rows, meta = meta })

    local spans, smeta = tinkr.traces{ since = "6h", limit = 2 }
    assert.is_table(spans, tostring(smeta))
    assert_all_marked("traces", spans, smeta)
    assert_rounded("traces", smeta.took_ms)
    spans = tinkr.traces{ service = "no-such-service" }
    assert.equal("[]", json.encode(spans))

    local t, tmeta = tinkr.trace(E.traces.slowest_root.trace_id)
    assert.is_table(t, tostring(tmeta))
    assert_all_marked("trace", t, tmeta)
    assert_rounded("trace", tmeta.took_ms)
  end)

  it("are [] for a trace whose logs cannot be read, and children of leaves are []", function()
    use{ OTEL_LOG_INDEX = "no-such-logs" }
    local t, meta = tinkr.trace(E.traces.slowest_root.trace_id)
    assert.is_table(t, tostring(meta))
    assert.equal("not_found", meta.log_error.code)
    assert.equal("[]", json.encode(t.logs))
    local leaf
    for _, s in ipairs(t.spans) do if #s.children == 0 then leaf = s end end
    assert.equal("[]", json.encode(leaf.children))
  end)

  it("are marked arrays in metrics results, empty ones included", function()
    local rows, meta = tinkr.metrics.query("rate(nope_total[5m])")
    assert.is_table(rows, tostring(meta))
    assert.equal("[]", json.encode(rows))
    assert.equal("[]", json.encode(meta.warnings))
    assert_rounded("query", meta.took_ms)
    local series, rmeta = tinkr.metrics.range("up", { since = "1h" })
    assert.is_table(series, tostring(rmeta))
    assert_all_marked("range", series, rmeta)
    series = tinkr.metrics.range("nope_total", { since = "1h" })
    assert.equal("[]", json.encode(series))
    assert_all_marked("recipes", tinkr.metrics.recipes())
  end)

  it("are marked arrays in tinkr.services results, empty ones included", function()
    local rows, meta = tinkr.services{ since = "1h" }
    assert.is_table(rows, tostring(meta))
    assert_all_marked("services", rows, meta)
    assert_rounded("services", meta.took_ms)
    rows, meta = tinkr.services{ since = "1h", service = "no-such-service" }
    assert.is_table(rows, tostring(meta))
    assert.equal("[]", json.encode(rows))
    assert.matches('"warnings":%[', json.encode(meta))
  end)

  it("are marked by map.rows even when a search has no hits", function()
    local rows = core.map.rows('{"took":1,"hits":{"total":{"value":0,"relation":"eq"},"hits":[]}}',
      { fields = { message = "body" } })
    assert.equal("[]", json.encode(rows))
    rows = core.map.rows('{"hits":{"hits":[{"_source":{"body":"x"}}]}}', { fields = { message = "body" } })
    assert.equal(json.array_mt, getmetatable(rows))
  end)
end)

describe("lists in CLI JSON output", function()
  local function env(extra)
    local e = support.env(SS4O, extra)
    e.XDG_CONFIG_HOME = e.XDG_CONFIG_HOME or "/nonexistent"
    return e
  end

  it("prints \"result\":[] for an empty instant query", function()
    local out, err, status = helpers.tinkr({ "metrics", "rate(nope_total[5m])", "--instant", "--format", "json" },
      { env = env() })
    assert.equal(1, status, err)
    local doc = assert(json.decode(out))
    assert.matches('"result":%[%]', out)
    assert.equal(0, #doc.result)
    assert.is_nil(tostring(doc.meta.took_ms):match("%.%d%d%d%d"), "took_ms rounded to µs")
  end)

  it("prints \"logs\":[] for a trace without readable logs, and says why on stderr in one line", function()
    local out, err, status = helpers.tinkr({ "trace", E.traces.slowest_root.trace_id, "--format", "json" },
      { env = env{ OTEL_LOG_INDEX = "no-such-logs" } })
    assert.equal(0, status, err)
    assert.matches('"logs":%[%]', out)
    local l = {}
    for line in err:gmatch("[^\n]+") do l[#l + 1] = line end
    assert.equal(1, #l, err)
    assert.matches("^tinkr: the logs of this trace could not be read: no index matches 'no%-such%-logs'", l[1])
  end)
end)

describe("map.ndjson", function()
  it("writes one line per hit whatever whitespace the stored _source has", function()
    local body = '{"hits":{"total":{"value":2,"relation":"eq"},"hits":[\n'
      .. '{"_id":"a","_source":{\n  "body" : [1,\n 2],\r\n\t"attributes": {"k v": "a b\\n c",\n "n": { }}}},\n'
      .. '{"_id":"b","_source":{"body":"x y"}},\n'
      .. '{"_id":"c","_source":{"body":{"q" : "say \\"hi\\\\\\" ",\n "e": "\\\\",\n  "x": [ 1 ]}}}]}}'
    local text = core.map.ndjson(body, { fields = { message = "body", attributes = "attributes" },
      hit_fields = { _id = "_id" }, order = { "message", "attributes" } })
    local l = {}
    for line in text:gmatch("[^\n]+") do l[#l + 1] = line end
    assert.equal(3, #l, text)
    assert.equal('{"message":[1,2],"attributes":{"k v":"a b\\n c","n":{}},"_id":"a"}', l[1])
    assert.equal('{"message":"x y","_id":"b"}', l[2])
    assert.equal('{"message":{"q":"say \\"hi\\\\\\" ","e":"\\\\","x":[1]},"_id":"c"}', l[3])
    for _, line in ipairs(l) do assert.is_table(json.decode(line), line) end
  end)
end)
