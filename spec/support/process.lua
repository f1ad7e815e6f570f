-- A background program for the specs (a follower, a writer, a watcher, a
-- webhook receiver): output in temporary files, a pid to signal, a watchdog
-- that kills it if the spec process dies first.
--
--   local process = require "support.process"
--   local p = process.start({ "bin/tinkr", "logs", "-f" }, { env = { ... } })
--   p:output()  p:signal("INT")  local status = p:wait(10)  p:stop()
local helpers = require "helpers"

local M = {}
local q = helpers.shell_quote
local slurp = helpers.read_file

local function sleep(seconds) os.execute(("sleep %.3f"):format(seconds)) end

local function my_pid()
  local f = assert(io.open("/proc/self/stat"))
  local pid = f:read("n")
  f:close()
  return pid
end

local Process = {}
Process.__index = Process

--- process.start(argv, { env = {...}, stdin = path }) -> process
function M.start(argv, opts)
  opts = opts or {}
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p " .. q(dir)))
  local envs = { "env", "-u", "LD_PRELOAD" }
  for k, v in pairs(opts.env or {}) do envs[#envs + 1] = k .. "=" .. q(v) end
  local words = {}
  for i, a in ipairs(argv) do words[i] = q(a) end
  local self = setmetatable({ dir = dir }, Process)
  local out, err, pidf, statusf = dir .. "/out", dir .. "/err", dir .. "/pid", dir .. "/status"
  local inner = table.concat(envs, " ") .. " " .. table.concat(words, " ")
    .. " < " .. q(opts.stdin or "/dev/null") .. " > " .. q(out) .. " 2> " .. q(err)
    .. " & cpid=$!; echo $cpid > " .. q(pidf) .. "; "
    .. "( while kill -0 " .. my_pid() .. " 2>/dev/null && kill -0 $cpid 2>/dev/null; do sleep 0.5; done; "
    .. "kill -KILL $cpid 2>/dev/null ) >/dev/null 2>&1 & "
    .. "wait $cpid; echo $? > " .. q(statusf)
  assert(os.execute("sh -c " .. q(inner) .. " </dev/null >/dev/null 2>&1 &"))
  for _ = 1, 200 do
    self.pid = tonumber(slurp(pidf) or "")
    if self.pid then break end
    sleep(0.01)
  end
  assert(self.pid, "process did not start: " .. table.concat(argv, " "))
  return self
end

function Process:output() return slurp(self.dir .. "/out") or "" end
function Process:errors() return slurp(self.dir .. "/err") or "" end

function Process:signal(name)
  os.execute(("kill -%s %d 2>/dev/null"):format(name, self.pid))
end

--- Waits until pred(self) is true (polled); -> true | false after seconds.
function Process:wait_for(pred, seconds)
  for _ = 1, math.ceil((seconds or 10) / 0.05) do
    if pred(self) then return true end
    sleep(0.05)
  end
  return false
end

--- Waits up to seconds for the exit; -> exit status | nil.
function Process:wait(seconds)
  local status
  self:wait_for(function()
    local s = slurp(self.dir .. "/status")
    status = s and tonumber(s:match("%d+"))
    return status ~= nil
  end, seconds or 10)
  return status
end

--- Kills it if still running, keeps output for reading; -> exit status.
function Process:stop()
  local status = self:wait(0)
  if not status then
    self:signal("KILL")
    status = self:wait(5)
  end
  return status
end

function Process:cleanup()
  self:stop()
  os.execute("rm -rf " .. q(self.dir))
end

return M
