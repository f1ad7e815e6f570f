-- Exports compared with the index, id by id: what `tinkr logs --limit 0`
-- returned against every document id OpenSearch holds (read with a scroll,
-- which every version has).  For the version and cluster specs.
local helpers = require "helpers"
local core = require "tinkr.core"
local json = core.json

local M = {}

-- The logs layouts of the sample data (index patterns as tinkr takes them).
M.LOG_LAYOUTS = {
  { name = "seed", logs = "otel-logs-*" },
  { name = "ss4o", logs = "ss4o_logs-*" },
  { name = "dataprepper", logs = "logs-otel-v1*" },
}

local function post(url, body)
  local res, err = core.http.request{ method = "POST", url = url, body = json.encode(body),
    headers = { ["Content-Type"] = "application/json" }, timeout = 120 }
  assert(res, err and err.message)
  assert(res.status == 200, ("%s -> HTTP %d: %s"):format(url, res.status, res.body:sub(1, 300)))
  return json.decode(res.body)
end

--- Every _id in the indices of pattern: set, count.
function M.index_ids(base, pattern)
  local doc = post(base .. "/" .. pattern .. "/_search?scroll=1m",
    { size = 10000, _source = false, sort = { "_doc" }, query = { match_all = { boost = 1 } } })
  local ids, n = {}, 0
  while true do
    local hits = doc.hits.hits
    if #hits == 0 then break end
    for _, h in ipairs(hits) do
      ids[h._id] = true
      n = n + 1
    end
    doc = post(base .. "/_search/scroll", { scroll = "1m", scroll_id = doc._scroll_id })
  end
  pcall(core.http.request, { method = "DELETE", url = base .. "/_search/scroll/_all" })
  return ids, n
end

--- Runs `tinkr logs --limit 0 --fields _id` (ndjson); returns the id list
--- (in order, duplicates kept), stderr, exit status.
function M.export_ids(env, extra_args)
  local args = { "logs", "--since", "30d", "--limit", "0", "--fields", "_id", "--format", "ndjson" }
  for _, a in ipairs(extra_args or {}) do args[#args + 1] = a end
  local out, err, status = helpers.tinkr(args, { env = env })
  local list = {}
  for id in out:gmatch('"_id":"([^"]+)"') do list[#list + 1] = id end
  return list, err, status
end

--- Compares an export with the index: duplicates, missing, unknown.
function M.compare(list, ids, n)
  local seen, dups, unknown = {}, 0, 0
  for _, id in ipairs(list) do
    if seen[id] then dups = dups + 1 end
    if not ids[id] then unknown = unknown + 1 end
    seen[id] = true
  end
  local missing = 0
  for id in pairs(ids) do if not seen[id] then missing = missing + 1 end end
  return { returned = #list, in_index = n, duplicates = dups, missing = missing, unknown = unknown }
end

return M
