-- Exports of a generated log index (1,000,000 documents) from the real
-- local OpenSearch, side by side in one run:
--   tinkr logs --limit 0 --format ndjson   (PIT + search_after, next page
--                                           fetched while the current is written)
--   bench/export_python.py                 (the usual Python PIT + search_after loop,
--                                           Debian's /usr/bin/python3, stdlib json)
--   elasticdump (npm, cached in ~/.cache/tinkr; left out if it does not install)
-- then tinkr-server streaming the same export (GET /v1/logs?limit=0) to curl.
-- Wall time, CPU time (user + sys) and peak RSS of each; ratio = peer / tinkr.
-- Targets: tinkr >= 2x the Python loop; tinkr and tinkr-server under 64 MB RSS.
--
-- bench/gen_export_index.py makes the index once (minutes for 1,000,000
-- documents) and later runs reuse it.
--   BENCH_EXPORT_DOCS=20000   a smaller index, for a quick run
--   BENCH_EXPORT_RUNS=3       runs of each export (the median's line is printed)
package.path = arg[0]:match("^(.-)[^/]*$") .. "?.lua;" .. package.path
local measure = require "measure"        -- bench/measure.lua

local ROOT, q, sh = measure.ROOT, measure.q, measure.sh
local N = math.tointeger(tonumber(os.getenv("BENCH_EXPORT_DOCS") or "1000000"))
local RUNS = math.tointeger(tonumber(os.getenv("BENCH_EXPORT_RUNS") or "1"))
if not N or N < 1 or not RUNS or RUNS < 1 then
  io.stderr:write("bench: BENCH_EXPORT_DOCS and BENCH_EXPORT_RUNS want whole numbers >= 1\n")
  os.exit(1)
end
local INDEX = N == 1000000 and "tinkr-bench-export-1m" or ("tinkr-bench-export-" .. N)
local ELASTICDUMP_VERSION = "6.125.1"

local env = measure.stack()
local os_url = assert(env.OTEL_OPENSEARCH_URL, "no OTEL_OPENSEARCH_URL from scripts/stack")
local now = env.TINKR_SAMPLE_NOW
local anchor = assert(tonumber((sh("date -d " .. q(now) .. " +%s"))), "date")
local python = measure.python()

io.stderr:write(("bench: making sure %s holds %d documents (the first time: minutes)\n"):format(INDEX, N))
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

-- A run of a shell pipeline that writes the export; counts its lines.
local function export(name, cmd)
  local r = measure.median_run(name, cmd .. " | wc -l", RUNS)
  r.lines = tonumber(r.out:match("%d+"))
  return r
end

local tinkr_env = ("env OTEL_OPENSEARCH_URL=%s OTEL_LOG_INDEX=%s TINKR_LAYOUT=seed TINKR_NOW=%s"):format(
  q(os_url), INDEX, q(now))
local runs = {}
runs[#runs + 1] = export("tinkr", ("%s %s logs --from %s --to %s --limit 0 --format ndjson"):format(
  tinkr_env, q(ROOT .. "/bin/tinkr"), from, to))
runs[#runs + 1] = export("python3", ("%s %s %s %s %s %s"):format(python, q(ROOT .. "/bench/export_python.py"),
  q(hostport), INDEX, from, to))
if elasticdump then
  runs[#runs + 1] = export("elasticdump", ("%s --input=%s --output=$ --limit=10000 --searchBody=%s --quiet"):format(
    q(elasticdump), q(os_url .. "/" .. INDEX), q(search_body)))
end

-- The server streaming the same export to curl: its own CPU time and peak
-- RSS from /proc (curl's are not the point).
local port = 18000 + math.random(0, 999)
local pid = tonumber((sh(("%s TINKR_SERVER_TOKEN=bench %s --listen 127.0.0.1:%d --workers 2 >/dev/null 2>&1 & echo $!"):format(
  tinkr_env, q(ROOT .. "/bin/tinkr-server"), port))))
sh(("for i in $(seq 50); do curl -fs -o /dev/null http://127.0.0.1:%d/healthz && break; sleep 0.2; done"):format(port))
local before = measure.proc(pid)
local server_run = export("tinkr-server", ("curl -sS -N -H 'Authorization: Bearer bench' %s"):format(
  q(("http://127.0.0.1:%d/v1/logs?limit=0&from=%s&to=%s"):format(port, from, to))))
local after = measure.proc(pid)
os.execute("kill " .. pid)

print(("# export: %d documents from the real OpenSearch (%s), %d run(s) each%s"):format(N, os_url, RUNS,
  RUNS > 1 and " (the median's line)" or ""))
print(measure.load_note())
print("# targets: tinkr >= 2x the Python loop; tinkr and tinkr-server < 64 MB peak RSS; ratio = peer / tinkr")
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
if before and after then
  print(("bench export-%d server: wall %.1f s, server cpu %.1f s, server peak rss %.0f MB, lines %d"):format(
    N, server_run.wall, after.cpu - before.cpu, after.rss, server_run.lines))
else
  print(("# export-%d server: tinkr-server did not stay up (port %d)"):format(N, port))
end
