-- The otel backend against the real local OpenSearch, for each of the three
-- layouts: answers must be exactly what scripts/gen-otel-data.py wrote
-- (its manifest, stack.expected).
local stack = require("support.stack").get()
local config = require "tinkr.config"
local session = require "tinkr.session"
local tinkr = require "tinkr"

local E = stack.expected
local LAYOUTS = {
  { name = "seed", logs = "otel-logs-*", spans = "otel-traces-*" },
  { name = "ss4o", logs = "ss4o_logs-*", spans = "ss4o_traces-*" },
  { name = "dataprepper", logs = "logs-otel-v1*", spans = "otel-v1-apm-span-*" },
  -- the exporter's other log modes (written by the generator: no real
  -- writer here); the exporter writes spans in ss4o form in every mode
  { name = "ecs", logs = "otel-ecs-logs", spans = "ss4o_traces-*", spans_layout = "ss4o" },
  { name = "flatten_attributes", logs = "otel-flat-logs", spans = "ss4o_traces-*", spans_layout = "ss4o" },
}

-- Points tinkr at the stack with the given indices (and nothing else from
-- the environment of whoever runs the specs).
local use = require("support.stack").use

local function count_where(rows, pred)
  local n = 0
  for _, r in ipairs(rows) do if pred(r) then n = n + 1 end end
  return n
end

for _, layout in ipairs(LAYOUTS) do
  describe("otel backend, " .. layout.name .. " layout", function()
    before_each(function() use(layout) end)

    it("detects the layout from the index mapping", function()
      local rows, meta = tinkr.logs{ since = "5m", limit = 1 }
      assert.is_table(rows, tostring(meta))
      assert.equal(layout.name, meta.layout)
      assert.equal("detected", meta.layout_source)
    end)

    it("answers the product document's log query exactly", function()
      local want = E.logs.by_service_level["payments-api"].ERROR
      local rows, meta = tinkr.logs{ service = "payments-api", level = "ERROR", since = "6h", limit = 1000 }
      assert.is_table(rows, tostring(meta))
      assert.equal(want, meta.total)
      assert.equal(want, #rows)
      assert.is_false(meta.truncated)
      assert.equal(want, count_where(rows, function(r) return r.service == "payments-api" and r.level == "ERROR" end))
      for i = 2, #rows do assert.is_true(rows[i - 1].time_ns >= rows[i].time_ns, "newest first") end
      -- the request is the product document's shape: bool/must term, term, range; sort desc
      local sent = tinkr.json.decode(meta.request.body)
      assert.equal(3, #sent.query.bool.must)
      assert.is_table(sent.query.bool.must[1].term)
      assert.is_table(sent.query.bool.must[3].range)
      assert.equal("desc", select(2, next(sent.sort[1])).order)
    end)

    it("counts the last hour per service and level", function()
      local lh = E.logs.last_hour.by_service_level
      local rows, meta = tinkr.logs{ service = "frontend", level = "WARN,ERROR", since = "1h", limit = 500 }
      assert.is_table(rows, tostring(meta))
      assert.equal(lh.frontend.WARN + lh.frontend.ERROR, meta.total)
    end)

    it("marks a result cut by the limit as truncated", function()
      local rows, meta = tinkr.logs{ service = "payments-api", level = "ERROR", since = "6h", limit = 5 }
      assert.equal(5, #rows)
      assert.is_true(meta.truncated)
      assert.equal(E.logs.by_service_level["payments-api"].ERROR, meta.total)
    end)

    it("finds the two FATAL lines with a message search", function()
      local rows, meta = tinkr.logs{ level = "FATAL", since = "6h", grep = "exiting" }
      assert.is_table(rows, tostring(meta))
      assert.equal(2, #rows)
      local services = { rows[1].service, rows[2].service }
      table.sort(services)
      assert.same({ "email", "shipping" }, services)
    end)

    it("puts the generator's slowest root span first", function()
      local want = E.traces.slowest_root
      local rows, meta = tinkr.traces{ since = "6h", limit = 20 }
      assert.is_table(rows, tostring(meta))
      assert.equal(20, #rows)
      assert.equal(want.trace_id, rows[1].trace_id)
      assert.equal(want.span_id, rows[1].span_id)
      assert.near(want.duration_ns / 1e6, rows[1].duration_ms, 0.001)
      assert.equal(E.traces.root_spans, meta.total)
      for i = 2, #rows do assert.is_true(rows[i - 1].duration_ns >= rows[i].duration_ns - 1000000) end
      for _, r in ipairs(rows) do assert.equal("", r.parent_span_id) end
      if (layout.spans_layout or layout.name) == "ss4o" then
        assert.matches("^computed", meta.duration_source)
      else
        assert.matches("^field", meta.duration_source)
      end
    end)

    it("finds the slowest root span of the last hour for one service", function()
      local want = E.traces.slowest_root_last_hour
      local rows, meta = tinkr.traces{ service = want.service, since = "1h", limit = 3 }
      assert.is_table(rows, tostring(meta))
      assert.equal(want.trace_id, rows[1].trace_id)
      assert.equal(E.traces.roots_last_hour_by_service[want.service], meta.total)
    end)

    it("builds the slowest trace's tree with the generator's shape and its logs", function()
      local shape = E.traces.slowest_trace_shape
      local t, meta = tinkr.trace(E.traces.slowest_root.trace_id)
      assert.is_table(t, tostring(meta))
      assert.equal(shape.span_count, #t.spans)
      assert.same(shape.services, t.services)
      local edges, max_depth = {}, 0
      for _, s in ipairs(t.spans) do
        if s.parent_span_id ~= "" then edges[#edges + 1] = s.parent_span_id .. ">" .. s.span_id end
        if s.depth > max_depth then max_depth = s.depth end
      end
      local want = {}
      for _, e in ipairs(shape.edges) do want[#want + 1] = e[1] .. ">" .. e[2] end
      table.sort(edges); table.sort(want)
      assert.same(want, edges)
      assert.equal(shape.max_depth, max_depth)
      assert.equal(E.traces.slowest_root.span_id, t.roots[1].span_id)
      assert.is_true(#t.logs > 0)
      for _, l in ipairs(t.logs) do assert.equal(t.trace_id, l.trace_id) end
    end)

    it("says an unknown trace id is not found", function()
      local t, err = tinkr.trace("0123456789abcdef0123456789abcdef")
      assert.is_nil(t)
      assert.equal("not_found", err.code)
    end)
  end)
end

describe("otel backend paging", function()
  before_each(function() use(LAYOUTS[2]) end)

  it("returns every document exactly once past the 10,000-hit window", function()
    local seen, n, dups = {}, 0, 0
    local rows, meta = tinkr.logs{ since = "7h", limit = 0, each = function(r)
      n = n + 1
      if seen[r._id] then dups = dups + 1 end
      seen[r._id] = true
    end }
    assert.is_table(rows, tostring(meta))
    assert.equal(E.logs.total, n)
    assert.equal(0, dups)
    assert.is_true(meta.pages >= 6)
    assert.matches("search_after", meta.paged_with)
  end)

  it("stops at a limit above 10,000", function()
    local rows, meta = tinkr.logs{ since = "7h", limit = 12345 }
    assert.equal(12345, #rows)
    assert.is_true(meta.truncated)
    assert.equal(2, meta.pages)
  end)

  it("iterates with tinkr.each_log", function()
    local n = 0
    for row in tinkr.each_log{ service = "payments-api", level = "ERROR", since = "6h", limit = 0 } do
      assert.equal("ERROR", row.level)
      n = n + 1
    end
    assert.equal(E.logs.by_service_level["payments-api"].ERROR, n)
  end)
end)

describe("otel backend errors", function()
  it("names the variable when OTEL_OPENSEARCH_URL is unset", function()
    config.set(config.new{ getenv = function() return nil end })
    local rows, err = tinkr.logs{ since = "1h" }
    assert.is_nil(rows)
    assert.equal("config", err.code)
    assert.matches("OTEL_OPENSEARCH_URL is not set", err.message)
  end)

  it("says OpenSearch is down, naming the URL and the variable", function()
    use(LAYOUTS[1], { OTEL_OPENSEARCH_URL = "http://127.0.0.1:9" })
    local rows, err = tinkr.logs{ since = "1h" }
    assert.is_nil(rows)
    assert.equal("connect", err.code)
    assert.matches("127.0.0.1:9", err.message)
    assert.matches("OTEL_OPENSEARCH_URL", err.message)
  end)

  it("says an index pattern matches nothing", function()
    use(LAYOUTS[1], { OTEL_LOG_INDEX = "no-such-logs-*" })
    local rows, err = tinkr.logs{ since = "1h" }
    assert.is_nil(rows)
    assert.equal("not_found", err.code)
    assert.matches("no%-such%-logs%-%*", err.message)
  end)

  it("says which attribute field is missing from the mapping", function()
    use(LAYOUTS[2])
    local rows, err = tinkr.logs{ since = "1h", where = { "no.such.attribute=1" } }
    assert.is_nil(rows)
    assert.equal("bad_query", err.code)
    assert.matches("no field 'no.such.attribute'", err.message)
  end)

  it("filters on an attribute through the layout's prefixes", function()
    use(LAYOUTS[2])
    local rows, meta = tinkr.logs{ since = "6h", level = "ERROR", where = { ["error.type"] = "timeout" }, limit = 1000 }
    assert.is_table(rows, tostring(meta))
    assert.is_true(#rows > 0)
    for _, r in ipairs(rows) do assert.equal("timeout", r.attributes["error.type"]) end
  end)

  it("rejects an unknown backend, listing the known ones", function()
    local ok, err = session.configure{}
    assert.is_true(ok, tostring(err))
    local cfg = config.new{ getenv = function(k) return k == "TINKR_BACKEND" and "elastic" or nil end }
    local b, berr = cfg:backend()
    assert.is_nil(b)
    assert.matches("unknown backend 'elastic'.*known backends are otel", berr.message)
  end)

  it("rejects bad parameters as usage errors", function()
    use(LAYOUTS[1])
    local _, err = tinkr.logs{ since = "1x" }
    assert.equal("usage", err.code)
    -- a value of the wrong type or range raises a usage error (api_check)
    local ok, raised = pcall(tinkr.logs, { limit = -1 })
    assert.is_false(ok)
    assert.equal("usage", raised.code)
    _, err = tinkr.trace("not-hex!")
    assert.equal("usage", err.code)
    assert.has_error(function() tinkr.logs("payments-api") end)
  end)
end)

-- Faults the real OpenSearch will not produce on demand come from the named
-- fake in spec/support/fault_server.py.
describe("otel backend against a faulty server", function()
  local fault_server = require "support.fault_server"
  local srv
  setup(function() srv = fault_server.start() end)
  teardown(function() srv:stop() end)

  it("says 401 means credentials, with the auth status", function()
    use(LAYOUTS[1], { OTEL_OPENSEARCH_URL = srv:url("/auth"), OTEL_OPENSEARCH_API_KEY = "k-123-secret" })
    local rows, err = tinkr.logs{ since = "1h" }
    assert.is_nil(rows)
    assert.equal("auth", err.code)
    assert.matches("401", err.message)
    assert.matches("OTEL_OPENSEARCH_API_KEY", err.message)
    assert.is_nil(err.message:find("k-123-secret", 1, true))
  end)

  it("says 403 means permissions, with OpenSearch's reason", function()
    use(LAYOUTS[1], { OTEL_OPENSEARCH_URL = srv:url("/forbidden") })
    local rows, err = tinkr.logs{ since = "1h" }
    assert.is_nil(rows)
    assert.equal("auth", err.code)
    assert.matches("403: no permissions for %[indices:data/read/search%]", err.message)
  end)

  it("gives up after the timeout when the server never answers", function()
    use(LAYOUTS[1], { OTEL_OPENSEARCH_URL = srv:url("/never"), TINKR_TIMEOUT = "1" })
    local t0 = require("tinkr.core").monotonic()
    local rows, err = tinkr.logs{ since = "1h" }
    local elapsed = require("tinkr.core").monotonic() - t0
    assert.is_nil(rows)
    assert.equal("timeout", err.code)
    assert.is_true(elapsed < 5, ("took %.1f s"):format(elapsed))
  end)

  it("says a server that does not speak HTTP is not OpenSearch", function()
    use(LAYOUTS[1], { OTEL_OPENSEARCH_URL = srv:url("/garbage") })
    local rows, err = tinkr.logs{ since = "1h" }
    assert.is_nil(rows)
    assert.equal("backend", err.code)
  end)
end)
