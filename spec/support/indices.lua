-- Arranging the shared stack's indices for specs that need the cluster to
-- look like one writer's: copies of the sample data under a writer's exact
-- index names (server-side _clone), and closing every other OTel index
-- for the duration of a spec (closed indices are invisible to searches,
-- _mapping and _resolve/index, as if absent).  Everything is reopened by
-- restore(), and reopen_all() at the start of a spec file repairs a run
-- that died half-way.
local config = require "tinkr.config"
local opensearch = require "tinkr.opensearch"
local json = require("tinkr.core").json

local M = {}

-- Every OTel index the stack (and these specs) may hold.
M.ALL = "otel-logs*,otel-traces*,ss4o_*,logs-otel-v1*,otel-v1-apm-span*,*jaeger-span-*,*jaeger-service-*,otel-ecs-logs*,otel-flat-logs*"

function M.client(url)
  local c = assert(opensearch.new(config.new{ getenv = function(k)
    if k == "OTEL_OPENSEARCH_URL" then return url end
  end }))
  return c
end

local function call(c, method, path, body)
  local doc, err = c:json(method, path, body)
  if not doc then error(("%s %s: %s"):format(method, path, tostring(err)), 2) end
  return doc
end
M.call = call

--- Names of the open indices matching pattern.
function M.open_names(c, pattern)
  local rows = call(c, "GET", "/_cat/indices/" .. pattern .. "?format=json&h=index,status&expand_wildcards=open")
  local names = {}
  for _, r in ipairs(rows) do names[#names + 1] = r.index end
  table.sort(names)
  return names
end

--- A copy of source under the name target (created by dynamic mapping, as a
--- writer without an index template would), unless it already holds as
--- many documents.
function M.copy(c, source, target)
  local want = call(c, "GET", "/" .. source .. "/_count").count
  local have = c:json("GET", "/" .. target .. "/_count")
  if have and have.count == want then return want end
  c:json("DELETE", "/" .. target)
  -- _clone hard-links the segments: instant, where _reindex of 54k
  -- documents takes half a minute on a busy machine.  It needs the source
  -- read-only for the moment.
  local block = { settings = { ["index.blocks.write"] = true } }
  call(c, "PUT", "/" .. source .. "/_settings", block)
  local ok, err = pcall(call, c, "POST", "/" .. source .. "/_clone/" .. target .. "?wait_for_active_shards=1",
    { settings = { ["index.blocks.write"] = json.null } })
  call(c, "PUT", "/" .. source .. "/_settings", { settings = { ["index.blocks.write"] = json.null } })
  if not ok then error(err, 0) end
  return want
end

--- Closes every OTel index except those matching keep (a pattern list);
--- returns what it closed.
function M.only(c, keep)
  local closed = {}
  for _, name in ipairs(M.open_names(c, M.ALL)) do
    local kept = false
    for _, k in ipairs(keep) do
      if name:match("^" .. k:gsub("[%-%.]", "%%%0"):gsub("%*", ".*") .. "$") then kept = true end
    end
    if not kept then closed[#closed + 1] = name end
  end
  if #closed > 0 then
    call(c, "POST", "/" .. table.concat(closed, ",") .. "/_close?wait_for_active_shards=0")
  end
  return closed
end

function M.restore(c, closed)
  if closed and #closed > 0 then
    call(c, "POST", "/" .. table.concat(closed, ",") .. "/_open?wait_for_active_shards=1")
  end
end

function M.reopen_all(c)
  call(c, "POST", "/" .. M.ALL .. "/_open?expand_wildcards=closed&wait_for_active_shards=1")
end

return M
