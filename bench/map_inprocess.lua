-- In-process view of the map benchmark (run by bin/tinkr): the engine alone,
-- without process start or file reading.  Prints the median CPU and wall ms
-- of a pass for each way of reading the response:
--   map.rows <cpu> <wall>   map.ndjson <cpu> <wall>   cjson <cpu> <wall>
--   json.decode <cpu> <wall>
-- With LAYOUT (bench/map_layouts.lua) it maps with that layout's spec and
-- prints only the map.rows and map.ndjson lines.
local core = require "tinkr.core"
local path = assert(arg[1], "usage: map_inprocess.lua FILE [PASSES [LAYOUT]]")
local passes, layout = tonumber(arg[2] or "15"), arg[3]
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
if layout then   -- the layout's real spec, as `tinkr logs` / `tinkr traces` use it
  local here = arg[0]:match("^(.*)/[^/]*$") or "."
  local section = assert(dofile(here .. "/map_layouts.lua")[layout], "unknown layout").section
  local tl = require "tinkr.layout"
  spec = tl.map_spec(assert(tl.mapping(layout))[section])
end

local function walk(doc)
  local rows = {}
  for i, h in ipairs(doc.hits.hits) do
    local s = h._source
    rows[i] = { service = s.resource["service.name"], level = s.severity.text,
                timestamp = s["@timestamp"], message = s.body, trace_id = s.traceId }
  end
  return rows
end

local function median(t)
  table.sort(t)
  return t[(#t + 1) // 2]
end

local function measure(name, fn, n)
  local cpu, wall = {}, {}
  for i = 1, n or passes do
    collectgarbage("collect")
    local c, w = os.clock(), core.monotonic()
    local rows = fn()
    cpu[i], wall[i] = (os.clock() - c) * 1000, (core.monotonic() - w) * 1000
    assert(rows and (type(rows) == "string" or #rows > 0), name .. " mapped nothing")
  end
  print(string.format("%s %.2f %.2f", name, median(cpu), median(wall)))
end

measure("map.rows", function() return (core.map.rows(body, spec)) end)
measure("map.ndjson", function() return (core.map.ndjson(body, spec)) end)
if not layout then
  local cjson = require "cjson"
  measure("cjson", function() return walk(cjson.decode(body)) end, math.min(passes, 7))
  measure("json.decode", function() return walk(core.json.decode(body)) end, math.min(passes, 7))
end
