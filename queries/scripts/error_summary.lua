-- error_summary: how many ERROR log lines each service wrote over a window.
--
--   POST /v1/scripts/error_summary   {"since": "1h"}
--   POST /v1/scripts/error_summary   {"since": "30m", "services": ["payments-api", "checkout"]}
--
-- params.since     window ending now (default "1h"); params.now pins "now"
-- params.services  optional: count exactly these (one query each, at once;
--                  at most max_fanout of them, the server's cap, else a 400);
--                  without it, up to params.limit (default 5000) ERROR lines
--                  are fetched and counted by service
-- Returns { since =, counts = { service = n }, total =, complete = }.
local since = params.since or "1h"

if params.services ~= nil then
  if type(params.services) ~= "table" or #params.services == 0 then
    error({ code = "usage", message = "services must be a non-empty list of service names" }, 0)
  end
  if #params.services > max_fanout then
    error({ code = "usage", message = ("services lists %d names; at most %d at once"):format(
      #params.services, max_fanout) }, 0)
  end
  local queries = {}
  for i, service in ipairs(params.services) do
    queries[i] = function()
      local rows, meta = tinkr.logs{ service = service, level = "ERROR", since = since, limit = 1, now = params.now }
      if not rows then error(meta, 0) end
      return meta.total
    end
  end
  local totals = table.pack(tinkr.all(queries))
  local counts, total = {}, 0
  for i, service in ipairs(params.services) do
    counts[service] = totals[i]
    total = total + totals[i]
  end
  return { since = since, counts = counts, total = total, complete = true }
end

local rows, meta = tinkr.logs{ level = "ERROR", since = since, limit = params.limit or 5000, now = params.now,
                               fields = "service" }
if not rows then error(meta, 0) end
local counts = {}
for _, row in ipairs(rows) do
  local service = row.service or "(unknown)"
  counts[service] = (counts[service] or 0) + 1
end
return { since = since, counts = counts, total = meta.total, complete = #rows >= (meta.total or 0) }
