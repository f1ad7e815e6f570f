-- Streamed exports: `tinkr logs --limit 0 --format ndjson` and
-- GET /v1/logs?limit=0 (chunked NDJSON) against the real OpenSearch, for
-- every sample layout: every document once, and (plain pass) peak memory
-- under 64 MB for the CLI and the server.
local helpers = require "helpers"
local server = require "support.server"
local core = require "tinkr.core"

local json = core.json
local ASAN = (os.getenv("TINKR_BIN") or ""):match("%-asan$") ~= nil
local LIMIT_KB = 64 * 1024

local function check_lines(text, total)
  local ids, n = {}, 0
  for line in text:gmatch("[^\n]+") do
    local row = json.decode(line)
    assert(type(row) == "table" and row._id, "not a row: " .. line:sub(1, 200))
    assert.is_nil(ids[row._id], "row twice: " .. row._id)
    ids[row._id] = true
    n = n + 1
  end
  assert.are.equal(total, n)
end

describe("streamed exports", function()
  local stack, total, layouts
  setup(function()
    stack = require("support.stack").get()
    total = stack.expected.logs.total
    layouts = {}
    for name, l in pairs(stack.expected.layouts) do layouts[#layouts + 1] = { name = name, pattern = l.logs_pattern } end
    table.sort(layouts, function(a, b) return a.name < b.name end)
    -- Under ASan one layout is enough to check the streaming code; the
    -- three full exports (and the memory figures) are the plain pass's.
    if ASAN then layouts = { layouts[#layouts] } end
  end)

  it("the CLI writes every log line of every layout once" .. (ASAN and "" or ", under 64 MB"), function()
    for _, l in ipairs(layouts) do
      local cmd = ("/usr/bin/time -f 'maxrss_kb=%%M' %s logs --since 24h --limit 0 --format ndjson"):format(
        helpers.shell_quote(helpers.tinkr_bin()))
      local out, err, status = helpers.run(cmd, { env = {
        OTEL_OPENSEARCH_URL = stack.opensearch, OTEL_LOG_INDEX = l.pattern, TINKR_NOW = stack.now } })
      assert.are.equal(0, status, l.name .. ": " .. err)
      check_lines(out, total)
      out = nil
      local kb = tonumber(err:match("maxrss_kb=(%d+)"))
      assert(kb, err)
      if not ASAN then
        assert.is_true(kb < LIMIT_KB, ("%s: peak RSS %d KB"):format(l.name, kb))
      end
    end
  end)

  -- Runs of 7,000 documents sharing one timestamp, so page boundaries
  -- (5,000 hits, then pages sized by bytes) fall inside them: the sort's
  -- tiebreaker alone decides where the next page starts.  One shard: the
  -- point in time's document number (_doc); three shards: _id.
  describe("documents sharing a timestamp across page boundaries", function()
    local made = {}
    teardown(function()
      for _, name in ipairs(made) do core.http.request{ method = "DELETE", url = stack.opensearch .. "/" .. name } end
    end)

    for _, case in ipairs{ { shards = 1, tiebreaker = '{"_doc":"asc"}' }, { shards = 3, tiebreaker = '{"_id":"asc"}' } } do
      it(("are exported once each from %d shard(s), with %s as the tiebreaker"):format(case.shards, case.tiebreaker), function()
        local name = ("tinkr-export-ties-%d-%d-%d"):format(case.shards, os.time(), math.random(1e6))
        made[#made + 1] = name
        local res = assert(core.http.request{ method = "PUT", url = stack.opensearch .. "/" .. name,
          headers = { ["Content-Type"] = "application/json" },
          body = json.encode{ settings = { number_of_shards = case.shards, number_of_replicas = 0 },
            mappings = { properties = { ["@timestamp"] = { type = "date" }, severity = { type = "keyword" } } } } })
        assert(res.status == 200, res.body)
        local lines, t0 = {}, core.now_ns() // 1000000 - 60000
        for i = 0, 27999 do
          lines[#lines + 1] = '{"index":{}}'
          lines[#lines + 1] = ('{"@timestamp":%d,"severity":"INFO","body":"tie %d"}'):format(t0 - (i // 7000) * 1000, i)
        end
        res = assert(core.http.request{ method = "POST", url = stack.opensearch .. "/" .. name .. "/_bulk?refresh=true",
          headers = { ["Content-Type"] = "application/x-ndjson" }, body = table.concat(lines, "\n") .. "\n", timeout = 120 })
        assert(res.status == 200 and not json.decode(res.body).errors, res.body:sub(1, 300))
        local exports = require "support.exports"
        local ids, n = exports.index_ids(stack.opensearch, name)
        assert.are.equal(28000, n)
        local list, err, status = exports.export_ids({ OTEL_OPENSEARCH_URL = stack.opensearch, OTEL_LOG_INDEX = name,
          TINKR_LAYOUT = "seed" }, { "--verbose" })
        assert.are.equal(0, status, err)
        assert.are.same({ returned = n, in_index = n, duplicates = 0, missing = 0, unknown = 0 }, exports.compare(list, ids, n))
        assert.matches(case.tiebreaker, err, 1, true)
        assert.matches('"search_after":', err, 1, true)
      end)
    end
  end)

  describe("GET /v1/logs?limit=0", function()
    local srv
    local auth = { Authorization = "Bearer export-token" }
    local function start(pattern)
      srv = server.start{ env = { OTEL_OPENSEARCH_URL = stack.opensearch, OTEL_LOG_INDEX = pattern,
        TINKR_SERVER_TOKEN = "export-token", TINKR_NOW = stack.now }, args = { "--workers", "2" } }
    end
    after_each(function() if srv then srv:stop(); srv = nil end end)

    it("streams every match as chunked NDJSON, for every layout" .. (ASAN and "" or ", under 64 MB"), function()
      for _, l in ipairs(layouts) do
        start(l.pattern)
        local res = assert(srv:request{ path = "/v1/logs?limit=0&since=24h", headers = auth, timeout = 120 })
        assert.are.equal(200, res.status)
        assert.matches("application/x%-ndjson", res.headers["content-type"])
        assert.matches("chunked", res.headers["transfer-encoding"] or "")
        check_lines(res.body, total)
        res = nil
        if not ASAN then
          local status = helpers.read_file(("/proc/%d/status"):format(srv.pid))
          local kb = tonumber(status:match("VmHWM:%s*(%d+)"))
          assert.is_true(kb < LIMIT_KB, ("%s: server peak RSS %d KB"):format(l.name, kb))
        end
        srv:stop(); srv = nil
      end
    end)

    it("a bad parameter is still a JSON error with a status; limit=0 is only for logs", function()
      start("otel-logs-*")
      local status, doc = srv:get_json("/v1/logs?limit=0&since=nonsense", auth)
      assert.are.equal(400, status)
      assert.matches("since", doc.error.message)
      status, doc = srv:get_json("/v1/traces?limit=0", auth)
      assert.are.equal(400, status)
      assert.matches("limit must be a whole number from 1", doc.error.message)
    end)

    it("a client that hangs up mid-stream stops the export; the server goes on", function()
      start("otel-logs-*")
      -- curl reads the first bytes and closes (head -c), long before the end.
      local cmd = ("curl -sS -N -H 'Authorization: Bearer export-token' '%s' | head -c 1000 > /dev/null"):format(
        srv:url("/v1/logs?limit=0&since=24h"))
      helpers.run(cmd)
      local ok = false
      for _ = 1, 100 do
        if srv:stderr():find("client closed the connection", 1, true) then ok = true; break end
        os.execute("sleep 0.1")
      end
      assert.is_true(ok, srv:stderr())
      local status, doc = srv:get_json("/v1/logs?limit=2&since=24h", auth)
      assert.are.equal(200, status)
      assert.are.equal(2, #doc.rows)
      assert.is_true(srv:alive())
    end)
  end)
end)
