-- A real single-node VictoriaMetrics v1.151.0 (built from Go modules by
-- scripts/build-writers, cached outside the tree) loaded with the sample
-- stack's metrics through its Prometheus import API.  One per busted run;
-- stop() kills it and removes its data.
--
--   local vm = require("support.victoria").start(stack)
--   vm.url   --> "http://127.0.0.1:<port>"
local helpers = require "helpers"
local core = require "tinkr.core"

local M = {}
local q = helpers.shell_quote

local function binary()
  local script = helpers.root .. "/scripts/build-writers"
  -- Built already (the usual case): no need to wait for the build lock.
  local out, err, status = helpers.run(q(script) .. " --path victoria-metrics")
  if status == 0 then return (out:match("([^\n]+)%s*$")) end
  out, err, status = helpers.run(q(script) .. " victoria-metrics && " .. q(script) .. " --path victoria-metrics")
  assert(status == 0, "scripts/build-writers victoria-metrics failed: " .. err .. out)
  return (out:match("([^\n]+)%s*$"))
end

-- OpenMetrics text (seconds) -> Prometheus text with millisecond timestamps.
local function to_import_format(om_path, out_path)
  local fin = assert(io.open(om_path, "rb"))
  local fout = assert(io.open(out_path, "wb"))
  for line in fin:lines() do
    if line:sub(1, 1) ~= "#" and line ~= "" then
      local head, ts = line:match("^(.*) (%d+)$")
      fout:write(head, " ", ts, "000\n")
    end
  end
  fin:close()
  fout:close()
end

function M.start(stack)
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p " .. q(dir)))
  local port = helpers.run([[python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])']]):match("%d+")
  local bin = binary()
  local pidfile = dir .. "/pid"
  assert(os.execute(("setsid %s -storageDataPath=%s -httpListenAddr=127.0.0.1:%s -retentionPeriod=100y "
    .. "-search.latencyOffset=0s -search.disableCache </dev/null >%s 2>&1 & echo $! > %s"):format(
      q(bin), q(dir .. "/data"), port, q(dir .. "/vm.log"), q(pidfile))))
  local self = { url = "http://127.0.0.1:" .. port, dir = dir,
                 pid = tonumber(helpers.read_file(pidfile):match("%d+")) }
  local ready = false
  for _ = 1, 300 do
    local res = core.http.request{ url = self.url .. "/health", timeout = 1, connect_timeout = 1 }
    if res and res.status == 200 then ready = true break end
    os.execute("sleep 0.1")
  end
  assert(ready, "VictoriaMetrics did not start; log: " .. dir .. "/vm.log")
  local import = dir .. "/import.txt"
  to_import_format(stack.state_dir .. "/data/metrics.om", import)
  local _, err, status = helpers.run(("curl -fsS -m 300 --data-binary @%s %s/api/v1/import/prometheus"):format(
    q(import), self.url))
  assert(status == 0, "import into VictoriaMetrics failed: " .. err)
  assert(core.http.request{ url = self.url .. "/internal/force_flush", timeout = 60 })
  function self.stop()
    if self.pid then os.execute("kill " .. self.pid .. " 2>/dev/null; sleep 0.5") end
    self.pid = nil
    os.execute("rm -rf " .. q(dir))
  end
  return self
end

return M
