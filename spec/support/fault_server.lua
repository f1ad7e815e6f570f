-- Starts spec/support/fault_server.py (a named fake for network faults) and
-- stops it again.  The server writes a pid file before printing its port,
-- so stop() can kill exactly that process; it also exits by itself if this
-- process dies.
--
--   local fault_server = require "support.fault_server"
--   local srv = fault_server.start()            -- or start{ tls = true }
--   srv:url("/ok")  --> "http://127.0.0.1:<port>/ok"
--   srv.cafile      -- with tls: the self-signed certificate to trust
--   srv:stop()
local helpers = require "helpers"

local M = {}
local Server = {}
Server.__index = Server

local q = helpers.shell_quote

local slurp = helpers.read_file

-- A self-signed certificate for 127.0.0.1 (needs the openssl CLI).
local function make_certificate(dir)
  local cert, key = dir .. "/cert.pem", dir .. "/key.pem"
  local ok = os.execute(("env -u LD_PRELOAD openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
    .. "-nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
    .. "-keyout %s -out %s 2>/dev/null"):format(q(key), q(cert)))
  assert(ok, "openssl could not create a test certificate")
  return cert, key
end

function M.start(opts)
  opts = opts or {}
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p " .. q(dir)))
  local self = setmetatable({ dir = dir, pidfile = dir .. "/server.pid" }, Server)
  local args = { "exec env -u LD_PRELOAD python3", q(helpers.root .. "/spec/support/fault_server.py"),
                 "--pidfile", q(self.pidfile) }
  if opts.tls then
    self.cafile, self.keyfile = make_certificate(dir)
    args[#args + 1] = "--tls " .. q(self.cafile) .. " " .. q(self.keyfile)
  end
  self.scheme = opts.tls and "https" or "http"
  self.proc = assert(io.popen(table.concat(args, " "), "r"))
  local line = self.proc:read("l")
  self.port = tonumber(line and line:match("^(%d+)$"))
  self.pid = tonumber((slurp(self.pidfile) or ""):match("^(%d+)"))
  if not (self.port and self.pid) then
    self:stop()
    error("fault server did not start (first line: " .. tostring(line) .. ")")
  end
  return self
end

function Server:url(path)
  return ("%s://127.0.0.1:%d%s"):format(self.scheme, self.port, path or "/")
end

-- Kills the server, waits for it to exit and removes its files; safe to
-- call twice.
function Server:stop()
  if self.pid then os.execute("kill " .. self.pid .. " 2>/dev/null") end
  self.pid = nil
  if self.proc then self.proc:close() end -- waits for the process to exit
  self.proc = nil
  if self.dir then os.execute("rm -rf " .. q(self.dir)) end
  self.dir = nil
end

return M
