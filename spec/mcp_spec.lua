-- MCP, driven by the real `mcp` Python SDK (PyPI; a venv cached outside the
-- tree by scripts/mcp-client-venv) over both transports: `tinkr mcp`
-- (stdio) and tinkr-server's POST /mcp (Streamable HTTP), against the real
-- stack.  The SDK lists the tools, the input schemas are checked with
-- jsonschema, every tool is called; bad arguments and bad auth come back
-- as MCP errors.
local helpers = require "helpers"
local server = require "support.server"
local core = require "tinkr.core"
local api_check = require "tinkr.api_check"

local json = core.json
local TOKEN = "mcp-spec-token"
local TOOLS = { "errors", "logs", "metrics_query", "metrics_range", "recipe", "services", "trace", "traces" }

describe("MCP", function()
  local stack, python, srv, trace_id, cli_errors

  local function client(transport, target, mode, calls, token)
    local out, err, status = helpers.run(table.concat({
      helpers.shell_quote(python), helpers.shell_quote(helpers.root .. "/spec/support/mcp_client.py"),
      transport, helpers.shell_quote(target), mode, helpers.shell_quote(json.encode(calls)),
      token and helpers.shell_quote(token) or "" }, " "),
      { env = { OTEL_OPENSEARCH_URL = stack.opensearch, OTEL_PROMETHEUS_URL = stack.prometheus,
        TINKR_NOW = stack.now, ASAN_OPTIONS = os.getenv("ASAN_OPTIONS") or "" } })
    assert.are.equal(0, status, err)
    local report = json.decode(out)
    assert(type(report) == "table", "no report: " .. out .. err)
    return report
  end

  local function calls()
    return json.array{
      json.array{ "logs", { level = "ERROR", limit = 3 } },
      json.array{ "traces", { limit = 2, errors = true } },
      json.array{ "trace", { id = trace_id } },
      json.array{ "metrics_query", { query = "sum(rate(http_server_request_duration_seconds_count[5m]))" } },
      json.array{ "metrics_range", { query = "sum by (job) (rate(http_server_request_duration_seconds_count[5m]))", since = "30m" } },
      json.array{ "recipe", { name = "http_error_rate", service = "checkout" } },
      json.array{ "logs", { limit = "lots" } },
      json.array{ "logs", { levle = "ERROR" } },
      json.array{ "no_such_tool", {} },
      json.array{ "services", { since = "1h" } },
      json.array{ "errors", { since = "1h", limit = 2 } },
      json.array{ "errors", { limit = 1000 } },
      json.array{ "errors", { service = "payments-api" } },
    }
  end

  setup(function()
    stack = require("support.stack").get()
    local out, err, status = helpers.run(helpers.shell_quote(helpers.root .. "/scripts/mcp-client-venv"))
    assert(status == 0, "scripts/mcp-client-venv failed: " .. err)
    python = out:match("[^\n]+")
    local ids, _, st = helpers.tinkr({ "traces", "--limit", "1", "--format", "ndjson", "--fields", "trace_id" },
      { env = { OTEL_OPENSEARCH_URL = stack.opensearch, TINKR_NOW = stack.now } })
    assert(st == 0)
    trace_id = json.decode(ids:match("[^\n]+")).trace_id
    -- What `tinkr errors` says about the same window, for the errors tool.
    local sigs, eerr, est = helpers.tinkr({ "errors", "--since", "1h", "--format", "json", "--limit", "0" },
      { env = { OTEL_OPENSEARCH_URL = stack.opensearch, TINKR_NOW = stack.now } })
    assert(est == 0, eerr)
    cli_errors = (json.decode(sigs) or {}).rows
    assert(type(cli_errors) == "table" and #cli_errors > 2, "tinkr errors found fewer than 3 signatures: " .. sigs)
    srv = server.start{ env = { OTEL_OPENSEARCH_URL = stack.opensearch, OTEL_PROMETHEUS_URL = stack.prometheus,
      TINKR_NOW = stack.now, TINKR_SERVER_TOKEN = TOKEN }, args = { "--workers", "2" } }
  end)

  teardown(function() if srv then srv:stop() end end)

  local function check_report(r)
    assert.is_true(r.ok, tostring(r.message) .. "\n" .. tostring(r.traceback))
    -- the tools, and schemas from the API's own parameter definitions
    local names = {}
    for name in pairs(r.tools) do names[#names + 1] = name end
    table.sort(names)
    assert.are.same(TOOLS, names)
    local def = api_check.schema("logs")
    for key in pairs(def.properties) do
      assert.is_not_nil(r.tools.logs.schema.properties[key], "logs schema lacks " .. key)
    end
    for key in pairs(r.tools.logs.schema.properties) do
      assert.is_not_nil(def.properties[key], "logs schema invents " .. key)
    end
    assert.are.equal(20, r.tools.logs.schema.properties.limit.default)
    assert.are.equal(500, r.tools.logs.schema.properties.limit.maximum)

    local by = {}
    for i, c in ipairs(r.calls) do by[i] = c end
    -- logs: a few fields per row, meta says what was asked and that it was cut
    local logs = by[1]
    assert.is_false(logs.is_error, logs.text)
    assert.are.same({}, logs.schema_errors)
    assert.are.equal(3, #logs.structured.rows)
    assert.are.equal("ERROR", logs.structured.rows[1].level)
    assert.is_nil(logs.structured.rows[1].attributes)
    assert.is_true(logs.structured.meta.truncated)
    assert.are.equal(3, logs.structured.meta.asked.limit)
    assert.matches("ERROR", logs.structured.meta.requests[1].body)
    assert.matches("showing 3 of %d+ lines", logs.structured.note)
    -- traces, trace, metrics, recipe: real answers from the real stack
    assert.is_false(by[2].is_error, by[2].text)
    assert.are.equal(2, #by[2].structured.rows)
    assert.are.equal("error", by[2].structured.rows[1].status)
    assert.is_false(by[3].is_error, by[3].text)
    assert.are.equal(trace_id, by[3].structured.trace.trace_id)
    assert.is_true(#by[3].structured.trace.spans > 1)
    assert.is_false(by[4].is_error, by[4].text)
    assert.is_true(by[4].structured.rows[1].value > 0)
    assert.is_false(by[5].is_error, by[5].text)
    assert.is_true(#by[5].structured.result > 1)
    assert.is_true(#by[5].structured.result[1].points > 1)
    assert.is_false(by[6].is_error, by[6].text)
    assert.are.equal("ratio", by[6].structured.meta.unit)
    -- bad arguments: a tool error that says what to change
    assert.is_true(by[7].is_error)
    assert.matches("limit must be from 1 to 500", by[7].text)
    assert.is_true(#by[7].schema_errors > 0)            -- the schema would have said so too
    assert.is_true(by[8].is_error)
    assert.matches("levle", by[8].text)
    assert.matches("what to change", by[8].text)
    -- an unknown tool: a JSON-RPC invalid-params error naming the tools
    assert.are.equal(-32602, by[9].code)
    assert.matches("the tools are: logs", by[9].message)
    -- services (tinkr.services): one row per service
    assert.is_false(by[10].is_error, by[10].text)
    assert.is_true(#by[10].structured.rows > 1)
    assert.is_string(by[10].structured.rows[1].service)
    -- errors (tinkr.errors): the signatures `tinkr errors` finds, sized for a
    -- context (2 asked of all of them), with the example trace to pivot to
    local def_errors = api_check.schema("errors")
    for key in pairs(def_errors.properties) do
      assert.is_not_nil(r.tools.errors.schema.properties[key], "errors schema lacks " .. key)
    end
    for key in pairs(r.tools.errors.schema.properties) do
      assert.is_not_nil(def_errors.properties[key], "errors schema invents " .. key)
    end
    assert.are.equal(10, r.tools.errors.schema.properties.limit.default)
    assert.are.equal(100, r.tools.errors.schema.properties.limit.maximum)
    local e = by[11]
    assert.is_false(e.is_error, e.text)
    assert.are.same({}, e.schema_errors)
    assert.are.equal(2, #e.structured.rows)
    for i, row in ipairs(e.structured.rows) do
      assert.are.equal(cli_errors[i].signature, row.signature)
      assert.are.equal(cli_errors[i].count, row.count)
      assert.are.equal(i, row.rank)
      assert.is_string(row.example)
      assert.is_true(#row.services > 0)
      assert.is_nil(row.trend)                      -- the sparkline's counts are left out
    end
    assert.matches("^%x+$", e.structured.rows[1].example_trace_id)
    assert.are.equal(#cli_errors, e.structured.meta.total)
    assert.are.equal(2, e.structured.meta.returned)
    assert.is_true(e.structured.meta.truncated)
    assert.are.equal(2, e.structured.meta.asked.limit)
    assert.matches("ERROR", e.structured.meta.requests[1].body)
    assert.matches("showing 2 of " .. #cli_errors .. " signatures", e.structured.note)
    assert.is_true(by[12].is_error)
    assert.matches("limit must be from 1 to 100", by[12].text)
    assert.is_true(#by[12].schema_errors > 0)
    assert.is_false(by[13].is_error, by[13].text)
    assert.is_true(#by[13].structured.rows >= 1)
    for _, row in ipairs(by[13].structured.rows) do assert.are.same({ "payments-api" }, row.services) end
  end

  it("over stdio (tinkr mcp): the SDK's newest protocol, every tool", function()
    local r = client("stdio", helpers.tinkr_bin(), "auto", calls())
    assert.are.equal("2026-07-28", r.protocol_version)
    check_report(r)
  end)

  it("over Streamable HTTP (POST /mcp, bearer token): the SDK's newest protocol, every tool", function()
    local r = client("http", srv:url("/mcp"), "auto", calls(), TOKEN)
    assert.are.equal("2026-07-28", r.protocol_version)
    check_report(r)
  end)

  it("over HTTP with the initialize handshake (legacy mode)", function()
    local r = client("http", srv:url("/mcp"), "legacy",
      json.array{ json.array{ "metrics_query", { query = "vector(7)" } } }, TOKEN)
    assert.is_true(r.ok, tostring(r.message))
    assert.are.equal("2025-11-25", r.protocol_version)
    assert.are.equal(7, r.calls[1].structured.rows[1].value)
  end)

  it("a wrong token is an MCP error for the client, and the server goes on", function()
    local r = client("http", srv:url("/mcp"), "auto", json.array{}, "not-the-token")
    assert.is_false(r.ok)
    assert.is_not_nil(r.exception)
    assert.is_true(srv:alive())
  end)

  it("speaks plain JSON-RPC over HTTP: 202 for a notification, 400 for garbage, 405 for GET", function()
    local auth = { Authorization = "Bearer " .. TOKEN, ["Content-Type"] = "application/json" }
    local res = assert(srv:request{ method = "POST", path = "/mcp", headers = auth,
      body = '{"jsonrpc":"2.0","method":"notifications/initialized"}' })
    assert.are.equal(202, res.status)
    assert.are.equal("", res.body)
    res = assert(srv:request{ method = "POST", path = "/mcp", headers = auth, body = "{nope" })
    assert.are.equal(400, res.status)
    assert.are.equal(-32700, json.decode(res.body).error.code)
    res = assert(srv:request{ method = "POST", path = "/mcp", headers = auth,
      body = '{"jsonrpc":"2.0","id":5,"method":"resources/list"}' })
    assert.are.equal(200, res.status)
    assert.are.equal(-32601, json.decode(res.body).error.code)
    res = assert(srv:request{ method = "GET", path = "/mcp", headers = auth })
    assert.are.equal(405, res.status)
    res = assert(srv:request{ method = "POST", path = "/mcp", body = "{}" })
    assert.are.equal(401, res.status)
  end)
end)
