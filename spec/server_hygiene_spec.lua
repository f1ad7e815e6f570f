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
