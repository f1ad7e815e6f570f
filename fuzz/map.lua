-- The map path (tinkr.core.map.rows / ndjson): any bytes, as a whole
-- response or as the hits inside one, give rows or nil, err, never a raise;
-- and a body json.decode refuses is refused with the same error (offset
-- included), one it accepts is never called invalid JSON.
local core = require "tinkr.core"
local map, json = core.map, core.json

local SPEC = {
  fields = {
    service = { "resource.service.name", "resource.attributes.service@name", "serviceName" },
    level = { "severity.text", "severityText", "severity" },
    timestamp = { "@timestamp", "time" },
    message = "body",
    trace_id = { "traceId", "traceID" },
    attrs = "attributes",
  },
  hit_fields = { id = "_id", index = "_index" },
}

return function(data)
  local bodies = {
    data,
    '{"took":1,"hits":{"total":{"value":1,"relation":"eq"},"hits":[' .. data .. ']}}',
    '{"hits":{"hits":[{"_id":"x","_source":' .. data .. '}]}}',
  }
  for _, body in ipairs(bodies) do
    local _, want = json.decode(body)
    for _, f in ipairs{ map.rows, map.ndjson } do
      local rows, meta = f(body, SPEC)
      assert(rows ~= nil or meta ~= nil, "map answered nothing")
      if want then
        assert(rows == nil and meta == want, "map and json.decode disagree on a bad body")
      elseif rows == nil then
        assert(not tostring(meta):find("^invalid JSON"), "map refused JSON that json.decode reads")
      end
    end
  end
end
