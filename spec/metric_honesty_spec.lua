-- Metrics that explain themselves, against a real Prometheus 2.42 (the
-- private fixture, spec/support/prometheus_fixture.lua):
--   * a quantile interpolated inside a bucket wider than itself (the OTel
--     SDKs' default buckets on a seconds histogram) carries a caveat with
--     the bucket bounds, in meta and on stderr;
--   * a query that selects the service by a label the store does not use
--     comes back with the query that would answer.
local helpers = require "helpers"
local metrics = require "tinkr.metrics"
local fixture = require "support.prometheus_fixture"
local bucket_check = require "tinkr.bucket_check"

describe("honest quantiles and naming hints", function()
  local fx, m, cache

  setup(function()
    fx = fixture.start()
    m = metrics.new{ prometheus_url = fx.url }
    cache = os.tmpname() .. ".d"
  end)
  teardown(function() if fx then fx.stop() end end)

  local function cli(args)
    return helpers.tinkr(args, { env = {
      OTEL_PROMETHEUS_URL = fx.url, OTEL_OPENSEARCH_URL = "http://127.0.0.1:9", XDG_CONFIG_HOME = "/nonexistent",
      TINKR_CACHE_DIR = cache, TINKR_NOW = "2026-11-26T12:00:00Z",
    } })
  end

  it("finds the bucket a value falls in", function()
    local b = { 0, 5, 10, 25 }
    assert.same({ 0, 5 }, { bucket_check.bucket_of(b, 4.95) })
    assert.same({ 5, 10 }, { bucket_check.bucket_of(b, 5.5) })
    assert.same({ 25, math.huge }, { bucket_check.bucket_of(b, 30) })
    assert.is_true(bucket_check.sdk_default({ 0, 5, 10, 25, 50, 75, 100, 250 }))
    assert.is_false(bucket_check.sdk_default({ 0.1, 0.25, 0.5, 1 }))
  end)

  it("a value in the lowest bucket is worth a caveat only when that bucket is coarse", function()
    local prom_default = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 }
    -- p99 3 ms in (0, 5 ms]: "at most 5 ms" is plenty
    assert.is_nil(bucket_check.worst(prom_default, { { value = 0.003 } }, 1))
    -- 30 ms in (25, 50] ms: the bucket is narrower than the value
    assert.is_nil(bucket_check.worst(prom_default, { { value = 0.03 } }, 1))
    -- 1.1 s in (1, 2.5] s is not in the lowest bucket: still a caveat
    local w = bucket_check.worst(prom_default, { { value = 1.1 } }, 1)
    assert.same({ 1, 2.5 }, { w.lower, w.upper })
    -- the SDK's (0, 5] on a seconds histogram: coarse, so it counts
    local sdk = { 0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000 }
    w = bucket_check.worst(sdk, { { value = 4.95 } }, 1)
    assert.same({ 0, 5 }, { w.lower, w.upper })
    -- without a floor, every value of the lowest bucket counts (the old rule)
    assert.is_table(bucket_check.worst(prom_default, { { value = 0.003 } }))
  end)

  it("p99 = 4.95 s from the SDK's default buckets carries a caveat with the bounds", function()
    local rows, meta = m:recipe("http_latency_p99", { service = "sdk-default", time = fx.now_ns })
    assert.is_table(rows, tostring(meta))
    assert.near(fixture.expected["sdk-default"].p99, rows[1].value, 1e-9)
    assert.is_table(meta.caveats)
    assert.equal(1, #meta.caveats)
    assert.matches("^http_latency_p99 for sdk%-default = 4%.95 s is interpolated inside the bucket %(0, 5%] s, "
      .. "which is wider than the value itself: these are the OTel SDKs' default buckets", meta.caveats[1])
    assert.same({ 0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000 }, meta.buckets.bounds)
  end)

  it("no caveat when the bucket is narrower than the value", function()
    -- p99 = 0.95 s in (0.5, 1]
    local rows, meta = m:recipe("http_latency_p99", { service = "ns-new", time = fx.now_ns })
    assert.near(0.95, rows[1].value, 1e-9)
    assert.is_nil(meta.caveats)
  end)

  it("a range of quantiles names the worst point", function()
    local series, meta = m:recipe("http_latency_p90", { service = "sdk-default", from = fx.now_ns - 1800 * 1e9,
      to = fx.now_ns, step = "5m" })
    assert.is_table(series, tostring(meta))
    assert.matches("= 4%.5 s is interpolated inside the bucket %(0, 5%] s", meta.caveats[1])
  end)

  it("the CLI prints the caveat on stderr, one line", function()
    local out, err, status = cli{ "metrics", "--recipe", "http_latency_p99", "--service", "sdk-default", "--instant" }
    assert.equal(0, status, err)
    assert.matches("4%.95", out)
    assert.matches("tinkr: caveat: http_latency_p99 for sdk%-default = 4%.95 s is interpolated inside the bucket %(0, 5%] s[^\n]*\n$", err)
  end)

  it("the product document's query by service_name gets the query by job that answers", function()
    -- ns-new carries job = "shop/ns-new" and no service_name
    local expr = 'rate(http_server_request_duration_seconds_count{service_name="ns-new"}[5m])'
    local rows, meta = m:query(expr, { time = fx.now_ns })
    assert.equal(0, #rows)
    assert.equal('no series has service_name="ns-new"; the Collector puts service.name in `job`: '
      .. 'try rate(http_server_request_duration_seconds_count{job=~".+/ns-new"}[5m])', meta.hint)
    -- and the suggestion answers
    local again = m:query('rate(http_server_request_duration_seconds_count{job=~".+/ns-new"}[5m])', { time = fx.now_ns })
    assert.is_true(#again > 0)
  end)

  it("the other way round: job where only service_name has the service", function()
    local rows, meta = m:query('sum(rate(http_server_duration_milliseconds_count{job="sn-old"}[5m]))', { time = fx.now_ns })
    assert.equal(0, #rows)
    assert.matches('try sum%(rate%(http_server_duration_milliseconds_count{service_name="sn%-old"}%[5m%]%)%)$', meta.hint)
  end)

  it("no hint when nothing would answer, or when there are results", function()
    local _, meta = m:query('up{job="no-such-service"}', { time = fx.now_ns })
    assert.is_nil(meta.hint)
    local rows, meta2 = m:query('rate(http_server_request_duration_seconds_count{job="both"}[5m])', { time = fx.now_ns })
    assert.is_true(#rows > 0)
    assert.is_nil(meta2.hint)
  end)

  it("a stale cached style (another server on that URL) is looked at again, not trusted", function()
    local metric_style = require "tinkr.metric_style"
    local dir = os.tmpname() .. ".d"
    metric_style.cache_dir = dir
    -- what a Prometheus 3 NoTranslation store would have left there
    assert(metric_style.cache():put(metric_style.cache_key(fx.url), { spelling = "utf8",
      style = { known = true, service_labels = { "job" }, found = {}, writer = "x", description = "x" } }))
    local rows, meta = m:recipe("http_latency_p99", { service = "ns-new", time = fx.now_ns })
    metric_style.cache_dir = nil
    assert.is_table(rows, tostring(meta))
    assert.near(0.95, rows[1].value, 1e-9)
    assert.equal("underscore_suffixes", meta.naming.style)
    assert.is_false(meta.naming.cached)
  end)

  it("the CLI prints the hint on stderr and exits 1 (no results)", function()
    local _, err, status = cli{ "metrics", 'rate(http_server_request_duration_seconds_count{service_name="ns-new"}[5m])',
      "--instant" }
    assert.equal(1, status, err)
    assert.matches('tinkr: hint: no series has service_name="ns%-new"; the Collector puts service%.name in `job`: try ', err)
  end)
end)
