-- Every naming style a Prometheus-compatible store gives OTel metrics, with
-- real servers fed by the OTel Python SDK over OTLP: Prometheus 3.16 under
-- each translation strategy, and VictoriaMetrics.  Each recipe answers the
-- same on all of them (the style is detected once and cached), the PromQL
-- sent is the one that fits the store (UTF-8 names quoted), doctor names
-- the strategy, and SDK-default buckets get their caveat everywhere.
local helpers = require "helpers"
local metrics = require "tinkr.metrics"
local metric_style = require "tinkr.metric_style"
local prometheus = require "tinkr.prometheus"
local time = require "tinkr.time"
local otlp_stores = require "support.otlp_stores"

-- p99 of 10 values each of 0.05 .. 0.23 s in second-scale buckets: 30 % are
-- <= 0.1, all <= 0.25, so 0.1 + 0.15 * (0.99 - 0.3) / 0.7
local P99 = 0.1 + 0.15 * (0.99 - 0.3) / 0.7

local WANT = {
  ["prom3 UnderscoreEscapingWithSuffixes"] = { spelling = "underscore_suffixes",
    example = "http_server_request_duration_seconds_bucket", sent = "rate%(http_server_request_duration_seconds_count{job=~" },
  ["prom3 UnderscoreEscapingWithoutSuffixes"] = { spelling = "underscore",
    example = "http_server_request_duration_bucket", sent = "rate%(http_server_request_duration_count{job=~",
    writer = "UnderscoreEscapingWithoutSuffixes" },
  ["prom3 NoUTF8EscapingWithSuffixes"] = { spelling = "utf8_suffixes",
    example = "http.server.request.duration_seconds_bucket",
    sent = 'rate%({"http%.server%.request%.duration_seconds_count", job=~', writer = "NoUTF8EscapingWithSuffixes" },
  ["prom3 NoTranslation"] = { spelling = "utf8", example = "http.server.request.duration_bucket",
    sent = 'rate%({"http%.server%.request%.duration_count", job=~', writer = "NoTranslation" },
  victoriametrics = { spelling = "utf8", example = "http.server.request.duration_bucket",
    sent = 'rate%({"http%.server%.request%.duration_count", "service%.name"="shop%-api"}', writer = "VictoriaMetrics" },
}

describe("metric naming styles on real stores #plainonly", function()
  local stores, cache

  setup(function()
    stores = otlp_stores.start()
    cache = os.tmpname() .. ".d"
    -- Every query is evaluated at one instant, after the last push: rate()
    -- extrapolates towards the evaluation time when it is within 1.1
    -- sample intervals of the last sample, so stores asked a moment apart
    -- (on a loaded machine) gave different rates for the same samples.
    time.pin(time.clock())
  end)
  teardown(function()
    time.pin(nil)
    if stores then stores.stop() end
  end)

  it("detects each store's spelling and where the service is", function()
    for _, s in ipairs(stores.list) do
      local style = assert(metric_style.detect(prometheus.new{ url = s.url }, { fresh = true }))
      local want = WANT[s.name]
      assert.equal(want.spelling, style.spelling.key, s.name)
      assert.equal(want.example, style.example, s.name)
      if s.name == "victoriametrics" then
        assert.same({ "service.name" }, style.service_labels)
      else
        assert.same({ "job" }, style.service_labels, s.name)
      end
      if want.writer then assert.matches(want.writer, style.writer, 1, true) end
    end
  end)

  it("every HTTP recipe answers the same on every store, with the PromQL that fits it", function()
    local rates = {}
    for _, s in ipairs(stores.list) do
      local m = metrics.new{ prometheus_url = s.url }
      local rate, rmeta = m:recipe("http_request_rate", { service = "shop-api" })
      assert.is_table(rate, s.name .. ": " .. tostring(rmeta))
      assert.equal(1, #rate, s.name .. ": " .. rmeta.expr)
      assert.is_true(rate[1].value > 0, s.name)
      assert.matches(WANT[s.name].sent, rmeta.expr, nil, s.name .. ": " .. rmeta.expr)
      rates[#rates + 1] = rate[1].value
      local share = m:recipe("http_error_rate", { service = "shop-api" })
      assert.near(0.1, share[1].value, 1e-9, s.name)
      local p99, pmeta = m:recipe("http_latency_p99", { service = "shop-api" })
      assert.near(P99, p99[1].value, 1e-9, s.name)
      assert.is_nil(pmeta.caveats, s.name)
    end
    -- the grouped recipes (one row per service) read the same labels
    for _, s in ipairs(stores.list) do
      local rows, meta = metrics.new{ prometheus_url = s.url }:recipe("services_error_rate", {})
      assert.is_table(rows, s.name .. ": " .. tostring(meta))
      local by = {}
      for _, r in ipairs(rows) do by[r.labels.service] = r.value end
      assert.near(0.1, by["shop-api"] or -1, 1e-9, s.name .. ": " .. meta.expr)
    end
    -- the four Prometheus 3 strategies hold the same samples: the same rate
    for i = 2, 4 do assert.near(rates[1], rates[i], 1e-9) end
  end)

  it("the SDK's default buckets get a caveat on every store", function()
    for _, s in ipairs(stores.list) do
      local rows, meta = metrics.new{ prometheus_url = s.url }:recipe("http_latency_p99", { service = "sdk-shop" })
      assert.near(4.95, rows[1].value, 1e-9, s.name)
      assert.matches("is interpolated inside the bucket %(0, 5%] s", meta.caveats and meta.caveats[1] or "", nil, s.name)
    end
  end)

  it("the product document's example on OTLP data gets the hint to use job, and the hint answers", function()
    local store = stores.list[1]            -- UnderscoreEscapingWithSuffixes: http_server_requests_total
    assert.equal("prom3 UnderscoreEscapingWithSuffixes", store.name)
    local m = metrics.new{ prometheus_url = store.url }
    local rows, meta = m:query('rate(http_server_requests_total{service_name="payments-api"}[5m])')
    assert.equal(0, #rows)
    assert.equal('no series has `service_name`; the Collector puts service.name in `job`: '
      .. 'try rate(http_server_requests_total{job="payments-api"}[5m])', meta.hint)
    local again = m:query('rate(http_server_requests_total{job="payments-api"}[5m])')
    assert.equal(1, #again)
    assert.is_true(again[1].value > 0)
  end)

  it("a query in the Collector's spelling on a UTF-8 store gets it respelled, labels too", function()
    local expr = 'sum(rate(http_server_request_duration_seconds_count{job="shop-api", http_response_status_code="500"}[5m]))'
    for _, s in ipairs(stores.list) do
      if s.name == "prom3 NoTranslation" then
        local rows, meta = metrics.new{ prometheus_url = s.url }:query(expr)
        assert.equal(0, #rows)
        assert.equal('this store spells OTel metric names another way (Prometheus 3 OTLP (NoTranslation)): try '
          .. 'sum(rate({"http.server.request.duration_count", job="shop-api", "http.response.status_code"="500"}[5m]))',
          meta.hint)
      elseif s.name == "victoriametrics" then
        -- respelled, and the service is in service.name there
        local rows, meta = metrics.new{ prometheus_url = s.url }:query(expr)
        assert.equal(0, #rows)
        assert.equal('no series has `job`; service.name is kept as the `service.name` label here (VictoriaMetrics, '
          .. 'or promoted resource attributes): try sum(rate({"http.server.request.duration_count", '
          .. '"service.name"="shop-api", "http.response.status_code"="500"}[5m]))', meta.hint)
      end
    end
  end)

  it("doctor names the strategy; the CLI shows the exact PromQL sent", function()
    for _, s in ipairs(stores.list) do
      local env = { OTEL_PROMETHEUS_URL = s.url, OTEL_OPENSEARCH_URL = "http://127.0.0.1:9",
        XDG_CONFIG_HOME = "/nonexistent", TINKR_CACHE_DIR = cache }
      local out = helpers.tinkr({ "doctor" }, { env = env })
      assert.matches("e%.g%. " .. WANT[s.name].example:gsub("%p", "%%%0"), out, nil, s.name)
      if WANT[s.name].writer then assert.matches(WANT[s.name].writer, out, 1, true) end
      local _, err, status = helpers.tinkr({ "metrics", "--recipe", "http_error_rate", "--service", "shop-api",
        "--instant", "--verbose" }, { env = env })
      assert.equal(0, status, err)
      assert.matches(WANT[s.name].sent:gsub('"', '\\"'), err, nil, s.name)
    end
  end)
end)
