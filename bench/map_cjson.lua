-- The naive Lua way (run by lua5.4 with Debian's lua-cjson): decode the whole
-- response, then walk it for the same projection as bench/map_tinkr.lua.
local cjson = require "cjson"
local f = assert(io.open(assert(arg[1], "usage: map_cjson.lua FILE"), "rb"))
local size = f:seek("end")
f:seek("set")
local body = f:read(size)
f:close()
local doc = cjson.decode(body)
local rows = {}
for i, h in ipairs(doc.hits.hits) do
  local s = h._source
  rows[i] = {
    service = s.resource["service.name"],
    level = s.severity.text,
    timestamp = s["@timestamp"],
    message = s.body,
    trace_id = s.traceId,
  }
end
print(#rows)
