-- scripts/build-writers: bad input and failed or hung builds end with one
-- line naming the cause (and the log), never a hang.  Each case runs in an
-- empty cache, so nothing real is rebuilt.
local helpers = require "helpers"

local q = helpers.shell_quote
local script = helpers.root .. "/scripts/build-writers"

local function tmpdir()
  local d = os.tmpname()
  os.remove(d)
  assert(os.execute("mkdir -p " .. q(d)))
  return d
end

local function lines(s)
  local out = {}
  for l in s:gmatch("[^\n]+") do out[#out + 1] = l end
  return out
end

local function last_line(s)
  local l = lines(s)
  return l[#l] or ""
end

describe("scripts/build-writers", function()
  local cache

  before_each(function() cache = tmpdir() end)
  after_each(function() os.execute("rm -rf " .. q(cache)) end)

  it("refuses an unknown writer in one line", function()
    local out, err, status = helpers.run(q(script) .. " nosuch", { env = { TINKR_CACHE = cache } })
    assert.equal(1, status)
    assert.equal("", out)
    assert.equal(1, #lines(err))
    assert.matches("unknown writer 'nosuch' %(one of: prometheus victoria%-metrics otelcol jaeger%)", err)
  end)

  it("--path says how to build what is missing, and --list shows it missing", function()
    local _, err, status = helpers.run(q(script) .. " --path jaeger", { env = { TINKR_CACHE = cache } })
    assert.equal(1, status)
    assert.matches("jaeger 1.76.0 is not built %(run scripts/build%-writers jaeger%)", err)
    local out
    out, err, status = helpers.run(q(script) .. " --list", { env = { TINKR_CACHE = cache } })
    assert.equal(0, status, err)
    assert.matches("jaeger%s+1%.76%.0%s+missing", out)
  end)

  it("a build that fails prints its first error and the log, exit 1", function()
    -- An empty module cache with the proxy off: `go get` cannot fetch.
    local _, err, status = helpers.run(q(script) .. " victoria-metrics", { env = {
      TINKR_CACHE = cache, GOPROXY = "off", GOMODCACHE = cache .. "/mod", GOFLAGS = "" } })
    assert.equal(1, status)
    local line = last_line(err)
    assert.matches("^build%-writers: victoria%-metrics 1%.151%.0 failed: .*GOPROXY=off", line)
    assert.matches("%(full log: " .. cache:gsub("%p", "%%%0") .. "/bin/victoria%-metrics%-1%.151%.0%.log%)$", line)
    assert.is_nil(io.open(cache .. "/bin/victoria-metrics-1.151.0"), "no binary left behind")
  end)

  it("a hung build is stopped at TINKR_BUILD_TIMEOUT with one line", function()
    -- A `go` that never returns (a hang a real build cannot be made to do on cue).
    local bin = cache .. "/fakebin"
    assert(os.execute("mkdir -p " .. q(bin)))
    local f = assert(io.open(bin .. "/go", "w"))
    f:write("#!/bin/sh\nexec sleep 300\n")
    f:close()
    assert(os.execute("chmod +x " .. q(bin .. "/go")))
    local started = os.time()
    local _, err, status = helpers.run(q(script) .. " prometheus", { env = {
      TINKR_CACHE = cache, TINKR_BUILD_TIMEOUT = "2", PATH = bin .. ":/usr/bin:/bin" } })
    assert.equal(1, status)
    assert.is_true(os.time() - started < 30, "bounded")
    assert.matches("^build%-writers: prometheus 3%.16%.0 failed: timed out after 2s", last_line(err))
  end)
end)
