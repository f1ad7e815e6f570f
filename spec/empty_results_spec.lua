-- Empty results explain themselves, and levels match however a writer
-- spelled them: against the real OpenSearch, with small indices written
-- here the way SDKs spell severities (ERROR, Error, error; a record with a
-- severity number but an odd text).
local helpers = require "helpers"
local stack = require("support.stack").get()
local indices = require "support.indices"
local json = require("tinkr.core").json

local client = indices.client(stack.opensearch)

local function env(extra)
  local e = {
    OTEL_OPENSEARCH_URL = stack.opensearch, OTEL_PROMETHEUS_URL = stack.prometheus,
    OTEL_LOG_INDEX = "ss4o_logs-*", OTEL_TRACE_INDEX = "ss4o_traces-*",
    TINKR_NOW = stack.now, XDG_CONFIG_HOME = "/nonexistent", TINKR_CACHE_DIR = os.tmpname() .. ".d",
  }
  for k, v in pairs(extra or {}) do e[k] = v end
  return e
end

local function tinkr(args, extra)
  return helpers.tinkr(args, { env = env(extra) })
end

-- index name -> documents (ss4o form: severity.text / severity.number;
-- seed form: a keyword `severity` and no number)
local SS4O, SEED = "tinkr-spec-levels-ss4o", "tinkr-spec-levels-seed"
local function ss4o_doc(i, text, number)
  return { ["@timestamp"] = ("2026-11-26T11:50:%02d.000Z"):format(i), body = "line " .. i,
    severity = { text = text, number = number }, resource = { ["service.name"] = "lvl-svc" } }
end
local SS4O_DOCS = {
  ss4o_doc(1, "ERROR", 17), ss4o_doc(2, "Error", 17), ss4o_doc(3, "error", 17),
  ss4o_doc(4, "SEVERE", 18),                       -- a Java-style text, an OTel error number
  ss4o_doc(5, "INFO", 9), ss4o_doc(6, "warn", 13), ss4o_doc(7, "Information", 9),
}
local SEED_DOCS = {}
for i, text in ipairs({ "ERROR", "Error", "error", "INFO", "Warn" }) do
  SEED_DOCS[i] = { ["@timestamp"] = ("2026-11-26T11:50:%02d.000Z"):format(i), body = "line " .. i,
    severity = text, resource = { service = { name = "lvl-svc" } } }
end

local function load(index, docs, mappings)
  client:json("DELETE", "/" .. index)
  indices.call(client, "PUT", "/" .. index, { settings = { number_of_shards = 1, number_of_replicas = 0 },
    mappings = mappings })
  for i, d in ipairs(docs) do
    indices.call(client, "PUT", ("/%s/_doc/%d?refresh=%s"):format(index, i, i == #docs and "true" or "false"), d)
  end
end

local function count(index, level)
  local out, err, status = tinkr({ "logs", "--level", level, "--since", "1h", "--limit", "0", "--format", "json" },
    { OTEL_LOG_INDEX = index })
  assert(status == 0 or status == 1, err)
  return json.decode(out).meta.total, json.decode(out).meta.request.body
end

describe("levels", function()
  setup(function()
    load(SS4O, SS4O_DOCS)
    load(SEED, SEED_DOCS, { properties = { severity = { type = "keyword" }, ["@timestamp"] = { type = "date" } } })
  end)
  teardown(function()
    client:json("DELETE", "/" .. SS4O)
    client:json("DELETE", "/" .. SEED)
  end)

  it("--level error matches ERROR, Error and error, and OTel's error numbers", function()
    for _, typed in ipairs({ "error", "ERROR", "Error" }) do
      local n, body = count(SS4O, typed)
      assert.equal(4, n, typed .. ": " .. body)   -- the three spellings and SEVERE (number 18)
      assert.matches('"gte":17', body)
      assert.matches('"lte":20', body)
    end
    assert.equal(1, (count(SS4O, "warn")))
    assert.equal(2, (count(SS4O, "info")))        -- INFO and Information (number 9)
    assert.equal(7, (count(SS4O, "error,warn,info")))
  end)

  it("by text alone where the layout has no severity number", function()
    local n, body = count(SEED, "error")
    assert.equal(3, n)
    assert.matches('"terms":{"severity":%["ERROR","Error","error"%]}', body)
    assert.equal(1, (count(SEED, "WARN")))
  end)
end)

describe("an empty result explains itself", function()
  it("a --service that matches nothing lists the closest service names", function()
    local out, err, status = tinkr{ "logs", "--service", "payment-api", "--since", "1h" }
    assert.equal(1, status, err)
    assert.matches("hint: no service 'payment%-api' in 'ss4o_logs%-%*'; closest: payments%-api\n", err)
    out, err, status = tinkr{ "traces", "--service", "Checkout", "--since", "1h", "--format", "json" }
    assert.equal(1, status, err)
    assert.equal("no service 'Checkout' in 'ss4o_traces-*'; closest: checkout", json.decode(out).meta.hint)
  end)

  it("a service that exists but has nothing in the window says so", function()
    local _, err, status = tinkr{ "logs", "--service", "payments-api", "--from", "2026-11-26T01:00:00Z",
      "--to", "2026-11-26T02:00:00Z" }
    assert.equal(1, status, err)
    assert.matches("hint: service 'payments%-api' has logs in 'ss4o_logs%-%*', but none match this window and filters", err)
  end)

  it("a name far from every service lists the services there", function()
    local _, err = tinkr{ "logs", "--service", "zzzzzzzzzzzz", "--since", "1h" }
    assert.matches("hint: no service 'zzzzzzzzzzzz' in 'ss4o_logs%-%*'; its services: checkout, email, frontend", err)
  end)

  it("no hint when there are results", function()
    local _, err, status = tinkr{ "logs", "--service", "payments-api", "--since", "1h", "--limit", "1" }
    assert.equal(0, status, err)
    assert.is_nil(err:find("hint:", 1, true))
  end)
end)
