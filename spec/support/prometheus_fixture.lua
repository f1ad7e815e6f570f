-- A private, real Prometheus for the metrics specs: series whose rates and
-- quantiles are exact by construction, in the label and naming variants the
-- shared stack's data does not cover (service_name without a matching job,
-- job = "namespace/name", an old-generation-only service, hostile service
-- names, the product document's counter alone).
--
--   local fx = require("support.prometheus_fixture").start()
--   fx.url, fx.now_ns, fx.expected ... fx.stop()
--
-- Data: one sample every 30 s at :15/:45 from 11:00 to 12:00 on 2026-11-26,
-- so a [5m] window ending on a whole minute holds 10 samples.  Every
-- counter grows by the same amount each step, so rate() is exactly
-- increment / 30 and histogram_quantile interpolates inside known buckets.
local fixture = {}

local NOW_S = 1795694400            -- 2026-11-26T12:00:00Z
local FIRST_S = NOW_S - 3600 + 15
local STEP_S = 30
local BASE = 100000                 -- counters start high: no extrapolation to zero

local HOSTILE = 'a"} or vector(1) or {x="'

-- family -> type; series: name, labels, increment per step
local function histogram(name, labels, bounds, incs)
  local out, cum = {}, 0
  for i, le in ipairs(bounds) do
    cum = cum + incs[i]
    local l = {}
    for k, v in pairs(labels) do l[k] = v end
    l.le = le
    out[#out + 1] = { name = name .. "_bucket", labels = l, inc = cum }
  end
  out[#out + 1] = { name = name .. "_count", labels = labels, inc = cum }
  out[#out + 1] = { name = name .. "_sum", labels = labels, inc = cum / 10 }
  return out
end

local SECONDS = { "0.1", "0.25", "0.5", "1", "+Inf" }
local MILLIS = { "100", "250", "500", "1000", "+Inf" }
-- per status per step: 200 -> 90 requests, 5xx -> 10 (10 % errors);
-- together 60/20/10/10 per bucket -> p50 0.1*50/60, p90 0.5, p99 0.95 (s)
local OK_INCS, ERR_INCS = { 54, 18, 9, 9, 0 }, { 6, 2, 1, 1, 0 }

local function merge(a, b) local t = {} for k, v in pairs(a) do t[k] = v end for k, v in pairs(b) do t[k] = v end return t end

local function http_new(identity, scale)
  local out = {}
  for _, s in ipairs({ { "200", OK_INCS }, { "500", ERR_INCS } }) do
    local incs = {}
    for i, v in ipairs(s[2]) do incs[i] = v * (scale or 1) end
    for _, x in ipairs(histogram("http_server_request_duration_seconds",
      merge(identity, { http_route = "/x", http_response_status_code = s[1] }), SECONDS, incs)) do
      out[#out + 1] = x
    end
  end
  return out
end

local function http_old(identity, scale)
  local out = {}
  for _, s in ipairs({ { "200", OK_INCS }, { "503", ERR_INCS } }) do
    local incs = {}
    for i, v in ipairs(s[2]) do incs[i] = v * (scale or 1) end
    for _, x in ipairs(histogram("http_server_duration_milliseconds",
      merge(identity, { http_route = "/x", http_status_code = s[1] }), MILLIS, incs)) do
      out[#out + 1] = x
    end
  end
  return out
end

local function families()
  local fams = { http_new = {}, http_old = {}, counter = {}, rpc = {} }
  local function add(fam, list) for _, x in ipairs(list) do fams[fam][#fams[fam] + 1] = x end end
  -- new generation, job = namespace/name, no service_name
  add("http_new", http_new({ job = "shop/ns-new", instance = "i1" }))
  -- old generation only, found by service_name; job names the scraper
  add("http_old", http_old({ job = "otel-collector", instance = "c1", service_name = "sn-old" }))
  -- both generations and both labels: new wins; the double match counts once
  add("http_new", http_new({ job = "both", service_name = "both", instance = "i2" }))
  add("http_old", http_old({ job = "both", service_name = "both", instance = "i2" }, 3))
  -- the product document's counter only (service_name): 45 ok + 15 errors per step
  add("counter", {
    { name = "http_server_requests_total", labels = { service_name = "doc-counter", job = "otel-collector", http_status_code = "200" }, inc = 45 },
    { name = "http_server_requests_total", labels = { service_name = "doc-counter", job = "otel-collector", http_status_code = "503" }, inc = 15 },
  })
  -- no 5xx series at all: the error share is 0, not "no data"
  for _, x in ipairs(histogram("http_server_request_duration_seconds",
    { job = "no-errors", http_route = "/x", http_response_status_code = "200" }, SECONDS, OK_INCS)) do
    fams.http_new[#fams.http_new + 1] = x
  end
  -- a seconds histogram with the OTel SDKs' default buckets (0, 5, 10, 25 ...):
  -- every request in (0, 5], so p99 = 4.95 s whatever the real latency
  local SDK_BOUNDS = { "0", "5", "10", "25", "50", "75", "100", "250", "500", "750", "1000", "2500", "5000",
    "7500", "10000", "+Inf" }
  local sdk_incs = {}
  for i = 1, #SDK_BOUNDS do sdk_incs[i] = i == 2 and 100 or 0 end
  for _, x in ipairs(histogram("http_server_request_duration_seconds",
    { job = "sdk-default", http_route = "/x", http_response_status_code = "200" }, SDK_BOUNDS, sdk_incs)) do
    fams.http_new[#fams.http_new + 1] = x
  end
  -- regex escaping: "pay.api" must not match "payXapi"
  add("http_new", http_new({ job = "pay.api", instance = "i3" }))
  add("http_new", http_new({ job = "payXapi", instance = "i4" }, 5))
  -- a name that would break out of its string if it were pasted unescaped
  add("http_new", http_new({ job = HOSTILE, instance = "i5" }, 2))
  -- the product document's unit-less RPC histogram (ms): 50/30/20 per step
  -- -> p99 = 50 + 50 * 19/20 = 97.5 ms
  for _, x in ipairs(histogram("rpc_server_duration", { service_name = "rpc-doc", job = "otel-collector", rpc_method = "Charge" },
    { "10", "50", "100", "+Inf" }, { 50, 30, 20, 0 })) do
    fams.rpc[#fams.rpc + 1] = x
  end
  return fams
end

-- What the recipes must answer at NOW, by service.
fixture.expected = {
  ["ns-new"] = { rate = 100 / 30, error_share = 0.1, p50 = 0.1 * 50 / 60, p90 = 0.5, p99 = 0.95 },
  ["sn-old"] = { rate = 100 / 30, error_share = 0.1, p50 = 0.1 * 50 / 60, p90 = 0.5, p99 = 0.95 },
  both = { rate = 100 / 30, error_share = 0.1, p99 = 0.95 },
  ["doc-counter"] = { rate = 60 / 30, error_share = 0.25 },
  ["no-errors"] = { rate = 90 / 30, error_share = 0, p90 = 0.5 },
  ["pay.api"] = { rate = 100 / 30 },
  [HOSTILE] = { rate = 200 / 30, p99 = 0.95 },
  ["rpc-doc"] = { p99 = 0.0975 },
  ["sdk-default"] = { rate = 100 / 30, p99 = 4.95, p90 = 4.5 },
}
fixture.HOSTILE = HOSTILE
fixture.now_ns = NOW_S * 1000000000

local FAMILY_TYPES = {
  http_new = { { "http_server_request_duration_seconds", "histogram" } },
  http_old = { { "http_server_duration_milliseconds", "histogram" } },
  counter = { { "http_server_requests", "counter" } },
  rpc = { { "rpc_server_duration", "histogram" } },
}

local function om_labels(labels)
  local keys = {}
  for k in pairs(labels) do keys[#keys + 1] = k end
  table.sort(keys)
  local parts = {}
  for i, k in ipairs(keys) do
    local v = labels[k]:gsub("\\", "\\\\"):gsub('"', '\\"'):gsub("\n", "\\n")
    parts[i] = ('%s="%s"'):format(k, v)
  end
  return table.concat(parts, ",")
end

local function openmetrics()
  local out = {}
  local fams = families()
  for _, fam in ipairs({ "http_new", "http_old", "counter", "rpc" }) do
    out[#out + 1] = ("# TYPE %s %s"):format(FAMILY_TYPES[fam][1][1], FAMILY_TYPES[fam][1][2])
    for _, s in ipairs(fams[fam]) do
      local head = s.name .. "{" .. om_labels(s.labels) .. "} "
      local v = BASE
      for t = FIRST_S, NOW_S - 1, STEP_S do
        out[#out + 1] = ("%s%s %d"):format(head, string.format("%.17g", v), t)
        v = v + s.inc
      end
    end
  end
  out[#out + 1] = "# EOF"
  return table.concat(out, "\n") .. "\n"
end

local function sh(cmd)
  local p = assert(io.popen(cmd))
  local out = p:read("a")
  local ok = p:close()
  return out, ok
end

local function write(path, content)
  local f = assert(io.open(path, "wb"))
  f:write(content)
  f:close()
end

-- A free loopback port (the kernel picks it; tiny race, fine for tests).
local function free_port()
  local out = sh([[env -u LD_PRELOAD python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])']])
  return assert(tonumber(out), "no free port")
end
fixture.free_port = free_port

-- Whether pid still runs.  A killed server stays a zombie until whoever
-- adopted it reaps it, which can take a second here; a zombie has exited.
local function running(pid)
  local f = io.open("/proc/" .. pid .. "/stat", "r")
  if not f then return false end
  local stat = f:read("a")
  f:close()
  local state = stat:match("%) (%a)")
  return state ~= nil and state ~= "Z"
end

-- Basic auth for the auth specs: user "tinkr", password "s3cret" (bcrypt,
-- cost 4 so checking it is quick).
fixture.USER, fixture.PASSWORD = "tinkr", "s3cret"
local PASSWORD_HASH = "$2b$04$urfUAlsWYUuu5QdwO0aYpuySezwUnL6PzHisWXRNu.AbQuYs6bWgy"
fixture.AUTH_HEADER = "Basic dGlua3I6czNjcmV0"   -- base64("tinkr:s3cret")

--- A server that answers fixed bodies by path (python3 -m http.server over
--- a directory), for answers no real Prometheus gives: malformed results.
--- files: { ["api/v1/query"] = body, ... }.  GET only; the query string is ignored.
function fixture.static_server(files)
  local dir = sh("mktemp -d /tmp/tinkr-static-XXXXXX"):gsub("%s+$", "")
  for rel, body in pairs(files) do
    assert(os.execute("mkdir -p " .. (dir .. "/" .. rel):match("^(.*)/")))
    write(dir .. "/" .. rel, body)
  end
  local port = free_port()
  local pid = sh(("env -u LD_PRELOAD python3 -m http.server --bind 127.0.0.1 --directory %s %d "
    .. "> %s.log 2>&1 & echo $!"):format(dir, port, dir)):gsub("%s+$", "")
  local srv = { url = ("http://127.0.0.1:%d"):format(port) }
  function srv.stop()
    if not pid then return end
    os.execute("kill -KILL " .. pid .. " 2>/dev/null")
    for _ = 1, 50 do
      if not running(pid) then break end
      os.execute("sleep 0.05")
    end
    os.execute("rm -rf " .. dir .. " " .. dir .. ".log")
    pid = nil
  end
  local http = require("tinkr.core").http
  for _ = 1, 100 do
    if http.request{ url = srv.url .. "/", timeout = 1 } then return srv end
    os.execute("sleep 0.1")
  end
  srv.stop()
  error("static server did not start")
end

--- Starts a Prometheus and waits until it answers.
--- opts.data (default true): load the series above;
--- opts.basic_auth: require fixture.USER / fixture.PASSWORD;
--- opts.flags: extra command-line flags, e.g. { "--query.timeout=1ms" }.
function fixture.start(opts)
  opts = opts or {}
  local dir = sh("mktemp -d /tmp/tinkr-prom-XXXXXX"):gsub("%s+$", "")
  write(dir .. "/prometheus.yml", "global: {}\nscrape_configs: []\n")
  if opts.data ~= false then
    write(dir .. "/data.om", openmetrics())
    local out, ok = sh(("env -u LD_PRELOAD promtool tsdb create-blocks-from openmetrics %s/data.om %s/tsdb 2>&1"):format(dir, dir))
    if not ok then
      os.execute("rm -rf " .. dir)
      error("promtool failed: " .. out)
    end
  end
  local flags = {}
  for _, f in ipairs(opts.flags or {}) do flags[#flags + 1] = f end
  local headers
  if opts.basic_auth then
    write(dir .. "/web.yml", ("basic_auth_users:\n  %s: '%s'\n"):format(fixture.USER, PASSWORD_HASH))
    flags[#flags + 1] = "--web.config.file=" .. dir .. "/web.yml"
    headers = { Authorization = fixture.AUTH_HEADER }
  end
  local port = free_port()
  -- env -u LD_PRELOAD: under the ASan pass the server must not inherit libasan.
  local pid = sh(("env -u LD_PRELOAD prometheus --config.file=%s/prometheus.yml --storage.tsdb.path=%s/tsdb "
    .. "--storage.tsdb.retention.time=100y --web.listen-address=127.0.0.1:%d %s "
    .. "> %s/prometheus.log 2>&1 & echo $!"):format(dir, dir, port, table.concat(flags, " "), dir)):gsub("%s+$", "")
  assert(pid:match("^%d+$"), "could not start prometheus")
  local fx = { url = ("http://127.0.0.1:%d"):format(port), dir = dir, pid = pid, port = port,
               now_ns = fixture.now_ns, expected = fixture.expected, HOSTILE = HOSTILE }
  function fx.stop()
    if not fx.pid then return end
    -- SIGKILL: a graceful stop takes Prometheus over a second, and its
    -- data is a throw-away copy removed right after.
    os.execute("kill -KILL " .. fx.pid .. " 2>/dev/null")
    for _ = 1, 50 do   -- wait for it to exit before removing its files
      if not running(fx.pid) then break end
      os.execute("sleep 0.05")
    end
    os.execute("rm -rf " .. dir)
    fx.pid = nil
  end
  local http = require("tinkr.core").http
  for _ = 1, 100 do
    local res = http.request{ url = fx.url .. "/-/ready", timeout = 1, headers = headers }
    if res and res.status == 200 then return fx end
    os.execute("sleep 0.1")
  end
  local log = sh("cat " .. dir .. "/prometheus.log")
  fx.stop()
  error("Prometheus did not become ready:\n" .. log)
end

return fixture
