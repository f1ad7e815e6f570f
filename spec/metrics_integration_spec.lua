-- tinkr.metrics against real Prometheus 2.42 servers:
--   * the shared sample stack (scripts/stack): every recipe must give what
--     the generator's manifest says (.stack/data/expected.json);
--   * a private Prometheus (spec/support/prometheus_fixture.lua) with exact
--     data in the variants the sample does not have: service_name without a
--     matching job, job = namespace/name, old-generation-only services,
--     hostile names, basic auth, a query timeout.
local metrics = require "tinkr.metrics"
local config = require "tinkr.config"
local tinkr = require "tinkr"
local fixture = require "support.prometheus_fixture"

local NAN_TEXT = tostring(0 / 0)

local function near(expected, actual, what)
  assert(type(actual) == "number", ("%s: expected %.17g, got %s"):format(what, expected, tostring(actual)))
  local tol = 1e-9 * math.max(1, math.abs(expected))
  assert(math.abs(expected - actual) <= tol,
    ("%s: expected %.17g, got %.17g"):format(what, expected, actual))
end

-- The single value of an instant recipe / expression result.
local function only_value(rows, meta, what)
  what = what or "query"
  assert(rows, what .. ": " .. tostring(meta))
  assert(#rows == 1, ("%s: expected one row, got %d"):format(what, #rows))
  return rows[1].value
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  return keys
end

describe("tinkr.metrics against the sample stack", function()
  local stack, m, summary, queries

  setup(function()
    stack = require("support.stack").get()
    m = metrics.new{ prometheus_url = stack.prometheus }
    summary = stack.expected.metrics.summary
    queries = stack.expected.metrics.queries
  end)

  it("talks to Prometheus 2.42", function()
    local version, meta = m:buildinfo()
    assert.matches("^2%.42%.", version)
    assert.are.equal(stack.prometheus .. "/api/v1/status/buildinfo", meta.request.url)
  end)

  -- recipe -> where the manifest keeps its answer
  local HTTP = {
    http_request_rate = function(s, svc) return s.request_rate_per_s[svc] end,
    http_error_rate = function(s, svc) return s.error_share_5xx[svc] end,
    http_latency_p50 = function(s, svc) return s.latency_seconds[svc].p50 end,
    http_latency_p90 = function(s, svc) return s.latency_seconds[svc].p90 end,
    http_latency_p99 = function(s, svc) return s.latency_seconds[svc].p99 end,
  }

  for _, moment in ipairs({ "at_now", "in_payments_burst" }) do
    it("every HTTP recipe gives the manifest's value for every service, " .. moment, function()
      local s = summary[moment]
      local services = sorted_keys(s.request_rate_per_s)
      assert.are.equal(6, #services)
      -- all at once, through tinkr.all, as a dashboard would
      local fns, want = {}, {}
      for _, svc in ipairs(services) do
        for _, recipe in ipairs(sorted_keys(HTTP)) do
          fns[#fns + 1] = function()
            return { m:recipe(recipe, { service = svc, time = s.time }) }
          end
          want[#fns] = { recipe = recipe, service = svc, value = HTTP[recipe](s, svc) }
        end
      end
      local results = { tinkr.all(fns) }
      for i, w in ipairs(want) do
        local rows, meta = results[i][1], results[i][2]
        local what = ("%s{service=%s} at %s"):format(w.recipe, w.service, s.time)
        near(w.value, only_value(rows, meta, what), what)
        assert.are.equal(w.recipe, meta.recipe)
        assert.are.equal(meta.expr, meta.request.params.query)
      end
    end)
  end

  it("the bursts show: payments-api's 5xx share is far above normal at 11:33", function()
    local during = only_value(m:recipe("http_error_rate", { service = "payments-api", time = "2026-11-26T11:33:00Z" }))
    local after = only_value(m:recipe("http_error_rate", { service = "payments-api", time = stack.now }))
    assert.is_true(during > 0.2 and after < 0.02, ("%g / %g"):format(during, after))
  end)

  it("old-generation (ms, service_name) and new-generation (s, job) histograms agree, in seconds", function()
    local old
    for _, q in ipairs(queries) do
      if q.promql:find("http_server_duration_milliseconds_bucket", 1, true) then old = q end
    end
    assert.is_table(old)
    -- the manifest's own query, verbatim, by service_name, in ms
    local rows = assert(m:query(old.promql, { time = old.time }))
    assert.are.equal(#sorted_keys(old.values), #rows)
    for _, row in ipairs(rows) do
      local svc = row.labels.service_name
      near(old.values[svc], row.value, "ms p99 " .. svc)
      near(old.values[svc] / 1000, only_value(m:recipe("http_latency_p99", { service = svc, time = old.time })),
        "recipe p99 " .. svc)
    end
  end)

  it("rpc_duration gives the gRPC quantile in seconds", function()
    local q
    for _, x in ipairs(queries) do
      if x.promql:find("rpc_server_duration_milliseconds_bucket", 1, true) then q = x end
    end
    assert.are.same(stack.expected.metrics.rpc_jobs, sorted_keys(q.values))
    for svc, ms in pairs(q.values) do
      local rows, meta = m:recipe("rpc_duration", { service = svc, quantile = 0.9, time = q.time })
      near(ms / 1000, only_value(rows, meta, svc), "rpc p90 " .. svc)
      assert.are.equal("seconds", meta.unit)
    end
  end)

  it("every PromQL expression in the manifest gives its values through metrics.query", function()
    assert.is_true(#queries >= 10)
    for _, q in ipairs(queries) do
      local rows, meta = m:query(q.promql, { time = q.time })
      assert(rows, q.promql .. ": " .. tostring(meta))
      assert.are.equal("vector", meta.result_type)
      local seen = 0
      for _, row in ipairs(rows) do
        local key = row.labels[q.by]
        if tostring(row.value) == NAN_TEXT or row.value ~= row.value then
          assert.is_nil(q.values[key], q.promql .. " " .. tostring(key))   -- the manifest drops NaN
        else
          near(q.values[key], row.value, q.promql .. " " .. tostring(key))
          seen = seen + 1
        end
      end
      assert.are.equal(#sorted_keys(q.values), seen, q.promql)
    end
  end)

  it("runs the product document's two examples verbatim", function()
    local rows, meta = m:query('rate(http_server_requests_total{service_name="payments-api"}[5m])', { time = stack.now })
    assert(rows, tostring(meta))
    local want
    for _, q in ipairs(queries) do
      if q.promql == 'rate(http_server_requests_total{service_name="payments-api"}[5m])' then want = q end
    end
    assert.is_table(want)
    assert.are.equal(2, #rows)
    for _, row in ipairs(rows) do
      near(want.values[row.labels.http_status_code], row.value, "doc example 1 " .. row.labels.http_status_code)
      assert.are.equal("payments-api", row.labels.job)
    end

    rows, meta = m:query("rate(rpc_server_duration_bucket[5m])", { time = stack.now })
    assert(rows, tostring(meta))
    assert.are.equal(stack.expected.metrics.rpc_server_duration_bucket_series, #rows)
    for _, row in ipairs(rows) do
      assert.is_string(row.labels.le)
      assert.is_true(row.value >= 0)
      assert.are.equal(1795694400000000000, row.time_ns)
    end
  end)

  it("says exactly what it asked (instant)", function()
    local expr = 'sum(rate(http_server_requests_total{service_name="payments-api"}[5m]))'
    local rows, meta = m:query(expr, { time = "2026-11-26T12:00:00.250Z" })
    assert.are.equal(1, #rows)
    assert.are.same({ method = "GET", url = stack.prometheus .. "/api/v1/query",
                      params = { query = expr, time = "1795694400.25" } }, meta.request)
    assert.are.equal(1795694400250000000, rows[1].time_ns)
    assert.are.equal("vector", meta.result_type)
    assert.are.same({}, meta.warnings)
    assert.is_number(meta.took_ms)
  end)

  it("a range recipe gives points whose ends match the manifest's instants", function()
    local series, meta = m:recipe("http_request_rate", { service = "payments-api",
      from = "2026-11-26T11:33:00Z", to = stack.now, step = "1m" })
    assert(series, tostring(meta))
    assert.are.equal("matrix", meta.result_type)
    assert.are.same({ query = meta.expr, start = "1795692780", ["end"] = "1795694400", step = "60" },
      meta.request.params)
    assert.are.equal(1, #series)
    local points = series[1].points
    assert.are.equal(28, #points)
    assert.are.equal(1795692780000000000, points[1][1])
    assert.are.equal(1795694400000000000, points[28][1])
    near(summary.in_payments_burst.request_rate_per_s["payments-api"], points[1][2], "first point")
    near(summary.at_now.request_rate_per_s["payments-api"], points[28][2], "last point")
  end)

  it("picks a step for about 120 points, never under 15 s", function()
    local _, meta = m:range("vector(1)", { since = "6h", to = stack.now })
    assert.are.equal(180, meta.step_s)
    assert.are.equal("180", meta.request.params.step)
    local series
    series, meta = m:range("vector(1)", { since = "10m", to = stack.now })
    assert.are.equal(15, meta.step_s)
    assert.are.equal(41, #series[1].points)
  end)

  it("a scalar is one row", function()
    local rows, meta = m:query("scalar(vector(2.5))", { time = stack.now })
    assert.are.equal("scalar", meta.result_type)
    assert.are.same({ { labels = {}, value = 2.5, time_ns = 1795694400000000000 } }, rows)
  end)

  it("NaN and infinities come back as floats", function()
    local rows = assert(m:query('label_replace(vector(0) / 0, "v", "nan", "", "") or label_replace(vector(1) / 0, "v", "inf", "", "")'
      .. ' or label_replace(vector(-1) / 0, "v", "-inf", "", "")', { time = stack.now }))
    local by = {}
    for _, row in ipairs(rows) do by[row.labels.v] = row.value end
    assert.is_true(by.nan ~= by.nan)
    assert.are.equal(math.huge, by.inf)
    assert.are.equal(-math.huge, by["-inf"])
  end)

  it("a bad expression is bad_query with Prometheus's message and position", function()
    local rows, err = m:query("sum(rate(http_server_requests_total[5m])", { time = stack.now })
    assert.is_nil(rows)
    assert.are.equal("bad_query", err.code)
    -- Prometheus counts from the end of the text here (41 characters)
    assert.matches("1:41: parse error: unclosed left parenthesis", err.message, 1, true)
    assert.matches("1:41: parse error", err.detail, 1, true)
    assert.are.equal(400, err.status)
    assert.are.equal("sum(rate(http_server_requests_total[5m])", err.request.params.query)
    assert.are.equal(8, require("tinkr.errors").exit_status(err))
  end)

  it("an execution error (422) is backend, with Prometheus's words", function()
    local _, err = m:query("rate(http_server_requests_total[5m]) + on() group_left rate(http_server_requests_total[5m])",
      { time = stack.now })
    assert.are.equal("backend", err.code)
    assert.are.equal(422, err.status)
    assert.matches("many-to-many matching not allowed", err.message, 1, true)
  end)

  it("a URL that is not the Prometheus API says what came back", function()
    local _, err = metrics.new{ prometheus_url = stack.prometheus .. "/graph" }:query("up", { time = stack.now })
    assert.are.equal("backend", err.code)
    assert.matches("HTTP 404 with text/plain; charset=utf-8, not JSON: 404 page not found", err.message, 1, true)
    assert.matches("OTEL_PROMETHEUS_URL", err.message, 1, true)
    -- OpenSearch answers JSON, but not Prometheus's
    _, err = metrics.new{ prometheus_url = stack.opensearch }:query("up", { time = stack.now })
    assert.are.equal("backend", err.code)
    assert.matches("JSON that is not a Prometheus API answer", err.message, 1, true)
  end)

  it("Prometheus down is connect, naming OTEL_PROMETHEUS_URL", function()
    local url = ("http://127.0.0.1:%d"):format(fixture.free_port())
    local rows, err = metrics.new{ prometheus_url = url }:recipe("http_request_rate", { service = "x", time = stack.now })
    assert.is_nil(rows)
    assert.are.equal("connect", err.code)
    assert.matches("OTEL_PROMETHEUS_URL", err.message, 1, true)
    assert.matches(url, err.message, 1, true)
    assert.are.equal("http_request_rate", err.recipe)
  end)

  describe("module functions (the process config)", function()
    after_each(function() config.set(nil) end)

    it("use tinkr.config", function()
      config.set(config.new{ overrides = { prometheus_url = stack.prometheus } })
      local a, b = tinkr.all{
        function() return tinkr.metrics.recipe("http_request_rate", { service = "checkout", time = stack.now }) end,
        function() return tinkr.metrics.query("vector(7)", { time = stack.now }) end,
      }
      near(summary.at_now.request_rate_per_s.checkout, a[1].value, "checkout rate")
      assert.are.equal(7.0, b[1].value)
    end)

    it("without a URL return a config error saying how to set it", function()
      config.set(config.new{ getenv = function() return nil end })
      local rows, err = tinkr.metrics.query("up")
      assert.is_nil(rows)
      assert.are.equal("config", err.code)
      assert.matches("^OTEL_PROMETHEUS_URL is not set: export OTEL_PROMETHEUS_URL=", err.message)
      local _, err2 = metrics.new{}:query("up")
      assert.are.equal("OTEL_PROMETHEUS_URL is not set: export OTEL_PROMETHEUS_URL=http://host:9090", err2.message)
    end)
  end)

  it("bad times and steps are usage errors; wrong argument types raise", function()
    local _, err = m:query("up", { time = "yesterday-ish" })
    assert.are.equal("usage", err.code)
    _, err = m:range("up", { since = "1h", step = "fast" })
    assert.are.equal("usage", err.code)
    _, err = m:recipe("http_request_rate", { service = "x", time = stack.now, since = "1h" })
    assert.are.equal("usage", err.code)
    assert.has_error(function() m:query(42) end)
    assert.has_error(function() m:query("up", "now") end)
  end)
end)

describe("tinkr.metrics against a private Prometheus with exact data", function()
  local fx, m

  setup(function()
    fx = fixture.start()
    m = metrics.new{ prometheus_url = fx.url }
  end)

  teardown(function()
    if fx then fx.stop() end
  end)

  local RECIPE_OF = { rate = "http_request_rate", error_share = "http_error_rate", p50 = "http_latency_p50",
                      p90 = "http_latency_p90", p99 = "http_latency_p99" }

  it("every recipe gives the constructed value, whatever labels and generation", function()
    for svc, want in pairs(fx.expected) do
      for key, value in pairs(want) do
        local recipe = svc == "rpc-doc" and "rpc_duration" or RECIPE_OF[key]
        local rows, meta = m:recipe(recipe, { service = svc, time = fx.now_ns })
        near(value, only_value(rows, meta, recipe .. " " .. svc), recipe .. " " .. svc)
      end
    end
  end)

  it("finds a service by job = namespace/name (new generation, no service_name)", function()
    local rows = assert(m:recipe("http_request_rate", { service = "ns-new", time = fx.now_ns }))
    near(100 / 30, rows[1].value, "ns-new")
    assert.are.same({}, assert(m:recipe("http_request_rate", { service = "shop/ns", time = fx.now_ns })))
  end)

  it("finds a service by service_name alone (old generation, ms -> s)", function()
    local rows, meta = m:recipe("http_latency_p99", { service = "sn-old", time = fx.now_ns })
    near(0.95, rows[1].value, "sn-old p99")
    assert.matches("/ 1000", meta.expr, 1, true)
  end)

  it("prefers the newer generation and counts a series matched by job and service_name once", function()
    -- "both" has new-generation series at 100/30 req/s (job and service_name)
    -- and old-generation ones at 300/30 req/s
    near(100 / 30, only_value(m:recipe("http_request_rate", { service = "both", time = fx.now_ns })), "both")
  end)

  it("a dot in a service name is a dot, not any character", function()
    near(100 / 30, only_value(m:recipe("http_request_rate", { service = "pay.api", time = fx.now_ns })), "pay.api")
    near(500 / 30, only_value(m:recipe("http_request_rate", { service = "payXapi", time = fx.now_ns })), "payXapi")
    assert.are.same({}, assert(m:recipe("http_request_rate", { service = "pay.ap", time = fx.now_ns })))
  end)

  it("a hostile name selects exactly its own series, also in a POSTed query", function()
    local rows, meta = m:recipe("http_error_rate", { service = fx.HOSTILE, time = fx.now_ns })
    near(0.1, only_value(rows, meta, "hostile"), "hostile error share")
    assert.are.equal("POST", meta.request.method)          -- too long for a GET URL
    assert.are.equal(fx.url .. "/api/v1/query", meta.request.url)
    near(200 / 30, only_value(m:recipe("http_request_rate", { service = fx.HOSTILE, time = fx.now_ns })), "hostile rate")
  end)

  it("a service without the metric gives no rows, not an error", function()
    local rows, meta = m:recipe("http_latency_p99", { service = "doc-counter", time = fx.now_ns })
    assert.are.same({}, rows)
    assert.are.equal("vector", meta.result_type)
  end)

  it("meta carries the recipe, the expression sent, the unit and the parameters", function()
    local rows, meta = m:recipe("http_latency", { service = "ns-new", quantile = 0.5, window = "10m", time = fx.now_ns })
    near(0.1 * 50 / 60, rows[1].value, "p50 over 10m")
    assert.are.equal("http_latency", meta.recipe)
    assert.are.equal("seconds", meta.unit)
    assert.are.same({ service = "ns-new", quantile = 0.5, window = "10m" }, meta.params)
    assert.are.equal(meta.expr, meta.request.params.query)
    assert.matches("[10m]", meta.expr, 1, true)
  end)

  it("range = true runs the recipe over the last hour", function()
    local series, meta = m:recipe("http_request_rate", { service = "ns-new", range = true, to = fx.now_ns })
    assert.are.equal("matrix", meta.result_type)
    assert.are.equal(30, meta.step_s)
    local last = series[1].points[#series[1].points]
    assert.are.equal(fx.now_ns, last[1])
    near(100 / 30, last[2], "last point")
  end)
end)

describe("tinkr.metrics against a Prometheus with basic auth", function()
  local fx

  setup(function() fx = fixture.start{ data = false, basic_auth = true } end)
  teardown(function() if fx then fx.stop() end end)

  it("without credentials is auth", function()
    local rows, err = metrics.new{ prometheus_url = fx.url }:query("vector(1)", { time = fx.now_ns })
    assert.is_nil(rows)
    assert.are.equal("auth", err.code)
    assert.are.equal(401, err.status)
    assert.matches("HTTP 401", err.message, 1, true)
  end)

  it("sends configured headers", function()
    local m = metrics.new{ prometheus_url = fx.url, headers = { Authorization = fixture.AUTH_HEADER } }
    assert.are.equal(1.0, only_value(m:query("vector(1)", { time = fx.now_ns })))
  end)

  it("credentials in the URL are used but never shown", function()
    local url = fx.url:gsub("^http://", "http://" .. fixture.USER .. ":" .. fixture.PASSWORD .. "@")
    local rows, meta = metrics.new{ prometheus_url = url }:query("vector(1)", { time = fx.now_ns })
    assert.are.equal(1.0, only_value(rows, meta, "auth in url"))
    assert.are.equal(fx.url .. "/api/v1/query", meta.request.url)
  end)
end)

describe("tinkr.metrics against a Prometheus with a 1 ms query timeout", function()
  local fx

  setup(function() fx = fixture.start{ data = false, flags = { "--query.timeout=1ms" } } end)
  teardown(function() if fx then fx.stop() end end)

  it("a query that runs out of time is timeout, with Prometheus's words", function()
    local series, err = metrics.new{ prometheus_url = fx.url }:range("count_over_time(vector(1)[1h:1s])",
      { from = fx.now_ns - 12 * 3600 * 1000000000, to = fx.now_ns, step = "5s" })
    assert.is_nil(series)
    assert.are.equal("timeout", err.code)
    assert.are.equal(503, err.status)
    assert.matches("query timed out in expression evaluation", err.message, 1, true)
  end)
end)

describe("tinkr.metrics against answers no real Prometheus gives", function()
  local srv, m

  setup(function()
    srv = fixture.static_server{
      ["api/v1/query"] = '{"status":"success","data":{"resultType":"vector","result":["oops", 42]}}',
      ["api/v1/query_range"] = '{"status":"success","data":{"resultType":"hologram","result":[]}}',
      ["api/v1/status/buildinfo"] = '{"status":"success","data":{"revision":"x"}}',
    }
    m = metrics.new{ prometheus_url = srv.url }
  end)
  teardown(function() if srv then srv.stop() end end)

  it("a malformed result is a backend error, not a crash", function()
    local rows, err = m:query("up", { time = fixture.now_ns })
    assert.is_nil(rows)
    assert.are.equal("backend", err.code)
    assert.are.equal("Prometheus answered a malformed vector result", err.message)
  end)

  it("an unknown result type is a backend error naming it", function()
    local _, err = m:range("up", { since = "1h", to = fixture.now_ns })
    assert.are.equal("backend", err.code)
    assert.matches('unknown result type "hologram"', err.message, 1, true)
  end)

  it("build info without a version is a backend error", function()
    local v, err = m:buildinfo()
    assert.is_nil(v)
    assert.are.equal("backend", err.code)
  end)
end)
