-- `tinkr logs --limit 10000 --format ndjson` against the real local
-- OpenSearch (ss4o layout), beside curl POSTing the same DSL (the floor: no
-- decoding at all) and Python urllib + json doing the same job.  Whole
-- process each, medians from hyperfine -N.  Target: within 1.2x of curl.
-- Run by bench/run (brings the stack up with scripts/stack up).
local cjson = require "cjson"

local ROOT = assert(io.popen("cd \"$(dirname '" .. arg[0] .. "')/..\" && pwd")):read("l")
local RUNS = tonumber(os.getenv("BENCH_RUNS") or "10")

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

local function argv(list)
  local t = {}
  for i, a in ipairs(list) do t[i] = q(a) end
  return table.concat(t, " ")
end

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

local json_out = ROOT .. "/build/bench/logs-hyperfine.json"
local args = { "hyperfine", "-N", "--style", "none", "--warmup", "2", "--runs", tostring(RUNS),
  "--export-json", json_out }
for _, p in ipairs(peers) do
  args[#args + 1] = "-n"; args[#args + 1] = p.name; args[#args + 1] = argv(p.cmd)
end
local _, hok = sh(argv(args) .. " >/dev/null 2>" .. q(ROOT .. "/build/bench/logs-hyperfine.err"))
if not hok then io.stderr:write("bench: hyperfine failed, see build/bench/logs-hyperfine.err\n"); os.exit(1) end
local res = cjson.decode(assert(io.open(json_out, "rb")):read("a"))
local m = {}
for _, r in ipairs(res.results) do m[r.command] = r.median * 1000 end

print(("# logs: 10,000 hits from the real OpenSearch (%s), %d runs each, whole process"):format(os_url, RUNS))
print("# target: tinkr within 1.2x of curl (ratio = peer / tinkr; curl only fetches)")
for _, peer in ipairs{ "curl", "python3" } do
  print(("bench logs-10k-vs-%s: tinkr %.1f ms, %s %.1f ms, ratio %.2f"):format(peer, m.tinkr, peer, m[peer], m[peer] / m.tinkr))
end
