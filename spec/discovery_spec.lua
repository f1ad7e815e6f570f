-- Zero configuration: with only the backend URLs set, tinkr finds each
-- writer's indices by their mappings when the product document's default
-- patterns (otel-logs-*, otel-traces-*) match nothing, says so, and caches
-- what it learned.  Explicit configuration always wins.
--
-- The stack holds every layout at once; each case closes the other OTel
-- indices (support/indices.lua) so the cluster looks like that one
-- writer's, and reopens them afterwards.
local helpers = require "helpers"
local stack = require("support.stack").get()
local indices = require "support.indices"
local discovery = require "tinkr.discovery"
local json = require("tinkr.core").json

local E = stack.expected
local client = indices.client(stack.opensearch)

local cache_dir
local function env(extra)
  local e = {
    OTEL_OPENSEARCH_URL = stack.opensearch, OTEL_PROMETHEUS_URL = stack.prometheus,
    TINKR_NOW = stack.now, COLUMNS = "120", XDG_CONFIG_HOME = "/nonexistent",
    TINKR_CACHE_DIR = cache_dir,
  }
  for k, v in pairs(extra or {}) do e[k] = v end
  return e
end

local function tinkr(args, extra)
  return helpers.tinkr(args, { env = env(extra) })
end

local function fresh_cache()
  cache_dir = os.tmpname()
  os.remove(cache_dir)
end

-- The writers' index names, as each writes them.
local WRITERS = {
  { name = "the product document's Collector config (logs_index: otel-logs)",
    keep = { "otel-logs", "otel-traces" }, logs = "otel-logs", spans = "otel-traces", layout = "ss4o" },
  { name = "the opensearch exporter's defaults",
    keep = { "ss4o_*" }, logs = "ss4o_logs-default-namespace", spans = "ss4o_traces-default-namespace",
    layout = "ss4o" },
  { name = "Data Prepper", keep = { "logs-otel-v1*", "otel-v1-apm-span*" },
    logs = "logs-otel-v1-*", spans = "otel-v1-apm-span-*", layout = "dataprepper" },
}

describe("index discovery", function()
  setup(function()
    indices.reopen_all(client)
    -- The document's config writes the exporter's documents into otel-logs / otel-traces.
    indices.copy(client, "ss4o_logs-default-namespace", "otel-logs")
    indices.copy(client, "ss4o_traces-default-namespace", "otel-traces")
  end)
  teardown(function()
    indices.reopen_all(client)
    -- The copies go: the real writers' specs (the ss4o bridge) write their
    -- own documents to these names, with resource attributes the sample's
    -- mapping would refuse (deployment.environment vs deployment.environment.name).
    client:json("DELETE", "/otel-logs")
    client:json("DELETE", "/otel-traces")
  end)
  before_each(fresh_cache)

  it("names index families by cutting dates and rollover counters", function()
    assert.equal("otel-logs-*", discovery.family("otel-logs-2026.11.26"))
    assert.equal("otel-v1-apm-span-*", discovery.family("otel-v1-apm-span-000001"))
    assert.equal("jaeger-span-*", discovery.family("jaeger-span-2026-11-26"))
    assert.equal("tinkr-jaeger-span-*", discovery.family("tinkr-jaeger-span-2026-11-26"))
    assert.equal("otel-logs", discovery.family("otel-logs"))
    assert.equal("ss4o_logs-default-namespace", discovery.family("ss4o_logs-default-namespace"))
    assert.is_true(discovery.matches("otel-logs-*,x", "otel-logs-2026.11.26"))
    assert.is_false(discovery.matches("otel-logs-*", "otel-logs"))
    assert.is_false(discovery.matches("a.b", "aXb"))
  end)

  it("lists every OTel family on the full stack with its layout", function()
    local found = assert(discovery.candidates(client))
    local got = {}
    for _, c in ipairs(found) do got[c.pattern .. "/" .. c.kind] = c.layout end
    assert.equal("seed", got["otel-logs-*/logs"])
    assert.equal("seed", got["otel-traces-*/spans"])
    assert.equal("ss4o", got["otel-logs/logs"])
    assert.equal("ss4o", got["ss4o_traces-default-namespace/spans"])
    assert.equal("dataprepper", got["logs-otel-v1-*/logs"])
    assert.equal("dataprepper", got["otel-v1-apm-span-*/spans"])
    assert.is_nil(got["otel-logs-*/spans"], "a log index is not a span index")
  end)

  it("recognises a data stream (the exporter may write to one) by its backing index's mapping", function()
    indices.call(client, "PUT", "/_index_template/tinkr-spec-ds", {
      index_patterns = { "tinkr-spec-ds-*" }, data_stream = {}, priority = 500 })
    local ok, err = pcall(function()
      indices.call(client, "POST", "/tinkr-spec-ds-logs/_doc?refresh=true", {
        ["@timestamp"] = "2026-11-26T11:00:00Z", body = "x",
        severity = { text = "INFO", number = 9 }, resource = { ["service.name"] = "ds-svc" } })
      local found = assert(discovery.candidates(client))
      local got
      for _, c in ipairs(found) do
        if c.pattern == "tinkr-spec-ds-logs" then got = c end
      end
      assert.is_table(got, "the data stream is a family")
      assert.equal("ss4o", got.layout)
      assert.equal("logs", got.kind)
      assert.is_true(discovery.matches("tinkr-spec-ds-*", ".ds-tinkr-spec-ds-logs-000001"))
    end)
    client:json("DELETE", "/_data_stream/tinkr-spec-ds-logs")
    client:json("DELETE", "/_index_template/tinkr-spec-ds")
    assert(ok, err)
  end)

  for _, w in ipairs(WRITERS) do
    describe(w.name, function()
      local closed
      before_each(function() closed = indices.only(client, w.keep) end)
      after_each(function() indices.restore(client, closed) end)

      it("tinkr logs and traces find the data with no index configured", function()
        local out, err, status = tinkr{ "logs", "--since", "6h", "--limit", "0", "--format", "ndjson" }
        assert.equal(0, status, err)
        local n = select(2, out:gsub("\n", ""))
        assert.equal(E.logs.total, n)
        -- one line on stderr says what was used and how to pin it
        assert.matches("OTEL_LOG_INDEX is not set and 'otel%-logs%-%*' matches no index; using '" ..
          w.logs:gsub("%p", "%%%0") .. "' %(" .. w.layout .. " layout", err)
        assert.matches("export OTEL_LOG_INDEX=" .. w.logs:gsub("%p", "%%%0"), err)

        out, err, status = tinkr{ "traces", "--since", "6h", "--limit", "1", "--format", "json" }
        assert.equal(0, status, err)
        local doc = json.decode(out)
        assert.equal(E.traces.slowest_root.trace_id, doc.rows[1].trace_id)
        assert.equal(w.spans, doc.meta.discovered.pattern)
        assert.equal(w.layout, doc.meta.discovered.layout)
        assert.equal(w.spans, doc.meta.index)
      end)

      it("tinkr trace shows the whole trace, with its logs", function()
        local id = E.traces.slowest_root.trace_id
        local out, err, status = tinkr{ "trace", id, "--format", "json" }
        assert.equal(0, status, err)
        local doc = json.decode(out)
        assert.equal(id, doc.trace.trace_id)
        assert.equal(E.traces.slowest_trace_shape.span_count, #doc.trace.spans)
        assert.is_true(#doc.trace.logs > 0)
      end)

      it("caches what it found: the next run asks nothing more (one question without the mapping cache)", function()
        local _, err1, s1 = tinkr{ "logs", "--since", "6h", "--limit", "1", "--format", "json" }
        assert.equal(0, s1, err1)
        local out, err2, s2 = tinkr{ "logs", "--since", "6h", "--limit", "1", "--format", "json" }
        assert.equal(0, s2, err2)
        local meta = json.decode(out).meta
        assert.is_true(meta.discovered.cached)
        assert.equal(0, meta.discovered.round_trips)
        assert.equal(w.logs, meta.index)
        assert.equal(E.logs.total, meta.total)
        out, err2, s2 = tinkr({ "logs", "--since", "6h", "--limit", "1", "--format", "json" },
          { TINKR_MAPPING_CACHE_TTL = "0" })
        assert.equal(0, s2, err2)
        meta = json.decode(out).meta
        assert.is_true(meta.discovered.cached)
        assert.equal(1, meta.discovered.round_trips)
        assert.equal(w.logs, meta.index)
      end)
    end)
  end

  it("uses the defaults when they match, and drops a cached discovery then", function()
    local closed = indices.only(client, { "otel-logs" })
    local _, err, status = tinkr{ "logs", "--since", "6h", "--limit", "1" }
    indices.restore(client, closed)
    assert.equal(0, status, err)
    assert.matches("using 'otel%-logs'", err)
    -- the sample data is back under otel-logs-*: the default wins again
    -- as soon as the cached choice is checked (at once without the mapping
    -- cache; with it, when the cached fields expire)
    local out, err2, status2 = tinkr({ "logs", "--since", "6h", "--limit", "1", "--format", "json" },
      { TINKR_MAPPING_CACHE_TTL = "0" })
    assert.equal(0, status2, err2)
    assert.is_nil(err2:find("matches no index", 1, true))
    local meta = json.decode(out).meta
    assert.equal("otel-logs-*", meta.index)
    assert.equal("seed", meta.layout)
    assert.is_nil(meta.discovered)
  end)

  it("a configured layout picks among the families found", function()
    local closed = indices.only(client, { "otel-logs", "ss4o_logs-*", "logs-otel-v1*" })
    local out, err, status = tinkr({ "logs", "--since", "6h", "--limit", "1", "--format", "json" },
      { TINKR_LAYOUT = "dataprepper" })
    indices.restore(client, closed)
    assert.equal(0, status, err)
    local meta = json.decode(out).meta
    assert.equal("logs-otel-v1-*", meta.index)
    assert.equal("dataprepper", meta.layout)
    assert.matches("also found otel%-logs %(ss4o%)", err)
  end)

  it("never replaces an explicit pattern, but names what the cluster has", function()
    local _, err, status = tinkr({ "logs", "--since", "6h" }, { OTEL_LOG_INDEX = "no-such-logs-*" })
    assert.equal(7, status)
    assert.matches("no%-such%-logs%-%*", err)
    assert.matches("OTel log indices on this cluster: otel%-logs%-%* %(seed%)", err)
    assert.equal(1, select(2, err:gsub("\n", "")), "one line")
  end)

  it("says what to set when no index holds OTel data", function()
    local closed = indices.only(client, {})
    local _, err, status = tinkr{ "logs", "--since", "6h" }
    indices.restore(client, closed)
    assert.equal(7, status)
    assert.matches("OTEL_LOG_INDEX is not set, 'otel%-logs%-%*' matches no index", err)
    assert.matches("set OTEL_LOG_INDEX", err)
  end)
end)
