-- Templates, mappings and recipes (tinkr.resources) run under a budget:
-- one that loops or matches a catastrophic pattern is stopped with a
-- config error instead of freezing the CLI.
local helpers = require "helpers"
local resources = require "tinkr.resources"
local errors = require "tinkr.errors"
local core = require "tinkr.core"

local DIR = helpers.root .. "/spec/support/sandbox_cli"

describe("resource sandbox budget", function()
  local saved_dirs, saved_limits

  before_each(function()
    saved_dirs, saved_limits = resources.user_dirs, resources.LIMITS
    resources.user_dirs = function() return { DIR } end
    resources.LIMITS = { instructions = 1000000000, seconds = 0.3, memory = 8 * 1024 * 1024 }
  end)

  after_each(function()
    resources.user_dirs, resources.LIMITS = saved_dirs, saved_limits
  end)

  local function timed(f, ...)
    local t0 = core.monotonic()
    local r = table.pack(pcall(f, ...))
    return r, core.monotonic() - t0
  end

  it("stops a template function with a catastrophic gsub", function()
    local template = assert(resources.load("queries/templates/hang.lua"))
    local r, took = timed(template, { x = "y" })
    assert.is_false(r[1])
    assert.is_true(errors.is_error(r[2]))
    assert.equal("config", r[2].code)
    assert.matches("queries/templates/hang.lua was stopped: it exceeded its time budget", r[2].message, 1, true)
    assert.is_true(took < 0.3 + 1.5, ("took %.2f s"):format(took))   -- margin for a loaded machine
  end)

  it("stops a template that builds a string over its memory budget", function()
    local template = assert(resources.load("queries/templates/huge.lua"))
    local r = timed(template)
    assert.is_false(r[1])
    assert.matches("memory budget", r[2].message)
  end)

  it("stops a mapping file that never finishes loading", function()
    local v, err = resources.load("queries/mappings/hang.lua")
    assert.is_nil(v)
    assert.equal("config", err.code)
    assert.matches("time budget", err.message)
    assert.matches("hang.lua$", err.path)
  end)

  it("stops a recipe's expr and a helper it includes", function()
    local recipes = require "tinkr.recipes"
    local expr, err = recipes.expand("hang", {})
    assert.is_nil(expr)
    assert.matches("was stopped: it exceeded its time budget", err.message)
    local r2, err2 = recipes.get("hang_include")
    assert.is_nil(r2)
    assert.matches("budget", err2.message)
  end)

  it("still loads the shipped templates, mappings and recipes", function()
    resources.user_dirs = saved_dirs
    local seed = assert(resources.load("queries/mappings/seed.lua"))
    assert.equal("seed", seed.name)
    local expr = assert(require("tinkr.recipes").expand("http_request_rate", { service = "checkout" }))
    assert.matches("checkout", expr)
  end)

  it("stops `tinkr metrics --recipe` on a catastrophic pattern with exit 3 and one line", function()
    local t0 = core.monotonic()
    local out, err, status = helpers.tinkr({ "metrics", "--recipe", "hang" },
      { env = { TINKR_PATH = DIR, OTEL_PROMETHEUS_URL = "http://127.0.0.1:9", XDG_CONFIG_HOME = "/nonexistent" } })
    local took = core.monotonic() - t0
    assert.equal("", out)
    assert.equal(3, status, err)
    assert.matches("^tinkr: [^\n]*was stopped: it exceeded its %a+ budget %([^\n]*%)\n$", err)
    assert.is_true(took < saved_limits.seconds + 3, ("took %.2f s"):format(took))
  end)
end)
