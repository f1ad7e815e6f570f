-- tinkr-server under systemd: readiness through $NOTIFY_SOCKET (Type=notify),
-- the token from a LoadCredential= credential, one log line per event with a
-- syslog level when $JOURNAL_STREAM says stderr is the journal; and the
-- shipped unit passes systemd-analyze verify with a low exposure score.
local helpers = require "helpers"
local server = require "support.server"
local q = helpers.shell_quote

local function tmpdir()
  local d = os.tmpname(); os.remove(d)
  assert(os.execute("mkdir -p " .. q(d)))
  return d
end

-- Waits until path exists (and, with text, until it holds text: the
-- receiver's output file exists, empty, before the first message arrives).
local function wait_for(path, seconds, text)
  for _ = 1, seconds * 20 do
    local got = helpers.read_file(path)
    if got and (not text or got:find(text, 1, true)) then return true end
    os.execute("sleep 0.05")
  end
  return false
end

-- A datagram socket standing in for systemd's notify socket: prints the
-- first two messages it gets, one per line.
local RECEIVER = [[
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
open(sys.argv[1] + ".bound", "w").close()
for _ in range(2):
    print(s.recv(4096).decode(), flush=True)
]]

describe("tinkr-server under systemd", function()
  local dir

  before_each(function() dir = tmpdir() end)
  after_each(function() os.execute("rm -rf " .. q(dir)) end)

  it("tells NOTIFY_SOCKET it is ready once it listens, and when it stops", function()
    local sock = dir .. "/notify"
    os.execute("python3 -c " .. q(RECEIVER) .. " " .. q(sock) .. " > " .. q(dir .. "/got") .. " 2>&1 &")
    assert.is_true(wait_for(sock .. ".bound", 10))
    local srv = server.start{ env = { NOTIFY_SOCKET = sock }, args = { "--workers", "1" } }
    assert.is_true(wait_for(dir .. "/got", 10, "READY=1\n"), "no READY=1")
    assert.equal(200, (srv:get("/healthz")).status)
    assert.equal("READY=1\n", helpers.read_file(dir .. "/got"))
    local status = srv:stop()
    assert.equal(0, status)
    for _ = 1, 100 do
      if (helpers.read_file(dir .. "/got") or ""):find("STOPPING", 1, true) then break end
      os.execute("sleep 0.05")
    end
    assert.equal("READY=1\nSTOPPING=1\n", helpers.read_file(dir .. "/got"))
  end)

  it("takes the token from CREDENTIALS_DIRECTORY/tinkr-server-token", function()
    local f = assert(io.open(dir .. "/tinkr-server-token", "w")); f:write("cred-token-123\n"); f:close()
    local srv = server.start{ env = { CREDENTIALS_DIRECTORY = dir }, unset = { "TINKR_SERVER_TOKEN" }, args = { "--workers", "1" } }
    assert.equal(401, (srv:get("/metrics")).status)
    assert.equal(401, (srv:get("/metrics", { Authorization = "Bearer wrong" })).status)
    assert.equal(200, (srv:get("/metrics", { Authorization = "Bearer cred-token-123" })).status)
    local _, stderr = srv:stop()
    assert.falsy(stderr:find("cred-token-123", 1, true))
  end)

  it("refuses to start on an unreadable or empty credential, saying which", function()
    local f = assert(io.open(dir .. "/tinkr-server-token", "w")); f:write("\n"); f:close()
    local _, err, status = helpers.run("CREDENTIALS_DIRECTORY=" .. q(dir) .. " " .. q(server.binary()) .. " --listen 127.0.0.1:0")
    assert.equal(2, status)
    assert.matches("tinkr%-server%-token is empty", err)
  end)

  it("writes one line per event with a syslog level when stderr is the journal", function()
    assert(os.execute("mkdir -p " .. q(dir .. "/queries/scripts")))
    local f = assert(io.open(dir .. "/queries/scripts/two_lines.lua", "w"))
    f:write("error('first line\\nsecond line')\n"); f:close()
    local srv = server.start{ env = { JOURNAL_STREAM = "8:12345", TINKR_PATH = dir }, args = { "--workers", "1" } }
    local status = srv:post_json("/v1/scripts/two_lines", "{}")
    assert.equal(500, status)
    local exit, stderr = srv:stop()
    assert.equal(0, exit)
    local lines = {}
    for line in stderr:gmatch("[^\n]+") do
      assert.matches("^<[367]>tinkr%-server", line)
      lines[#lines + 1] = line
    end
    local joined = table.concat(lines, "\n")
    assert.matches("<%d>[^\n]*first line | second line", joined)
    assert.matches("<6>tinkr%-server: stopped", joined)
    -- On a terminal (no JOURNAL_STREAM) there is no prefix.
    local plain = server.start{ unset = { "JOURNAL_STREAM" }, args = { "--workers", "1" } }
    local _, plain_err = plain:stop()
    assert.matches("^tinkr%-server: ", plain_err)
  end)
end)

describe("packaging/tinkr-server.service", function()
  it("passes systemd-analyze verify and scores well in systemd-analyze security", function()
    local dir = tmpdir()
    local unit = helpers.read_file(helpers.root .. "/packaging/tinkr-server.service")
    assert.matches("\nType=notify\n", unit)
    assert.matches("\nDynamicUser=yes\n", unit)
    assert.matches("\nLoadCredential=tinkr%-server%-token:/etc/tinkr/token\n", unit)
    -- systemd checks that ExecStart= exists: point it at this build.
    local f = assert(io.open(dir .. "/tinkr-server.service", "w"))
    f:write((unit:gsub("/usr/bin/tinkr%-server", helpers.root .. "/bin/tinkr-server"))); f:close()
    local out, err, status = helpers.run("systemd-analyze verify --man=no " .. q(dir .. "/tinkr-server.service"))
    assert.equal(0, status, err)
    assert.equal("", out .. err)
    out, err, status = helpers.run("systemd-analyze security --offline=yes --no-pager " .. q(dir .. "/tinkr-server.service"))
    os.execute("rm -rf " .. q(dir))
    assert.equal(0, status, err)
    local score = tonumber(out:match("Overall exposure level for tinkr%-server%.service: ([%d.]+)"))
    assert.is_number(score, out)
    assert.is_true(score <= 2.0, "exposure " .. tostring(score))
  end)
end)
