-- Real OTel writers x tinkr commands, with zero configuration: the sample
-- shop (scripts/otel_app.py, OTel Python SDK) sends known telemetry through
-- the real Collector v0.165.0, Jaeger v2, Prometheus 3 (remote write and
-- OTLP) and VictoriaMetrics (scripts/stack up --writers); tinkr, run as a
-- new user would (an empty environment but the backend URLs, a fresh HOME:
-- no profile, no index variables, no cache), must find exactly what was
-- sent: counts, ids, durations, statuses, error ratios, and quantiles within
-- the precision of the View's buckets.  Heavy (real servers, a Python app):
-- plain pass only (#plainonly).
--
-- Each OpenSearch pipeline writes into an OpenSearch of its own where the
-- product document's default patterns (otel-logs-*, otel-traces-*) match
-- nothing, so every OpenSearch answer below went through index discovery,
-- which the specs check (its stderr line and meta.discovered).
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

  -- The OpenSearch pipelines: which writers' OpenSearch, the index names the
  -- writers use there, and the layout tinkr must detect for the spans.
  local OS_STORES = {
    { writer = "Collector -> ss4o stand-in -> OpenSearch (the product document's config)", os = "opensearch",
      logs = "otel-logs", spans = "otel-traces", layout = "ss4o" },
    { writer = "Collector -> Jaeger v2 -> OpenSearch (logs: ss4o stand-in beside it)", os = "jaeger_opensearch",
      logs = "otel-logs", spans = "jaeger-span-*", layout = "jaeger" },
  }

  local function zero(args, store)
    return W.tinkr(args, { opensearch = w[store.os] })
  end

  -- stderr holds exactly the discovery lines of the given signals, each
  -- naming the default that matched nothing, what was used and how to pin it.
  local function assert_discovered(err, store, kinds)
    local want = {}
    for _, kind in ipairs(kinds) do
      local var, default = "OTEL_LOG_INDEX", "otel-logs-*"
      local pattern, lay = store.logs, "ss4o"
      if kind == "spans" then
        var, default, pattern, lay = "OTEL_TRACE_INDEX", "otel-traces-*", store.spans, store.layout
      end
      want[#want + 1] = ("tinkr: %s is not set and '%s' matches no index; using '%s' (%s layout, found on the cluster); pin it: export %s=%s")
        :format(var, default, pattern, lay, var, pattern)
    end
    local got = {}
    for line in err:gmatch("[^\n]+") do got[#got + 1] = line end
    table.sort(want); table.sort(got)
    assert.same(want, got)
  end

  local function assert_meta_discovered(meta, store, kind, raw)
    local d = assert(meta.discovered, "meta.discovered is missing")
    local pattern = kind == "logs" and store.logs or store.spans
    assert.equal(pattern, d.pattern)
    assert.equal(kind == "logs" and "ss4o" or store.layout, d.layout)
    assert.equal(kind == "logs" and "otel-logs-*" or "otel-traces-*", d.default)
    assert.is_false(d.cached)                      -- a fresh HOME: nothing cached
    assert.equal(pattern, meta.index)
    -- one family per signal on these clusters; an empty list is []
    assert.matches('"others":[]', raw, 1, true)
  end

  for _, store in ipairs(OS_STORES) do
    describe(store.writer .. ": tinkr logs", function()
      it("finds every log line of each service: time, level, body, trace and span ids", function()
        for _, svc in pairs(M.services) do
          local out, err, status = zero({ "logs", "--service", svc.name, "--since", "2h", "--limit", "0",
            "--format", "ndjson" }, store)
          assert.equal(0, status, err)
          assert_discovered(err, store, { "logs" })
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

      it("says in meta what it discovered, and counts exactly", function()
        local svc = M.services.checkout
        local out, err, status = zero({ "logs", "--service", svc.name, "--since", "2h", "--limit", "1",
          "--format", "json" }, store)
        assert.equal(0, status, err)
        local doc = assert(json.decode(out))
        assert_meta_discovered(doc.meta, store, "logs", out)
        assert.equal(svc.logs, doc.meta.total)
        assert.equal("ss4o", doc.meta.layout)
      end)

      it("--level ERROR returns exactly the error lines", function()
        local svc = M.services.inventory
        local out, err, status = zero({ "logs", "--service", svc.name, "--level", "ERROR", "--since", "2h",
          "--format", "ndjson" }, store)
        assert.equal(0, status, err)
        local rows = decode_lines(out)
        assert.equal(svc.log_levels.ERROR, #rows)
        for _, r in ipairs(rows) do assert.equal("ERROR", r.level) end
      end)
    end)
  end

  for _, store in ipairs(OS_STORES) do
    describe(store.writer .. ": tinkr traces / trace", function()
      it("traces lists every request as a root span with its exact duration and status", function()
        local svc = M.services.checkout
        local out, err, status = zero({ "traces", "--service", svc.name, "--since", "2h", "--limit", "0",
          "--format", "json" }, store)
        assert.equal(0, status, err)
        assert_discovered(err, store, { "spans" })
        local doc = assert(json.decode(out))
        assert_meta_discovered(doc.meta, store, "spans", out)
        assert.equal(svc.root_traces, doc.meta.total)
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
        local out, err, status = zero({ "traces", "--service", svc.name, "--errors", "--since", "2h",
          "--format", "json" }, store)
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
        local out, err, status = zero({ "traces", "--service", svc.name, "--where", "http.route=/cart",
          "--since", "2h", "--limit", "0", "--format", "json" }, store)
        assert.equal(0, status, err)
        local doc = assert(json.decode(out))
        local rows = doc.result or doc.rows or doc
        assert.equal(count_if(M.traces, function(t) return t.name == "GET /cart" end), #rows)
      end)

      it("trace shows every span of a cross-service failure with parents, durations and its logs", function()
        local failed
        for _, t in ipairs(M.traces) do if t.status == "error" then failed = t end end
        local out, err, status = zero({ "trace", failed.trace_id, "--format", "json" }, store)
        assert.equal(0, status, err)
        assert_discovered(err, store, { "spans", "logs" })
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

  -- Every metric store, each under its own naming (remote write: job and
  -- unit suffixes; Prometheus 3 OTLP under each translation strategy;
  -- VictoriaMetrics: UTF-8 names, service.name, no job): only its URL given.
  for _, store in ipairs(W.METRIC_STORES) do
    describe(store.writer .. ": recipes", function()
      it("holds the exact request count of each service, and tinkr metrics finds it", function()
        for _, svc in pairs(M.services) do
          local r = W.promql(w.env[store.url], store.count:format(svc.name), w.sent_at)
          assert.equal(svc.requests, tonumber(r[1].value[2]), svc.name)
          local out, err, status = W.tinkr({ "metrics", store.count:format(svc.name), "--time", w.sent_at,
            "--format", "json" }, { prometheus = w.env[store.url] })
          assert.equal(0, status, store.writer .. ": " .. err)
          local doc = assert(json.decode(out))
          assert.equal(1, #doc.result, out)
          assert.equal(svc.requests, doc.result[1].value, store.writer .. " " .. svc.name)
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

  it("Collector prometheusremotewrite: the product document's example query gets the hint to use job, and the hint answers", function()
    local svc = M.services.checkout
    local prom = w.env.TINKR_COLLECTOR_PROMETHEUS_URL
    local doc_query = ('rate(http_server_requests_total{service_name="%s"}[5m])'):format(svc.name)
    local out, err, status = W.tinkr({ "metrics", doc_query, "--time", w.sent_at, "--format", "json" },
      { prometheus = prom })
    assert.equal(1, status, err)                          -- no results
    assert.equal(0, #assert(json.decode(out)).result)
    local try = ('rate(http_server_requests_total{job="%s"}[5m])'):format(svc.name)
    assert.matches("no series has `service_name`; the Collector puts service.name in `job`: try " .. try, err, 1, true)
    out, err, status = W.tinkr({ "metrics", "sum(" .. try .. ")", "--time", w.sent_at, "--format", "json" },
      { prometheus = prom })
    assert.equal(0, status, err)
    local doc = assert(json.decode(out))
    local oracle = W.promql(prom, "sum(" .. try .. ")", w.sent_at)
    assert.is_true(doc.result[1].value > 0)
    assert.near(tonumber(oracle[1].value[2]), doc.result[1].value, 1e-9)
  end)

  for _, store in ipairs(OS_STORES) do
    it(store.writer .. ": tinkr doctor lists what the writers wrote, and the lines that pin it", function()
      local out, err, status = W.tinkr({ "doctor", "--format", "json" },
        { opensearch = w[store.os], prometheus = w.env.TINKR_COLLECTOR_PROMETHEUS_URL })
      assert.equal(0, status, err .. out)
      local doc = assert(json.decode(out), err)
      assert.same({ logs = true, traces = true, trace = true, metrics = true, recipes = true }, doc.answers)
      local fams = {}
      for _, fam in ipairs(doc.opensearch.indices) do fams[fam.kind] = fam end
      local want = { logs = { store.logs, "ss4o", #M.logs }, spans = { store.spans, store.layout, W.spans_of(M) } }
      for kind, wf in pairs(want) do
        local fam = assert(fams[kind], kind .. " family missing: " .. out)
        assert.equal(wf[1], fam.pattern)
        assert.equal(wf[2], fam.layout)
        assert.is_true(fam.docs >= wf[3], kind .. ": " .. tostring(fam.docs))   -- earlier runs may be there too
        for _, svc in pairs(M.services) do
          assert.is_truthy(table.concat(fam.services, "\n"):find(svc.name, 1, true), svc.name)
        end
        -- a date (Jaeger: startTimeMillis, epoch_millis) is shown as a time, not as digits
        assert.matches("^%d%d%d%d%-%d%d%-%d%dT", fam.from)
        assert.matches("^%d%d%d%d%-%d%d%-%d%dT", fam.to)
        assert.equal("discovered", doc.opensearch.signals[kind].source)
      end
      assert.same({ "export OTEL_LOG_INDEX=" .. store.logs, "export OTEL_TRACE_INDEX=" .. store.spans },
        { doc.env[1], doc.env[2] })
    end)
  end

  it("examples/node: the Node SDK's span, log line and histogram (second-scale View) reach every store through the Collector", function()
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
    out, err, status = zero({ "trace", trace_id, "--format", "json" }, OS_STORES[1])
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

    -- the same trace through Jaeger, found with the URL only
    W.wait_for("the Node example's span in Jaeger and its log beside it", function()
      local spans = W.os_count(w.jaeger_opensearch, "jaeger-span-*", { term = { traceID = trace_id } })
      local logs = W.os_count(w.jaeger_opensearch, "otel-logs", { term = { ["traceId.keyword"] = trace_id } })
      return spans == 1 and logs == 1, spans .. " spans, " .. logs .. " logs"
    end)
    out, err, status = zero({ "trace", trace_id, "--format", "json" }, OS_STORES[2])
    assert.equal(0, status, err)
    doc = assert(json.decode(out))
    assert.equal(1, #doc.trace.spans)
    assert.equal(42000000, doc.trace.spans[1].duration_ns)
    assert.equal(service, doc.trace.spans[1].service)
    assert.equal(1, #doc.trace.logs)

    -- the histogram point of 0.042 s, in the View's second-scale buckets: in
    -- (0.025, 0.05], so the median is 0.0375 (the SDK's default buckets
    -- 0, 5, 10 ... would put it in (0, 5] and give 2.5)
    local prom = w.env.TINKR_COLLECTOR_PROMETHEUS_URL
    local series = ('http_server_request_duration_seconds_bucket{job="%s"}'):format(service)
    W.wait_for("the Node example's histogram in Prometheus", function()
      local r = W.promql(prom, series)
      return #r > 0, #r .. " series"
    end)
    out, err, status = W.tinkr({ "metrics", ("histogram_quantile(0.5, sum by (le) (%s))"):format(series),
      "--instant", "--format", "json" }, { prometheus = prom })
    assert.equal(0, status, err)
    doc = assert(json.decode(out))
    assert.equal(1, #doc.result, out)
    assert.near(0.0375, doc.result[1].value, 1e-9)
  end)
end)
