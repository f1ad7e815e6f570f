-- Runs Lua functions concurrently: each in a coroutine; an HTTP request made
-- through tinkr.request inside one of them yields here, is added to one curl
-- multi handle, and the coroutine resumes when its response arrives.  N
-- functions that each wait on the network take about as long as the slowest.
local _M = { _VERSION = "0.1.0" }

local core = require "tinkr.core"
local co_create, co_resume, co_status, co_running, co_yield =
  coroutine.create, coroutine.resume, coroutine.status, coroutine.running, coroutine.yield
local traceback, pack, unpack, select = debug.traceback, table.pack, table.unpack, select

-- The coroutines being run by a scheduler, so request() knows it may yield.
local scheduled = setmetatable({}, { __mode = "k" })
local REQUEST = {}   -- yield marker: "this coroutine wants an HTTP request"

--- One HTTP request: inside a parallel task it yields to the scheduler,
--- elsewhere it blocks.  Returns res | nil, err like core.http.request.
function _M.request(req)
  local co = co_running()
  if scheduled[co] then
    return co_yield(REQUEST, req)
  end
  return core.http.request(req)
end

local function task_body(fn)
  return function() return xpcall(fn, traceback) end
end

--- Runs every function in fns (an array, or a table with named entries) at
--- once.  Returns a table with each function's results (packed, keyed like
--- fns).  A function that raises does not stop the others; once all are done
--- the first error is raised again, naming which function failed.
function _M.run(fns)
  local keys = {}
  for k, fn in pairs(fns) do
    if type(fn) ~= "function" then
      error(("bad entry %s to 'all' (function expected, got %s)"):format(tostring(k), type(fn)), 3)
    end
    keys[#keys + 1] = k
  end
  table.sort(keys, function(a, b)
    if type(a) == type(b) then return a < b end
    return type(a) == "number"
  end)

  local multi <close> = core.http.multi()
  local results, failures = {}, {}
  local waiting = {}          -- transfer id -> key of the task waiting on it
  local tasks = {}

  local function step(key, ...)
    local co = tasks[key]
    local r = pack(co_resume(co, ...))
    if not r[1] then          -- an error escaped xpcall: should not happen
      failures[#failures + 1] = { key = key, err = r[2] }
      return
    end
    if co_status(co) == "dead" then
      if r[2] then
        results[key] = pack(select(3, unpack(r, 1, r.n)))
      else
        failures[#failures + 1] = { key = key, err = r[3] }
      end
      return
    end
    if r[2] == REQUEST then
      waiting[multi:add(r[3])] = key
    else
      -- a plain coroutine.yield() from user code inside a task: resume it
      return step(key)
    end
  end

  for _, key in ipairs(keys) do
    local co = co_create(task_body(fns[key]))
    scheduled[co] = true
    tasks[key] = co
    step(key)
  end

  while multi:pending() > 0 do
    for _, done in ipairs(multi:wait(1.0)) do
      local key = waiting[done.id]
      waiting[done.id] = nil
      if done.res then step(key, done.res) else step(key, nil, done.err) end
    end
  end

  if #failures > 0 then
    local f = failures[1]
    error(("function %s given to tinkr.all failed: %s"):format(tostring(f.key), tostring(f.err)), 0)
  end
  return results
end

--- tinkr.all{ f1, f2, ... } -> the first result of each, in order
--- tinkr.all{ a = f1, b = f2 } -> { a = first result of f1, b = ... }
function _M.all(fns)
  local packed = _M.run(fns)
  local firsts = {}
  for k, r in pairs(packed) do
    firsts[k] = r[1]
  end
  if #fns > 0 then return unpack(firsts, 1, #fns) end
  return firsts
end

return _M
