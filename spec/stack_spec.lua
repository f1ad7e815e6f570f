-- The sample stack itself: real servers holding exactly what the manifest
-- (scripts/gen-otel-data.py -> expected.json) says, so other specs and the
-- demo can rely on those numbers.  Talks HTTP through tinkr.core.
local core = require "tinkr.core"
local support = require "support.stack"

local function decode(body)
  local v, err = core.json.decode(body)
  assert(v, err)
  return v
end

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return ("%%%02X"):format(c:byte()) end))
end

local function close_to(expected, actual, what)
  local tolerance = 1e-9 * math.max(1, math.abs(expected))
  assert(math.abs(expected - actual) <= tolerance,
    ("%s: expected %.17g, got %.17g"):format(what, expected, actual))
end

local function count_keys(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n
end

describe("sample stack (scripts/stack)", function()
  local stack, expected

  local function opensearch(method, path, body)
    local res, err = core.http.request{
      method = method, url = stack.opensearch .. path,
      headers = { ["Content-Type"] = "application/json" },
      body = body and core.json.encode(body),
    }
    assert(res, tostring(err))
    assert(res.status == 200, method .. " " .. path .. " -> " .. res.status .. ": " .. res.body)
    return decode(res.body)
  end

  local function search(index, body) return opensearch("POST", "/" .. index .. "/_search", body) end
  local function count(index, query) return opensearch("POST", "/" .. index .. "/_count", { query = query }).count end

  local function promql(query, time)
    local url = ("%s/api/v1/query?query=%s&time=%s"):format(stack.prometheus, urlencode(query), urlencode(time))
    local res, err = core.http.request{ url = url }
    assert(res, tostring(err))
    local v = decode(res.body)
    assert(res.status == 200 and v.status == "success", query .. " -> " .. res.body)
    return v.data.result
  end

  setup(function()
    stack = support.get()
    expected = stack.expected
  end)

  it("runs a real OpenSearch node of the version it says (2.19 unless make compat picks another)", function()
    local info = opensearch("GET", "/")
    assert.equal("opensearch", info.version.distribution)
    assert.equal(os.getenv("TINKR_OPENSEARCH") or "2.19", stack.opensearch_line)
    assert.matches("^" .. stack.opensearch_line:gsub("%.", "%%.") .. "%.%d+$", info.version.number)
    assert.equal("2026-11-26T12:00:00Z", stack.now)
    assert.equal(stack.now, expected.now)
  end)

  it("`stack up` leaves an index a spec has closed for a moment alone (no reload under a running suite)", function()
    local index = "otel-ecs-logs"
    opensearch("POST", "/" .. index .. "/_close")
    local ok, out, err, status = pcall(support.command, "up")
    opensearch("POST", "/" .. index .. "/_open?wait_for_active_shards=1")
    assert(ok, out)
    assert.equal(0, status, err)
    assert.not_matches("OpenSearch loaded", out .. err)
    local want = assert(io.open(stack.state_dir .. "/data/counts.tsv")):read("a"):match(index:gsub("%-", "%%-") .. "\t(%d+)")
    assert.equal(tonumber(want), count(index, { match_all = {} }))
  end)

  it("holds exactly the documents the generator wrote, per index", function()
    local have = {}
    for index in pairs(expected.index_counts) do have[index] = count(index, { match_all = {} }) end
    assert.same(expected.index_counts, have)
    assert.equal(8, count_keys(have))
    -- one layout is big enough to need search_after past 10,000 hits
    assert.is_true(expected.index_counts["ss4o_logs-default-namespace"] >= 50000)
  end)

  it("answers the product document's log query as written, with now pinned", function()
    local r = search("otel-logs-*", {
      query = { bool = { must = {
        { term = { ["resource.service.name"] = "payments-api" } },
        { term = { severity = "ERROR" } },
        { range = { ["@timestamp"] = { gte = stack.now .. "||-1h" } } },
      } } },
      sort = { { ["@timestamp"] = { order = "desc" } } },
      size = 100,
      track_total_hits = true,
    })
    local want = expected.logs.last_hour.by_service_level["payments-api"].ERROR
    assert.is_true(want > 0)
    assert.equal(want, r.hits.total.value)
    assert.equal(math.min(want, 100), #r.hits.hits)
    assert.equal("payments-api", r.hits.hits[1]._source.resource.service.name)
  end)

  it("maps ss4o strings as text: term on resource.service.name finds nothing, .keyword finds all", function()
    local index = "ss4o_logs-default-namespace"
    assert.equal(0, count(index, { term = { ["resource.service.name"] = "payments-api" } }))
    assert.equal(expected.logs.by_service["payments-api"],
      count(index, { term = { ["resource.service.name.keyword"] = "payments-api" } }))
    local mapping = opensearch("GET", "/" .. index .. "/_mapping")[index].mappings.properties
    assert.equal("text", mapping.resource.properties.service.properties.name.type)
  end)

  it("has more inventory logs than OpenSearch's 10,000-hit window", function()
    local index = "ss4o_logs-default-namespace"
    local query = { term = { ["resource.service.name.keyword"] = "inventory" } }
    local capped = search(index, { query = query, size = 0 })
    assert.same({ value = 10000, relation = "gte" }, capped.hits.total)
    local exact = search(index, { query = query, size = 0, track_total_hits = true })
    assert.equal(expected.logs.by_service.inventory, exact.hits.total.value)
    assert.is_true(exact.hits.total.value > 10000)
  end)

  it("has one unambiguous slowest root span in every layout", function()
    local slow = expected.traces.slowest_root
    local seed = search("otel-traces-*", {
      query = { term = { parentSpanId = "" } }, sort = { { duration = { order = "desc" } } }, size = 2 })
    assert.equal(slow.trace_id, seed.hits.hits[1]._source.traceId)
    close_to(slow.seed_duration_ms, seed.hits.hits[1]._source.duration, "seed duration")
    assert.is_true(seed.hits.hits[2]._source.duration < slow.seed_duration_ms)

    local dp = search("otel-v1-apm-span-*", {
      query = { term = { parentSpanId = "" } }, sort = { { durationInNanos = { order = "desc" } } }, size = 1 })
    assert.equal(slow.trace_id, dp.hits.hits[1]._source.traceId)
    assert.equal(slow.duration_ns, dp.hits.hits[1]._source.durationInNanos)
    assert.equal(slow.service, dp.hits.hits[1]._source.serviceName)

    -- ss4o stores no duration: sort on endTime - startTime
    local ss4o = search("ss4o_traces-default-namespace", {
      query = { term = { ["parentSpanId.keyword"] = "" } },
      sort = { { _script = { type = "number", order = "desc", script = { lang = "painless",
        source = "doc['endTime'].value.toInstant().toEpochMilli() - doc['startTime'].value.toInstant().toEpochMilli()" } } } },
      size = 1 })
    local top = ss4o.hits.hits[1]._source
    assert.equal(slow.trace_id, top.traceId)
    assert.equal(slow.start, top.startTime)
    assert.equal(slow["end"], top.endTime)
    assert.equal("0001-01-01T00:00:00Z", top["@timestamp"])
  end)

  it("stores the slowest trace as the tree the manifest describes", function()
    local shape = expected.traces.slowest_trace_shape
    local r = search("otel-v1-apm-span-*", {
      query = { term = { traceId = expected.traces.slowest_root.trace_id } }, size = 100 })
    assert.equal(shape.span_count, #r.hits.hits)
    local edges, roots, services = {}, 0, {}
    for _, hit in ipairs(r.hits.hits) do
      local s = hit._source
      if s.parentSpanId == "" then roots = roots + 1 else edges[#edges + 1] = s.parentSpanId .. ">" .. s.spanId end
      services[s.serviceName] = true
    end
    local want = {}
    for _, e in ipairs(shape.edges) do want[#want + 1] = e[1] .. ">" .. e[2] end
    table.sort(edges)
    table.sort(want)
    assert.equal(1, roots)
    assert.same(want, edges)
    assert.equal(#shape.services, count_keys(services))
  end)

  it("has log lines whose trace and span ids exist in the trace data", function()
    local logs = search("otel-logs-*", {
      query = { bool = { must = { { term = { severity = "ERROR" } }, { exists = { field = "spanId" } } } } },
      sort = { { ["@timestamp"] = { order = "asc" } } }, size = 20 })
    assert.equal(20, #logs.hits.hits)
    local span_ids, wanted = {}, {}
    for _, hit in ipairs(logs.hits.hits) do
      local s = hit._source
      assert.matches("^%x+$", s.traceId)
      assert.equal(32, #s.traceId)
      assert.equal(16, #s.spanId)
      if not wanted[s.spanId] then span_ids[#span_ids + 1] = s.spanId; wanted[s.spanId] = s.traceId end
    end
    local spans = search("otel-traces-*", { query = { terms = { spanId = span_ids } }, size = 100 })
    assert.equal(#span_ids, #spans.hits.hits)
    for _, hit in ipairs(spans.hits.hits) do
      assert.equal(wanted[hit._source.spanId], hit._source.traceId)
    end
  end)

  it("counts the ERROR logs of each error burst (Data Prepper layout)", function()
    assert.equal(3, #expected.error_bursts)
    for _, burst in ipairs(expected.error_bursts) do
      local n = count("logs-otel-v1*", { bool = { must = {
        { term = { serviceName = burst.service } },
        { term = { severityText = "ERROR" } },
        { range = { time = { gte = burst.start, lt = burst["end"] } } },
      } } })
      assert.equal(burst.error_logs, n)
    end
  end)

  it("answers every PromQL query in the manifest at its explicit time", function()
    assert.is_true(#expected.metrics.queries >= 10)
    for _, q in ipairs(expected.metrics.queries) do
      local got = {}
      for _, sample in ipairs(promql(q.promql, q.time)) do
        got[sample.metric[q.by]] = tonumber(sample.value[2])
      end
      assert.equal(count_keys(q.values), count_keys(got), q.promql)
      for key, value in pairs(q.values) do
        assert(got[key], q.promql .. ": no result for " .. q.by .. "=" .. key)
        close_to(value, got[key], q.promql .. " {" .. q.by .. "=" .. key .. "}")
      end
    end
  end)

  it("shows the payments-api error burst as a 5xx share", function()
    local summary = expected.metrics.summary
    assert.is_true(summary.in_payments_burst.error_share_5xx["payments-api"] > 0.2)
    assert.is_true(summary.at_now.error_share_5xx["payments-api"] < 0.02)
  end)

  it("names metrics as the Collector's prometheusremotewrite exporter does", function()
    local at = stack.now
    -- job = service.name everywhere; service_name only where resource_to_telemetry_conversion was on
    assert.equal(6, #promql("count by (job) (target_info)", at))
    assert.equal(0, #promql('http_server_request_duration_seconds_count{service_name!=""}', at))
    assert.is_true(#promql('http_server_duration_milliseconds_count{service_name="payments-api"}', at) > 0)
    -- the product document's examples return data as written
    assert.is_true(#promql('rate(http_server_requests_total{service_name="payments-api"}[5m])', at) > 0)
    assert.equal(expected.metrics.rpc_server_duration_bucket_series,
      #promql("rate(rpc_server_duration_bucket[5m])", at))
    -- histograms are cumulative with a +Inf bucket; counters never reset
    local les = promql("count by (le) (http_server_request_duration_seconds_bucket)", at)
    local has_inf = false
    for _, s in ipairs(les) do has_inf = has_inf or s.metric.le == "+Inf" end
    assert.is_true(has_inf)
    assert.equal(0, #promql("resets(http_server_requests_total[6h]) > 0", at))
    assert.equal(0, #promql(
      'http_server_request_duration_seconds_bucket{le="+Inf"} != ignoring(le) http_server_request_duration_seconds_count', at))
  end)
end)
