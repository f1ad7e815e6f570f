-- Real Prometheus 3 (one per OTLP translation strategy) and VictoriaMetrics
-- servers on loopback, fed by the OTel Python SDK (support/otlp_push.py),
-- for the specs of how tinkr reads every metric naming style.
--
--   local stores = require("support.otlp_stores").start()
--   stores.list  --> { { name = "prom3 NoTranslation", url = ..., strategy = ... }, ..., { name = "victoriametrics", ... } }
--   stores.stop()
--
-- The binaries come from the writers' Go builds (scripts/build-writers,
-- cached in ~/.cache/tinkr/bin) and the SDK from scripts/otel-python's venv.
local helpers = require "helpers"
local fixture = require "support.prometheus_fixture"

local M = {}

M.STRATEGIES = { "UnderscoreEscapingWithSuffixes", "UnderscoreEscapingWithoutSuffixes",
  "NoUTF8EscapingWithSuffixes", "NoTranslation" }

local q = helpers.shell_quote

local function sh(cmd, keep_stderr)
  local p = assert(io.popen("unset LD_PRELOAD; " .. cmd .. (keep_stderr and "" or " 2>/dev/null")))
  local out = p:read("a")
  local ok = p:close()
  return out:gsub("%s+$", ""), ok
end

local function cache_dir()
  return os.getenv("TINKR_CACHE") or ((os.getenv("HOME") or "/root") .. "/.cache/tinkr")
end

-- A writer's binary: what scripts/build-writers says, else the cache path.
local function binary(name, version)
  local script = helpers.root .. "/scripts/build-writers"
  if io.open(script) then
    local path, ok = sh(q(script) .. " --path " .. name)
    if ok and path ~= "" then return path end
  end
  local path = ("%s/bin/%s-%s"):format(cache_dir(), name, version)
  assert(io.open(path), ("%s %s is not built: run scripts/build-writers (expected %s)"):format(name, version, path))
  return path
end

local function python()
  local script = helpers.root .. "/scripts/otel-python"
  if io.open(script) then
    local py, ok = sh(q(script) .. " --ensure")
    if ok and py ~= "" then return py end
  end
  local py = cache_dir() .. "/venv-otel-1.45.2/bin/python"
  assert(io.open(py), "the OTel Python SDK venv is missing: run scripts/otel-python --ensure")
  return py
end

local function ready(url, path)
  for _ = 1, 300 do
    local _, ok = sh("curl -fsS -m 1 -o /dev/null " .. q(url .. path))
    if ok then return true end
    sh("sleep 0.1")
  end
  error("not ready after 30 s: " .. url)
end

function M.start()
  local dir = sh("mktemp -d /tmp/tinkr-otlp-stores-XXXXXX")
  local prom = binary("prometheus", "3.16.0")
  local vm = binary("victoria-metrics", "1.151.0")
  local stores, pids = { list = {} }, {}
  local function launch(name, cmd, url, ready_path, extra)
    local log = dir .. "/" .. name:gsub("%W", "_") .. ".log"
    local pid = sh(("setsid %s > %s 2>&1 & echo $!"):format(cmd, q(log)))
    pids[#pids + 1] = pid
    local s = { name = name, url = url, log = log, ready_path = ready_path }
    for k, v in pairs(extra or {}) do s[k] = v end
    stores.list[#stores.list + 1] = s
  end
  for _, strategy in ipairs(M.STRATEGIES) do
    local port = fixture.free_port()
    local sub = dir .. "/" .. strategy
    assert(os.execute("mkdir -p " .. q(sub)))
    local f = assert(io.open(sub .. "/prometheus.yml", "w"))
    f:write("otlp:\n  translation_strategy: ", strategy, "\n")
    f:close()
    launch("prom3 " .. strategy, ("%s --config.file=%s --storage.tsdb.path=%s --web.listen-address=127.0.0.1:%d "
      .. "--web.enable-otlp-receiver --storage.tsdb.retention.time=1d"):format(
      q(prom), q(sub .. "/prometheus.yml"), q(sub .. "/data"), port),
      ("http://127.0.0.1:%d"):format(port), "/-/ready",
      { strategy = strategy, otlp = ("http://127.0.0.1:%d/api/v1/otlp/v1/metrics"):format(port) })
  end
  local vport = fixture.free_port()
  launch("victoriametrics", ("%s -storageDataPath=%s -httpListenAddr=127.0.0.1:%d -search.latencyOffset=0s "
    .. "-retentionPeriod=1d"):format(q(vm), q(dir .. "/vm"), vport),
    ("http://127.0.0.1:%d"):format(vport), "/health",
    { otlp = ("http://127.0.0.1:%d/opentelemetry/v1/metrics"):format(vport) })

  function stores.stop()
    for _, pid in ipairs(pids) do
      if pid:match("^%d+$") then sh("/bin/kill -TERM -- -" .. pid .. " || /bin/kill -TERM " .. pid) end
    end
    sh("sleep 0.5; rm -rf " .. q(dir))
  end

  local ok, err = pcall(function()
    local urls = {}
    for _, s in ipairs(stores.list) do
      ready(s.url, s.ready_path)
      urls[#urls + 1] = q(s.otlp)
    end
    local out, pushed = sh(q(python()) .. " " .. q(helpers.root .. "/spec/support/otlp_push.py") .. " "
      .. table.concat(urls, " ") .. " 2>&1", true)
    assert(pushed, "otlp_push.py failed: " .. out)
    -- VictoriaMetrics buffers what it ingests for a moment: flush it, then
    -- wait until every store answers a query over the pushed series.
    for _, s in ipairs(stores.list) do
      if s.name == "victoriametrics" then sh("curl -fsS -m 5 -o /dev/null " .. q(s.url .. "/internal/force_flush")) end
      local seen = false
      for _ = 1, 100 do
        local body = sh("curl -fsS -m 2 " .. q(s.url .. "/api/v1/query") .. " --data-urlencode "
          .. q('query=count({__name__=~"http.+count"})'))
        if body:find('"value"', 1, true) then seen = true; break end
        sh("sleep 0.2")
      end
      assert(seen, s.name .. " shows none of the pushed series after 20 s; log: " .. s.log)
    end
  end)
  if not ok then
    stores.stop()
    error(err, 0)
  end
  return stores
end

return M
