-- The map benchmark: a 10,000-hit search response (the Collector exporter's
-- ss4o log shape) projected to rows (service, level, timestamp, message,
-- trace id), whole process, side by side in one hyperfine run:
--   tinkr (bin/tinkr + map.rows), python3 (json + dict walk), jq, and
--   lua5.4 + lua-cjson (decode everything, then walk).
-- Then cold start, peak RSS, and the engines alone in one process.
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

-- hyperfine -N (no shell) over named commands; returns name -> median ms.
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
  local m = {}
  for _, r in ipairs(res.results) do m[r.command] = r.median * 1000 end
  return m
end

local function line(name, peer, t, p)
  print(string.format("bench %s: tinkr %.1f ms, %s %.1f ms, ratio %.1f", name, t, peer, p, p / t))
end

local function load_note()
  local f = io.open("/proc/loadavg", "rb")
  local l = f and f:read("l")
  if f then f:close() end
  return l and ("# load average " .. l:match("^(%S+ %S+ %S+)") .. " (other work skews whole-process times)") or "#"
end

print(string.format("# map: %d hits, %.1f MB, median of %d runs each (hyperfine -N), whole process",
  10000, size / 1e6, RUNS))
print(load_note())
local m = medians(peers, 2)
line("map-vs-python3", "python3", m.tinkr, m.python3)
line("map-vs-jq", "jq", m.tinkr, m.jq)
line("map-vs-lua-cjson", "lua-cjson", m.tinkr, m["lua-cjson"])
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

local cold = medians({
  { name = "tinkr", cmd = { tinkr, "-e", "" } },
  { name = "lua5.4", cmd = { "lua5.4", "-e", "" } },
  { name = "python3", cmd = { python, "-c", "" } },
}, 3)
line("cold-start-vs-lua5.4", "lua5.4", cold.tinkr, cold["lua5.4"])
line("cold-start-vs-python3", "python3", cold.tinkr, cold.python3)
print("# target: tinkr -e '' under 5 ms")

-- The engines alone, inside one bin/tinkr process (CPU time, median).
local inproc = sh(cmdline { tinkr, ROOT .. "/bench/map_inprocess.lua", data })
local mr, cj, jd = inproc:match("map.rows ([%d.]+)"), inproc:match("cjson ([%d.]+)"),
  inproc:match("json.decode ([%d.]+)")
line("map-in-process-vs-cjson-decode", "cjson.decode+walk", tonumber(mr), tonumber(cj))
line("map-in-process-vs-json-decode", "json.decode+walk", tonumber(mr), tonumber(jd))
print("# python3 is " .. python)
