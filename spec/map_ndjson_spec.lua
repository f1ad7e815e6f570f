-- map.ndjson: hits straight to JSON lines from the raw value text, and the
-- C RFC 3339 helpers it uses (checked against the Lua reference in tinkr.time).
local core = require "tinkr.core"
local time = require "tinkr.time"
local json = core.json

local function search(hits)
  local parts = {}
  for i, h in ipairs(hits) do parts[i] = h end
  return '{"took":1,"hits":{"total":{"value":' .. #hits .. ',"relation":"eq"},"hits":[' .. table.concat(parts, ",") .. ']}}'
end

local function lines(text)
  local out = {}
  for l in text:gmatch("[^\n]+") do out[#out + 1] = l end
  return out
end

describe("map.ndjson", function()
  local spec = {
    fields = { timestamp = "@timestamp", service = "resource.service.name", message = "body", attributes = "attributes" },
    hit_fields = { _id = "_id" },
    order = { "timestamp", "service", "message" },
    time_field = "timestamp",
  }

  it("writes one line per hit, fields in the given order, values as stored", function()
    local body = search{
      '{"_id":"a","_source":{"@timestamp":"2026-11-26T11:35:58.120Z","resource":{"service.name":"pay\\"api"},"body":"line1\\nline2","attributes":{"k": [1, 2.50, {"x":null}]}}}',
      '{"_id":"b","_source":{"body":"only"}}',
    }
    local text, meta = core.map.ndjson(body, spec)
    local l = lines(text)
    assert.equal(2, #l)
    assert.equal('{"timestamp":"2026-11-26T11:35:58.120Z","service":"pay\\"api","message":"line1\\nline2",'
      .. '"attributes":{"k": [1, 2.50, {"x":null}]},"_id":"a","time_ns":1795692958120000000}', l[1])
    assert.equal('{"message":"only","_id":"b"}', l[2])
    assert.equal(2, meta.hits)
    assert.equal(2, meta.total)
    for _, line in ipairs(l) do assert.is_table(json.decode(line)) end
  end)

  it("normalises the time field to UTC and adds exact time_ns", function()
    local body = search{
      '{"_source":{"@timestamp":"2026-11-26T13:00:00.123456789+01:00"}}',
      '{"_source":{"@timestamp":1795690405725}}',
      '{"_source":{"@timestamp":"not a time"}}',
    }
    local l = lines((core.map.ndjson(body, spec)))
    local a, b, c = json.decode(l[1]), json.decode(l[2]), json.decode(l[3])
    assert.equal("2026-11-26T12:00:00.123456789Z", a.timestamp)
    assert.equal(1795694400123456789, a.time_ns)
    assert.equal("2026-11-26T10:53:25.725Z", b.timestamp)
    assert.equal(1795690405725000000, b.time_ns)
    assert.equal("not a time", c.timestamp)   -- kept as stored, and no time_ns
    assert.is_nil(c.time_ns)
  end)

  it("leaves out null values and escapes odd field names", function()
    local body = search{ '{"_source":{"a":null,"b":1}}' }
    local text = core.map.ndjson(body, { fields = { ['we"ird'] = "b", a = "a" } })
    assert.equal('{"we\\"ird":1}\n', text)
  end)

  it("keeps last_sort for paging", function()
    local body = search{ '{"_source":{},"sort":[1795690405725,"id-9"]}' }
    local _, meta = core.map.ndjson(body, spec)
    assert.same({ 1795690405725, "id-9" }, { meta.last_sort[1], meta.last_sort[2] })
  end)

  it("rejects invalid JSON with the byte offset, and bad options as misuse", function()
    local text, err = core.map.ndjson('{"hits":{"hits":[{"_source":{"a":tru}}]}}', spec)
    assert.is_nil(text)
    assert.matches("invalid JSON at byte %d+", err)
    assert.has_error(function() core.map.ndjson("{}", { fields = { a = "a" }, order = { "nope" } }) end)
    assert.has_error(function() core.map.ndjson("{}", { fields = { a = "a" }, time_field = "nope" }) end)
  end)
end)

describe("map.ndjson's timestamps", function()
  -- Text already as iso_format writes it is copied; anything else is
  -- parsed and written again: either way the line must say what
  -- iso_format(iso_ns(text)) says.
  it("are what iso_format writes, whether copied or written again", function()
    local spec = { fields = { t = "t" }, time_field = "t" }
    for _, text in ipairs{
      "2026-11-26T11:59:59.864655328Z", "2026-11-26T11:59:59.864655000Z", "2026-11-26T11:59:59.864000000Z",
      "2026-11-26T11:59:59.864655Z", "2026-11-26T11:59:59.864Z", "2026-11-26T11:59:59.000Z",
      "2026-11-26T11:59:59.864000Z", "2026-11-26T11:59:59Z", "2026-11-26t11:59:59.864z",
      "2026-11-26T12:59:59.864+01:00", "2026-11-26T11:59:60.864Z", "2026-11-26 11:59:59.864Z",
      "1969-12-31T23:59:59.123456789Z", "0001-01-01T00:00:00.001Z", "2026-11-26T11:59:59.8646553281Z",
      "1677-09-21T00:12:44Z", "2262-04-11T23:47:16.854775807Z", "2262-04-12T00:00:00Z", "9999-12-31",
    } do
      local ns = core.iso_ns(text)
      local line = assert(core.map.ndjson(search{ '{"_source":{"t":"' .. text .. '"}}' }, spec))
      local row = json.decode(line)
      if ns then
        assert.equal(core.iso_format(ns), row.t, text)
        assert.equal(ns, row.time_ns, text)
      else                       -- no int64 nanoseconds for it: kept as stored
        assert.equal(text, row.t)
        assert.is_nil(row.time_ns)
      end
    end
    local line = assert(core.map.ndjson(search{ '{"_source":{"t":1795694399864}}' }, spec))
    assert.equal("2026-11-26T11:59:59.864Z", json.decode(line).t)
  end)
end)

describe("core.iso_ns / core.iso_format", function()
  it("agree with tinkr.time on instants across centuries and fractions", function()
    local rnd = 20261126
    local function next_int(n)
      rnd = (rnd * 1103515245 + 12345) % 2147483648
      return rnd % n
    end
    for _ = 1, 2000 do
      local secs = next_int(2 ^ 31) * 2 - 2 ^ 31 + next_int(2 ^ 20)
      local frac = ({ 0, next_int(1000) * 1000000, next_int(1000000) * 1000, next_int(1000000000) })[next_int(4) + 1]
      local ns = secs * 1000000000 + frac
      local text = core.iso_format(ns)
      assert.equal(ns, core.iso_ns(text))
      assert.equal(ns, time.from_iso_ns(text))
    end
  end)

  it("reads offsets, lower-case separators and dates alone, and rejects the rest", function()
    assert.equal(time.from_iso_ns("2026-11-26T12:00:00Z"), core.iso_ns("2026-11-26t13:30:00+01:30"))
    assert.equal(time.from_iso_ns("2026-11-26T00:00:00Z"), core.iso_ns("2026-11-26"))
    assert.equal(time.from_iso_ns("2024-02-29T00:00:00Z"), core.iso_ns("2024-02-29 00:00:00z"))
    -- outside int64 nanoseconds (1677-09-21 .. 2262-04-11): no number, never an overflow
    for _, far in ipairs{ "0001-01-01T00:00:00Z", "1600-01-01", "2300-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z" } do
      assert.is_nil(core.iso_ns(far), far)
    end
    assert.is_number(core.iso_ns("1700-01-01T00:00:00Z"))
    assert.is_number(core.iso_ns("2262-01-01"))
    for _, bad in ipairs{ "2026-02-29", "2026-13-01T00:00:00Z", "2026-11-26T24:00:00Z", "2026-11-26T12:00",
      "2026-11-26T12:00:00.Z", "2026-11-26T12:00:00+0100", "x", "" } do
      assert.is_nil(core.iso_ns(bad), bad)
    end
  end)
end)
