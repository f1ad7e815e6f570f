-- What the Lua benches share: shell quoting, the local stack's exports,
-- and the measures of whole processes -- wall time, CPU time (user +
-- system) and peak RSS -- from /usr/bin/time, hyperfine and /proc.
--
--   package.path = arg[0]:match("^(.-)[^/]*$") .. "?.lua;" .. package.path
--   local measure = require "measure"
--   local r = measure.run("tinkr", "bin/tinkr logs ... | wc -l")  -- r.wall, r.cpu, r.rss (MB), r.out
--
-- On a shared machine wall time is noise: the benches print CPU time
-- beside it, and a line is worth believing once it repeats.
local M = {}

--- The repository root (this file lives in <root>/bench).
M.ROOT = assert(io.popen("cd \"$(dirname '" .. debug.getinfo(1, "S").source:sub(2) .. "')/..\" && pwd -P")):read("l")

--- s as one single-quoted shell word.
function M.q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

--- A shell command -> its stdout, and whether it exited 0.
function M.sh(cmd)
  local p = assert(io.popen(cmd, "r"))
  local out = p:read("a")
  return out, p:close()
end

--- { "prog", "arg", ... } -> one quoted command line.
function M.argv(list)
  local t = {}
  for i, a in ipairs(list) do t[i] = M.q(a) end
  return table.concat(t, " ")
end

--- Debian's interpreter when present: a pyenv shim adds ~70 ms of bash.
function M.python()
  return io.open("/usr/bin/python3", "rb") and "/usr/bin/python3" or "python3"
end

--- `scripts/stack up` -> its exports { OTEL_OPENSEARCH_URL = ..., ... }; exits when it fails.
function M.stack()
  local exports, ok = M.sh(M.q(M.ROOT .. "/scripts/stack") .. " up")
  if not ok then io.stderr:write("bench: scripts/stack up failed\n"); os.exit(1) end
  local env = {}
  for k, v in exports:gmatch("export ([%w_]+)=([^\n]*)") do env[k] = v:gsub("^'(.*)'$", "%1") end
  return env
end

--- One run of a shell command under /usr/bin/time:
--- { name, wall, cpu (user + sys, s, children included), rss (peak of the
--- biggest process, MB), out (its stdout) }.
function M.run(name, cmd)
  local tf = os.tmpname()
  local out = M.sh(("/usr/bin/time -o %s -f '%%e %%U %%S %%M' sh -c %s"):format(M.q(tf), M.q(cmd)))
  local f = assert(io.open(tf))
  local t = f:read("a")
  f:close()
  os.remove(tf)
  local wall, user, sys, rss = t:match("([%d.]+) ([%d.]+) ([%d.]+) (%d+)%s*$")
  assert(wall, name .. ": no timing from /usr/bin/time: " .. t)
  return { name = name, wall = tonumber(wall), cpu = tonumber(user) + tonumber(sys), rss = tonumber(rss) / 1024,
    out = out }
end

--- runs (>= 1) runs of M.run; the one with the median wall time, with
--- every run's wall and cpu in .walls and .cpus.
function M.median_run(name, cmd, runs)
  local all = {}
  for i = 1, math.max(1, runs or 1) do all[i] = M.run(name, cmd) end
  table.sort(all, function(a, b) return a.wall < b.wall end)
  local mid = all[(#all + 1) // 2]
  mid.walls, mid.cpus = {}, {}
  for i, r in ipairs(all) do mid.walls[i], mid.cpus[i] = r.wall, r.cpu end
  return mid
end

--- A live process's CPU time so far (user + sys, s) and peak RSS (MB), from /proc.
function M.proc(pid)
  local stat = io.open("/proc/" .. pid .. "/stat")
  local status = io.open("/proc/" .. pid .. "/status")
  if not (stat and status) then return nil end
  local fields = {}
  for f in stat:read("a"):match("%) (.*)"):gmatch("%S+") do fields[#fields + 1] = f end
  local hwm = tonumber(status:read("a"):match("VmHWM:%s*(%d+)"))
  stat:close(); status:close()
  local hz = tonumber((M.sh("getconf CLK_TCK"))) or 100
  -- after "(comm)": field 1 is the state, utime and stime are fields 12 and 13
  return { cpu = (tonumber(fields[12]) + tonumber(fields[13])) / hz, rss = hwm / 1024 }
end

--- measure.interleaved(peers, opts) -> { [name] = { median = ms, cpu = ms } }
--- hyperfine -N over { { name =, cmd = { argv } }, ... } (opts: runs,
--- warmup, out: a path prefix for its JSON and stderr), in rounds
--- (opts.rounds, default one per run) that each run every peer in turn: a
--- server whose own speed drifts (a JVM compiling, a cache warming, a
--- neighbour on the host) then drifts under every peer alike, rather than
--- under whichever batch ran during the drift.  The median is over every
--- run; cpu is the mean user + system.
function M.interleaved(peers, opts)
  local rounds = opts.rounds or opts.runs or 10
  local per = math.max(1, (opts.runs or 10) // rounds)
  local times, cpu, n = {}, {}, {}
  for round = 1, rounds do
    local json_out = opts.out .. "-" .. round .. ".json"
    local args = { "hyperfine", "-N", "--style", "none", "--warmup", tostring(round == 1 and (opts.warmup or 2) or 0),
      "--runs", tostring(per), "--export-json", json_out }
    for _, p in ipairs(peers) do
      args[#args + 1] = "-n"; args[#args + 1] = p.name; args[#args + 1] = M.argv(p.cmd)
    end
    local _, ok = M.sh(M.argv(args) .. " >/dev/null 2>" .. M.q(opts.out .. ".err"))
    if not ok then io.stderr:write("bench: hyperfine failed, see ", opts.out, ".err\n"); os.exit(1) end
    local f = assert(io.open(json_out, "rb"))
    local res = require("cjson").decode(f:read("a"))
    f:close()
    for _, r in ipairs(res.results) do
      local t = times[r.command] or {}
      times[r.command] = t
      for _, v in ipairs(r.times) do t[#t + 1] = v * 1000 end
      cpu[r.command] = (cpu[r.command] or 0) + (r.user + r.system) * 1000
      n[r.command] = (n[r.command] or 0) + 1
    end
  end
  local m = {}
  for name, t in pairs(times) do
    table.sort(t)
    local mid = #t // 2
    m[name] = { median = #t % 2 == 1 and t[mid + 1] or (t[mid] + t[mid + 1]) / 2, cpu = cpu[name] / n[name] }
  end
  return m
end

--- "# load average 1.2 3.4 5.6": printed beside whole-process times.
function M.load_note()
  local f = io.open("/proc/loadavg", "rb")
  local l = f and f:read("l")
  if f then f:close() end
  return l and ("# load average " .. l:match("^(%S+ %S+ %S+)") .. " (other work skews wall times)") or "#"
end

return M
