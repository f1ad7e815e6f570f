-- The REPL's Tab completion and help (tinkr.repl), on a real pseudo-terminal
-- and through tinkr.repl.complete directly.
local pty = require "support.pty"
local repl = require "tinkr.repl"

local home

local function env(extra) return home:env(extra) end

describe("REPL completion", function()
  before_each(function() home = pty.home() end)
  after_each(function() home:remove() end)

  it("completes tinkr. functions on Tab, and :help lists the API one line each", function()
    local r = pty.run({
      { expect = "tinkr> " }, { send = "type(tinkr.serv\t" }, { expect = "tinkr.services" },
      { send = ")\r" }, { expect = '"function"' },
      { expect = "tinkr> " }, { send = ":help\r" }, { expect = "tinkr.errors(p)" },
      { expect = "tinkr> " }, { send = "help()\r" }, { expect = "tinkr.logs(p)" },
      { expect = "tinkr> " }, { send = "\4" },
    }, env())
    assert.is_nil(r.failed_expect, r.output)
    assert.equal(0, r.status)
  end)

  it("completes fields of tables in scope, without calling anything", function()
    local r = pty.run({
      { expect = "tinkr> " }, { send = "rows = { { trace_id = 'abc', service = 'x' } }\r" },
      { expect = "tinkr> " }, { send = "rows[1].tr\t" }, { expect = "rows[1].trace_id" },
      { send = "\r" }, { expect = '"abc"' },
      { expect = "tinkr> " }, { send = "\4" },
    }, env())
    assert.is_nil(r.failed_expect, r.output)
    assert.same({ "tinkr.errors" }, repl.complete("tinkr.err", 0, 9))
    assert.same({ "tinkr.metrics.range", "tinkr.metrics.recipe", "tinkr.metrics.recipes" },
      repl.complete("tinkr.metrics.r", 0, 15))
    assert.same({}, repl.complete("nosuchthing.x", 0, 13))
    local kw = repl.complete("whi", 0, 3)
    assert.same({ "while" }, kw)
  end)

  it("completes service names inside service = \"...\" once a backend is configured", function()
    local stack = require("support.stack").get()
    local config = require "tinkr.config"
    local e = { OTEL_OPENSEARCH_URL = stack.opensearch, OTEL_LOG_INDEX = "ss4o_logs-*",
                OTEL_TRACE_INDEX = "ss4o_traces-*" }
    config.set(config.new{ getenv = function(k) return e[k] end })
    local line = 'tinkr.logs{ service = "pay'
    assert.same({ "payments-api" }, repl.complete(line, #line - 3, #line))
    local all = repl.complete('x{service="', 11, 11)
    assert.same(stack.expected.services, all)
  end)
end)
