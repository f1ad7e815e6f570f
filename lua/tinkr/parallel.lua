-- Runs Lua functions concurrently: each in a coroutine; an HTTP request made
-- through parallel.request inside one of them yields to the scheduler, is
-- added to one curl multi handle, and the coroutine resumes when its
-- response arrives.  N functions that each wait on the network take about
-- as long as the slowest.
--
-- A run started inside a task of another run (tinkr.trace inside tinkr.all,
-- say) does not start a second loop: its functions join the running
-- scheduler and the calling task waits for them, so its siblings go on.
local _M = { _VERSION = "0.1.0" }

local core = require "tinkr.core"
local co_create, co_resume, co_status, co_running, co_yield =
  coroutine.create, coroutine.resume, coroutine.status, coroutine.running, coroutine.yield
local traceback, pack, unpack, select = debug.traceback, table.pack, table.unpack, select

-- coroutine -> the scheduler running it, so request() and run() know they
-- may yield to it.
local scheduler_of = setmetatable({}, { __mode = "k" })
local REQUEST = {}   -- yield marker: "this task wants an HTTP request"
local JOIN = {}      -- yield marker: "this task waits for a group of tasks"

--- One HTTP request: inside a parallel task it yields to the scheduler,
--- elsewhere it blocks.  Returns res | nil, err like core.http.request.
function _M.request(req)
  if scheduler_of[co_running()] then
    req.tap = nil                      -- a tap is for a request made here (core.http)
    return co_yield(REQUEST, req)
  end
  return core.http.request(req)
end

--- Whether the caller runs inside a parallel task (its requests go through
--- the scheduler's multi handle).
function _M.in_task()
  return scheduler_of[co_running()] ~= nil
end

local function task_body(fn)
  return function() return xpcall(fn, traceback) end
end

-- Resumes a task and deals with what it yields or returns.
local function step(S, task, ...)
  local r = pack(co_resume(task.co, ...))
  local group = task.group
  if not r[1] or co_status(task.co) == "dead" then
    if not r[1] then                           -- an error escaped xpcall
      group.failures[#group.failures + 1] = { key = task.key, err = r[2] }
    elseif r[2] then
      group.results[task.key] = pack(select(3, unpack(r, 1, r.n)))
    else
      group.failures[#group.failures + 1] = { key = task.key, err = r[3] }
    end
    scheduler_of[task.co] = nil
    group.left = group.left - 1
    if group.left == 0 and group.waiter then
      local waiter = group.waiter
      group.waiter = nil
      step(S, waiter)
    end
  elseif r[2] == REQUEST then
    S.waiting[S.multi:add(r[3])] = task
  elseif r[2] == JOIN then
    local joined = r[3]
    if joined.left == 0 then return step(S, task) end
    joined.waiter = task
  else
    return step(S, task)                       -- a plain coroutine.yield(): go on
  end
end

local function spawn(S, group, key, fn)
  local co = co_create(task_body(fn))
  scheduler_of[co] = S
  step(S, { co = co, key = key, group = group })
end

local function sorted_keys(fns)
  local keys = {}
  for k, fn in pairs(fns) do
    if type(fn) ~= "function" then
      error(("bad entry %s to 'all' (function expected, got %s)"):format(tostring(k), type(fn)), 4)
    end
    keys[#keys + 1] = k
  end
  table.sort(keys, function(a, b)
    if type(a) == type(b) then return a < b end
    return type(a) == "number"
  end)
  return keys
end

--- Runs every function in fns (an array, or a table with named entries) at
--- once.  Returns a table with each function's results (packed, keyed like
--- fns).  A function that raises does not stop the others; once all are done
--- the first error is raised again, naming which function failed.
function _M.run(fns)
  local keys = sorted_keys(fns)
  local group = { results = {}, failures = {}, left = #keys }
  local S = scheduler_of[co_running()]
  if S then
    -- nested: join the scheduler that runs us, and wait for our group
    for _, key in ipairs(keys) do spawn(S, group, key, fns[key]) end
    if group.left > 0 then co_yield(JOIN, group) end
  else
    local multi <close> = core.http.multi()
    S = { multi = multi, waiting = {} }
    for _, key in ipairs(keys) do spawn(S, group, key, fns[key]) end
    while group.left > 0 do
      if multi:pending() == 0 then
        error("tinkr.all: tasks wait for each other and nothing is in flight (a deadlock)", 2)
      end
      for _, done in ipairs(multi:wait(1.0)) do
        local task = S.waiting[done.id]
        S.waiting[done.id] = nil
        if done.res then step(S, task, done.res) else step(S, task, nil, done.err) end
      end
    end
  end
  if #group.failures > 0 then
    local f = group.failures[1]
    error(("function %s given to tinkr.all failed: %s"):format(tostring(f.key), tostring(f.err)), 0)
  end
  return group.results
end

--- tinkr.all{ f1, f2, ... } -> the first result of each, in order
--- tinkr.all{ a = f1, b = f2 } -> { a = first result of f1, b = ... }
function _M.all(fns)
  local packed = _M.run(fns)
  local firsts = {}
  for k, r in pairs(packed) do firsts[k] = r[1] end
  if #fns > 0 then return unpack(firsts, 1, #fns) end
  return firsts
end

return _M
