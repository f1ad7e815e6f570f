-- A bad value in the environment (or a profile) is a config error, exit 3,
-- naming the variable -- never ignored, never a traceback.  Driven by
-- tinkr.config.SETTINGS: every setting with a type is tried with values it
-- must refuse.  Also: index patterns follow OpenSearch's rules and are
-- percent-encoded in URL paths; hints name settings a user has.
local stack = require("support.stack").get()
local config = require "tinkr.config"
local errors = require "tinkr.errors"
local helpers = require "helpers"
local index_pattern = require "tinkr.index_pattern"
local server = require "support.server"
local tinkr = require "tinkr"

local function env(extra)
  local e = {
    OTEL_OPENSEARCH_URL = stack.opensearch, OTEL_PROMETHEUS_URL = stack.prometheus,
    OTEL_LOG_INDEX = "ss4o_logs-*", OTEL_TRACE_INDEX = "ss4o_traces-*",
    TINKR_NOW = stack.now, XDG_CONFIG_HOME = "/nonexistent",
  }
  for k, v in pairs(extra or {}) do e[k] = v end
  return e
end

-- Values each kind of setting must refuse.
local BAD = {
  timeout = { "abc", "0", "-1", "0x10", "1e400", "100000" },
  connect_timeout = { "abc", "0", "-5" },
  insecure = { "maybe", "2" },
  max_response = { "abc", "-1", "10", "1.5" },
  mapping_cache_ttl = { "abc", "-1", "1.5", "86401" },
  log_index = { "otel-logs-*/_doc/x?", "Otel-Logs", "a b", "_all", "logs,,x", "logs#1", "-x" },
  trace_index = { "traces/../_cat", "x?pretty" },
}

describe("settings from the environment", function()
  it("covers every typed setting", function()
    for name, spec in pairs(config.SETTINGS) do
      if spec.check then assert.is_table(BAD[name], "no bad values tried for " .. name) end
    end
  end)

  it("refuse a bad value with exit 3, one line naming the variable, before any query", function()
    for name, values in pairs(BAD) do
      local var = config.SETTINGS[name].env
      for _, v in ipairs(values) do
        for _, args in ipairs{ { "logs", "--limit", "1" }, { "metrics", "up", "--instant" } } do
          local out, err, status = helpers.tinkr(args, { env = env{ [var] = v } })
          assert.equal(3, status, var .. "=" .. v .. ": " .. err)
          assert.equal("", out)
          assert.matches("^tinkr: [^\n]*\n$", err)
          assert.matches(var .. "=", err, 1, true)
        end
      end
    end
  end)

  it("are an error value from the Lua API too (not a silent default)", function()
    config.set(config.new{ getenv = function(k) return env{ TINKR_TIMEOUT = "abc" }[k] end })
    local rows, err = tinkr.logs{ limit = 1 }
    assert.is_nil(rows)
    assert.equal("config", err.code)
    assert.matches('TINKR_TIMEOUT="abc": must be a number of seconds', err.message, 1, true)
    local out, serr, status = helpers.tinkr({ "-e", "local r, e = tinkr.logs{ limit = 1 } print(e.code, e.message)" },
      { env = env{ TINKR_TIMEOUT = "-1" } })
    assert.equal(0, status, serr)
    assert.matches("^config\tTINKR_TIMEOUT=\"%-1\"", out)
  end)

  it("make a bad TINKR_NOW one line with exit 3 in a script, and exit 2 for --now", function()
    local out, err, status = helpers.tinkr({ "-e", "print(tinkr.now())" }, { env = env{ TINKR_NOW = "tomorrow" } })
    assert.equal(3, status, err)
    assert.equal("", out)
    assert.matches('^tinkr: TINKR_NOW: bad time "tomorrow"[^\n]*\n$', err)
    out, err, status = helpers.tinkr({ "logs", "--now", "tomorrow" }, { env = env() })
    assert.equal(2, status, err)
  end)

  it("stop tinkr-server from starting, naming the variable", function()
    local _, err, status = helpers.run("timeout 20 " .. helpers.shell_quote(server.binary()) .. " --listen 127.0.0.1:0",
      { env = env{ TINKR_CONNECT_TIMEOUT = "soon" } })
    assert.is_true(status ~= 0 and status ~= 124, "exit " .. status)
    assert.matches('TINKR_CONNECT_TIMEOUT="soon": must be a number of seconds', err, 1, true)
  end)

  it("name the setting a user has in the too-large hint", function()
    local out, err, status = helpers.tinkr({ "logs", "--limit", "200" }, { env = env{ TINKR_MAX_RESPONSE = "2048" } })
    assert.equal(11, status, err)
    assert.equal("", out)
    assert.matches("TINKR_MAX_RESPONSE (profile key max_response)", err, 1, true)
    assert.is_nil(err:find("max_body", 1, true), err)
    -- every environment variable a hint names exists
    for var in pairs{ TINKR_TIMEOUT = 1, TINKR_CONNECT_TIMEOUT = 1, TINKR_CA_FILE = 1, TINKR_INSECURE = 1, TINKR_MAX_RESPONSE = 1 } do
      local found = false
      for _, spec in pairs(config.SETTINGS) do found = found or spec.env == var end
      assert.is_true(found, var)
    end
    local e = errors.from_http({ code = "timeout", message = "timed out after 1 s: http://x/" }, "OpenSearch", "OTEL_OPENSEARCH_URL")
    assert.matches("TINKR_TIMEOUT", e.message, 1, true)
  end)
end)

describe("index patterns", function()
  it("follow OpenSearch's index-name rules plus *, ',' and -exclusions", function()
    for _, good in ipairs{ "otel-logs-*", "ss4o_logs-*,logs-otel-v1*", "logs-*,-logs-old*", "a+b", "*", "logs.2026" } do
      assert.equal(good, (index_pattern.check(good)), good)
    end
    for _, bad in ipairs{ "", "otel-logs-*/_doc/x?", "A", "a b", "a\\b", "a\"b", "a<b", "a|b", "a#b", "a:b",
                          "_x", "+x", "-x", ".", "..", "a,,b", "a,", ("x"):rep(256), "a\0b", "a\nb" } do
      local ok, why = index_pattern.check(bad)
      assert.is_nil(ok, bad)
      assert.is_string(why)
    end
  end)

  it("are percent-encoded in every URL path", function()
    assert.equal("a%25b%2Bc,-d*", index_pattern.path("a%b+c,-d*"))
    config.set(config.new{ getenv = function(k)
      return env{ OTEL_LOG_INDEX = "ss4o_logs-*,-ss4o+old*" }[k]
    end })
    require("tinkr.time").pin(stack.now)
    local rows, meta = tinkr.logs{ limit = 1, since = "1h" }
    assert.is_table(rows, tostring(meta))
    assert.equal(1, #rows)
    assert.matches("/ss4o_logs-*,-ss4o%2Bold*/_search", meta.request.url, 1, true)
  end)
end)
