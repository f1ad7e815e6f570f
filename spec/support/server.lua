-- Runs bin/tinkr-server (bin/tinkr-server-asan in the ASan pass) for the
-- specs: on a free loopback port (it binds port 0 and prints the port),
-- with its output in a temporary directory, stopped with SIGTERM in
-- teardown.  A watchdog shell stops it if the spec process dies first, so
-- no server is left behind.
--
--   local server = require "support.server"
--   local srv = server.start{ env = { OTEL_OPENSEARCH_URL = ... }, args = { "--workers", "2" } }
--   local res = srv:get("/v1/logs?limit=5")       -- tinkr.core.http response
--   local status, doc = srv:get_json("/v1/logs")  -- decoded body
--   local exit_status, stderr = srv:stop()
--
--   local proxy = server.proxy("http://127.0.0.1:19200", { delay_ms = 0 })
--   proxy.url, proxy.pid, proxy:stop()
--   local held = server.proxy(url, { hold = true })  -- requests wait ...
--   held:release()                                     -- ... until this
local helpers = require "helpers"
local core = require "tinkr.core"

local M = {}
local q = helpers.shell_quote

local slurp = helpers.read_file

local function sleep(seconds)
  os.execute(("sleep %.3f"):format(seconds))
end

local function my_pid()
  local f = assert(io.open("/proc/self/stat"))
  local pid = f:read("n")
  f:close()
  return pid
end

--- The server binary that matches the pass (TINKR_BIN names bin/tinkr or bin/tinkr-asan).
function M.binary()
  local explicit = os.getenv("TINKR_SERVER_BIN")
  if explicit then return explicit end
  local cli = os.getenv("TINKR_BIN")
  if cli and cli:match("%-asan$") then return helpers.root .. "/bin/tinkr-server-asan" end
  return helpers.root .. "/bin/tinkr-server"
end

local Server = {}
Server.__index = Server

--- server.start{ env = {...}, args = {...}, unset = { "VAR", ... } } -> server
function M.start(opts)
  opts = opts or {}
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p " .. q(dir)))
  local self = setmetatable({ dir = dir }, Server)
  local envs = { "env" }
  for _, name in ipairs(opts.unset or {}) do envs[#envs + 1] = "-u " .. name end
  for k, v in pairs(opts.env or {}) do envs[#envs + 1] = k .. "=" .. q(v) end
  local argv = { q(M.binary()), "--listen", "127.0.0.1:0" }
  for _, a in ipairs(opts.args or {}) do argv[#argv + 1] = q(a) end
  local out, err, pidf, statusf = dir .. "/out", dir .. "/err", dir .. "/pid", dir .. "/status"
  -- The inner shell waits for the server to record its exit status; the
  -- watchdog sends SIGTERM (then SIGKILL) if this spec process goes away.
  local inner = table.concat(envs, " ") .. " " .. table.concat(argv, " ")
    .. " > " .. q(out) .. " 2> " .. q(err) .. " & spid=$!; echo $spid > " .. q(pidf) .. "; "
    .. "( while kill -0 " .. my_pid() .. " 2>/dev/null && kill -0 $spid 2>/dev/null; do sleep 0.5; done; "
    .. "if kill -0 $spid 2>/dev/null; then kill -TERM $spid; sleep 15; kill -KILL $spid 2>/dev/null; fi ) >/dev/null 2>&1 & "
    .. "wait $spid; echo $? > " .. q(statusf)
  assert(os.execute("sh -c " .. q(inner) .. " </dev/null >/dev/null 2>&1 &"))
  local deadline = os.time() + 20
  while true do
    local text = slurp(out) or ""
    local port = text:match("listening on http://127%.0%.0%.1:(%d+)")
    if port then
      self.port = tonumber(port)
      self.pid = tonumber(slurp(pidf))
      break
    end
    if slurp(statusf) or os.time() > deadline then
      local status = slurp(statusf)
      self.pid = tonumber(slurp(pidf) or "")
      self:stop()
      error(("tinkr-server did not start (exit %s): %s"):format(tostring(status), slurp(err) or ""), 2)
    end
    sleep(0.02)
  end
  return self
end

function Server:url(path)
  return ("http://127.0.0.1:%d%s"):format(self.port, path or "/")
end

--- server:request{ method =, path =, headers =, body =, timeout = } -> res | nil, err
function Server:request(r)
  return core.http.request{
    method = r.method or "GET", url = self:url(r.path), headers = r.headers, body = r.body,
    timeout = r.timeout or 30,
  }
end

function Server:get(path, headers)
  return self:request{ path = path, headers = headers }
end

--- -> status, decoded JSON body (raises if there is no HTTP answer or no JSON)
function Server:get_json(path, headers)
  local res, err = self:get(path, headers)
  assert(res, tostring(err))
  local doc, jerr = core.json.decode(res.body)
  assert(doc ~= nil, ("%s: not JSON (%s): %s"):format(path, tostring(jerr), res.body:sub(1, 200)))
  return res.status, doc, res
end

function Server:post_json(path, body, headers)
  local h = { ["Content-Type"] = "application/json" }
  for k, v in pairs(headers or {}) do h[k] = v end
  local res, err = self:request{ method = "POST", path = path, body = body, headers = h }
  assert(res, tostring(err))
  local doc, jerr = core.json.decode(res.body)
  assert(doc ~= nil, ("%s: not JSON (%s): %s"):format(path, tostring(jerr), res.body:sub(1, 200)))
  return res.status, doc, res
end

function Server:stderr()
  return slurp(self.dir .. "/err") or ""
end

function Server:alive()
  return self.pid ~= nil and os.execute("kill -0 " .. self.pid .. " 2>/dev/null") == true
end

function Server:signal(name)
  assert(self.pid, "server has no pid")
  os.execute(("kill -%s %d 2>/dev/null"):format(name, self.pid))
end

--- Waits up to `seconds` for the server to exit; -> exit status | nil.
function Server:wait(seconds)
  for _ = 1, math.ceil((seconds or 15) / 0.05) do   -- counted sleeps: os.clock is CPU time
    local status = slurp(self.dir .. "/status")
    if status and status:match("%d") then return tonumber(status:match("%d+")) end
    sleep(0.05)
  end
  return nil
end

--- SIGTERM, wait, SIGKILL if needed; removes the files.  -> exit status, stderr
--- (safe to call twice).
function Server:stop()
  if not self.dir then return self.exit_status, self.stderr_text end
  local status
  if self.pid then
    self:signal("TERM")
    status = self:wait(20)
    if not status then
      self:signal("KILL")
      status = self:wait(5)
    end
  end
  self.exit_status, self.stderr_text = status, self:stderr()
  os.execute("rm -rf " .. q(self.dir))
  self.dir = nil
  return self.exit_status, self.stderr_text
end

-- TCP proxy (spec/support/tcp_proxy.py) ------------------------------------

local Proxy = {}
Proxy.__index = Proxy

--- server.proxy(target_url, { delay_ms = n, port = n, hold = true })
---   -> proxy with .url, .port, .pid, :stop(), and with hold: :release()
--- hold: no request reaches the target until proxy:release().
function M.proxy(target_url, opts)
  opts = opts or {}
  local hostport = assert(target_url:match("^https?://([^/]+)"), "bad target " .. target_url)
  local pidfile = os.tmpname()
  local cmd = table.concat({ "exec env -u LD_PRELOAD python3", q(helpers.root .. "/spec/support/tcp_proxy.py"),
    "--target", q(hostport), "--pidfile", q(pidfile), "--delay-ms", tostring(opts.delay_ms or 0),
    "--port", tostring(opts.port or 0) }, " ")
  local self = setmetatable({ pidfile = pidfile }, Proxy)
  if opts.hold then
    self.hold_file = os.tmpname()
    os.remove(self.hold_file)
    cmd = cmd .. " --hold-file " .. q(self.hold_file)
  end
  self.proc = assert(io.popen(cmd, "r"))
  local line = self.proc:read("l")
  self.port = tonumber(line and line:match("^(%d+)$"))
  self.pid = tonumber((slurp(pidfile) or ""):match("^(%d+)"))
  if not (self.port and self.pid) then
    self:stop()
    error("tcp proxy did not start (first line: " .. tostring(line) .. ")")
  end
  self.url = ("http://127.0.0.1:%d"):format(self.port)
  return self
end

function Proxy:release()
  assert(io.open(assert(self.hold_file, "not a holding proxy"), "w")):close()
end

function Proxy:stop()
  if self.hold_file then os.remove(self.hold_file) end
  if self.pid then os.execute("kill -KILL " .. self.pid .. " 2>/dev/null") end
  self.pid = nil
  if self.proc then self.proc:close() end
  self.proc = nil
  if self.pidfile then os.remove(self.pidfile) end
  self.pidfile = nil
end

return M
