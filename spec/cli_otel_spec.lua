-- `tinkr logs | traces | trace | metrics` end to end: bin/tinkr against the
-- real local stack, as an on-call engineer or a pipeline would run it.
local helpers = require "helpers"
local stack = require("support.stack").get()
local json = require("tinkr.core").json

local E = stack.expected

local function env(extra)
  local e = require("support.stack").env(require("support.stack").LAYOUTS[2],
    { COLUMNS = "120", XDG_CONFIG_HOME = "/nonexistent" })
  for k, v in pairs(extra or {}) do e[k] = v end
  return e
end

local function tinkr(args, extra)
  return helpers.tinkr(args, { env = env(extra) })
end

local function lines(s)
  local out = {}
  for l in s:gmatch("[^\n]+") do out[#out + 1] = l end
  return out
end

describe("tinkr logs", function()
  it("prints a table that fits the width, exit 0 when there are results", function()
    local out, err, status = tinkr{ "logs", "--service", "payments-api", "--level", "ERROR", "--limit", "5" }
    assert.equal(0, status, err)
    local l = lines(out)
    assert.equal(6, #l)
    assert.matches("^TIMESTAMP%s+SERVICE%s+LEVEL", l[1])
    for i = 1, #l do assert.is_true(utf8.len(l[i]) <= 120, l[i]) end
    assert.matches("5 of " .. E.logs.last_hour.by_service_level["payments-api"].ERROR, err)
    assert.is_nil(out:find("\27[", 1, true), "no colour when not a terminal")
  end)

  it("exits 1 when nothing matches, and --fail-if-found turns that into the gate", function()
    local _, _, status = tinkr{ "logs", "--service", "no-such-service" }
    assert.equal(1, status)
    _, _, status = tinkr{ "logs", "--service", "no-such-service", "--fail-if-found" }
    assert.equal(0, status)
    _, _, status = tinkr{ "logs", "--service", "payments-api", "--level", "ERROR", "--fail-if-found" }
    assert.equal(1, status)
  end)

  it("streams every matching row as ndjson with exact timestamps", function()
    local out, err, status = tinkr{ "logs", "--service", "payments-api", "--level", "ERROR",
      "--since", "6h", "--limit", "0", "--format", "ndjson" }
    assert.equal(0, status, err)
    local l = lines(out)
    assert.equal(E.logs.by_service_level["payments-api"].ERROR, #l)
    for _, line in ipairs(l) do
      local row = assert(json.decode(line))
      assert.equal("payments-api", row.service)
      assert.equal("ERROR", row.level)
      assert.equal("integer", math.type(row.time_ns))
      assert.matches("^2026%-11%-26T%d%d:%d%d:%d%d%.%d+Z$", row.timestamp)
    end
  end)

  it("writes RFC 4180 CSV with the chosen fields", function()
    local out, err, status = tinkr{ "logs", "--level", "FATAL", "--since", "6h", "--format", "csv",
      "--fields", "service,level,message" }
    assert.equal(0, status, err)
    local l = lines(out)
    assert.equal("service,level,message", l[1])
    assert.equal(3, #l)
  end)

  it("searches the message and filters on attributes", function()
    local out, err, status = tinkr{ "logs", "--since", "6h", "--grep", "pool exhausted",
      "--where", "error.type=timeout", "--format", "json", "--limit", "1000" }
    assert.equal(0, status, err)
    local doc = assert(json.decode(out))
    assert.is_true(#doc.rows > 0)
    for _, r in ipairs(doc.rows) do assert.matches("pool exhausted", r.message) end
    assert.is_table(doc.meta.request)
  end)

  it("shows times in the asked time zone", function()
    local out, err, status = tinkr{ "logs", "--level", "FATAL", "--since", "6h", "--tz", "+02:00",
      "--fields", "timestamp,service" }
    assert.equal(0, status, err)
    assert.matches("2026%-11%-26T11:12:07%.431%+02:00", out)
  end)

  it("prints the exact request with --verbose, without the API key", function()
    local _, err, status = tinkr({ "logs", "--limit", "1", "--verbose" }, { OTEL_OPENSEARCH_API_KEY = "sekrit-key-123" })
    -- OpenSearch without security ignores the header; the request still works
    assert.equal(0, status, err)
    assert.matches("> POST " .. stack.opensearch:gsub("%p", "%%%0") .. "/ss4o_logs%-%*/_search", err)
    assert.matches('"sort"', err)
    assert.is_nil(err:find("sekrit", 1, true))
  end)

  it("uses colour on a terminal, and never with NO_COLOR", function()
    local pty = require "support.pty"
    local args = { "logs", "--service", "payments-api", "--level", "ERROR", "--limit", "2" }
    local r = pty.run({ { expect = "ERROR" }, { sleep = 0.2 } }, env(), args)
    assert.truthy(r.output:find("\27[", 1, true), r.output)
    r = pty.run({ { expect = "ERROR" }, { sleep = 0.2 } }, env{ NO_COLOR = "1" }, args)
    assert.is_nil(r.output:find("\27[", 1, true), r.output)
  end)

  it("rejects an unknown option with exit 2", function()
    local _, err, status = tinkr{ "logs", "--servce", "x" }
    assert.equal(2, status)
    assert.matches("unknown option '%-%-servce'", err)
  end)
end)

describe("tinkr errors on the command line", function()
  it("says OpenSearch is down in one line, with a distinct exit status", function()
    local _, err, status = tinkr({ "logs" }, { OTEL_OPENSEARCH_URL = "http://127.0.0.1:9" })
    assert.equal(4, status)
    assert.equal(1, #lines(err))
    assert.matches("OTEL_OPENSEARCH_URL", err)
  end)

  it("names the variable that is not set", function()
    local _, err, status = helpers.tinkr({ "logs" }, { env = { OTEL_OPENSEARCH_URL = "", TINKR_NOW = stack.now } })
    assert.equal(3, status)
    assert.matches("OTEL_OPENSEARCH_URL is not set", err)
  end)

  it("says a URL without a scheme needs one", function()
    local _, err, status = tinkr({ "logs" }, { OTEL_OPENSEARCH_URL = "localhost:9200" })
    assert.equal(3, status)
    assert.matches("http://", err)
  end)

  it("never shows a password from the URL, even one the URL parser chokes on", function()
    for _, url in ipairs{ "http://ops:se/cret@127.0.0.1:9", "http://ops:se@cret@127.0.0.1:9", "http://ops:secret@127.0.0.1:9" } do
      local out, err, status = tinkr({ "logs", "--verbose" }, { OTEL_OPENSEARCH_URL = url })
      assert.is_true(status >= 3, err)
      assert.is_nil((out .. err):find("cret", 1, true), err)
    end
  end)

  it("passes Prometheus's own message and position for a bad expression", function()
    local _, err, status = tinkr{ "metrics", "rate(foo[5m", "--instant" }
    assert.equal(8, status)
    assert.matches("1:%d+: parse error", err)
  end)

  it("rejects an unknown backend, listing the known ones", function()
    local _, err, status = tinkr({ "logs" }, { TINKR_BACKEND = "splunk" })
    assert.equal(3, status)
    assert.matches("unknown backend 'splunk'.*otel", err)
  end)
end)

describe("tinkr traces and trace", function()
  it("lists root spans slowest first", function()
    local out, err, status = tinkr{ "traces", "--since", "6h", "--limit", "3" }
    assert.equal(0, status, err)
    local l = lines(out)
    assert.matches(E.traces.slowest_root.trace_id, l[2])
    assert.matches("duration: computed", err)
  end)

  it("draws the slowest trace as a waterfall with its logs", function()
    local out, err, status = tinkr{ "trace", E.traces.slowest_root.trace_id }
    assert.equal(0, status, err)
    local shape = E.traces.slowest_trace_shape
    assert.matches(shape.span_count .. " spans", out, 1, true)
    assert.matches(#shape.services .. " services", out, 1, true)
    for _, s in ipairs(shape.spans) do assert.matches(s.name, out, 1, true) end
    assert.matches("INFO charge authorized", out)
  end)

  it("exits 7 (not found, as the README says) for a trace id that is not there", function()
    local _, err, status = tinkr{ "trace", "0123456789abcdef0123456789abcdef" }
    assert.equal(7, status)
    assert.matches("no spans with trace id", err)
  end)
end)

describe("tinkr metrics", function()
  it("runs the product document's example verbatim", function()
    local out, err, status = tinkr{ "metrics", 'rate(http_server_requests_total{service_name="payments-api"}[5m])',
      "--instant", "--format", "json" }
    assert.equal(0, status, err)
    local doc = assert(json.decode(out))
    assert.is_true(#doc.result > 0)
  end)

  it("draws a range query as a chart", function()
    local out, err, status = tinkr{ "metrics", "--recipe", "http_request_rate", "--service", "frontend", "--since", "1h" }
    assert.equal(0, status, err)
    assert.matches("http_request_rate", out)
    assert.matches("2026%-11%-26T11:00:00Z", out)
    assert.matches("2026%-11%-26T12:00:00Z", out)
  end)
end)
