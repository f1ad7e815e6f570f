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

  -- A function whose request the server answers (with n) only once n
  -- requests of this group wait there at the same time: concurrency shown
  -- without timing it, so a loaded machine cannot fail it.  Otherwise it
  -- returns nil and the server's message.
  local groups = 0
  local function together(n)
    groups = groups + 1
    local url = srv:url(("/together?group=g%d-%d&n=%d"):format(groups, math.random(1e9), n))
    return function()
      local res, err = parallel.request{ url = url, timeout = 60 }
      if not res then return nil, err end
      if res.status ~= 200 then return nil, res.body end
      return core.json.decode(res.body).together
    end
  end

  it("runs functions that wait on the network at the same time", function()
    -- answered only when all eight wait at the server at once
    local fns, eight = {}, together(8)
    for i = 1, 8 do fns[i] = eight end
    local r = parallel.run(fns)
    for i = 1, 8 do assert.equal(8, r[i][1], tostring(r[i][2])) end
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
    -- the nested pair and the sibling's first request are answered only
    -- when all three wait at the server at once
    local three = together(3)
    local r = parallel.all{
      nested = function()
        local a, b = parallel.all{ three, three }
        return a + b
      end,
      sibling = function()
        local x = three()
        local y = delayed(30)()
        return x + y
      end,
    }
    assert.same({ nested = 6, sibling = 33 }, r)
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
