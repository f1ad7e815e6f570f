-- The map benchmark: a 10,000-hit search response (the Collector exporter's
-- ss4o log shape) projected to rows (service, level, timestamp, message,
-- trace id), whole process, side by side in one hyperfine run:
--   tinkr (bin/tinkr + map.rows), python3 (json + dict walk), jq, and
--   lua5.4 + lua-cjson (decode everything, then walk).
-- Then cold start, peak RSS, the engines alone in one process, and the
-- simdjson measuring stick per layout.  Whole-process lines come in wall
-- time and (map-cpu-*) CPU time.
--
-- Run by bench/run with lua5.4 (needs lua-cjson, hyperfine, jq, python3,
-- /usr/bin/time).  BENCH_RUNS=n changes the number of timed runs (10).
-- Prints "bench <name>: tinkr <ms> ms, <peer> <ms> ms, ratio <x>" where
-- ratio = peer / tinkr (above 1: tinkr is faster).  Lines starting with "#"
-- are notes.
local cjson = require "cjson"

local ROOT = assert(io.popen("cd \"$(dirname '" .. arg[0] .. "')/..\" && pwd")):read("l")
local RUNS = tonumber(os.getenv("BENCH_RUNS") or "10")

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function sh(cmd)
  local p = assert(io.popen(cmd, "r"))
  local out = p:read("a")
  local ok = p:close()
  return out, ok
end

local function need(cmd, why)
  if not select(2, sh("command -v " .. q(cmd) .. " >/dev/null 2>&1")) then
    io.stderr:write("bench: ", cmd, " not found (", why, "); run scripts/install-deps\n")
    os.exit(1)
  end
end

local tinkr = ROOT .. "/bin/tinkr"
if not io.open(tinkr, "rb") then
  io.stderr:write("bench: ", tinkr, " is missing; run make\n")
  os.exit(1)
end
need("hyperfine", "timing")
need("jq", "a peer")
need("/usr/bin/time", "peak RSS; Debian package 'time'")

-- Debian's interpreter when present: a pyenv shim would add ~70 ms of bash.
local python = io.open("/usr/bin/python3", "rb") and "/usr/bin/python3"
  or sh("python3 -c 'import sys; print(sys.executable)'"):match("[^\n]+")

local data = ROOT .. "/build/bench/search-10k.json"
assert(os.execute("mkdir -p " .. q(ROOT .. "/build/bench")))
assert(os.execute("lua5.4 " .. q(ROOT .. "/bench/gen_search_response.lua") .. " " .. q(data) .. " 10000"))
local size = assert(io.open(data, "rb")):seek("end")

local peers = {
  { name = "tinkr", cmd = { tinkr, ROOT .. "/bench/map_tinkr.lua", data } },
  { name = "python3", cmd = { python, ROOT .. "/bench/map_python.py", data } },
  { name = "jq", cmd = { "jq", "-c", "-f", ROOT .. "/bench/map_jq.jq", data } },
  { name = "lua-cjson", cmd = { "lua5.4", ROOT .. "/bench/map_cjson.lua", data } },
}

local function cmdline(argv)
  local t = {}
  for i, a in ipairs(argv) do t[i] = q(a) end
  return table.concat(t, " ")
end

-- Same output from everyone before anything is timed.
for _, p in ipairs(peers) do
  local out = sh(cmdline(p.cmd) .. (p.name == "jq" and " | wc -l" or ""))
  if tonumber(out:match("%d+")) ~= 10000 then
    io.stderr:write("bench: ", p.name, " did not produce 10000 rows: ", out, "\n")
    os.exit(1)
  end
end

-- hyperfine -N (no shell) over named commands; returns name -> median wall
-- ms, and name -> mean CPU ms (user + system).
local function medians(list, warmup)
  local json_out = ROOT .. "/build/bench/hyperfine.json"
  local args = { "hyperfine", "-N", "--style", "none", "--warmup", tostring(warmup),
                 "--runs", tostring(RUNS), "--export-json", json_out }
  for _, p in ipairs(list) do
    args[#args + 1] = "-n"
    args[#args + 1] = p.name
    args[#args + 1] = cmdline(p.cmd)
  end
  local err_out = ROOT .. "/build/bench/hyperfine.err"
  local _, ok = sh(cmdline(args) .. " >/dev/null 2>" .. q(err_out))
  if not ok then
    io.stderr:write("bench: hyperfine failed:\n", assert(io.open(err_out, "rb")):read("a"))
    os.exit(1)
  end
  local f = assert(io.open(json_out, "rb"))
  local res = cjson.decode(f:read("a"))
  f:close()
  local m, cpu = {}, {}
  for _, r in ipairs(res.results) do
    m[r.command] = r.median * 1000
    cpu[r.command] = (r.user + r.system) * 1000
  end
  return m, cpu
end

local function line(name, peer, t, p, fmt)
  fmt = fmt or "bench %s: tinkr %.1f ms, %s %.1f ms, ratio %.1f"
  print(string.format(fmt, name, t, peer, p, p / t))
end
local FINE = "bench %s: tinkr %.2f ms, %s %.2f ms, ratio %.2f"

local function load_note()
  local f = io.open("/proc/loadavg", "rb")
  local l = f and f:read("l")
  if f then f:close() end
  return l and ("# load average " .. l:match("^(%S+ %S+ %S+)") .. " (other work skews whole-process times)") or "#"
end

print(string.format("# map: %d hits, %.1f MB, median of %d runs each (hyperfine -N), whole process",
  10000, size / 1e6, RUNS))
print(load_note())
local m, cpu = medians(peers, 2)
line("map-vs-python3", "python3", m.tinkr, m.python3)
line("map-vs-jq", "jq", m.tinkr, m.jq)
line("map-vs-lua-cjson", "lua-cjson", m.tinkr, m["lua-cjson"])
-- The same runs by CPU time: on a shared machine wall time is mostly noise.
line("map-cpu-vs-python3", "python3", cpu.tinkr, cpu.python3)
line("map-cpu-vs-jq", "jq", cpu.tinkr, cpu.jq)
line("map-cpu-vs-lua-cjson", "lua-cjson", cpu.tinkr, cpu["lua-cjson"])
print("# targets: >= 10x python3 and jq, >= 5x lua-cjson (ratio)")

-- Peak RSS, one run each (it barely varies).
local rss = {}
for _, p in ipairs(peers) do
  local out = sh("/usr/bin/time -f 'RSS %M' " .. cmdline(p.cmd) .. " 2>&1 >/dev/null")
  rss[p.name] = tonumber(out:match("RSS (%d+)")) / 1024
end
for _, peer in ipairs { "python3", "jq", "lua-cjson" } do
  print(string.format("bench map-rss-vs-%s: tinkr %.1f MB, %s %.1f MB, ratio %.1f",
    peer, rss.tinkr, peer, rss[peer], rss[peer] / rss.tinkr))
end
print(string.format("# map: response %.1f MB; tinkr peak RSS is %.1fx the response", size / 1048576,
  rss.tinkr / (size / 1048576)))

local cold, cold_cpu = medians({
  { name = "tinkr", cmd = { tinkr, "-e", "" } },
  { name = "lua5.4", cmd = { "lua5.4", "-e", "" } },
  { name = "python3", cmd = { python, "-c", "" } },
}, 3)
line("cold-start-vs-lua5.4", "lua5.4", cold.tinkr, cold["lua5.4"])
line("cold-start-vs-python3", "python3", cold.tinkr, cold.python3)
line("cold-start-cpu-vs-python3", "python3", cold_cpu.tinkr, cold_cpu.python3, FINE)
print("# target: tinkr -e '' under 5 ms")

-- The engines alone, inside one bin/tinkr process (median CPU ms; wall too).
local function inprocess(file, passes, layout)
  local out = sh(cmdline { tinkr, ROOT .. "/bench/map_inprocess.lua", file, tostring(passes), layout })
  local t = {}
  for name, cpu, wall in out:gmatch("([%w._]+) ([%d.]+) ([%d.]+)") do
    t[name] = { cpu = tonumber(cpu), wall = tonumber(wall) }
  end
  return t
end

local inproc = inprocess(data, 15)
line("map-in-process-vs-cjson-decode", "cjson.decode+walk", inproc["map.rows"].cpu, inproc.cjson.cpu)
line("map-in-process-vs-json-decode", "json.decode+walk", inproc["map.rows"].cpu, inproc["json.decode"].cpu)

-- The measuring stick: simdjson On-Demand extracting the same fields with
-- copies (bench/simdjson_extract.cpp, built here against Debian's
-- libsimdjson-dev at its best: -O3 -march=native).  For each layout's field
-- set (bench/map_layouts.lua); ratio = simdjson / tinkr, so the goal
-- "within 1.5x" is a ratio >= 0.67.
local stick = ROOT .. "/build/bench/simdjson_extract"
local _, built = sh(cmdline { "g++", "-std=c++17", "-O3", "-march=native", "-o", stick,
  ROOT .. "/bench/simdjson_extract.cpp", "-lsimdjson" } .. " 2>" .. q(ROOT .. "/build/bench/simdjson.err"))
if not built then
  io.stderr:write("bench: cannot build the simdjson measuring stick (scripts/install-deps --bench ",
    "installs libsimdjson-dev):\n", assert(io.open(ROOT .. "/build/bench/simdjson.err")):read("a"))
  os.exit(1)
end
local layouts = dofile(ROOT .. "/bench/map_layouts.lua")
local PASSES = tonumber(os.getenv("BENCH_PASSES") or "21")
for _, name in ipairs { "ss4o", "seed", "dataprepper", "ecs", "flatten_attributes", "jaeger" } do
  local file = ROOT .. "/build/bench/search-10k-" .. name .. ".json"
  assert(os.execute("lua5.4 " .. q(ROOT .. "/bench/gen_search_response.lua") .. " " .. q(file) .. " 10000 " .. name))
  local fsize = assert(io.open(file, "rb")):seek("end")
  local args = { stick, file, tostring(PASSES) }
  local fields = {}
  for field, path in pairs(layouts[name].paths) do fields[#fields + 1] = field .. "=" .. path end
  table.sort(fields)
  table.move(fields, 1, #fields, 4, args)
  local out, ok = sh(cmdline(args))
  local sj = { cpu = tonumber(out:match("cpu ([%d.]+)")), wall = tonumber(out:match("wall ([%d.]+)")) }
  if not ok or not sj.cpu or out:match("rows (%d+)") ~= "10000" then
    io.stderr:write("bench: simdjson_extract failed on ", name, ": ", out, "\n")
    os.exit(1)
  end
  local t = inprocess(file, PASSES, name)
  local rows, nd = t["map.rows"], t["map.ndjson"]
  print(string.format("# map %s: %.1f MB, %d fields (%s); simdjson %s", name, fsize / 1e6, #fields,
    layouts[name].section, out:match("kernel ([^\n]+)")))
  line("map-" .. name .. "-vs-simdjson", "simdjson", rows.cpu, sj.cpu, FINE)
  line("map-" .. name .. "-wall-vs-simdjson", "simdjson", rows.wall, sj.wall, FINE)
  line("map-ndjson-" .. name .. "-vs-simdjson", "simdjson", nd.cpu, sj.cpu, FINE)
  print(string.format("# map %s: map.rows %.2f GB/s, map.ndjson %.2f GB/s, simdjson %.2f GB/s (CPU)",
    name, fsize / rows.cpu / 1e6, fsize / nd.cpu / 1e6, fsize / sj.cpu / 1e6))
end
print("# target: map.rows and map.ndjson within 1.5x of simdjson (ratio >= 0.67, >= 1.8 GB/s)")
print("# python3 is " .. python)
