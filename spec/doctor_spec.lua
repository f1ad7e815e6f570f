-- `tinkr doctor` against the real stack: what it reports, and its exit
-- status (0: every command can be answered; 1: some signal has no data;
-- a backend failure's own status otherwise).
local helpers = require "helpers"
local stack = require("support.stack").get()
local indices = require "support.indices"
local json = require("tinkr.core").json

local E = stack.expected
local client = indices.client(stack.opensearch)

local function env(extra)
  local e = {
    OTEL_OPENSEARCH_URL = stack.opensearch, OTEL_PROMETHEUS_URL = stack.prometheus,
    XDG_CONFIG_HOME = "/nonexistent", TINKR_CACHE_DIR = os.tmpname() .. ".d",
  }
  for k, v in pairs(extra or {}) do e[k] = v end
  return e
end

local function doctor(args, extra)
  local argv = { "doctor" }
  for _, a in ipairs(args or {}) do argv[#argv + 1] = a end
  return helpers.tinkr(argv, { env = env(extra) })
end

describe("tinkr doctor", function()
  setup(function() indices.reopen_all(client) end)
  teardown(function() indices.reopen_all(client) end)

  it("reports versions, health, every OTel index family and the metric style; exit 0", function()
    local out, err, status = doctor()
    assert.equal(0, status, err .. out)
    assert.matches("OpenSearch  " .. stack.opensearch:gsub("%p", "%%%0") .. ": opensearch "
      .. stack.opensearch_line:gsub("%.", "%%.") .. "%.%d", out)
    assert.matches("cluster   green, 1 node, 0 unassigned shards", out)
    -- every family the generator wrote, with its layout and its exact count
    for _, want in ipairs({
      { "logs", "otel%-logs%-%*", "seed", E.index_counts["otel-logs-2026.11.26"] },
      { "spans", "otel%-traces%-%*", "seed", E.index_counts["otel-traces-2026.11.26"] },
      { "logs", "ss4o_logs%-default%-namespace", "ss4o", E.index_counts["ss4o_logs-default-namespace"] },
      { "logs", "logs%-otel%-v1%-%*", "dataprepper", E.index_counts["logs-otel-v1-000001"] },
      { "logs", "otel%-ecs%-logs", "ecs", E.index_counts["otel-ecs-logs"] },
      { "logs", "otel%-flat%-logs", "flatten_attributes", E.index_counts["otel-flat-logs"] },
    }) do
      assert.matches(("%s%%s+%s%%s+%s%%s+%d docs, 2026%%-11%%-26 06:00:0%%dZ %%.%%. 2026%%-11%%-26 11:59"):format(
        want[1], want[2], want[3], want[4]), out)
    end
    assert.matches("6 services: checkout, email, frontend, inventory, payments%-api, shipping", out)
    assert.matches("logs:  use otel%-logs%-%* %(seed, default%)", out)
    assert.matches("Prometheus  " .. stack.prometheus:gsub("%p", "%%%0") .. ": version 2%.", out)
    assert.matches("e%.g%. http_server_request_duration_seconds_bucket; service in label job", out)
    assert.matches("Answers     logs, traces, trace, metrics, recipes\n", out)
    assert.matches("export OTEL_LOG_INDEX=otel%-logs%-%*\n", out)
    assert.matches("export TINKR_LAYOUT=seed\n", out)
    assert.matches('log_index = "otel%-logs%-%*"', out)
  end)

  it("reports unassigned shards and a yellow cluster", function()
    -- a replica on a one-node cluster can never be assigned
    indices.call(client, "PUT", "/tinkr-doctor-yellow", { settings = { number_of_shards = 2, number_of_replicas = 1 } })
    local out, err, status = doctor()
    client:json("DELETE", "/tinkr-doctor-yellow")
    assert.equal(0, status, err)
    assert.matches("cluster   yellow, 1 node, 2 unassigned shards", out)
  end)

  it("says what is missing and exits 1 when a signal has no index", function()
    local closed = indices.only(client, { "otel-logs-*", "ss4o_logs-*" })
    local out, err, status = doctor()
    indices.restore(client, closed)
    assert.equal(1, status, err .. out)
    assert.matches("spans: no index", out)
    assert.matches("Answers     logs, metrics, recipes; not: traces, trace", out)
  end)

  it("finds the writer's indices when the defaults match nothing, and prints the lines that pin them", function()
    local closed = indices.only(client, { "logs-otel-v1*", "otel-v1-apm-span*" })
    local out, err, status = doctor()
    indices.restore(client, closed)
    assert.equal(0, status, err .. out)
    assert.matches("logs:  use logs%-otel%-v1%-%* %(dataprepper, discovered%)", out)
    assert.matches("export OTEL_LOG_INDEX=logs%-otel%-v1%-%*\n", out)
    assert.matches("export OTEL_TRACE_INDEX=otel%-v1%-apm%-span%-%*\n", out)
    assert.matches("export TINKR_LAYOUT=dataprepper\n", out)
  end)

  it("reports a dead backend in one line with its exit status, and still checks the other", function()
    local out, err, status = doctor({}, { OTEL_OPENSEARCH_URL = "http://127.0.0.1:9" })
    assert.equal(4, status, err)
    assert.matches("OpenSearch  http://127%.0%.0%.1:9: OpenSearch: [^\n]*is the server running", out)
    assert.matches("Prometheus  [^\n]*: version 2%.", out)
  end)

  -- doctor with one backend configured used to die in pin_lines with a Lua
  -- traceback (table.insert at position 2 of an empty profile).
  it("names a backend that is not configured in one line, exits 3, and still checks the other", function()
    local cases = {
      { unset = "OTEL_OPENSEARCH_URL", other = "Prometheus  [^\n]*: version %d",
        answers = "Answers     metrics, recipes; not: logs, traces, trace" },
      { unset = "OTEL_PROMETHEUS_URL", other = "OpenSearch  [^\n]*: opensearch %d",
        answers = "Answers     logs, traces, trace; not: metrics, recipes" },
    }
    for _, c in ipairs(cases) do
      for _, format in ipairs({ "table", "json" }) do
        local e = env()
        e[c.unset] = nil
        local cmd = { "env -u " .. c.unset }
        for k, v in pairs(e) do cmd[#cmd + 1] = helpers.shell_quote(k .. "=" .. v) end
        cmd[#cmd + 1] = helpers.shell_quote(helpers.tinkr_bin()) .. " doctor --format " .. format
        local out, err, status = helpers.run(table.concat(cmd, " "))
        assert.equal(3, status, c.unset .. " " .. format .. ": " .. err)
        assert.equal("", err, c.unset .. " " .. format)
        if format == "table" then
          assert.matches(c.unset .. " is not set: export " .. c.unset .. "=", out, 1, true)
          assert.matches(c.other, out)
          assert.matches(c.answers, out, 1, true)
        else
          local doc = assert(json.decode(out), out)
          assert.equal(3, doc.status)
          local want_url = c.unset == "OTEL_OPENSEARCH_URL" and stack.prometheus or stack.opensearch
          local key = c.unset == "OTEL_OPENSEARCH_URL" and "prometheus_url" or "opensearch_url"
          assert.same({ ('%s = "%s"'):format(key, want_url) }, { doc.profile[1] })
          if c.unset == "OTEL_OPENSEARCH_URL" then
            -- nothing to pin: an empty list, not an empty object
            assert.matches('"env":[]', out, 1, true)
          end
        end
      end
    end
  end)

  it("prints the report as JSON", function()
    local out, err, status = doctor{ "--format", "json" }
    assert.equal(0, status, err)
    local doc = assert(json.decode(out))
    assert.equal(0, doc.status)
    assert.equal("green", doc.opensearch.health.status)
    assert.equal("otel-logs-*", doc.opensearch.signals.logs.family.pattern)
    assert.equal("underscore_suffixes", doc.prometheus.style.spelling)
    assert.is_true(doc.answers.recipes)
  end)
end)
