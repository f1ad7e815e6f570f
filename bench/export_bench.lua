-- Exports of a 1,000,000-document log index from the real local OpenSearch,
-- side by side in one run (one run each: a full export takes minutes):
--   tinkr logs --limit 0 --format ndjson   (PIT + search_after, next page
--                                           fetched while the current is written)
--   bench/export_python.py                 (the usual Python PIT + search_after loop,
--                                           Debian's /usr/bin/python3, stdlib json)
--   elasticdump (npm, cached in ~/.cache/tinkr; skipped if it does not install)
-- and `tinkr-server` streaming the same export (GET /v1/logs?limit=0) to curl.
-- Wall time, CPU time (user+sys) and peak RSS of each; ratio = peer / tinkr.
-- Target: tinkr >= 2x the Python loop (wall).  The index is made once by
-- bench/gen_export_index.py (about 5 minutes) and reused.
-- EXPORT_DOCS=N bench/run runs it on a smaller index.
local ROOT = assert(io.popen("cd \"$(dirname '" .. arg[0] .. "')/..\" && pwd")):read("l")
local N = tonumber(os.getenv("EXPORT_DOCS") or "1000000")
local INDEX = N == 1000000 and "tinkr-bench-export-1m" or ("tinkr-bench-export-" .. N)
local ELASTICDUMP_VERSION = "6.125.1"

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end
local function sh(cmd)
  local p = assert(io.popen(cmd, "r"))
  local out = p:read("a")
  return out, p:close()
end

local exports, ok = sh(q(ROOT .. "/scripts/stack") .. " up")
if not ok then io.stderr:write("bench: scripts/stack up failed\n"); os.exit(1) end
local env = {}
for k, v in exports:gmatch("export ([%w_]+)=([^\n]*)") do env[k] = v:gsub("^'(.*)'$", "%1") end
local os_url = assert(env.OTEL_OPENSEARCH_URL, "no OTEL_OPENSEARCH_URL from scripts/stack")
local now = env.TINKR_SAMPLE_NOW
local anchor = assert(tonumber((sh("date -d " .. q(now) .. " +%s"))), "date")
local python = io.open("/usr/bin/python3", "rb") and "/usr/bin/python3" or "python3"

io.stderr:write(("bench: making sure %s holds %d documents (first time: minutes)\n"):format(INDEX, N))
local _, gok = sh(table.concat({ python, q(ROOT .. "/bench/gen_export_index.py"), q(os_url), INDEX, tostring(N),
  tostring(anchor) }, " ") .. " >&2")
if not gok then io.stderr:write("bench: could not build the export index\n"); os.exit(1) end

-- elasticdump from npm, cached outside the tree.
local cache = (os.getenv("XDG_CACHE_HOME") or (os.getenv("HOME") .. "/.cache")) .. "/tinkr/elasticdump-" .. ELASTICDUMP_VERSION
local elasticdump = cache .. "/node_modules/.bin/elasticdump"
if not io.open(elasticdump, "rb") and os.execute("command -v npm >/dev/null") then
  sh("mkdir -p " .. q(cache) .. " && cd " .. q(cache) .. " && timeout 600 npm install --no-audit --no-fund --silent elasticdump@"
    .. ELASTICDUMP_VERSION .. " >&2")
end
if not io.open(elasticdump, "rb") then elasticdump = nil end

local from = os.date("!%Y-%m-%dT%H:%M:%SZ", anchor - 2 * 3600)
local to = now
local hostport = os_url:match("^https?://([^/]+)")
local search_body = ('{"query":{"range":{"@timestamp":{"gte":"%s","lte":"%s"}}}}'):format(from, to)

-- /usr/bin/time around a shell pipeline; counts the lines it wrote.
local function measure(name, cmd)
  local tf = os.tmpname()
  local out = sh(("/usr/bin/time -o %s -f '%%e %%U %%S %%M' sh -c %s | wc -l"):format(q(tf), q(cmd)))
  local t = assert(io.open(tf)):read("a")
  os.remove(tf)
  local wall, user, sys, rss = t:match("([%d.]+) ([%d.]+) ([%d.]+) (%d+)%s*$")
  assert(wall, name .. ": no timing: " .. t)
  return { name = name, wall = tonumber(wall), cpu = tonumber(user) + tonumber(sys), rss = tonumber(rss) / 1024,
    lines = tonumber(out:match("%d+")) }
end

local tinkr_env = ("env OTEL_OPENSEARCH_URL=%s OTEL_LOG_INDEX=%s TINKR_LAYOUT=seed TINKR_NOW=%s"):format(
  q(os_url), INDEX, q(now))
local runs = {}
runs[#runs + 1] = measure("tinkr", ("%s %s logs --from %s --to %s --limit 0 --format ndjson"):format(
  tinkr_env, q(ROOT .. "/bin/tinkr"), from, to))
runs[#runs + 1] = measure("python3", ("%s %s %s %s %s %s"):format(python, q(ROOT .. "/bench/export_python.py"),
  q(hostport), INDEX, from, to))
if elasticdump then
  runs[#runs + 1] = measure("elasticdump", ("%s --input=%s --output=$ --limit=10000 --searchBody=%s --quiet"):format(
    q(elasticdump), q(os_url .. "/" .. INDEX), q(search_body)))
end

-- The server streaming the same export; its peak RSS from /proc.
local port = 18000 + math.random(0, 999)
local srv_cmd = ("%s TINKR_SERVER_TOKEN=bench %s --listen 127.0.0.1:%d --workers 2 >/dev/null 2>&1 & echo $!"):format(
  tinkr_env, q(ROOT .. "/bin/tinkr-server"), port)
local pid = tonumber((sh(srv_cmd)))
sh("sleep 1")
local server_run = measure("tinkr-server", ("curl -sS -N -H 'Authorization: Bearer bench' %s"):format(
  q(("http://127.0.0.1:%d/v1/logs?limit=0&from=%s&to=%s"):format(port, from, to))))
local status = io.open("/proc/" .. pid .. "/status"):read("a")
server_run.server_rss = tonumber(status:match("VmHWM:%s*(%d+)")) / 1024
os.execute("kill " .. pid)

print(("# export: %d documents from the real OpenSearch (%s), one run each"):format(N, os_url))
print("# target: tinkr >= 2x the Python loop (wall); ratio = peer / tinkr")
local t = runs[1]
for _, r in ipairs(runs) do
  print(("bench export-%d %s: wall %.1f s, cpu %.1f s, peak rss %.0f MB, lines %d"):format(
    N, r.name, r.wall, r.cpu, r.rss, r.lines))
end
for i = 2, #runs do
  local r = runs[i]
  print(("bench export-%d-vs-%s: tinkr %.1f s, %s %.1f s, ratio %.2f (cpu: tinkr %.1f s, %s %.1f s, ratio %.2f)"):format(
    N, r.name, t.wall, r.name, r.wall, r.wall / t.wall, t.cpu, r.name, r.cpu, r.cpu / t.cpu))
end
print(("bench export-%d server: wall %.1f s, server peak rss %.0f MB, lines %d"):format(
  N, server_run.wall, server_run.server_rss, server_run.lines))
