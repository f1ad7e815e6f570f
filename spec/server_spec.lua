-- bin/tinkr-server against the real local stack (spec/support/stack.lua):
-- every route, auth, errors and their statuses, script budgets, draining on
-- SIGTERM, and a bounded load test with the OpenSearch connection cut
-- half-way (through a proxy this spec owns, never the shared stack).
local core = require "tinkr.core"
local helpers = require "helpers"
local stack_support = require "support.stack"
local server = require "support.server"

local json = core.json
local q = helpers.shell_quote

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return ("%%%02X"):format(c:byte()) end))
end

local function count_keys(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n
end

local function close_to(expected, actual, what)
  assert(math.abs(expected - actual) <= 1e-9 * math.max(1, math.abs(expected)),
    ("%s: expected %.17g, got %.17g"):format(what, expected, actual))
end

local SCRIPTS_DIR = helpers.root .. "/spec/support/server"

-- Waits (bounded) until n of the server's workers are busy, driving the
-- transfers of multi (a core.http.multi) meanwhile; -> true | false.
local function workers_busy(s, n, multi)
  local want = ("\ntinkr_server_workers_busy %d\n"):format(n)
  local deadline = core.monotonic() + 30
  repeat
    multi:wait(0.05)
    local m = s:get("/metrics")
    if m and m.body:find(want, 1, true) then return true end
  until core.monotonic() > deadline
  return false
end

describe("tinkr-server", function()
  local stack, expected, env, srv, empty_config_home

  local function start(opts)
    opts = opts or {}
    local e = {}
    for k, v in pairs(env) do e[k] = v end
    for k, v in pairs(opts.env or {}) do e[k] = v end
    return server.start{ env = e, args = opts.args, unset = { "TINKR_SERVER_TOKEN", "OTEL_OPENSEARCH_API_KEY",
      "TINKR_PROFILE", "TINKR_CONFIG", "TINKR_TIMEOUT", "TINKR_LAYOUT" } }
  end

  setup(function()
    stack = stack_support.get()
    expected = stack.expected
    empty_config_home = os.tmpname()
    os.remove(empty_config_home)
    assert(os.execute("mkdir -p " .. q(empty_config_home)))
    env = {
      OTEL_OPENSEARCH_URL = stack.opensearch, OTEL_PROMETHEUS_URL = stack.prometheus,
      TINKR_NOW = stack.now, TINKR_PATH = SCRIPTS_DIR, XDG_CONFIG_HOME = empty_config_home,
    }
    srv = start{ args = { "--workers", "3" } }
  end)

  teardown(function()
    if srv then
      local status, stderr = srv:stop()
      assert.equal(0, status, stderr)
    end
    os.execute("rm -rf " .. q(empty_config_home))
  end)

  describe("query routes", function()
    it("GET /v1/logs answers the rows and meta of tinkr.logs, as JSON", function()
      local status, doc = srv:get_json("/v1/logs?service=payments-api&level=ERROR&limit=50")
      assert.equal(200, status)
      local want = expected.logs.last_hour.by_service_level["payments-api"].ERROR
      assert.equal(want, doc.meta.total)
      assert.equal(math.min(50, want), #doc.rows)
      assert.equal(want > 50, doc.meta.truncated)
      for _, row in ipairs(doc.rows) do
        assert.equal("payments-api", row.service)
        assert.equal("ERROR", row.level)
      end
      -- newest first, inside the hour before the pinned now
      assert.is_true(doc.rows[1].timestamp >= doc.rows[#doc.rows].timestamp)
      assert.is_true(doc.rows[1].timestamp <= stack.now)
      -- meta says exactly what was asked of OpenSearch
      local sent = json.decode(doc.meta.request.body)
      assert.equal(50, sent.size)
      assert.matches("/_search$", doc.meta.request.url)
    end)

    it("GET /v1/logs gives the same rows as the Lua API with the same parameters", function()
      local _, doc = srv:get_json("/v1/logs?service=checkout&level=ERROR,WARN&limit=100")
      local out = helpers.tinkr({ "-e", [[
        local rows, meta = tinkr.logs{ service = "checkout", level = "ERROR,WARN", limit = 100 }
        assert(rows, meta and meta.message)
        local ids = {}
        for i, r in ipairs(rows) do ids[i] = r.timestamp .. "|" .. r.message end
        print(meta.total); print(table.concat(ids, "\n"))
      ]] }, { env = { OTEL_OPENSEARCH_URL = stack.opensearch, OTEL_PROMETHEUS_URL = stack.prometheus,
                      TINKR_NOW = stack.now, XDG_CONFIG_HOME = empty_config_home } })
      local lines = {}
      for line in out:gmatch("[^\n]+") do lines[#lines + 1] = line end
      local by_level = expected.logs.last_hour.by_service_level.checkout
      assert.equal(by_level.ERROR + by_level.WARN, doc.meta.total)
      assert.equal(tostring(doc.meta.total), lines[1])
      assert.equal(#doc.rows, #lines - 1)
      for i, r in ipairs(doc.rows) do
        assert.equal(lines[i + 1], r.timestamp .. "|" .. r.message)
      end
    end)

    -- /v1/logs writes its rows from the raw search response (tinkr.logs'
    -- ndjson path) rather than encoding Lua rows: they must be the same
    -- rows, every field and value, whatever the layout.
    it("GET /v1/logs rows equal the Lua API's rows, field for field, in every sample layout", function()
      local cases = {
        { index = "otel-logs-*", query = "service=payments-api&level=ERROR&limit=40", lua = [[{ service = "payments-api", level = "ERROR", limit = 40 }]] },
        { index = "ss4o_logs-*", query = "level=ERROR,WARN&limit=60", lua = [[{ level = "ERROR,WARN", limit = 60 }]] },
        { index = "logs-otel-v1-*", query = "service=checkout&limit=30&since=2h", lua = [[{ service = "checkout", limit = 30, since = "2h" }]] },
        { index = "otel-ecs-logs", query = "limit=25", lua = [[{ limit = 25 }]] },
        { index = "otel-ecs-logs", query = "limit=25&fields=service,message,trace_id,_id", lua = [[{ limit = 25, fields = "service,message,trace_id,_id" }]] },
        { index = "otel-flat-logs", query = "service=frontend&limit=20&grep=GET", lua = [[{ service = "frontend", limit = 20, grep = "GET" }]] },
      }
      for _, c in ipairs(cases) do
        local s = start{ args = { "--workers", "1" }, env = { OTEL_LOG_INDEX = c.index } }
        local ok, err = pcall(function()
          local status, doc = s:get_json("/v1/logs?" .. c.query)
          assert.equal(200, status, c.index .. ": " .. json.encode(doc))
          local out, stderr = helpers.tinkr({ "-e", ([[
            local json = require("tinkr.core").json
            local rows, meta = tinkr.logs(%s)
            assert(rows, meta and meta.message)
            io.write(json.encode{ rows = json.array(rows), total = meta.total, returned = meta.returned })
          ]]):format(c.lua) }, { env = { OTEL_OPENSEARCH_URL = stack.opensearch, OTEL_PROMETHEUS_URL = stack.prometheus,
                                         OTEL_LOG_INDEX = c.index, TINKR_NOW = stack.now,
                                         XDG_CONFIG_HOME = empty_config_home } })
          local want = json.decode(out)
          assert(want, c.index .. ": tinkr -e printed no JSON: " .. tostring(stderr))
          assert.is_true(#want.rows > 0, c.index .. ": the case selects no rows")
          assert.equal(want.total, doc.meta.total, c.index)
          assert.equal(want.returned, doc.meta.returned, c.index)
          assert.equal(#want.rows, #doc.rows, c.index)
          for i, row in ipairs(want.rows) do
            assert.same(row, doc.rows[i], ("%s: row %d"):format(c.index, i))
          end
        end)
        s:stop()
        assert(ok, err)
      end
    end)

    it("takes where= repeatedly, grep=, fields= and an explicit now=", function()
      local _, all = srv:get_json("/v1/logs?service=frontend&limit=1&now=2026-11-26T11:00:00Z&since=30m")
      assert.equal("2026-11-26T10:30:00.000000000Z", all.meta.window.from)
      assert.equal("2026-11-26T11:00:00.000000000Z", all.meta.window.to)
      local status, doc = srv:get_json("/v1/logs?service=frontend&since=1h&limit=5&where="
        .. urlencode("http.route=/api/checkout") .. "&where=" .. urlencode("http.request.method=POST"))
      assert.equal(200, status, json.encode(doc))
      local sent = json.encode(json.decode(doc.meta.request.body))
      assert.matches("/api/checkout", sent, 1, true)
      assert.matches("POST", sent, 1, true)
    end)

    it("GET /v1/traces answers root spans, slowest first", function()
      local slow = expected.traces.slowest_root
      local status, doc = srv:get_json("/v1/traces?since=6h&limit=3")
      assert.equal(200, status, json.encode(doc))
      assert.equal(3, #doc.rows)
      assert.equal(slow.trace_id, doc.rows[1].trace_id)
      assert.equal(slow.duration_ns, doc.rows[1].duration_ns)
      assert.is_true(doc.rows[2].duration_ns <= doc.rows[1].duration_ns)
      assert.equal("", doc.rows[1].parent_span_id)
    end)

    it("GET /v1/traces?errors=true keeps only failed requests", function()
      local status, doc = srv:get_json("/v1/traces?since=6h&limit=20&errors=true")
      assert.equal(200, status, json.encode(doc))
      assert.is_true(#doc.rows > 0)
      for _, r in ipairs(doc.rows) do assert.equal("error", r.status) end
    end)

    it("GET /v1/traces/{id} answers the whole trace, each span once", function()
      local shape = expected.traces.slowest_trace_shape
      local id = expected.traces.slowest_root.trace_id
      local status, doc = srv:get_json("/v1/traces/" .. id)
      assert.equal(200, status, json.encode(doc))
      local t = doc.trace
      assert.equal(id, t.trace_id)
      assert.equal(shape.span_count, #t.spans)
      assert.same({ expected.traces.slowest_root.span_id }, t.roots)
      assert.same(shape.services, t.services)
      local depth = 0
      for _, s in ipairs(t.spans) do
        assert.is_nil(s.children)
        depth = math.max(depth, s.depth)
      end
      assert.equal(shape.max_depth, depth)
      assert.is_string(doc.meta.request.body)
    end)

    it("GET /v1/metrics/query answers the manifest's PromQL values", function()
      local mq = expected.metrics.queries[1]
      local status, doc = srv:get_json("/v1/metrics/query?query=" .. urlencode(mq.promql) .. "&time=" .. urlencode(mq.time))
      assert.equal(200, status, json.encode(doc))
      assert.equal(count_keys(mq.values), #doc.rows)
      for _, row in ipairs(doc.rows) do
        close_to(mq.values[row.labels[mq.by]], row.value, mq.promql)
      end
      assert.equal("vector", doc.meta.result_type)
      assert.equal(mq.promql, doc.meta.request.params.query)
    end)

    it("GET /v1/metrics/range answers series with one point per step", function()
      local expr = urlencode("sum(rate(http_server_requests_total[5m]))")
      local status, doc = srv:get_json("/v1/metrics/range?query=" .. expr .. "&since=30m&step=5m")
      assert.equal(200, status, json.encode(doc))
      assert.equal(1, #doc.result)
      assert.equal(7, #doc.result[1].points)
      assert.equal(300, doc.meta.step_s)
    end)

    it("GET /v1/recipes/{name} expands the recipe with the query-string parameters", function()
      local status, doc = srv:get_json("/v1/recipes/http_request_rate?service=payments-api")
      assert.equal(200, status, json.encode(doc))
      assert.equal("http_request_rate", doc.meta.recipe)
      assert.equal("payments-api", doc.meta.params.service)
      assert.equal(1, #doc.result)
      assert.is_true(doc.result[1].value > 0)
      local ranged_status, ranged = srv:get_json("/v1/recipes/http_request_rate?service=payments-api&since=1h&step=10m")
      assert.equal(200, ranged_status, json.encode(ranged))
      assert.equal(7, #ranged.result[1].points)
    end)

    it("GET /readyz checks both backends", function()
      local status, doc = srv:get_json("/readyz")
      assert.equal(200, status, json.encode(doc))
      assert.equal("ready", doc.status)
      assert.matches("^" .. stack.opensearch_line:gsub("%.", "%%.") .. "%.", doc.checks.opensearch.version)
      assert.matches("^2%.42", doc.checks.prometheus.version)
    end)

    it("GET /healthz answers without touching Lua or a backend", function()
      local status, doc = srv:get_json("/healthz")
      assert.equal(200, status)
      assert.same({ status = "ok" }, doc)
    end)
  end)

  describe("errors", function()
    local function expect_error(status, code, path, method, body)
      local got, doc
      if method == "POST" then got, doc = srv:post_json(path, body) else got, doc = srv:get_json(path) end
      assert.equal(status, got, json.encode(doc))
      assert.equal(code, doc.error.code)
      assert.is_string(doc.error.message)
      return doc.error.message
    end

    it("404 for an unknown route, naming the known ones", function()
      local msg = expect_error(404, "not_found", "/v1/nothing")
      assert.matches("GET /v1/logs", msg, 1, true)
      expect_error(404, "not_found", "/")
    end)

    it("405 for a known path with the wrong method", function()
      expect_error(405, "method_not_allowed", "/v1/logs", "POST", "{}")
    end)

    it("400 for unknown, repeated, missing and malformed parameters", function()
      assert.matches("limt", expect_error(400, "usage", "/v1/logs?limt=5"))
      assert.matches("twice", expect_error(400, "usage", "/v1/logs?service=a&service=b"))
      assert.matches("query", expect_error(400, "usage", "/v1/metrics/query"))
      assert.matches("limit", expect_error(400, "usage", "/v1/logs?limit=ten"))
      assert.matches("limit", expect_error(400, "usage", "/v1/logs?limit=20000"))
      assert.matches("since", expect_error(400, "usage", "/v1/logs?since=forever"))
      assert.matches("now", expect_error(400, "usage", "/v1/logs?now=yesterday-ish"))
      assert.matches("trace id", expect_error(400, "usage", "/v1/traces/not-hex"))
      expect_error(400, "usage", "/v1/traces?errors=maybe")
      expect_error(400, "usage", "/v1/recipes/http_request_rate?nonsense=1")
    end)

    it("400 bad_query when the backend rejects the query", function()
      local msg = expect_error(400, "bad_query", "/v1/metrics/query?query=" .. urlencode("sum(rate(x[5m])"))
      assert.matches("Prometheus", msg)
    end)

    it("404 for an unknown trace, recipe or script", function()
      expect_error(404, "not_found", "/v1/traces/0123456789abcdef0123456789abcdef")
      expect_error(404, "not_found", "/v1/recipes/no_such_recipe")
      expect_error(404, "not_found", "/v1/scripts/no_such_script", "POST", "{}")
    end)

    it("413 for a body over --max-body, announced or streamed", function()
      local big = string.rep("x", 2 * 1024 * 1024)
      local res = assert(srv:request{ method = "POST", path = "/v1/scripts/echo", body = big })
      assert.equal(413, res.status)
      assert.equal("too_large", json.decode(res.body).error.code)
      -- chunked: no Content-Length, the limit is enforced while reading
      local file = helpers.write_temp(big)
      local out = helpers.run(("env -u LD_PRELOAD curl -s -o /dev/null -w '%%{http_code}' -H 'Transfer-Encoding: chunked' "
        .. "--data-binary @%s %s"):format(q(file), q(srv:url("/v1/scripts/echo"))))
      os.remove(file)
      assert.equal("413", out)
      assert.equal(200, srv:get_json("/healthz"))
    end)

    it("502 when a backend is down, 504 when it does not answer in time, and /readyz names it", function()
      local dead = start{ env = { OTEL_OPENSEARCH_URL = "http://127.0.0.1:9" } }
      local blackhole = server.proxy(stack.opensearch, { hold = true })   -- never answers
      local slow = start{ env = { OTEL_OPENSEARCH_URL = blackhole.url }, args = { "--timeout", "0.5" } }
      local ok, err = pcall(function()
        local status, doc = dead:get_json("/v1/logs?limit=1")
        assert.equal(502, status)
        assert.equal("connect", doc.error.code)
        assert.matches("OpenSearch", doc.error.message)
        status, doc = dead:get_json("/readyz")
        assert.equal(503, status)
        assert.is_false(doc.checks.opensearch.ok)
        assert.equal("connect", doc.checks.opensearch.error.code)
        assert.is_true(doc.checks.prometheus.ok)
        -- the other backend still works through the same server
        assert.equal(200, (dead:get_json("/v1/metrics/query?query=up")))

        status, doc = slow:get_json("/v1/logs?limit=1")
        assert.equal(504, status, json.encode(doc))
        assert.equal("timeout", doc.error.code)

        local metrics = assert(dead:get("/metrics")).body
        assert.matches('tinkr_server_backend_errors_total{backend="opensearch",code="connect"} [1-9]', metrics)
      end)
      dead:stop()
      slow:stop()
      blackhole:stop()
      assert(ok, err)
    end)
  end)

  describe("POST /v1/scripts/{name}", function()
    it("runs the shipped error_summary script with the JSON body as params", function()
      local status, doc = srv:post_json("/v1/scripts/error_summary",
        json.encode{ since = "1h", services = { "payments-api", "checkout", "email" } })
      assert.equal(200, status, json.encode(doc))
      local by = expected.logs.last_hour.by_service_level
      assert.same({ ["payments-api"] = by["payments-api"].ERROR, checkout = by.checkout.ERROR, email = by.email.ERROR },
        doc.result.counts)
      assert.equal("error_summary", doc.meta.script)

      -- without services: counted from the rows themselves
      status, doc = srv:post_json("/v1/scripts/error_summary", "{}")
      assert.equal(200, status, json.encode(doc))
      local total = 0
      for service, levels in pairs(by) do
        total = total + levels.ERROR
        if levels.ERROR > 0 then assert.equal(levels.ERROR, doc.result.counts[service]) end
      end
      assert.equal(total, doc.result.total)
      assert.is_true(doc.result.complete)
    end)

    it("runs a user's script from TINKR_PATH; an empty body is {}", function()
      local status, doc = srv:post_json("/v1/scripts/echo", json.encode{ a = 1, list = { "x", "y" } })
      assert.equal(200, status)
      assert.same({ a = 1, list = { "x", "y" } }, doc.result.params)
      status, doc = srv:post_json("/v1/scripts/echo", "")
      assert.equal(200, status)
      assert.equal("table", doc.result.kind)
    end)

    it("400 for a body that is not a JSON object", function()
      local status, doc = srv:post_json("/v1/scripts/echo", "[1, 2]")
      assert.equal(400, status)
      assert.equal("usage", doc.error.code)
      status, doc = srv:post_json("/v1/scripts/echo", "{oops")
      assert.equal(400, status)
      assert.matches("not JSON", doc.error.message)
    end)

    it("runs scripts without io, os, package, load or debug, and cannot change the API", function()
      local status, doc = srv:post_json("/v1/scripts/escape", "{}")
      assert.equal(200, status, json.encode(doc))
      for name, reachable in pairs(doc.result) do
        assert.is_false(reachable, name .. " is reachable from a script")
      end
      assert.equal(11, count_keys(doc.result))
    end)

    it("500 script_error for a failing script, with the script's line but no traceback", function()
      local status, doc = srv:post_json("/v1/scripts/broken", "{}")
      assert.equal(500, status)
      assert.equal("script_error", doc.error.code)
      assert.matches("broken.lua:3: attempt to index a nil value", doc.error.message, 1, true)
      assert.not_matches("traceback", doc.error.message)
      status, doc = srv:post_json("/v1/scripts/unencodable", "{}")
      assert.equal(500, status)
      assert.equal("script_error", doc.error.code)
      assert.matches("JSON cannot hold", doc.error.message)
    end)
  end)

  describe("script budgets (one worker, so the same state serves every request)", function()
    local one

    setup(function()
      -- Time enough that the instruction budget always runs out first, even
      -- under ASan on a loaded machine (the time budget has its own spec).
      one = start{ args = { "--workers", "1", "--script-instructions", "20000000", "--script-seconds", "60",
                            "--script-memory", "16m" } }
    end)

    teardown(function()
      if one then one:stop() end
    end)

    local function healthy()
      local status, doc = one:post_json("/v1/scripts/busy", json.encode{ iterations = 1000 })
      assert.equal(200, status, json.encode(doc))
      assert.equal(1000, doc.result.n)
      assert.equal(200, (one:get_json("/v1/logs?limit=1")))
    end

    it("stops a script that loops forever, even one that catches errors", function()
      local status, doc = one:post_json("/v1/scripts/spin", "{}")
      assert.equal(500, status)
      assert.equal("script_budget", doc.error.code)
      assert.matches("instruction budget", doc.error.message)
      healthy()
    end)

    it("stops a script that allocates without end, and the worker's memory comes back", function()
      for _ = 1, 3 do
        local status, doc = one:post_json("/v1/scripts/hog", "{}")
        assert.equal(500, status)
        assert.equal("script_budget", doc.error.code)
        assert.matches("memory budget", doc.error.message)
      end
      healthy()
    end)

    it("stops a script at its wall-clock budget", function()
      local timed = start{ args = { "--workers", "1", "--script-instructions", "100000000000",
                                    "--script-seconds", "0.3" } }
      local ok, err = pcall(function()
        local status, doc = timed:post_json("/v1/scripts/spin", "{}")
        assert.equal(500, status)
        assert.matches("time budget", doc.error.message)
        assert.equal(200, (timed:post_json("/v1/scripts/busy", "{}")))
      end)
      timed:stop()
      assert(ok, err)
    end)

    it("counts the aborts in /metrics", function()
      local text = assert(one:get("/metrics")).body
      assert.matches('tinkr_server_script_aborts_total{reason="instructions"} [1-9]', text)
      assert.matches('tinkr_server_script_aborts_total{reason="memory"} [1-9]', text)
    end)
  end)

  describe("authentication", function()
    local secured
    local TOKEN = "s3cret-token-for-specs"

    setup(function()
      secured = start{ env = { TINKR_SERVER_TOKEN = TOKEN } }
    end)

    teardown(function()
      if secured then secured:stop() end
    end)

    it("401 without a token or with a wrong one, on every route but /healthz", function()
      for _, path in ipairs{ "/v1/logs?limit=1", "/readyz", "/metrics", "/v1/nothing" } do
        local status, doc = secured:get_json(path)
        assert.equal(401, status, path)
        assert.equal("unauthorized", doc.error.code)
        status = secured:get_json(path, { Authorization = "Bearer wrong-token-for-specs" })
        assert.equal(401, status, path)
        status = secured:get_json(path, { Authorization = "Bearer " .. TOKEN .. "x" })
        assert.equal(401, status, path)
        status = secured:get_json(path, { Authorization = TOKEN })
        assert.equal(401, status, path)
      end
      local res = assert(secured:request{ method = "POST", path = "/v1/scripts/echo", body = "{}" })
      assert.equal(401, res.status)
      assert.equal(200, (secured:get_json("/healthz")))
    end)

    it("serves every route with the right token", function()
      local auth = { Authorization = "Bearer " .. TOKEN }
      assert.equal(200, (secured:get_json("/v1/logs?limit=1", auth)))
      assert.equal(200, (secured:get_json("/readyz", auth)))
      assert.equal(404, (secured:get_json("/v1/nothing", auth)))
      local res = assert(secured:get("/metrics", auth))
      assert.equal(200, res.status)
      assert.matches('tinkr_server_requests_total{route="other",status="401"} [1-9]', res.body)
    end)

    it("keeps the token out of the environment scripts and modules could read", function()
      local auth = { Authorization = "Bearer " .. TOKEN }
      local status, doc = secured:post_json("/v1/scripts/escape", "{}", auth)
      assert.equal(200, status)
      assert.not_matches(TOKEN, secured:stderr(), 1, true)
      assert.not_matches(TOKEN, json.encode(doc), 1, true)
    end)
  end)

  describe("/metrics", function()
    it("counts requests by route and status, with a latency histogram", function()
      srv:get("/v1/logs?limit=1")
      srv:get("/v1/nothing")
      local res = assert(srv:get("/metrics"))
      assert.equal(200, res.status)
      assert.matches("^text/plain", res.headers["content-type"])
      local text = res.body
      assert.matches('tinkr_server_requests_total{route="/v1/logs",status="200"} [1-9]', text)
      assert.matches('tinkr_server_requests_total{route="other",status="404"} [1-9]', text)
      local count = tonumber(text:match('tinkr_server_request_duration_seconds_count{route="/v1/logs"} (%d+)'))
      local inf = tonumber(text:match('tinkr_server_request_duration_seconds_bucket{route="/v1/logs",le="%+Inf"} (%d+)'))
      assert.is_true(count > 0)
      assert.equal(count, inf)
      assert.matches("tinkr_server_workers 3\n", text, 1, true)
    end)
  end)

  describe("concurrency", function()
    it("answers other requests while one waits on a slow backend", function()
      -- The backend's answer is held until released: "while" is certain.
      local slow_proxy = server.proxy(stack.opensearch, { hold = true })
      local s = start{ env = { OTEL_OPENSEARCH_URL = slow_proxy.url }, args = { "--workers", "2" } }
      local ok, err = pcall(function()
        local multi = core.http.multi()
        multi:add{ url = s:url("/v1/logs?limit=1"), timeout = 60 }
        assert.is_true(workers_busy(s, 1, multi), "the slow request never reached a worker")
        assert.equal(200, (s:get_json("/v1/metrics/query?query=up")))
        assert.equal(200, (s:get_json("/healthz")))
        assert.equal(0, #multi:wait(0), "the slow request finished before its backend answered")
        slow_proxy:release()
        local done = {}
        while #done == 0 and multi:pending() > 0 do done = multi:wait(10) end
        assert.is_truthy(done[1] and done[1].res, done[1] and done[1].err and done[1].err.message)
        assert.equal(200, done[1].res.status)
      end)
      s:stop()
      slow_proxy:stop()
      assert(ok, err)
    end)

    it("answers 1,000 concurrent requests while OpenSearch goes away half-way", function()
      local proxy = server.proxy(stack.opensearch)
      local s = start{ env = { OTEL_OPENSEARCH_URL = proxy.url }, args = { "--workers", "4", "--timeout", "5" } }
      local ok, err = pcall(function()
        local out, stderr, status = helpers.run(table.concat({
          "env -u LD_PRELOAD python3", q(helpers.root .. "/spec/support/load_client.py"),
          "--url", q(s:url("/v1/logs?service=payments-api&limit=5")),
          "--requests", "1000", "--concurrency", "200", "--kill-pid", tostring(proxy.pid) }, " "))
        assert.equal(0, status, stderr)
        local r = assert(json.decode(out), out)
        assert.equal(0, r.failure_count, json.encode(r.failures))
        local answered = 0
        for code, n in pairs(r.statuses) do
          assert.is_truthy(({ ["200"] = true, ["502"] = true, ["504"] = true })[code],
            "unexpected status " .. code .. ": " .. out)
          answered = answered + n
        end
        assert.equal(1000, answered)
        assert.is_true((r.statuses["200"] or 0) >= 400, out)
        assert.is_true((r.statuses["502"] or 0) >= 100, out)
        assert.equal(500, r.killed_after)
        -- still alive and answering, and it counted the failures
        assert.is_true(s:alive())
        assert.equal(200, (s:get_json("/healthz")))
        local status2, doc = s:get_json("/v1/logs?limit=1")
        assert.equal(502, status2, json.encode(doc))
        local text = assert(s:get("/metrics")).body
        assert.matches('tinkr_server_backend_errors_total{backend="opensearch",code="connect"} [1-9]', text)
      end)
      local exit_status, stderr = s:stop()
      proxy:stop()
      assert(ok, err)
      assert.equal(0, exit_status, stderr)
    end)
  end)

  describe("SIGTERM", function()
    it("stops accepting, lets the request in flight finish, then exits 0", function()
      local slow_proxy = server.proxy(stack.opensearch, { hold = true })
      local s = start{ env = { OTEL_OPENSEARCH_URL = slow_proxy.url }, args = { "--drain", "30" } }
      local ok, err = pcall(function()
        local multi = core.http.multi()
        multi:add{ url = s:url("/v1/logs?limit=1"), timeout = 60 }
        -- in flight (a worker holds it) until the proxy lets it through
        assert.is_true(workers_busy(s, 1, multi), "the slow request never reached a worker")
        s:signal("TERM")
        local rerr
        for _ = 1, 40 do                      -- the signal is taken within milliseconds
          local res
          res, rerr = core.http.request{ url = s:url("/healthz"), timeout = 2 }
          if not res then break end
          os.execute("sleep 0.05")
        end
        -- Refused, or reset when the connection sat in the listen backlog as
        -- the listener closed: either way no new request is served.
        assert.is_truthy(rerr and (rerr.code == "connect" or rerr.code == "reset"),
          rerr and rerr.code or "a request was still answered after SIGTERM")
        assert.equal(0, #multi:wait(0), "the request in flight ended before its backend answered")
        slow_proxy:release()
        local done = {}
        while #done == 0 and multi:pending() > 0 do done = multi:wait(10) end
        assert.is_truthy(done[1].res, done[1].err and done[1].err.message)
        assert.equal(200, done[1].res.status)
        assert.equal(1, #json.decode(done[1].res.body).rows)
        assert.equal(0, s:wait(10))
        assert.matches("SIGTERM", s:stderr())
      end)
      local exit_status, stderr = s:stop()
      slow_proxy:stop()
      assert(ok, err)
      assert.equal(0, exit_status, stderr)
    end)

    it("at the drain deadline stops what still runs, answers 503, and exits 0", function()
      local s = start{ args = { "--drain", "0.5", "--workers", "1", "--script-instructions", "100000000000",
                                "--script-seconds", "60" } }
      local ok, err = pcall(function()
        local multi = core.http.multi()
        multi:add{ method = "POST", url = s:url("/v1/scripts/spin"), body = "{}", timeout = 30 }
        -- busy must queue behind spin: wait until spin holds the one worker
        -- (the two requests would otherwise race through the HTTP threads).
        assert.is_true(workers_busy(s, 1, multi), "spin never reached the worker")
        multi:add{ method = "POST", url = s:url("/v1/scripts/busy"), body = "{}", timeout = 30 }  -- queued
        local early = multi:wait(0.3)
        assert.equal(0, #early, "a script finished before SIGTERM")
        local t0 = core.monotonic()
        s:signal("TERM")
        local statuses = {}
        while #statuses < 2 and multi:pending() > 0 do
          for _, d in ipairs(multi:wait(10)) do
            assert.is_truthy(d.res, d.err and d.err.message)
            statuses[#statuses + 1] = d.res.status
            assert.equal("unavailable", json.decode(d.res.body).error.code)
          end
        end
        assert.same({ 503, 503 }, statuses)
        assert.equal(0, s:wait(10))
        assert.is_true(core.monotonic() - t0 < 5)
      end)
      local exit_status, stderr = s:stop()
      assert(ok, err)
      assert.equal(0, exit_status, stderr)
    end)
  end)

  describe("startup", function()
    it("uses --profile for the backends", function()
      local file = helpers.write_temp(([[
[profiles.specs]
opensearch_url = "%s"
prometheus_url = "%s"
]]):format(stack.opensearch, stack.prometheus), ".toml")
      local s = server.start{ env = { TINKR_CONFIG = file, TINKR_NOW = stack.now, XDG_CONFIG_HOME = empty_config_home },
                              args = { "--profile", "specs", "--workers", "1" },
                              unset = { "OTEL_OPENSEARCH_URL", "OTEL_PROMETHEUS_URL", "TINKR_SERVER_TOKEN" } }
      local ok, err = pcall(function()
        local status, doc = s:get_json("/v1/logs?service=payments-api&level=ERROR&limit=1")
        assert.equal(200, status, json.encode(doc))
        assert.equal(expected.logs.last_hour.by_service_level["payments-api"].ERROR, doc.meta.total)
      end)
      s:stop()
      os.remove(file)
      assert(ok, err)
    end)

    it("refuses to start with an unknown profile or bad options, saying why", function()
      local file = helpers.write_temp('[profiles.other]\nopensearch_url = "http://127.0.0.1:9"\n', ".toml")
      local _, stderr, status = helpers.run(q(server.binary()) .. " --listen 127.0.0.1:0 --profile nope",
        { env = { TINKR_CONFIG = file } })
      os.remove(file)
      assert.equal(3, status)   -- a config error, as tinkr
      assert.matches("nope", stderr)
      assert.not_matches("traceback", stderr)
      _, stderr, status = helpers.run(q(server.binary()) .. " --workers zero")
      assert.equal(2, status)
      assert.matches("--workers", stderr, 1, true)
      _, stderr, status = helpers.run(q(server.binary()) .. " --listen nowhere")
      assert.equal(2, status)
      assert.matches("HOST:PORT", stderr, 1, true)
      -- the same checks for --name=VALUE
      _, stderr, status = helpers.run(q(server.binary()) .. " --workers=zero")
      assert.equal(2, status)
      assert.matches("--workers wants a number", stderr, 1, true)
      _, stderr, status = helpers.run(q(server.binary()) .. " --listen=")
      assert.equal(2, status)
      assert.matches("HOST:PORT", stderr, 1, true)
      _, stderr, status = helpers.run(q(server.binary()) .. " --help=yes")
      assert.equal(2, status)
      assert.matches("--help takes no value", stderr, 1, true)
    end)

    it("takes --name=VALUE as well as --name VALUE", function()
      local s = start{ args = { "--workers=1", "--max-rows=7" } }
      local ok, err = pcall(function()
        local status, doc = s:get_json("/v1/logs?service=payments-api&level=ERROR&limit=7")
        assert.equal(200, status, json.encode(doc))
        assert.equal(7, #doc.rows)
        -- --max-rows=7 took effect: one more is refused
        status, doc = s:get_json("/v1/logs?service=payments-api&level=ERROR&limit=8")
        assert.equal(400, status)
        assert.matches("7", doc.error.message, 1, true)
        local metrics = s:get("/metrics").body
        assert.matches("tinkr_server_workers 1\n", metrics, 1, true)
      end)
      s:stop()
      assert(ok, err)
    end)
  end)
end)
