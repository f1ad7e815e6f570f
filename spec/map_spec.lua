-- tinkr.core.map.rows: OpenSearch _search responses to rows, for the three
-- document layouts in the wild, with strict validation of the whole body.
local core = require "tinkr.core"
local json, map = core.json, core.map

-- A search response around the given hit texts (raw JSON, key order kept).
local function response(hits, extra)
  return '{"took":7,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},'
    .. '"hits":{"total":{"value":' .. #hits .. ',"relation":"eq"},"max_score":null,"hits":['
    .. table.concat(hits, ",") .. "]}" .. (extra or "") .. "}"
end

local function hit(source, rest)
  return '{"_index":"logs","_id":"id1","_score":null,"_source":' .. source .. (rest or "") .. "}"
end

local LOG_FIELDS = {
  service = { "resource.service.name", "resource.attributes.service@name", "serviceName" },
  level = { "severity.text", "severityText", "severity" },
  timestamp = { "@timestamp", "time" },
  message = "body",
  trace_id = { "traceId", "traceID" },
}

local function rows_of(body, spec)
  local rows, meta = map.rows(body, spec or { fields = LOG_FIELDS })
  assert.is_table(rows, meta)
  return rows, meta
end

local function one(source, spec)
  local rows = rows_of(response { hit(source) }, spec)
  assert.equal(1, #rows)
  return rows[1]
end

describe("map.rows field shapes", function()
  it("reads the Collector exporter's ss4o shape (flat dotted keys)", function()
    local r = one([[{"@timestamp":"2025-11-26T16:00:00.123456789Z","body":"boom",
      "severity":{"text":"ERROR","number":17},"resource":{"service.name":"payments-api","host.name":"h"},
      "attributes":{"http.method":"GET"},"traceId":"abc","spanId":"def"}]])
    assert.same({ service = "payments-api", level = "ERROR", timestamp = "2025-11-26T16:00:00.123456789Z",
                  message = "boom", trace_id = "abc" }, r)
  end)

  it("reads the seed's nested shape", function()
    local r = one([[{"@timestamp":"t1","severity":"WARN","body":"m",
      "resource":{"service":{"name":"cart"}}}]])
    assert.same({ service = "cart", level = "WARN", timestamp = "t1", message = "m" }, r)
  end)

  it("reads Data Prepper's shape (service@name, severityText, time)", function()
    local r = one([[{"time":"t2","severityText":"INFO","body":"b","traceId":"x",
      "resource":{"attributes":{"service@name":"inventory","host@name":"h"}}}]])
    assert.same({ service = "inventory", level = "INFO", timestamp = "t2", message = "b", trace_id = "x" }, r)
    local span = one([[{"serviceName":"checkout","traceId":"t"}]])
    assert.equal("checkout", span.service)
  end)

  it("matches mixes of nesting and dotted keys", function()
    local spec = { fields = { s = "resource.service.name" } }
    assert.equal("a", one([[{"resource.service.name":"a"}]], spec).s)
    assert.equal("b", one([[{"resource.service":{"name":"b"}}]], spec).s)
    assert.equal("c", one([[{"resource":{"service":{"name":"c"}}}]], spec).s)
    assert.equal("d", one([[{"resource":{"service.name":"d"}}]], spec).s)
    assert.equal("e", one([[{"x":1,"resource":{"other":2,"service":{"x":[1],"name":"e"}}}]], spec).s)
    assert.is_nil(one([[{"resource":{"service":{"names":"x"},"service.nam":"y"}}]], spec).s)
    assert.is_nil(one([[{"resourc":{"e.service.name":"x"}}]], spec).s)
  end)

  it("matches keys written with escapes", function()
    local r = one([[{"resource":{"service\u002ename":"esc"},"b\u006fdy":"m"}]])
    assert.equal("esc", r.service)
    assert.equal("m", r.message)
  end)

  it("matches an escaped key both as a value and as a way down", function()
    local r = one([[{"a\u0062":{"x\u0079":1,"q\u0071":2}}]], { fields = { whole = "ab", inner = "ab.xy" } })
    assert.equal(1, r.inner)
    assert.same({ xy = 1, qq = 2 }, r.whole)
  end)

  it("unescapes values, and passes plain ones through", function()
    local r = one([[{"body":"line1\nline2 \"q\" \u00e9\ud83d\ude00","traceId":"plain"}]])
    assert.equal('line1\nline2 "q" é😀', r.message)
    assert.equal("plain", r.trace_id)
  end)

  it("lets the first path in the list win, whatever the document order", function()
    local a = one([[{"severity":"S","severityText":"T","severity.text":"F"}]])
    assert.equal("F", a.level)
    local b = one([[{"severity.text":"F","severityText":"T","severity":"S"}]])
    assert.equal("F", b.level)
    local c = one([[{"severityText":"T","severity":{"number":9}}]])
    assert.equal("T", c.level)
    local d = one([[{"severity":{"number":9}}]])
    assert.same({ number = 9 }, d.level)   -- the last fallback takes the object
  end)

  it("skips null values and falls back", function()
    local r = one([[{"severity":{"text":null},"severityText":"WARN","body":null}]])
    assert.equal("WARN", r.level)
    assert.is_nil(r.message)
  end)

  it("leaves missing fields absent", function()
    local r = one([[{"body":"only"}]])
    assert.same({ message = "only" }, r)
    assert.same({}, one("{}"))
  end)

  it("does not descend into arrays or scalars", function()
    local spec = { fields = { s = "a.b" } }
    assert.is_nil(one([[{"a":[{"b":1}]}]], spec).s)
    assert.is_nil(one([[{"a":"b"}]], spec).s)
    assert.equal(2, one([[{"a":[{"b":1}],"a.b":2}]], spec).s)
  end)

  it("decodes object and array values like json.decode", function()
    local r = one([[{"attributes":{"http.method":"GET","n":[1,null,1764172800000000123],"o":{}},"tags":[]}]],
      { fields = { attributes = "attributes", tags = "tags" } })
    assert.equal("GET", r.attributes["http.method"])
    assert.equal(json.array_mt, getmetatable(r.attributes.n))
    assert.equal(json.null, r.attributes.n[2])
    assert.equal(1764172800000000123, r.attributes.n[3])
    assert.equal(json.array_mt, getmetatable(r.tags))
    assert.equal("[]", json.encode(r.tags))
  end)

  it("keeps numbers and booleans typed", function()
    local r = one([[{"n":1764172800000000123,"f":1.5,"t":true,"z":false}]],
      { fields = { n = "n", f = "f", t = "t", z = "z" } })
    assert.equal("integer", math.type(r.n))
    assert.equal(1764172800000000123, r.n)
    assert.equal(1.5, r.f)
    assert.is_true(r.t)
    assert.is_false(r.z)
  end)

  it("serves a path and a longer path under it from one value", function()
    local r = one([[{"attributes":{"http.method":"GET","x":1}}]],
      { fields = { attributes = "attributes", method = "attributes.http.method" } })
    assert.equal("GET", r.method)
    assert.equal(1, r.attributes.x)
    local same = one([[{"a":"v"}]], { fields = { one = "a", two = "a" } })
    assert.same({ one = "v", two = "v" }, same)
  end)
end)

describe("map.rows hit fields and meta", function()
  it("reads fields of the hit itself", function()
    local body = response {
      '{"_index":"ss4o_logs","_id":"X1","_score":null,"_source":{"body":"a"},"sort":[1764172800000000123,"X1"]}',
      '{"_index":"ss4o_logs","_id":"X2","_score":1.5,"_source":{"body":"b"},"sort":[1764172800000000124,"X2"]}',
    }
    local rows = rows_of(body, { fields = { message = "body" },
      hit_fields = { id = "_id", index = "_index", sort = "sort", score = "_score" } })
    assert.equal("X1", rows[1].id)
    assert.equal("ss4o_logs", rows[1].index)
    assert.is_nil(rows[1].score)
    assert.equal(1.5, rows[2].score)
    assert.equal(1764172800000000123, rows[1].sort[1])
    assert.equal("X2", rows[2].sort[2])
    assert.equal("b", rows[2].message)
  end)

  it("can hand out the whole _source as a table", function()
    local rows = rows_of(response { hit('{"body":"a","n":{"x":1}}') },
      { fields = { message = "body" }, hit_fields = { source = "_source" } })
    assert.equal("a", rows[1].message)
    assert.equal(1, rows[1].source.n.x)
  end)

  it("fills meta from a current response", function()
    local body = '{"took":12,"timed_out":true,"_shards":{"total":5,"successful":4,"skipped":0,"failed":1},'
      .. '"pit_id":"p1t==","hits":{"total":{"value":10000,"relation":"gte"},"max_score":null,"hits":['
      .. '{"_id":"a","_source":{},"sort":[1,"a"]},{"_id":"b","_source":{},"sort":[9223372036854775807,"b"]}]}}'
    local rows, meta = rows_of(body)
    assert.equal(2, #rows)
    assert.equal(10000, meta.total)
    assert.equal("gte", meta.relation)
    assert.equal(12, meta.took)
    assert.is_true(meta.timed_out)
    assert.equal(2, meta.hits)
    assert.equal(1, meta.shards_failed)
    assert.equal("p1t==", meta.pit_id)
    assert.equal(math.maxinteger, meta.last_sort[1])
    assert.equal("integer", math.type(meta.last_sort[1]))
    assert.equal("b", meta.last_sort[2])
    assert.is_nil(meta.scroll_id)
  end)

  it("reads the old integer total and a scroll id", function()
    local body = '{"_scroll_id":"DXF1","took":1,"hits":{"total":42,"hits":[{"_source":{"body":"x"}}]}}'
    local rows, meta = rows_of(body)
    assert.equal("x", rows[1].message)
    assert.equal(42, meta.total)
    assert.equal("eq", meta.relation)
    assert.equal("DXF1", meta.scroll_id)
    assert.is_nil(meta.last_sort)
  end)

  it("takes last_sort from the last hit only", function()
    local body = response { hit("{}", ',"sort":[5]'), hit("{}") }
    local _, meta = rows_of(body)
    assert.is_nil(meta.last_sort)
  end)

  it("handles an empty result", function()
    local rows, meta = rows_of('{"took":1,"hits":{"total":{"value":0,"relation":"eq"},"hits":[]}}')
    assert.same({}, rows)
    assert.equal(0, meta.hits)
    assert.equal(0, meta.total)
    assert.is_nil(meta.last_sort)
  end)

  it("works without total (track_total_hits=false) and without _source", function()
    local rows, meta = rows_of('{"hits":{"hits":[{"_id":"a"}]}}', { hit_fields = { id = "_id" } })
    assert.same({ { id = "a" } }, rows)
    assert.is_nil(meta.total)
  end)
end)

describe("map.rows on bad input", function()
  local ERR = "^invalid JSON at byte %d+: "
  local SAMPLE = response({
    hit([[{"@timestamp":"t","body":"a\"b","severity":{"text":"E","number":17},"resource":{"service.name":"s"}}]],
      ',"sort":[1764172800000000123,"x"]'),
    hit([[{"attributes":{"k":[1,2.5e3,null,true,{"z":"\u00e9"}]},"body":"c"}]]),
  }, ',"pit_id":"p"')

  local function fails(body, spec)
    local rows, err = map.rows(body, spec or { fields = LOG_FIELDS })
    assert.is_nil(rows)
    assert.is_string(err)
    return err
  end

  it("says when valid JSON is not a search response", function()
    assert.matches("^not a search response: no hits.hits %(top%-level keys: error, status%)$",
      fails('{"error":{"type":"index_not_found_exception"},"status":404}'))
    assert.matches("^not a search response: the top level is not an object", fails("[1,2]"))
    assert.matches("^not a search response: hits.hits is not an array", fails('{"hits":{"hits":{}}}'))
    assert.matches("^not a search response: hits is not an object", fails('{"hits":[]}'))
    assert.matches("^not a search response: hits.hits%[2%] is not an object", fails('{"hits":{"hits":[{},3]}}'))
    assert.matches("^not a search response: no hits.hits %(top%-level keys: none%)", fails("{}"))
  end)

  it("prefers the JSON error when the body is both", function()
    assert.matches(ERR, fails('{"error":1,}'))
    assert.matches(ERR, fails('[1,2'))
  end)

  it("validates parts nobody asked for, with exact offsets", function()
    local body = response { hit([[{"body":"ok","unused":{"deep":["x\q"]}}]]) }
    local err = fails(body)
    local at = tonumber(err:match("at byte (%d+)"))
    assert.equal(body:find("\\q", 1, true), at)
    assert.matches("invalid escape", err)
    body = response { hit([[{"body":"ok","unused":01}]]) }
    assert.matches("leading zeros", fails(body))
    assert.matches("unexpected data after", fails(SAMPLE .. " x"))
    assert.matches("trailing comma", fails(response { hit('{"a":1,}') }))
    assert.matches("control character", fails(response { hit('{"body":"a\tb"}') }))
    assert.matches("UTF%-8", fails(response { hit('{"skip":"\xff"}') }))
  end)

  it("fails cleanly on every truncation of a response", function()
    assert.is_table((map.rows(SAMPLE, { fields = LOG_FIELDS, hit_fields = { sort = "sort" } })))
    for n = 0, #SAMPLE - 1 do
      local err = fails(SAMPLE:sub(1, n), { fields = LOG_FIELDS, hit_fields = { sort = "sort" } })
      assert.matches(ERR, err)
      local at = tonumber(err:match("at byte (%d+)"))
      assert.is_true(at >= 1 and at <= n + 1)
    end
  end)

  it("survives random garbage and mutated responses", function()
    math.randomseed(4242)
    local spec = { fields = LOG_FIELDS, hit_fields = { id = "_id", sort = "sort" } }
    for _ = 1, 300 do
      local bytes = {}
      for i = 1, math.random(0, 64) do bytes[i] = string.char(math.random(0, 255)) end
      local rows, err = map.rows(table.concat(bytes), spec)
      assert.is_nil(rows)
      assert.is_string(err)
    end
    local alphabet = '{}[]":,\\ 0123456789-.eEtrufalsn\xc3\xff'
    for _ = 1, 2000 do
      local i = math.random(1, #SAMPLE)
      local c = math.random(1, #alphabet)
      local text = SAMPLE:sub(1, i - 1) .. alphabet:sub(c, c) .. SAMPLE:sub(i + 1)
      local rows, err = map.rows(text, spec)
      if rows == nil then
        assert.is_true(err:find("^invalid JSON at byte %d+: ") ~= nil or err:find("^not a search response: ") ~= nil, err)
      end
    end
  end)

  it("limits nesting to 1000 levels inside hits, without crashing deeper", function()
    -- response + hits + hit + _source + "n" = 5 levels above the filler
    local ok = response { hit('{"n":' .. string.rep("[", 995) .. string.rep("]", 995) .. "}") }
    assert.is_table((map.rows(ok, { fields = { n = "n" } })))
    local deep = response { hit('{"n":' .. string.rep("[", 996) .. string.rep("]", 996) .. "}") }
    assert.matches("nesting deeper than 1000", fails(deep, { fields = { n = "n" } }))
    assert.matches("nesting deeper than 1000", fails(deep, { fields = { other = "x" } }))
    local abyss = response { hit('{"n":' .. string.rep('{"n":', 100000)) }
    assert.matches("nesting deeper than 1000", fails(abyss, { fields = { n = "n.n.n.n" } }))
  end)

  it("maps a 50 MB response, and rejects one with a bad byte deep inside", function()
    local filler = string.rep("0123456789abcdef", 320)   -- 5 KB nobody asked for
    local hits = {}
    for i = 1, 10000 do
      hits[i] = '{"_id":"' .. i .. '","_source":{"@timestamp":"t' .. i .. '","blob":"' .. filler
        .. '","body":"m' .. i .. '","resource":{"service.name":"svc"}},"sort":[' .. (1764172800000000000 + i) .. "]}"
    end
    local body = response(hits)
    assert.is_true(#body > 50 * 1000 * 1000)
    local rows, meta = map.rows(body, { fields = LOG_FIELDS })
    assert.equal(10000, #rows)
    assert.equal("m10000", rows[10000].message)
    assert.equal("svc", rows[5000].service)
    assert.equal(1764172800000010000, meta.last_sort[1])

    local pos = #body - 3000
    assert.matches("^%x$", body:sub(pos, pos))   -- inside the filler
    local bad = body:sub(1, pos - 1) .. "\31" .. body:sub(pos + 1)
    local err = fails(bad)
    assert.equal("invalid JSON at byte " .. pos .. ": control character in string (must be escaped)", err)
  end)
end)

describe("map.rows argument checks", function()
  local body = response { hit("{}") }
  local function raises(spec, pattern)
    local ok, err = pcall(map.rows, body, spec)
    assert.is_false(ok)
    assert.matches("^bad argument #2 to '[^']*' %(", err)
    assert.matches(pattern, err)
  end

  it("raises for a malformed spec", function()
    raises(nil, "table expected")
    raises({ field = {} }, "unknown option 'field'")
    raises({ fields = "x" }, "'fields' must be a table")
    raises({ fields = { a = 1 } }, "fields.a: a path or a list of paths expected")
    raises({ fields = { a = "" } }, "fields.a: empty path")
    raises({ fields = { a = {} } }, "fields.a: empty list of paths")
    raises({ fields = { a = { "x", 2 } } }, "fields.a: paths must be non%-empty strings")
    raises({ fields = { [1] = "x" } }, "field names must be strings")
    raises({ fields = { id = "x" }, hit_fields = { id = "_id" } }, "field 'id' is named twice")
  end)

  it("raises for a body that is not a string", function()
    assert.has_error(function() map.rows(nil, {}) end)
    assert.has_error(function() map.rows({}, {}) end)
  end)

  it("accepts a spec with no fields", function()
    local rows = map.rows(body, {})
    assert.same({ {} }, rows)
  end)
end)
