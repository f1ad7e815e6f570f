-- tinkr.all / tinkr.parallel: Lua functions run concurrently, their HTTP
-- requests share one curl multi handle.
local fault_server = require "support.fault_server"
local parallel = require "tinkr.parallel"
local core = require "tinkr.core"

describe("tinkr.parallel", function()
  local srv
  setup(function() srv = fault_server.start() end)
  teardown(function() srv:stop() end)

  local function delayed(ms)
    return function()
      local res, err = parallel.request{ url = srv:url("/delay?ms=" .. ms) }
      if not res then return nil, err end
      return core.json.decode(res.body).delayed_ms
    end
  end

  it("runs functions that wait on the network at the same time", function()
    local fns = {}
    for i = 1, 8 do fns[i] = delayed(300) end
    local t0 = core.monotonic()
    local results = { parallel.all(fns) }
    local elapsed = core.monotonic() - t0
    assert.equal(8, #results)
    for i = 1, 8 do assert.equal(300, results[i]) end
    -- eight sequential requests would take 2.4 s; allow a wide margin
    assert.is_true(elapsed < 1.2, ("took %.2f s"):format(elapsed))
  end)

  it("keeps several requests of one function in order", function()
    local out = parallel.all{ function()
      local a = delayed(50)()
      local b = delayed(60)()
      return a + b
    end }
    assert.equal(110, out)
  end)

  it("returns named results as a table", function()
    local r = parallel.all{ fast = delayed(10), slow = delayed(100) }
    assert.same({ fast = 10, slow = 100 }, r)
  end)

  it("passes nil, err through for a failed request without stopping the others", function()
    local r = parallel.run{
      ok = delayed(20),
      refused = function() return parallel.request{ url = "http://127.0.0.1:9/", connect_timeout = 2 } end,
    }
    assert.equal(20, r.ok[1])
    assert.is_nil(r.refused[1])
    assert.equal("connect", r.refused[2].code)
  end)

  it("raises a Lua error from one function after the others finished, naming it", function()
    local finished = false
    local ok, err = pcall(parallel.all, {
      function() error("broken script") end,
      function() delayed(100)(); finished = true end,
    })
    assert.is_false(ok)
    assert.matches("function 1 given to tinkr.all failed", err)
    assert.matches("broken script", err)
    assert.is_true(finished)
  end)

  it("runs a nested tinkr.all inside a task without holding up its siblings", function()
    local t0 = core.monotonic()
    local r = parallel.all{
      nested = function()
        local a, b = parallel.all{ delayed(400), delayed(400) }
        return a + b
      end,
      sibling = function()
        local x = delayed(300)()
        local y = delayed(300)()
        return x + y
      end,
    }
    local elapsed = core.monotonic() - t0
    assert.same({ nested = 800, sibling = 600 }, r)
    -- run one after the other this is 1.4 s; interleaved, about 0.6 s
    assert.is_true(elapsed < 1.0, ("took %.2f s"):format(elapsed))
  end)

  it("raises a nested failure in the task that started it, not in the scheduler", function()
    local r = parallel.run{
      outer = function()
        local ok, err = pcall(parallel.all, { function() error("inner boom") end, delayed(50) })
        return ok, err
      end,
    }
    assert.is_false(r.outer[1])
    assert.matches("inner boom", r.outer[2])
  end)

  it("rejects a non-function entry as misuse", function()
    assert.has_error(function() parallel.all{ 42 } end)
  end)

  it("makes a blocking request outside a parallel run", function()
    local res = parallel.request{ url = srv:url("/ok") }
    assert.equal(200, res.status)
  end)
end)
