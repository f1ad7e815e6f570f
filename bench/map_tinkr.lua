-- tinkr's side of the map benchmark (run by bin/tinkr): read the response,
-- map.rows it with the fallback paths a real log mapping uses, print the
-- row count.
local core = require "tinkr.core"
local f = assert(io.open(assert(arg[1], "usage: map_tinkr.lua FILE"), "rb"))
local size = f:seek("end")
f:seek("set")
local body = f:read(size)
f:close()
local rows = assert(core.map.rows(body, {
  fields = {
    service = { "resource.service.name", "resource.attributes.service@name", "serviceName" },
    level = { "severity.text", "severityText", "severity" },
    timestamp = { "@timestamp", "time" },
    message = "body",
    trace_id = { "traceId", "traceID" },
  },
}))
print(#rows)
