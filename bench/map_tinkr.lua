-- tinkr's side of the map benchmark: read the response, map.rows it with the
-- same fallback paths the real log mapping uses, print the row count.
local core = require "tinkr.core"
local f = assert(io.open(assert(arg[1], "usage: map_tinkr.lua FILE"), "rb"))
local body = f:read("a")
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
