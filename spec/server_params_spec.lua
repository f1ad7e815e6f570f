-- tinkr-server's parameters come from the same definitions as the Lua API
-- (tinkr.api_params): query-string values are converted by type (a limit
-- is digits), a script's JSON parameters are checked like any Lua call
-- (a 400, not a 500), and a JSON null parameter is an absent one.
local helpers = require "helpers"
local json = require("tinkr.core").json
local params = require "tinkr.server.params"
local server = require "support.server"

local SCRIPTS_DIR = helpers.root .. "/spec/support/server"

describe("server parameters", function()
  it("are the API functions' parameters, minus Lua-only ones", function()
    assert.equal("integer", params.SPECS.logs.limit)
    assert.equal("list", params.SPECS.logs.where)
    assert.equal("flag", params.SPECS.traces.errors)
    assert.equal("required", params.SPECS.metrics_query.query)
    assert.is_nil(params.SPECS.logs.each)
    assert.is_nil(params.SPECS.logs.ndjson)
    assert.same({}, params.SPECS.trace)
  end)

  describe("against the stack", function()
    local stack = require("support.stack").get()
    local srv
    setup(function()
      srv = server.start{ env = {
        OTEL_OPENSEARCH_URL = stack.opensearch, OTEL_PROMETHEUS_URL = stack.prometheus,
        OTEL_LOG_INDEX = "ss4o_logs-*", OTEL_TRACE_INDEX = "ss4o_traces-*", TINKR_NOW = stack.now,
        TINKR_PATH = SCRIPTS_DIR, XDG_CONFIG_HOME = "/nonexistent" },
        unset = { "TINKR_SERVER_TOKEN", "OTEL_OPENSEARCH_API_KEY" } }
    end)
    teardown(function() srv:stop() end)

    local function usage(path, pattern)
      local status, doc = srv:get_json(path)
      assert.equal(400, status, path .. " " .. json.encode(doc))
      assert.equal("usage", doc.error.code)
      if pattern then assert.matches(pattern, doc.error.message) end
    end

    it("takes a limit as digits only", function()
      assert.equal(200, (srv:get_json("/v1/logs?limit=5")))
      for _, bad in ipairs{ "0x10", "1e3", "%20%205", "5%20", "+5", "-1", "5.0", "99999999999999999999" } do
        usage("/v1/logs?limit=" .. bad, "limit must be a whole number")
        usage("/v1/traces?limit=" .. bad, "limit must be a whole number")
      end
      usage("/v1/traces?limit=0", "from 1 to")   -- /v1/logs?limit=0 streams (spec/export_spec.lua)
    end)

    it("converts a recipe's window keys by type", function()
      usage("/v1/recipes/http_request_rate?range=perhaps", "range must be true or false")
    end)

    local function post(name, body)
      return srv:post_json("/v1/scripts/" .. name, body)
    end

    it("answers 400, not 500, when a script hands the API a value of the wrong type", function()
      local status, doc = post("forward_logs",
        '{"service": {"value": "PAYMENTS-API", "case_insensitive": true}, "since": "1h", "limit": 1}')
      assert.equal(400, status, json.encode(doc))
      assert.equal("usage", doc.error.code)
      assert.matches("service: a string expected, got table", doc.error.message, 1, true)
      assert.is_nil(doc.error.message:find("/", 1, true) and doc.error.message:find("^/"), "no absolute path")
      for _, body in ipairs{ '{"limit": 1e20}', '{"level": ["ERROR", null]}', '{"limt": 5}', '{"where": {"k": {"a": 1}}}' } do
        status, doc = post("forward_logs", body)
        assert.equal(400, status, body .. " " .. json.encode(doc))
        assert.equal("usage", doc.error.code)
      end
    end)

    it("treats a JSON null parameter as absent", function()
      local status, doc = post("forward_logs", '{"now": null, "service": "payments-api", "limit": 2}')
      assert.equal(200, status, json.encode(doc))
      assert.equal(2, doc.result.returned)
      status, doc = post("error_summary", '{"now": null, "since": "1h"}')
      assert.equal(200, status, json.encode(doc))
      status, doc = post("echo", '{"a": null, "b": 1}')
      assert.equal(200, status)
      assert.same({ b = 1 }, doc.result.params)
    end)
  end)
end)
