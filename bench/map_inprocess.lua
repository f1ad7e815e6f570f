-- In-process view of the map benchmark (run by bin/tinkr): the engine alone,
-- without process start or file reading.  Prints median CPU ms per pass:
--   map.rows <ms>   cjson <ms>   json.decode <ms>
local core = require "tinkr.core"
local cjson = require "cjson"
local path, passes = assert(arg[1], "usage: map_inprocess.lua FILE [PASSES]"), tonumber(arg[2] or "15")
local f = assert(io.open(path, "rb"))
local body = f:read("a")
f:close()

local spec = {
  fields = {
    service = { "resource.service.name", "resource.attributes.service@name", "serviceName" },
    level = { "severity.text", "severityText", "severity" },
    timestamp = { "@timestamp", "time" },
    message = "body",
    trace_id = { "traceId", "traceID" },
  },
}

local function walk(doc)
  local rows = {}
  for i, h in ipairs(doc.hits.hits) do
    local s = h._source
    rows[i] = { service = s.resource["service.name"], level = s.severity.text,
                timestamp = s["@timestamp"], message = s.body, trace_id = s.traceId }
  end
  return rows
end

local function median_ms(fn)
  local t = {}
  for i = 1, passes do
    collectgarbage("collect")
    local c = os.clock()
    local rows = fn()
    t[i] = (os.clock() - c) * 1000
    assert(#rows == 10000 or #rows > 0)
  end
  table.sort(t)
  return t[(passes + 1) // 2]
end

print(string.format("map.rows %.2f", median_ms(function() return (core.map.rows(body, spec)) end)))
print(string.format("cjson %.2f", median_ms(function() return walk(cjson.decode(body)) end)))
print(string.format("json.decode %.2f", median_ms(function() return walk(core.json.decode(body)) end)))
