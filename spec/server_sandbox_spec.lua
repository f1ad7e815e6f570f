-- tinkr-server scripts that make one long call into C: a backtracking
-- pattern, a huge rep/concat/format, a sort in a loop, a backend that never
-- answers.  Each is answered 500 script_budget within its wall-clock budget
-- plus a small margin, and the worker keeps serving.  No backend is needed
-- (the one the "backend" case talks to is the named fake that never answers).
local core = require "tinkr.core"
local helpers = require "helpers"
local server = require "support.server"
local fault_server = require "support.fault_server"

local json = core.json

local SCRIPTS = helpers.root .. "/spec/support/sandbox"
local SECONDS = 1
local MARGIN = 2          -- slack for the ASan build on a loaded, shared machine

describe("tinkr-server script sandbox", function()
  local srv, faults

  setup(function()
    faults = fault_server.start()
    srv = server.start{
      env = { TINKR_PATH = SCRIPTS, OTEL_OPENSEARCH_URL = faults:url("/never"),
              OTEL_PROMETHEUS_URL = faults:url("/never"), TINKR_TIMEOUT = "30",
              XDG_CONFIG_HOME = "/nonexistent" },
      unset = { "TINKR_PROFILE", "TINKR_CONFIG", "TINKR_SERVER_TOKEN" },
      args = { "--workers", "2", "--script-seconds", tostring(SECONDS),
               "--script-instructions", "100000000000", "--script-memory", "16m" },
    }
  end)

  teardown(function()
    if srv then srv:stop() end
    if faults then faults:stop() end
  end)

  local function post(name, body)
    local t0 = core.monotonic()
    local status, doc = srv:post_json("/v1/scripts/" .. name, body or "{}")
    return status, doc, core.monotonic() - t0
  end

  it("answers pattern_hang with 500 script_budget within its wall-clock budget", function()
    local status, doc, took = post("pattern_hang")
    assert.equal(500, status, json.encode(doc))
    assert.equal("script_budget", doc.error.code)
    assert.matches("time budget", doc.error.message)
    assert.is_true(took < SECONDS + MARGIN, ("answered after %.2f s"):format(took))
  end)

  it("survives two pattern_hang at once on a 2-worker server, then serves the next script", function()
    local t0 = core.monotonic()
    local results = core.http.request_many{
      { method = "POST", url = srv:url("/v1/scripts/pattern_hang"), body = "{}", timeout = 30 },
      { method = "POST", url = srv:url("/v1/scripts/pattern_hang"), body = "{}", timeout = 30 },
    }
    local took = core.monotonic() - t0
    for i = 1, 2 do
      assert.is_nil(results[i].err)
      assert.equal(500, results[i].status)
      assert.equal("script_budget", json.decode(results[i].body).error.code)
    end
    assert.is_true(took < SECONDS + MARGIN, ("both answered after %.2f s"):format(took))
    local status, doc = post("fine")
    assert.equal(200, status, json.encode(doc))
    assert.same({ "THE", "QUICK", "BROWN", "FOX" }, doc.result.words)
    assert.equal(2, doc.result.n)
  end)

  -- case -> the budget that stops it
  local CASES = {
    match = "time", gmatch = "time", gsub = "time",
    rep = "memory", concat = "memory", format = "memory", pack = "memory",
    sort = "time", move = "instruction", utf8 = "time", json = "time", backend = "time",
  }
  for _, case in ipairs{ "match", "gmatch", "gsub", "rep", "concat", "format", "pack", "sort", "move",
                         "utf8", "json", "backend" } do
    it("stops a script whose " .. case .. " call would run unbounded", function()
      local status, doc, took = post("bounded", json.encode{ case = case })
      assert.equal(500, status, json.encode(doc))
      assert.equal("script_budget", doc.error.code, json.encode(doc))
      assert.matches(CASES[case] .. " budget", doc.error.message)
      assert.is_true(took < SECONDS + MARGIN, ("%s answered after %.2f s"):format(case, took))
    end)
  end

  it("caps the fan-out of tinkr.all in a script (400 beyond the cap, documented)", function()
    local status, doc = post("fanout", json.encode{ n = 5 })
    assert.equal(200, status, json.encode(doc))
    assert.same({ 2, 4, 6, 8, 10 }, doc.result)
    status, doc = post("fanout", json.encode{ n = 3000 })
    assert.equal(400, status, json.encode(doc))
    assert.equal("usage", doc.error.code)
    assert.matches("at most 32", doc.error.message)
  end)

  it("caps the services of the shipped error_summary script before any search starts", function()
    local services = {}
    for i = 1, 3000 do services[i] = "svc-" .. i end
    local status, doc, took = post("error_summary", json.encode{ services = services })
    assert.equal(400, status, json.encode(doc))
    assert.equal("usage", doc.error.code)
    assert.matches("3000 names; at most 32", doc.error.message)
    assert.is_true(took < SECONDS, ("answered after %.2f s"):format(took))
  end)

  it("counts the stops in /metrics by reason", function()
    local res = srv:get("/metrics")
    assert.equal(200, res.status)
    assert.matches('tinkr_server_script_aborts_total{reason="time"} %d+', res.body)
    assert.matches('tinkr_server_script_aborts_total{reason="memory"} %d+', res.body)
  end)
end)
