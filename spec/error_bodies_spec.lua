-- Bytes from a backend's error body never reach a terminal or a client as
-- they came: every error is one line, control characters (ESC, CR, BEL
-- ...) are written out as \x1b, and an HTML page (a proxy's error page) is
-- named by its status and <title>, never dumped.  The hostile bodies come
-- from the named fake in spec/support/fault_server.py: a real OpenSearch
-- or Prometheus does not send them on demand.
local config = require "tinkr.config"
local errors = require "tinkr.errors"
local helpers = require "helpers"
local json = require("tinkr.core").json
local fault_server = require "support.fault_server"
local server = require "support.server"
local tinkr = require "tinkr"

local function use(env)
  env.TINKR_NOW = "2026-11-26T12:00:00Z"
  config.set(config.new{ getenv = function(k) return env[k] end })
end

-- One line, nothing a terminal acts on.
local function assert_clean(what, text)
  assert.is_string(text, what)
  assert.is_nil(text:find("[%c\127]"), what .. ": control character in " .. ("%q"):format(text))
end

describe("backend error bodies", function()
  local srv
  setup(function() srv = fault_server.start() end)
  teardown(function() srv:stop() end)

  it("summarise an OpenSearch HTML error page as status + title", function()
    use{ OTEL_OPENSEARCH_URL = srv:url("/hostile_html"), OTEL_LOG_INDEX = "otel-logs-*" }
    local rows, err = tinkr.logs{ limit = 1 }
    assert.is_nil(rows)
    assert.equal("backend", err.code)
    assert_clean("message", err.message)
    assert.matches("502", err.message)
    assert.matches('an HTML page titled "502 Bad Gateway \\x1b]0;pwned\\x07"', err.message, 1, true)
    assert.is_nil(err.message:find("<", 1, true), err.message)
    assert.is_nil(err.message:find("nginx", 1, true), err.message)
  end)

  it("escape control characters of a plain-text or JSON OpenSearch error", function()
    use{ OTEL_OPENSEARCH_URL = srv:url("/hostile_text"), OTEL_LOG_INDEX = "otel-logs-*" }
    local _, err = tinkr.logs{ limit = 1 }
    assert_clean("text message", err.message)
    assert.matches("upstream \\x1b]0;retitled\\x07failed \\x1b[2K", err.message, 1, true)
    use{ OTEL_OPENSEARCH_URL = srv:url("/hostile_json"), OTEL_LOG_INDEX = "otel-logs-*" }
    _, err = tinkr.logs{ limit = 1 }
    assert_clean("json message", err.message)
    assert.matches("bad \\x1b[2J\\x07thing line two", err.message, 1, true)
  end)

  it("are summarised and escaped for Prometheus too", function()
    for _, path in ipairs{ "/hostile_html", "/hostile_text", "/hostile_prom" } do
      use{ OTEL_PROMETHEUS_URL = srv:url(path) }
      local rows, err = tinkr.metrics.query("up")
      assert.is_nil(rows, path)
      assert_clean(path .. " message", err.message)
      if err.detail then assert_clean(path .. " detail", err.detail) end
      if path == "/hostile_html" then
        assert.matches('an HTML page titled "502 Bad Gateway', err.message, 1, true)
        assert.is_nil(err.message:find("<h1>", 1, true), err.message)
      end
    end
  end)

  it("reach the CLI's stderr as one clean line", function()
    for _, case in ipairs{ { "logs", "OTEL_OPENSEARCH_URL", "/hostile_html" }, { "logs", "OTEL_OPENSEARCH_URL", "/hostile_text" },
                           { "metrics", "OTEL_PROMETHEUS_URL", "/hostile_text" } } do
      local args = case[1] == "metrics" and { "metrics", "up", "--instant" } or { "logs" }
      local out, err, status = helpers.tinkr(args, { env = { [case[2]] = srv:url(case[3]),
        OTEL_OPENSEARCH_URL = case[2] == "OTEL_OPENSEARCH_URL" and srv:url(case[3]) or "http://127.0.0.1:9",
        XDG_CONFIG_HOME = "/nonexistent" } })
      assert.equal(9, status, err)
      assert.equal("", out)
      assert.matches("^tinkr: [^\n]*\n$", err)
      assert_clean(case[3], err:sub(1, -2))
    end
  end)

  it("reach a server client as a clean one-line message", function()
    local s = server.start{ env = { OTEL_OPENSEARCH_URL = srv:url("/hostile_html"),
      OTEL_PROMETHEUS_URL = srv:url("/hostile_text"), XDG_CONFIG_HOME = "/nonexistent" } }
    local ok, e = pcall(function()
      local status, doc = s:get_json("/v1/logs?limit=1")
      assert.equal(502, status)
      assert_clean("logs", doc.error.message)
      assert.matches("an HTML page titled", doc.error.message, 1, true)
      status, doc = s:get_json("/v1/metrics/query?query=up")
      assert.equal(502, status)
      assert_clean("metrics", doc.error.message)
    end)
    s:stop()
    assert(ok, e)
  end)
end)

describe("errors.new", function()
  it("makes every message and detail one line with control characters escaped", function()
    local e = errors.new("backend", "a\27[31mb\rc\nd\7", { detail = "x\0y" })
    assert.equal("a\\x1b[31mb c d\\x07", e.message)
    assert.equal("x\\x00y", e.detail)
    assert.equal("an HTML page without a title", errors.body_summary("<html><body>x</body></html>"))
    assert.equal("(empty body)", errors.body_summary(" \n"))
    assert.equal(200 + 3, #errors.body_summary(("x"):rep(500)))
    assert.equal('{"a": 1}', errors.body_summary('{"a":\n 1}', "application/json"):gsub("  ", " "))
    assert.is_string(json.encode(e.message))
  end)
end)
