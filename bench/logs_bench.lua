-- `tinkr logs --limit 10000 --format ndjson` against the real local
-- OpenSearch (ss4o layout), beside curl POSTing the same DSL (the floor: no
-- decoding at all) and Python urllib + json doing the same job.  Whole
-- process each, medians from hyperfine -N.  Target: within 1.2x of curl.
-- Run by bench/run (brings the stack up with scripts/stack up).
package.path = arg[0]:match("^(.-)[^/]*$") .. "?.lua;" .. package.path
local measure = require "measure"        -- bench/measure.lua

local ROOT = measure.ROOT
local RUNS = tonumber(os.getenv("BENCH_RUNS") or "10")
local q, sh, argv = measure.q, measure.sh, measure.argv

local env = measure.stack()
local os_url = assert(env.OTEL_OPENSEARCH_URL, "no OTEL_OPENSEARCH_URL from scripts/stack")

local tinkr = ROOT .. "/bin/tinkr"
local envargs = { "env", "OTEL_OPENSEARCH_URL=" .. os_url, "OTEL_LOG_INDEX=ss4o_logs-*",
  "TINKR_NOW=" .. env.TINKR_SAMPLE_NOW }

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
local peers = {
  { name = "tinkr", cmd = with_env{ tinkr, "logs", "--since", "6h", "--limit", "10000", "--format", "ndjson" } },
  { name = "curl", cmd = { "curl", "-s", "-o", "/dev/null", "-H", "Content-Type: application/json",
    "--data-binary", "@" .. body_file, search_url } },
  { name = "python3", cmd = { python, ROOT .. "/bench/logs_python.py", search_url, body_file } },
}

local m = {}
for name, r in pairs(measure.hyperfine(peers, { runs = RUNS, out = ROOT .. "/build/bench/logs-hyperfine" })) do
  m[name] = r.median
end

print(("# logs: 10,000 hits from the real OpenSearch (%s), %d runs each, whole process"):format(os_url, RUNS))
print("# target: tinkr within 1.2x of curl (ratio = peer / tinkr; curl only fetches)")
for _, peer in ipairs{ "curl", "python3" } do
  print(("bench logs-10k-vs-%s: tinkr %.1f ms, %s %.1f ms, ratio %.2f"):format(peer, m.tinkr, peer, m[peer], m[peer] / m.tinkr))
end
