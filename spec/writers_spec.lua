-- Real OTel writers × tinkr commands: the sample shop (scripts/otel_app.py,
-- OTel Python SDK) sends known telemetry through the real Collector v0.165.0,
-- Jaeger v2, Prometheus 3 (remote write and OTLP) and VictoriaMetrics
-- (scripts/stack up --writers); tinkr must find exactly what was sent:
-- counts, ids, durations, statuses, error ratios, and quantiles within the
-- precision of the View's buckets.  Heavy (real servers, a Python app):
-- plain pass only (#plainonly).
--
-- Logs/traces into OpenSearch through the Collector go via the ss4o bridge,
-- a stand-in for the contrib opensearch exporter, which cannot be built here.
local helpers = require "helpers"
local W = require "support.writers"
local json = require("tinkr.core").json

local q = helpers.shell_quote

local function decode_lines(out)
  local rows = {}
  for line in out:gmatch("[^\n]+") do rows[#rows + 1] = assert(json.decode(line)) end
  return rows
end

local function by(list, key)
  local out = {}
  for _, v in ipairs(list) do out[v[key]] = v end
  return out
end

local function count_if(list, pred)
  local n = 0
  for _, v in ipairs(list) do if pred(v) then n = n + 1 end end
  return n
end

describe("real writers x tinkr #plainonly", function()
  local w, M

  setup(function()
    w = W.get()
    M = w.manifest
  end)

  -- The trace stores: where tinkr finds logs and spans, and which layout it
  -- must detect there.  The log lines always come from the ss4o bridge.
  local TRACE_STORES = {
    { writer = "Collector -> ss4o stand-in -> OpenSearch", index = "otel-traces", layout = "ss4o" },
    { writer = "Jaeger v2 -> OpenSearch", index = "jaeger-span-*", layout = "jaeger" },
  }

  local function os_urls(trace_index)
    return { opensearch = w.opensearch,
      extra = { OTEL_LOG_INDEX = "otel-logs", OTEL_TRACE_INDEX = trace_index } }
  end

  describe("Collector -> ss4o stand-in -> OpenSearch: tinkr logs", function()
    it("finds every log line of each service: time, level, body, trace and span ids", function()
      for _, svc in pairs(M.services) do
        local out, err, status = W.tinkr({ "logs", "--service", svc.name, "--since", "2h", "--limit", "0",
          "--format", "ndjson" }, os_urls("otel-traces"))
        assert.equal(0, status, err)
        local rows = decode_lines(out)
        assert.equal(svc.logs, #rows, svc.name)
        local want = {}
        for _, l in ipairs(M.logs) do
          if l.service == svc.name then
            want[#want + 1] = table.concat({ l.time_ns, l.level, l.body, l.trace_id, l.span_id }, "|")
          end
        end
        local got = {}
        for _, r in ipairs(rows) do
          assert.equal(svc.name, r.service)
          got[#got + 1] = table.concat({ r.time_ns, r.level, r.message, r.trace_id, r.span_id }, "|")
        end
        table.sort(want); table.sort(got)
        assert.same(want, got)
      end
    end)

    it("--level ERROR returns exactly the error lines", function()
      local svc = M.services.inventory
      local out, err, status = W.tinkr({ "logs", "--service", svc.name, "--level", "ERROR", "--since", "2h",
        "--format", "ndjson" }, os_urls("otel-traces"))
      assert.equal(0, status, err)
      local rows = decode_lines(out)
      assert.equal(svc.log_levels.ERROR, #rows)
      for _, r in ipairs(rows) do assert.equal("ERROR", r.level) end
    end)
  end)

  for _, store in ipairs(TRACE_STORES) do
    describe(store.writer .. ": tinkr traces / trace", function()
      it("traces lists every request as a root span with its exact duration and status", function()
        local svc = M.services.checkout
        local out, err, status = W.tinkr({ "traces", "--service", svc.name, "--since", "2h", "--limit", "0",
          "--format", "json" }, os_urls(store.index))
        assert.equal(0, status, err)
        local doc = assert(json.decode(out))
        local rows = doc.result or doc.rows or doc
        assert.equal(svc.root_traces, #rows)
        local sent = by(M.traces, "trace_id")
        local prev = math.huge
        for _, r in ipairs(rows) do
          local t = assert(sent[r.trace_id], "unknown trace id " .. tostring(r.trace_id))
          assert.equal(t.root_span_id, r.span_id)
          assert.equal(t.duration_ns, r.duration_ns)
          assert.equal(t.start_ns, r.start_ns)
          assert.equal(t.name, r.name)
          assert.equal(t.status == "error" and "error" or "unset", r.status)
          assert.is_true(r.duration_ns <= prev, "slowest first")
          prev = r.duration_ns
        end
        assert.equal(store.layout, doc.meta and doc.meta.layout)
      end)

      it("traces --errors returns exactly the failed requests", function()
        local svc = M.services.checkout
        local out, err, status = W.tinkr({ "traces", "--service", svc.name, "--errors", "--since", "2h",
          "--format", "json" }, os_urls(store.index))
        assert.equal(0, status, err)
        local doc = assert(json.decode(out))
        local rows = doc.result or doc.rows or doc
        local want = {}
        for _, t in ipairs(M.traces) do if t.status == "error" then want[t.trace_id] = true end end
        assert.equal(svc.errors_5xx, #rows)
        for _, r in ipairs(rows) do assert.is_true(want[r.trace_id], r.trace_id) end
      end)

      it("traces --where http.route=/cart selects by a span attribute", function()
        local svc = M.services.checkout
        local out, err, status = W.tinkr({ "traces", "--service", svc.name, "--where", "http.route=/cart",
          "--since", "2h", "--limit", "0", "--format", "json" }, os_urls(store.index))
        assert.equal(0, status, err)
        local doc = assert(json.decode(out))
        local rows = doc.result or doc.rows or doc
        assert.equal(count_if(M.traces, function(t) return t.name == "GET /cart" end), #rows)
      end)

      it("trace shows every span of a cross-service failure with parents, durations and its logs", function()
        local failed
        for _, t in ipairs(M.traces) do if t.status == "error" then failed = t end end
        local out, err, status = W.tinkr({ "trace", failed.trace_id, "--format", "json" }, os_urls(store.index))
        assert.equal(0, status, err)
        local doc = assert(json.decode(out))
        local got = by(doc.trace.spans, "span_id")
        assert.equal(#failed.spans, #doc.trace.spans)
        for _, s in ipairs(failed.spans) do
          local g = assert(got[s.span_id], "span " .. s.span_id .. " missing")
          assert.equal(s.parent_span_id, g.parent_span_id)
          assert.equal(s.duration_ns, g.duration_ns)
          assert.equal(s.start_ns, g.start_ns)
          assert.equal(s.service, g.service)
          assert.equal(s.name, g.name)
          assert.equal(s.status, g.status)
        end
        assert.same({ M.services.checkout.name, M.services.inventory.name }, doc.trace.services)
        local want_logs = count_if(M.logs, function(l) return l.trace_id == failed.trace_id end)
        assert.equal(want_logs, #doc.trace.logs)
        for _, l in ipairs(doc.trace.logs) do assert.equal(failed.trace_id, l.trace_id) end
      end)
    end)
  end

  -- Metrics: the recipes against each store, at one pinned instant.
  local function recipe(name, service, url, extra)
    local args = { "metrics", "--recipe", name, "--service", service, "--time", w.sent_at, "--format", "json" }
    for _, a in ipairs(extra or {}) do args[#args + 1] = a end
    local out, err, status = W.tinkr(args, { prometheus = url })
    assert.equal(0, status, name .. " " .. service .. ": " .. err)
    local doc = assert(json.decode(out))
    assert.equal(1, #doc.result, name .. ": one value expected: " .. out)
    return doc.result[1].value, doc
  end

  local function durations_s(svc)
    local out = {}
    for _, ms in ipairs(svc.durations_ms) do out[#out + 1] = ms / 1000 end
    return out
  end

  -- The stores whose naming the recipes know today (remote write: job,
  -- unit suffixes); the others are checked for their raw data below.
  local RECIPE_STORES = { W.METRIC_STORES[1], W.METRIC_STORES[2] }

  for _, store in ipairs(RECIPE_STORES) do
    describe(store.writer .. ": recipes", function()
      it("holds the exact request count of each service", function()
        for _, svc in pairs(M.services) do
          local r = W.promql(w.env[store.url], store.count:format(svc.name), w.sent_at)
          assert.equal(svc.requests, tonumber(r[1].value[2]), svc.name)
        end
      end)

      it("http_error_rate is the share of 5xx the shop answered", function()
        for _, svc in pairs(M.services) do
          local v = recipe("http_error_rate", svc.name, w.env[store.url])
          assert.near(svc.errors_5xx / svc.requests, v, 1e-9)
        end
      end)

      it("http_latency (q = 0.5, 0.9, 0.99) and http_latency_p50/p90/p99 are the quantiles of the sent durations over the View's buckets", function()
        for _, svc in pairs(M.services) do
          for _, qv in ipairs({ 0.5, 0.9, 0.99 }) do
            local want = W.histogram_quantile(qv, durations_s(svc), M.metrics.buckets)
            local v = recipe("http_latency", svc.name, w.env[store.url], { "--param", "quantile=" .. qv })
            assert.near(want, v, 1e-9)
          end
          for _, fixed in ipairs({ { "http_latency_p50", 0.5 }, { "http_latency_p90", 0.9 },
                                   { "http_latency_p99", 0.99 } }) do
            local v = recipe(fixed[1], svc.name, w.env[store.url])
            assert.near(W.histogram_quantile(fixed[2], durations_s(svc), M.metrics.buckets), v, 1e-9)
          end
        end
      end)

      it("http_request_rate equals the rate of the service's request counter", function()
        for _, svc in pairs(M.services) do
          local v = recipe("http_request_rate", svc.name, w.env[store.url])
          local oracle = W.promql(w.env[store.url],
            ("sum(rate(%s[5m]))"):format(store.count:match("sum%((.-)%)$")):format(svc.name), w.sent_at)
          assert.is_true(v > 0)
          assert.near(tonumber(oracle[1].value[2]), v, 1e-9)
        end
      end)
    end)
  end

  it("tinkr doctor lists the Jaeger span index with its layout and a readable time range", function()
    -- no Prometheus is given: doctor says so in its status, and still reports OpenSearch
    local out, err = W.tinkr({ "doctor", "--format", "json" }, { opensearch = w.opensearch })
    local doc = assert(json.decode(out), err)
    local jaeger
    for _, fam in ipairs(doc.opensearch and doc.opensearch.indices or {}) do
      if fam.layout == "jaeger" then jaeger = fam end
    end
    assert.is_truthy(jaeger, out)
    -- startTimeMillis is stored as epoch_millis: shown as a time, not as digits
    assert.matches("^%d%d%d%d%-%d%d%-%d%dT", jaeger.from)
    assert.matches("^%d%d%d%d%-%d%d%-%d%dT", jaeger.to)
  end)

  it("examples/node: the Node SDK's span and log line reach OpenSearch through the Collector", function()
    local service = "node-example-" .. M.run_id
    local out, err, status = helpers.run(("timeout 120 %s %s %s %s"):format(
      q(helpers.root .. "/scripts/otel-node"), q(helpers.root .. "/examples/node/otel-setup.js"),
      q(w.env.TINKR_COLLECTOR_OTLP_URL), q(service)))
    assert.equal(0, status, err)
    local trace_id = out:match("^(%x+)%s*$")
    assert.is_truthy(trace_id, out)
    W.wait_for("the Node example's span and log", function()
      local spans = W.os_count(w.opensearch, "otel-traces", { term = { ["traceId.keyword"] = trace_id } })
      local logs = W.os_count(w.opensearch, "otel-logs", { term = { ["traceId.keyword"] = trace_id } })
      return spans == 1 and logs == 1, spans .. " spans, " .. logs .. " logs"
    end)
    out, err, status = W.tinkr({ "trace", trace_id, "--format", "json" }, os_urls("otel-traces"))
    assert.equal(0, status, err)
    local doc = assert(json.decode(out))
    assert.equal(1, #doc.trace.spans)
    local span = doc.trace.spans[1]
    assert.equal("GET /pay", span.name)
    assert.equal(service, span.service)
    assert.equal(42000000, span.duration_ns)
    assert.equal(1, #doc.trace.logs)
    assert.equal("paid in 42 ms", doc.trace.logs[1].message)
    assert.equal(span.span_id, doc.trace.logs[1].span_id)
  end)

  -- Every OTLP store got the shop's exact counts under its own naming.
  for i = 3, #W.METRIC_STORES do
    local store = W.METRIC_STORES[i]
    it(store.writer .. ": tinkr metrics finds the exact request count under that naming", function()
      for _, svc in pairs(M.services) do
        local out, err, status = W.tinkr({ "metrics", store.count:format(svc.name), "--time", w.sent_at,
          "--format", "json" }, { prometheus = w.env[store.url] })
        assert.equal(0, status, store.writer .. ": " .. err)
        local doc = assert(json.decode(out))
        assert.equal(1, #doc.result, out)
        assert.equal(svc.requests, doc.result[1].value, store.writer .. " " .. svc.name)
      end
    end)
  end
end)
