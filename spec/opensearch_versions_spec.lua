-- tinkr against each OpenSearch it supports.  The suite's stack runs one
-- version (2.19, or the one `make compat` picks via TINKR_OPENSEARCH); in
-- the plain pass this spec also starts OpenSearch 1.3 (no point in time,
-- no multi_terms), the version that differs most.  3.8 is covered by
-- `make compat` (see the README).
local helpers = require "helpers"
local stack_support = require "support.stack"
local exports = require "support.exports"
local config = require "tinkr.config"
local opensearch = require "tinkr.opensearch"
local core = require "tinkr.core"

local stack = stack_support.get()
local PLAIN_PASS = not (os.getenv("TINKR_BIN") or ""):match("%-asan$")

local function client_for(url)
  return assert(opensearch.new(config.new{ getenv = function(k)
    return ({ OTEL_OPENSEARCH_URL = url })[k] end }))
end

local function server_version(url)
  local res = assert(core.http.request{ url = url .. "/" })
  return core.json.decode(res.body).version.number
end

local function checks(label, url)
  describe(label, function()
    local number = server_version(url)
    local major, minor = number:match("^(%d+)%.(%d+)")
    major, minor = tonumber(major), tonumber(minor)
    local env = { OTEL_OPENSEARCH_URL = url, OTEL_PROMETHEUS_URL = stack.prometheus, TINKR_NOW = stack.now,
                  XDG_CONFIG_HOME = "/nonexistent" }

    it("detects the version once (GET /) and knows whether it has point-in-time searches", function()
      local c = client_for(url)
      local v = assert(c:version())
      assert.equal(number, v.number)
      assert.equal(major, v.major)
      assert.equal(major > 2 or (major == 2 and minor >= 4), c:has_pit())
      assert.equal(v, c:version(), "cached")
      local health = assert(c:cluster_health())
      assert.equal("green", health.status)      -- one node, no replicas
      assert.equal(1, health.nodes)
      assert.equal(0, health.unassigned_shards)
    end)

    for _, layout in ipairs(exports.LOG_LAYOUTS) do
      it(("exports every %s log exactly once past 10,000 hits (ids compared with the index)"):format(layout.name), function()
        local ids, n = exports.index_ids(url, layout.logs)
        assert.is_true(n > 10000, "the sample must need paging")
        local e = {}
        for k, v in pairs(env) do e[k] = v end
        e.OTEL_LOG_INDEX = layout.logs
        local list, err, status = exports.export_ids(e, { "--verbose" })
        assert.equal(0, status, err)
        assert.same({ returned = n, in_index = n, duplicates = 0, missing = 0, unknown = 0 },
          exports.compare(list, ids, n))
        assert.matches('"search_after":', err)
        if major < 2 then
          assert.is_nil(err:find('"pit":', 1, true), "1.x has no point in time: never used")
          assert.matches('{"_id":"asc"}', err, 1, true)     -- the unique tiebreaker
        else
          assert.matches('"pit":{', err, 1, true)
          -- the sample indices have one shard: the point in time's document number is unique
          assert.matches('{"_doc":"asc"}', err, 1, true)
        end
      end)
    end

    it("tinkr.logs{ fields = { \"_id\" } } takes the id from the hit (it raised 'named twice')", function()
      config.set(config.new{ getenv = function(k) return env[k] end })
      require("tinkr.time").pin(stack.now)
      local rows, meta = require("tinkr").logs{ since = "1h", limit = 3, fields = { "_id", "message" } }
      assert.is_table(rows, tostring(meta))
      assert.equal(3, #rows)
      for _, r in ipairs(rows) do
        assert.matches("^[%w_-]+$", r._id)
        assert.is_string(r.message)
      end
    end)

    it("tinkr services: its aggregations (terms, date_histogram, top_hits) answer as on the suite's OpenSearch", function()
      local function services(u)
        local e = {}
        for k, v in pairs(env) do e[k] = v end
        e.OTEL_OPENSEARCH_URL = u
        local out, err, status = helpers.tinkr({ "services", "--since", "1h", "--format", "json" }, { env = e })
        assert.equal(0, status, err)
        local got = {}
        for _, r in ipairs(core.json.decode(out).rows) do
          got[r.service] = { r.log_lines, r.error_lines, r.spans, r.root_spans, r.slowest_trace_id }
        end
        return got
      end
      local here = services(url)
      assert.is_true(next(here) ~= nil)
      assert.same(services(stack.opensearch), here)
    end)

    it("finds the slowest root spans and a whole trace", function()
      local out, err, status = helpers.tinkr({ "traces", "--since", "1h", "--limit", "3", "--format", "json" }, { env = env })
      assert.equal(0, status, err)
      local doc = core.json.decode(out)
      assert.equal(3, #doc.rows)
      local id = doc.rows[1].trace_id
      out, err, status = helpers.tinkr({ "trace", id, "--format", "json" }, { env = env })
      assert.equal(0, status, err)
      assert.matches(id, out)
    end)
  end)
end

checks("the suite's OpenSearch", stack.opensearch)

if PLAIN_PASS and not server_version(stack.opensearch):match("^1%.") then
  local out, err, status = stack_support.command("up --opensearch 1.3")
  assert(status == 0, "scripts/stack up --opensearch 1.3 failed:\n" .. err)
  checks("OpenSearch 1.3", out:match("export OTEL_OPENSEARCH_URL=([^\n]+)"))
end
