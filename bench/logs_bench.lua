-- `tinkr logs --limit 10000 --format ndjson` against the real local
-- OpenSearch (ss4o layout), beside curl POSTing the same DSL (the floor: no
-- decoding at all) and Python urllib + json doing the same job.  Whole
-- process each, from hyperfine -N: wall medians, and CPU (user + system,
-- means; wall time on a shared machine is noise).  Target: within 1.2x of
-- curl.  tinkr runs with its mapping cache warm (one request, the search,
-- as every run but the first) and without it (TINKR_MAPPING_CACHE_TTL=0:
-- _mapping then _search, as before the cache).
-- Run by bench/run (brings the stack up with scripts/stack up).
-- TINKR_BENCH_BIN measures another build (e.g. an older one) the same way.
package.path = arg[0]:match("^(.-)[^/]*$") .. "?.lua;" .. package.path
local measure = require "measure"        -- bench/measure.lua

local ROOT = measure.ROOT
local RUNS = tonumber(os.getenv("BENCH_RUNS") or "10")
local q, sh, argv = measure.q, measure.sh, measure.argv

local env = measure.stack()
local os_url = assert(env.OTEL_OPENSEARCH_URL, "no OTEL_OPENSEARCH_URL from scripts/stack")

local tinkr = os.getenv("TINKR_BENCH_BIN") or (ROOT .. "/bin/tinkr")
local envargs = { "env", "OTEL_OPENSEARCH_URL=" .. os_url, "OTEL_LOG_INDEX=ss4o_logs-*",
  "TINKR_NOW=" .. env.TINKR_SAMPLE_NOW, "TINKR_CACHE_DIR=" .. ROOT .. "/build/bench/cache" }

-- The exact DSL tinkr sends, for curl and Python to send too.
assert(os.execute("mkdir -p " .. q(ROOT .. "/build/bench")))
local body_file = ROOT .. "/build/bench/logs-dsl.json"
local dsl = sh(table.concat({ "env", "OTEL_OPENSEARCH_URL=" .. q(os_url), "OTEL_LOG_INDEX='ss4o_logs-*'",
  "TINKR_NOW=" .. q(env.TINKR_SAMPLE_NOW), q(tinkr), "-e",
  q("local r, m = tinkr.logs{ since = '6h', limit = 10000 }; assert(r, tostring(m)); io.write(m.request.body)") }, " "))
assert(#dsl > 0, "could not get the DSL from tinkr")
local f = assert(io.open(body_file, "wb")); f:write(dsl); f:close()
local search_url = os_url .. "/ss4o_logs-*/_search"

local function with_env(cmd)
  local t = {}
  for _, a in ipairs(envargs) do t[#t + 1] = a end
  for _, a in ipairs(cmd) do t[#t + 1] = a end
  return t
end

local python = io.open("/usr/bin/python3", "rb") and "/usr/bin/python3" or "python3"
local function tinkr_cmd(cache_ttl)
  return with_env{ "TINKR_MAPPING_CACHE_TTL=" .. cache_ttl, tinkr, "logs", "--since", "6h", "--limit", "10000",
    "--format", "ndjson" }
end
local peers = {
  { name = "tinkr", cmd = tinkr_cmd("300") },
  { name = "tinkr-nocache", cmd = tinkr_cmd("0") },
  { name = "curl", cmd = { "curl", "-s", "-o", "/dev/null", "-H", "Content-Type: application/json",
    "--data-binary", "@" .. body_file, search_url } },
  { name = "python3", cmd = { python, ROOT .. "/bench/logs_python.py", search_url, body_file } },
}

local m = measure.interleaved(peers, { runs = RUNS, out = ROOT .. "/build/bench/logs-hyperfine" })

-- OpenSearch's own time for this search ("took"), over a few runs: the
-- ratio to curl depends on it, the difference in ms does not.
local took = {}
for i = 1, 9 do
  local out = sh(table.concat({ "curl", "-s", "-H", q("Content-Type: application/json"), "--data-binary",
    q("@" .. body_file), q(search_url), "|", "head", "-c", "40" }, " "))
  took[i] = tonumber(out:match('"took":(%d+)')) or 0
end
table.sort(took)

print(("# logs: 10,000 hits from the real OpenSearch (%s), %d runs each, interleaved (a round runs each once), whole process"):format(os_url, RUNS))
print("# target: tinkr within 1.2x of curl (ratio = peer / tinkr; curl only fetches)")
print(("# OpenSearch's own time for the search (took, median of 9): %d ms"):format(took[5]))
print("# tinkr: mapping cache warm (one request); -nocache: TINKR_MAPPING_CACHE_TTL=0 (_mapping + _search)")
print(measure.load_note())
for _, who in ipairs{ "tinkr", "tinkr-nocache" } do
  local tag = who == "tinkr" and "" or "-nocache"
  for _, peer in ipairs{ "curl", "python3" } do
    local a, b = m[who], m[peer]
    print(("bench logs-10k%s-vs-%s: tinkr %.1f ms, %s %.1f ms, ratio %.2f"):format(tag, peer, a.median, peer, b.median, b.median / a.median))
    print(("bench logs-10k%s-vs-%s-cpu: tinkr %.1f ms, %s %.1f ms, ratio %.2f"):format(tag, peer, a.cpu, peer, b.cpu, b.cpu / a.cpu))
  end
end
-- What tinkr adds to curl's whole run, whatever OpenSearch's own time
print(("bench logs-10k-over-curl: tinkr +%.1f ms wall, +%.1f ms cpu (curl %.1f ms, OpenSearch took %d ms)"):format(
  m.tinkr.median - m.curl.median, m.tinkr.cpu - m.curl.cpu, m.curl.median, took[5]))

-- The same search over a slower link: spec/support/trickle_proxy.py hands
-- the real OpenSearch's answer on 128 KB every 2 ms (about 0.5 Gbps, a LAN
-- between racks rather than loopback).  The transfer then takes ~120 ms and
-- tinkr maps the hits as they arrive (core.map.stream), so it should end
-- close to curl; "-whole" is the same tinkr mapping only after the last
-- byte (TINKR_MAP_STREAM=0), to show what the overlap is worth.
local proxy = assert(io.popen("exec python3 " .. q(ROOT .. "/spec/support/trickle_proxy.py") .. " --target "
  .. q(os_url:match("^https?://([^/]+)")) .. " --piece 131072 --gap-ms 2 --max-seconds 600", "r"))
local port, pid = (proxy:read("l") or ""):match("^(%d+) (%d+)$")
assert(port, "trickle_proxy.py did not start")
local slow_url = "http://127.0.0.1:" .. port
local function via_slow(cmd)
  local t = {}
  for _, a in ipairs(cmd) do t[#t + 1] = a:gsub("^OTEL_OPENSEARCH_URL=.*", "OTEL_OPENSEARCH_URL=" .. slow_url) end
  return t
end
local slow = measure.interleaved({
  { name = "tinkr", cmd = via_slow(tinkr_cmd("300")) },
  { name = "tinkr-whole", cmd = via_slow(with_env{ "TINKR_MAP_STREAM=0", tinkr, "logs", "--since", "6h", "--limit", "10000",
    "--format", "ndjson" }) },
  { name = "curl", cmd = { "curl", "-s", "-o", "/dev/null", "-H", "Content-Type: application/json",
    "--data-binary", "@" .. body_file, slow_url .. "/ss4o_logs-*/_search" } },
}, { runs = RUNS, out = ROOT .. "/build/bench/logs-slow-hyperfine" })
os.execute("kill " .. pid .. " 2>/dev/null")
proxy:close()
print("# the same 10,000 hits through a link of ~0.5 Gbps (trickle_proxy.py: 128 KB per 2 ms)")
for _, who in ipairs{ "tinkr", "tinkr-whole" } do
  local a, b = slow[who], slow.curl
  print(("bench logs-10k-slow-link-%s-vs-curl: tinkr %.1f ms, curl %.1f ms, ratio %.2f"):format(
    who == "tinkr" and "streamed" or "whole", a.median, b.median, b.median / a.median))
end
