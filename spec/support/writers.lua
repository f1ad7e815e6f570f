-- The real OTel writers of the stack (scripts/stack up --writers), fed once
-- per busted run by the instrumented sample shop (scripts/otel_app.py, the
-- OTel Python SDK), and the manifest of what the shop sent.
--
--   local w = require("support.writers").get()
--   w.env.TINKR_COLLECTOR_OTLP_URL, w.env.TINKR_PROM3_UTF8_URL, ...
--   w.manifest      --> the decoded manifest (services, traces, logs, requests)
--   w.opensearch    --> the writers' own OpenSearch of the product document's pipeline
--                       (the ss4o bridge's otel-logs / otel-traces; nothing else there)
--   w.jaeger_opensearch --> Jaeger's own OpenSearch (jaeger-span-*, and the logs
--                       a second ss4o bridge writes to otel-logs beside them)
--   w.sent_at       --> RFC 3339 instant right after the shop's last export
--
-- get() waits (bounded) until every store holds all of the shop's data.
local helpers = require "helpers"
local core = require "tinkr.core"
local stack = require "support.stack"

local M = {}
local cached

local q = helpers.shell_quote

-- The metric stores: the export naming the URL, the OTLP metrics path the
-- shop sends to (none: fed by the Collector's remote write), and the PromQL
-- counting a service's requests under that store's naming.
M.METRIC_STORES = {
  { writer = "Collector prometheusremotewrite -> Prometheus 3", url = "TINKR_COLLECTOR_PROMETHEUS_URL",
    count = 'sum(http_server_request_duration_seconds_count{job="%s"})' },
  { writer = "Prometheus 3 OTLP, UnderscoreEscapingWithSuffixes", url = "TINKR_PROM3_UNDERSCORE_URL",
    path = "/api/v1/otlp/v1/metrics", count = 'sum(http_server_request_duration_seconds_count{job="%s"})' },
  { writer = "Prometheus 3 OTLP, UnderscoreEscapingWithoutSuffixes", url = "TINKR_PROM3_NO_SUFFIX_URL",
    path = "/api/v1/otlp/v1/metrics", count = 'sum(http_server_request_duration_count{job="%s"})' },
  { writer = "Prometheus 3 OTLP, NoUTF8EscapingWithSuffixes", url = "TINKR_PROM3_UTF8_URL",
    path = "/api/v1/otlp/v1/metrics", count = 'sum({"http.server.request.duration_seconds_count", job="%s"})' },
  { writer = "Prometheus 3 OTLP, NoTranslation", url = "TINKR_PROM3_NO_TRANSLATION_URL",
    path = "/api/v1/otlp/v1/metrics", count = 'sum({"http.server.request.duration_count", job="%s"})' },
  { writer = "VictoriaMetrics OTLP", url = "TINKR_VICTORIA_URL",
    path = "/opentelemetry/v1/metrics",
    count = 'sum({__name__="http.server.request.duration_count", "service.name"="%s"})' },
}

local function http_json(method, url, body)
  local res, err = core.http.request{
    method = method, url = url, timeout = 20,
    headers = body and { ["Content-Type"] = "application/json" } or nil,
    body = body and core.json.encode(body) or nil,
  }
  if not res then return nil, tostring(err) end
  local v = core.json.decode(res.body)
  if res.status >= 300 then return nil, ("%s %s -> %d: %s"):format(method, url, res.status, res.body:sub(1, 300)) end
  return v
end
M.http_json = http_json

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return ("%%%02X"):format(c:byte()) end))
end
M.urlencode = urlencode

--- Instant PromQL on one store -> result vector.
function M.promql(base, query, time)
  local url = ("%s/api/v1/query?query=%s"):format(base, urlencode(query))
  if time then url = url .. "&time=" .. urlencode(time) end
  local v, err = http_json("GET", url)
  assert(v and v.status == "success", query .. " on " .. base .. ": " .. tostring(err))
  return v.data.result
end

local function os_count(base, index, query)
  http_json("POST", base .. "/" .. index .. "/_refresh")
  local v = http_json("POST", base .. "/" .. index .. "/_count", { query = query })
  return v and v.count or 0
end
M.os_count = os_count

local function until_true(what, seconds, fn)
  local deadline = core.monotonic() + seconds
  local last
  repeat
    local ok, detail = fn()
    if ok then return end
    last = detail
    os.execute("sleep 0.5")
  until core.monotonic() > deadline
  error(("timed out after %d s waiting for %s (%s)"):format(seconds, what, tostring(last)), 3)
end

--- Polls fn (-> ok, detail) every 0.5 s for up to 60 s; raises on timeout.
function M.wait_for(what, fn) until_true(what, 60, fn) end

local function spans_of(manifest)
  local n = 0
  for _, t in ipairs(manifest.traces) do n = n + #t.spans end
  return n
end
M.spans_of = spans_of

local function services_query(manifest, field)
  local names = {}
  for _, s in pairs(manifest.services) do names[#names + 1] = s.name end
  return { terms = { [field] = names } }
end

function M.get()
  if cached then return cached end
  local base = stack.get()
  local out, err, status = stack.command("up --writers")
  if status ~= 0 then error("scripts/stack up --writers failed:\n" .. err, 2) end
  local env = {}
  for name, value in out:gmatch("export ([%w_]+)=([^\n]*)") do env[name] = value end

  local manifest_path = os.tmpname()
  local cmd = { q(helpers.root .. "/scripts/otel-python"), q(helpers.root .. "/scripts/otel_app.py"),
    "--collector", q(env.TINKR_COLLECTOR_OTLP_URL), "--manifest", q(manifest_path) }
  for _, store in ipairs(M.METRIC_STORES) do
    if store.path then cmd[#cmd + 1] = "--metrics-to " .. q(env[store.url] .. store.path) end
  end
  local _, aerr, astatus = helpers.run("timeout 120 " .. table.concat(cmd, " "))
  if astatus ~= 0 then error("scripts/otel_app.py failed:\n" .. aerr, 2) end
  local manifest = assert(core.json.decode(assert(helpers.read_file(manifest_path))))
  os.remove(manifest_path)

  local logs_total, spans_total = #manifest.logs, spans_of(manifest)
  local ss4o_os, jaeger_os = env.TINKR_WRITERS_OPENSEARCH_URL, env.TINKR_JAEGER_OPENSEARCH_URL
  assert(ss4o_os and jaeger_os, "scripts/stack up --writers printed no writers' OpenSearch URLs:\n" .. out)
  for _, target in ipairs({ { "the ss4o bridge's", ss4o_os }, { "the bridge beside Jaeger's", jaeger_os } }) do
    until_true(target[1] .. " logs in otel-logs", 60, function()
      local n = os_count(target[2], "otel-logs", services_query(manifest, "resource.service.name.keyword"))
      return n == logs_total, n .. " of " .. logs_total
    end)
  end
  until_true("the ss4o bridge's spans in otel-traces", 60, function()
    local n = os_count(ss4o_os, "otel-traces", services_query(manifest, "resource.service.name.keyword"))
    return n == spans_total, n .. " of " .. spans_total
  end)
  until_true("Jaeger's spans in jaeger-span-*", 60, function()
    local n = os_count(jaeger_os, "jaeger-span-*", services_query(manifest, "process.serviceName"))
    return n == spans_total, n .. " of " .. spans_total
  end)
  local svc = manifest.services.checkout
  for _, store in ipairs(M.METRIC_STORES) do
    until_true(store.writer .. ": the shop's request count", 60, function()
      local r = M.promql(env[store.url], store.count:format(svc.name))
      local n = r[1] and tonumber(r[1].value[2]) or 0
      return n == svc.requests, n .. " of " .. svc.requests
    end)
  end
  cached = {
    env = env, manifest = manifest, opensearch = ss4o_os, jaeger_opensearch = jaeger_os,
    stack_opensearch = base.opensearch,
    sent_at = core.iso_format(manifest.ended_ns + 1000000000),
  }
  return cached
end

--- Runs bin/tinkr as a new user would: an empty environment (`env -i`)
--- but PATH, the backend URLs given and a fresh HOME (so no profile, no
--- config file and an empty cache: index discovery and metric-style
--- detection start from nothing).  urls.opensearch / urls.prometheus: an
--- unset one points at a closed port.
function M.tinkr(args, urls)
  local home = os.tmpname()
  os.remove(home)
  assert(os.execute("mkdir -m 700 " .. q(home)))
  local env = { "PATH=" .. (os.getenv("PATH") or "/usr/bin:/bin"), "HOME=" .. home, "COLUMNS=160",
    "OTEL_OPENSEARCH_URL=" .. (urls.opensearch or "http://127.0.0.1:9"),
    "OTEL_PROMETHEUS_URL=" .. (urls.prometheus or "http://127.0.0.1:9") }
  -- the ASan pass's settings (this spec is plain-only; kept for a manual run)
  for _, k in ipairs({ "ASAN_OPTIONS", "UBSAN_OPTIONS" }) do
    if os.getenv(k) then env[#env + 1] = k .. "=" .. os.getenv(k) end
  end
  local parts = { "env -i" }
  for _, e in ipairs(env) do parts[#parts + 1] = q(e) end
  parts[#parts + 1] = q(helpers.tinkr_bin())
  for _, a in ipairs(args) do parts[#parts + 1] = q(a) end
  local out, err, status = helpers.run(table.concat(parts, " "))
  os.execute("rm -rf " .. q(home))
  return out, err, status
end

--- The q-quantile Prometheus's histogram_quantile gives for these values
--- (seconds) over these bucket bounds: linear inside the bucket.
function M.histogram_quantile(qv, values, bounds)
  local counts, total = {}, #values
  for i, b in ipairs(bounds) do
    local n = 0
    for _, v in ipairs(values) do if v <= b + 1e-12 then n = n + 1 end end
    counts[i] = n
  end
  local rank = qv * total
  local lower, below = 0, 0
  for i, b in ipairs(bounds) do
    if counts[i] >= rank then
      if i == 1 and b <= 0 then return b end
      return lower + (b - lower) * (rank - below) / (counts[i] - below)
    end
    lower, below = b, counts[i]
  end
  return bounds[#bounds]           -- in +Inf: Prometheus answers the highest bound
end

return M
