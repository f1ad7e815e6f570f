-- tinkr metrics and every recipe on VictoriaMetrics (single node, v1.151.0,
-- loaded with the same samples as the stack's Prometheus through its
-- Prometheus import API): the same series as Prometheus, values within the
-- difference of the two engines' rate() (VictoriaMetrics does not
-- extrapolate to the window edges); raw samples exactly the same.  Plain pass only: it starts a server.
if (os.getenv("TINKR_BIN") or ""):match("%-asan$") then return end

local helpers = require "helpers"
local stack = require("support.stack").get()
local victoria = require "support.victoria"
local metrics = require "tinkr.metrics"
local recipes = require "tinkr.recipes"

-- Recipes are rates and ratios of rates; VictoriaMetrics computes rate()
-- without Prometheus's extrapolation, so they differ by a few percent.
local TOLERANCE = 0.20

local function by_labels(rows)
  local out = {}
  for _, r in ipairs(rows) do
    local keys = {}
    for k, v in pairs(r.labels) do keys[#keys + 1] = k .. "=" .. v end
    table.sort(keys)
    out[table.concat(keys, ",")] = r.value
  end
  return out
end

local function close(a, b)
  if a ~= a and b ~= b then return true end            -- both NaN
  if a == b then return true end
  return math.abs(a - b) <= TOLERANCE * math.max(math.abs(a), math.abs(b))
end

describe("VictoriaMetrics as the Prometheus API", function()
  local vm
  setup(function() vm = victoria.start(stack) end)
  teardown(function() if vm then vm.stop() end end)

  it("holds exactly the samples Prometheus holds (raw selector, instant)", function()
    local expr = 'http_server_request_duration_seconds_count{job="payments-api"}'
    local want = assert(metrics.new{ prometheus_url = stack.prometheus }:query(expr, { time = stack.now }))
    local got = assert(metrics.new{ prometheus_url = vm.url }:query(expr, { time = stack.now }))
    assert.is_true(#want > 0)
    assert.same(by_labels(want), by_labels(got))
  end)

  it("answers every recipe like Prometheus does, for a service", function()
    local prom = metrics.new{ prometheus_url = stack.prometheus }
    local vmc = metrics.new{ prometheus_url = vm.url }
    local names = recipes.list()
    assert.is_true(#names >= 5)
    local compared = 0
    for _, name in ipairs(names) do
      local params = { time = stack.now }
      local recipe = assert(recipes.get(name))
      if recipe.params.service then params.service = "payments-api" end   -- per-service recipes
      -- a wide window: the engines differ only at the window's edges
      if recipe.params.window then params.window = "30m" end
      local want, werr = prom:recipe(name, params)
      assert.is_table(want, name .. ": " .. tostring(werr))
      local got, gerr = vmc:recipe(name, params)
      assert.is_table(got, name .. ": " .. tostring(gerr))
      local w, g = by_labels(want), by_labels(got)
      for labels, value in pairs(w) do
        assert.is_number(g[labels], ("%s: series {%s} missing on VictoriaMetrics"):format(name, labels))
        assert.is_true(close(value, g[labels]), ("%s {%s}: Prometheus %s, VictoriaMetrics %s"):format(
          name, labels, value, g[labels]))
        compared = compared + 1
      end
      for labels in pairs(g) do assert.is_number(w[labels], name .. ": extra series {" .. labels .. "}") end
    end
    assert.is_true(compared >= #names, "every recipe compared at least one series")
  end)

  it("draws tinkr metrics range queries from it (CLI)", function()
    local out, err, status = helpers.tinkr({ "metrics", "--recipe", "http_request_rate", "--service", "payments-api",
      "--since", "1h", "--format", "json" },
      { env = { OTEL_PROMETHEUS_URL = vm.url, TINKR_NOW = stack.now, XDG_CONFIG_HOME = "/nonexistent" } })
    assert.equal(0, status, err)
    local doc = require("tinkr.core").json.decode(out)
    assert.is_true(#doc.result[1].points >= 100, "about 120 points over the hour")
  end)
end)
