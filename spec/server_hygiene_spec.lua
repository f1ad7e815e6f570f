-- tinkr-server request hygiene: NULs and invalid UTF-8 are a 400 before any
-- Lua sees them, a 405 carries Allow, the errors libmicrohttpd makes itself
-- (414, 431, 400, 505) are the documented JSON, meta.path is relative, and
-- --config / TINKR_CONFIG work as for tinkr.  No backend is needed.
local core = require "tinkr.core"
local helpers = require "helpers"
local server = require "support.server"

local json = core.json
local q = helpers.shell_quote

local SCRIPTS = helpers.root .. "/spec/support/sandbox"
local ENV = { TINKR_PATH = SCRIPTS, OTEL_OPENSEARCH_URL = "http://127.0.0.1:9", OTEL_PROMETHEUS_URL = "http://127.0.0.1:9",
              XDG_CONFIG_HOME = "/nonexistent" }
local UNSET = { "TINKR_PROFILE", "TINKR_CONFIG", "TINKR_SERVER_TOKEN" }

-- status, headers (lower-case names), body of a raw request.
local function raw(srv, bytes)
  local out = helpers.run(("python3 %s %d"):format(q(helpers.root .. "/spec/support/raw_http.py"), srv.port),
    { stdin = bytes })
  -- libmicrohttpd 0.9.75 sends the head of some of its own errors twice
  -- (a bad Content-Length): read the last answer.
  local last = 1
  for at in out:gmatch("()HTTP/1%.%d %d%d%d ") do last = at end
  out = out:sub(last)
  local head, body = out:match("^(.-)\r\n\r\n(.*)$")
  assert(head, "no HTTP answer: " .. out:sub(1, 200))
  local status = tonumber(head:match("^HTTP/1%.%d (%d+)"))
  local headers = {}
  for name, value in head:gmatch("\r\n([^:\r\n]+):%s*([^\r\n]*)") do headers[name:lower()] = value end
  return status, headers, body
end

local function json_error(status, headers, body, want_status, want_code)
  assert.equal(want_status, status, body)
  assert.matches("^application/json", headers["content-type"] or "", 1, false)
  local doc = json.decode(body)
  assert.is_table(doc, body)
  assert.equal(want_code, doc.error.code, body)
  assert.is_string(doc.error.message)
  return doc
end

describe("tinkr-server request hygiene", function()
  local srv

  setup(function()
    srv = server.start{ env = ENV, unset = UNSET, args = { "--workers", "1" } }
  end)

  teardown(function()
    if srv then srv:stop() end
  end)

  it("refuses a %00 anywhere in the request target with 400, never truncating at it", function()
    for _, target in ipairs{ "/v1/scripts/fine%00.txt", "/v1/logs?service=a%00b", "/healthz%00x", "/v1/logs?a%00=1" } do
      for _, method in ipairs{ "GET", "POST" } do
        local status, headers, body = raw(srv, method .. " " .. target
          .. " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
        local doc = json_error(status, headers, body, 400, "bad_request")
        assert.matches("NUL", doc.error.message)
      end
    end
  end)

  it("refuses a NUL inside the JSON body of a script with 400", function()
    local status, doc = srv:post_json("/v1/scripts/fine", '{"service":"a\\u0000b"}')
    assert.equal(400, status, json.encode(doc))
    assert.equal("bad_request", doc.error.code)
    assert.matches("NUL", doc.error.message)
    status, doc = srv:post_json("/v1/scripts/fine", '{"x":{"a\\u0000":1}}')
    assert.equal(400, status, json.encode(doc))
  end)

  it("answers invalid UTF-8 in path, query or body with 400 and a clear message, never a Lua location", function()
    for _, path in ipairs{ "/v1/scripts/%ff", "/v1/logs?service=%ff", "/v1/traces/%ff", "/v1/logs?%c0%af=1",
                           "/v1/logs?service=%ed%a0%80" } do
      local res = assert(srv:request{ method = path:find("scripts") and "POST" or "GET", path = path })
      local doc = json_error(res.status, { ["content-type"] = res.headers and res.headers["content-type"]
        or "application/json" }, res.body, 400, "bad_request")
      assert.matches("not valid UTF%-8", doc.error.message)
      assert.not_matches("%.lua:%d", doc.error.message)
    end
    local status, doc = srv:post_json("/v1/scripts/fine", '{"service":"\255"}')
    assert.equal(400, status, json.encode(doc))
    assert.matches("not valid UTF%-8", doc.error.message)
  end)

  it("sends Allow with every 405", function()
    local cases = {
      { "POST", "/v1/logs", "GET, HEAD" }, { "DELETE", "/v1/traces/abc", "GET, HEAD" },
      { "GET", "/v1/scripts/fine", "POST" }, { "POST", "/healthz", "GET, HEAD" }, { "PUT", "/metrics", "GET, HEAD" },
    }
    for _, c in ipairs(cases) do
      local status, headers, body = raw(srv, c[1] .. " " .. c[2] .. " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        .. "Content-Length: 0\r\n\r\n")
      json_error(status, headers, body, 405, "method_not_allowed")
      assert.equal(c[3], headers["allow"], c[1] .. " " .. c[2])
    end
  end)

  it("answers what libmicrohttpd refuses itself with the documented JSON", function()
    local cases = {
      { "GET /" .. ("a"):rep(100 * 1024) .. " HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long" },
      { "GET /v1/logs HTTP/1.1\r\nHost: x\r\nX-Big: " .. ("b"):rep(100 * 1024) .. "\r\n\r\n", 431, "headers_too_large" },
      { "GET /v1/logs HTTP/2.0\r\nHost: x\r\n\r\n", 505, "http_version" },
      { "POST /v1/scripts/fine HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}", 400, "bad_request" },
      { "POST /v1/scripts/fine HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400,
        "bad_request" },
    }
    for _, c in ipairs(cases) do
      local status, headers, body = raw(srv, c[1])
      assert.not_matches("<html", body)
      json_error(status, headers, body, c[2], c[3])
    end
    -- and the server still answers
    local res = assert(srv:request{ path = "/healthz" })
    assert.equal(200, res.status)
  end)

  it("gives a script's meta.path relative to its search-path root", function()
    local status, doc = srv:post_json("/v1/scripts/fine", "{}")
    assert.equal(200, status, json.encode(doc))
    assert.equal("queries/scripts/fine.lua", doc.meta.path)
    assert.not_matches(helpers.root, json.encode(doc), 1, true)
  end)
end)

-- Every answer a raw connection got, in order (a connection can carry
-- several): { { status =, headers =, body = }, ... }.
local function answers(bytes, port)
  local out = helpers.run(("python3 %s %d"):format(q(helpers.root .. "/spec/support/raw_http.py"), port),
    { stdin = bytes })
  local list, at = {}, 1
  while true do
    local head_end = out:find("\r\n\r\n", at, true)
    local status = head_end and tonumber(out:sub(at, head_end):match("^HTTP/1%.%d (%d+)"))
    if not status then break end
    local headers = {}
    for name, value in out:sub(at, head_end):gmatch("\r\n([^:\r\n]+):%s*([^\r\n]*)") do headers[name:lower()] = value end
    local len = tonumber(headers["content-length"] or "0")
    list[#list + 1] = { status = status, headers = headers, body = out:sub(head_end + 4, head_end + 3 + len) }
    at = head_end + 4 + len
  end
  return list
end

describe("tinkr-server refusing a request that has a body", function()
  -- --max-body 64 KiB: bodies up to 4 x that are read and dropped before
  -- the refusal, so the answer cannot be lost to a reset.
  local MAX, TOKEN = 65536, "s3cret"
  local AUTH = "Authorization: Bearer " .. TOKEN .. "\r\n"
  local NEXT = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
  local srv

  setup(function()
    local env = { TINKR_SERVER_TOKEN = TOKEN }
    for k, v in pairs(ENV) do env[k] = v end
    srv = server.start{ env = env, unset = { "TINKR_PROFILE", "TINKR_CONFIG" }, args = { "--max-body", tostring(MAX) } }
  end)

  teardown(function()
    if srv then srv:stop() end
  end)

  local function post(target, headers, body)
    return "POST " .. target .. " HTTP/1.1\r\nHost: x\r\n" .. headers .. "Content-Length: " .. #body .. "\r\n\r\n" .. body
  end

  local function chunked(target, headers, body)
    return "POST " .. target .. " HTTP/1.1\r\nHost: x\r\n" .. headers .. "Transfer-Encoding: chunked\r\n\r\n"
      .. ("%x\r\n"):format(#body) .. body .. "\r\n0\r\n\r\n"
  end

  -- On the old front end each was answered before its body was read and the
  -- connection closed: the request behind it got no answer.
  it("answers after reading the body, and the connection then serves the next request", function()
    local big = ("x"):rep(MAX + 40000)
    local cases = {
      { post("/v1/scripts/fine", AUTH, big), 413, "too_large" },
      { chunked("/v1/scripts/fine", AUTH, big), 413, "too_large" },
      { post("/v1/scripts/fine", "", "{}"), 401, "unauthorized" },
      { post("/healthz", "", ("y"):rep(1000)), 405, "method_not_allowed" },
      { post("/v1/scripts/fine%00", AUTH, "{}"), 400, "bad_request" },
    }
    for _, c in ipairs(cases) do
      local got = answers(c[1] .. NEXT, srv.port)
      local what = c[1]:match("^[^\r]*")
      assert.equal(2, #got, what)
      json_error(got[1].status, got[1].headers, got[1].body, c[2], c[3])
      assert.is_nil(got[1].headers["connection"], what)
      assert.equal(200, got[2].status, what)
    end
  end)

  it("answers at once a body not sent yet: the client waits for 100 Continue, or announces more than 4 x --max-body", function()
    for _, headers in ipairs{ AUTH .. "Expect: 100-continue\r\nContent-Length: " .. (MAX + 1) .. "\r\n",
                              AUTH .. "Content-Length: " .. (4 * MAX + 1) .. "\r\n" } do
      -- headers only: the answer must come without the body
      local got = answers("POST /v1/scripts/fine HTTP/1.1\r\nHost: x\r\n" .. headers .. "\r\n", srv.port)
      assert.equal(1, #got, headers)
      json_error(got[1].status, got[1].headers, got[1].body, 413, "too_large")
    end
  end)

  it("stops reading a streamed body once it has dropped 4 x --max-body, and closes", function()
    local got = answers(chunked("/v1/scripts/fine", AUTH, ("x"):rep(4 * MAX + 1)) .. NEXT, srv.port)
    assert.equal(0, #got)
    assert.equal(200, srv:get("/healthz").status)
  end)
end)

describe("tinkr-server --config and TINKR_CONFIG", function()
  local dir

  setup(function()
    dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. q(dir)))
    local f = assert(io.open(dir .. "/good.toml", "w"))
    f:write('[profiles.spec]\nnow = "2026-11-26T12:00:00Z"\n')
    f:close()
    f = assert(io.open(dir .. "/bad.toml", "w"))
    f:write("this is = = not toml\n")
    f:close()
  end)

  teardown(function() os.execute("rm -rf " .. q(dir)) end)

  -- A configuration error stops the server at once with tinkr's config
  -- status (3): the exit status and stderr.
  local function start_fails(args, env)
    local parts = { "env" }
    for _, name in ipairs(UNSET) do parts[#parts + 1] = "-u " .. name end
    for k, v in pairs(ENV) do parts[#parts + 1] = k .. "=" .. q(v) end
    for k, v in pairs(env or {}) do parts[#parts + 1] = k .. "=" .. q(v) end
    parts[#parts + 1] = q(server.binary())
    parts[#parts + 1] = "--listen 127.0.0.1:0"
    for _, a in ipairs(args) do parts[#parts + 1] = q(a) end
    local _, err, status = helpers.run("timeout 20 " .. table.concat(parts, " "))
    return status, err
  end

  it("reads the file --config names, like tinkr", function()
    local status, err = start_fails{ "--config", dir .. "/bad.toml" }
    assert.equal(3, status, err)
    assert.matches("bad.toml", err, 1, true)
    local srv = server.start{ env = ENV, unset = UNSET, args = { "--config", dir .. "/good.toml", "--profile", "spec" } }
    assert.equal(200, srv:get("/healthz").status)
    srv:stop()
    status, err = start_fails{ "--config", dir .. "/good.toml", "--profile", "nope" }
    assert.equal(3, status, err)
    assert.matches("nope", err)
  end)

  it("reads TINKR_CONFIG when --config is not given", function()
    local status, err = start_fails({}, { TINKR_CONFIG = dir .. "/bad.toml" })
    assert.equal(3, status, err)
    assert.matches("bad.toml", err, 1, true)
  end)

  it("exits 3 naming the variable when a setting in the environment is bad", function()
    local status, err = start_fails({}, { TINKR_TIMEOUT = "abc" })
    assert.equal(3, status, err)
    assert.matches("TINKR_TIMEOUT", err, 1, true)
  end)
end)
