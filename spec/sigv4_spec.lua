-- auth = "sigv4" against spec/support/sigv4_verifier.py: a local server that
-- recomputes every request's AWS SigV4 signature with botocore (the clock
-- fixed to the request's X-Amz-Date) over the headers the request says it
-- signed, rejects any mismatch with 403, and proxies what passes to the real
-- OpenSearch (service es) or Prometheus (service aps).  Its log says what it
-- verified, so these specs fail if a request slipped past unsigned.
local helpers = require "helpers"
local secure = require("support.secure_stack").get()
local stack = secure.stack
local core = require "tinkr.core"

local LOG_INDEX = "otel-logs-2026.11.26"
-- the same documents through a pattern: a wildcard, a list and an exclusion
local LOG_PATTERN = "otel-logs-2026.11.2*,otel-flat-*,-otel-flat-logs"
local function lua_pattern(s) return (s:gsub("%p", "%%%0")) end

local function aws_env(extra)
  local e = {
    TINKR_NOW = stack.now, XDG_CONFIG_HOME = "/nonexistent", HOME = "/nonexistent",
    -- its own empty cache: the specs count every request (the mapping cache
    -- would save the _mapping one)
    TINKR_CACHE_DIR = os.tmpname() .. ".cache",
    OTEL_OPENSEARCH_URL = secure.TINKR_SIGV4_OS_URL, OTEL_PROMETHEUS_URL = secure.TINKR_SIGV4_PROM_URL,
    OTEL_LOG_INDEX = LOG_INDEX, TINKR_AUTH = "sigv4",
    AWS_ACCESS_KEY_ID = secure.TINKR_SIGV4_KEY_ID, AWS_SECRET_ACCESS_KEY = secure.TINKR_SIGV4_SECRET,
    AWS_SESSION_TOKEN = secure.TINKR_SIGV4_TOKEN, AWS_REGION = secure.TINKR_SIGV4_REGION,
  }
  for k, v in pairs(extra or {}) do e[k] = v or nil end
  return e
end

-- The verifier's log lines written while fn ran.
local function verified(log, fn)
  local before = #(helpers.read_file(log) or "")
  local a, b, c = fn()
  local lines = {}
  for l in (helpers.read_file(log) or ""):sub(before + 1):gmatch("[^\n]+") do lines[#lines + 1] = l end
  return lines, a, b, c
end

local function count(lines, pattern)
  local n = 0
  for _, l in ipairs(lines) do if l:find(pattern) then n = n + 1 end end
  return n
end

local SECRETS = { secure.TINKR_SIGV4_SECRET, secure.TINKR_SIGV4_TOKEN, secure.TINKR_SIGV4_KEY_ID }
local SIGNED = "signed=accept;content%-type;host;x%-amz%-content%-sha256;x%-amz%-date;x%-amz%-security%-token$"

-- curl's own SigV4 signer (the one tinkr used through libcurl 7.88's
-- CURLOPT_AWS_SIGV4 before it signed requests itself), from the curl CLI.
local function curl_signed(url, service)
  return helpers.run(("curl -s -o /dev/null -w '%%{http_code}' --aws-sigv4 %s --user %s -H %s %s"):format(
    helpers.shell_quote("aws:amz:" .. secure.TINKR_SIGV4_REGION .. ":" .. service),
    helpers.shell_quote(secure.TINKR_SIGV4_KEY_ID .. ":" .. secure.TINKR_SIGV4_SECRET),
    helpers.shell_quote("X-Amz-Security-Token: " .. secure.TINKR_SIGV4_TOKEN), helpers.shell_quote(url)))
end

-- A request signed by hand with core.http.sigv4_sign and sent as plain
-- headers: what the signer says, unaltered by the transport.
local function hand_signed(base, service, method, path, body, content_hash)
  local host = base:match("^https?://([^/]+)")
  local date = os.date("!%Y%m%dT%H%M%SZ")
  local headers = { { "Host", host }, { "Content-Type", "application/json" }, { "X-Amz-Date", date },
    { "X-Amz-Security-Token", secure.TINKR_SIGV4_TOKEN } }
  local probe = core.http.sigv4_sign{ method = method, path = path, headers = {}, body = body, region = "r",
    service = "s", key_id = "k", secret = "s", date = date }
  headers[#headers + 1] = { "X-Amz-Content-Sha256", content_hash or probe.payload_hash }
  local out = core.http.sigv4_sign{ method = method, path = path, headers = headers, body = body,
    region = secure.TINKR_SIGV4_REGION, service = service, key_id = secure.TINKR_SIGV4_KEY_ID,
    secret = secure.TINKR_SIGV4_SECRET, date = date }
  local plain = { Authorization = out.authorization }
  for _, h in ipairs(headers) do plain[h[1]] = h[2] end
  return core.http.request{ method = method, url = base .. path, headers = plain, body = body }
end

local function assert_no_secret(...)
  for _, text in ipairs{ ... } do
    for _, s in ipairs(SECRETS) do assert.is_nil(text:find(s, 1, true), "leaked a credential") end
  end
end

describe("SigV4 to OpenSearch (service es) through the botocore verifier", function()
  it("signs searches with bodies, and every point-in-time request of a full export over an index pattern", function()
    local lines, out, err, status = verified(secure.TINKR_SIGV4_OS_LOG, function()
      return helpers.tinkr({ "logs", "--since", "24h", "--limit", "0", "--format", "ndjson", "--verbose" },
        { env = aws_env{ OTEL_LOG_INDEX = LOG_PATTERN } })
    end)
    assert.equal(0, status, err)
    -- every document of the index (the sample spans less than a day)
    local counts = assert(helpers.read_file(stack.state_dir .. "/data/counts.tsv"))
    local want = tonumber(counts:match(LOG_INDEX:gsub("%p", "%%%0") .. "\t(%d+)"))
    assert.equal(want, select(2, out:gsub("\n", "")))
    assert.equal(0, count(lines, "^REJECT"), table.concat(lines, "\n"))
    local version = core.json.decode(assert(core.http.request{ url = stack.opensearch .. "/" }).body).version.number
    if version:match("^1%.") then       -- no point in time: search_after on the pattern itself
      assert.equal(0, count(lines, "point_in_time"))
      assert.is_true(count(lines, "^OK POST /" .. lua_pattern(LOG_PATTERN) .. "/_search signed=") >= 6)
    else
      assert.equal(1, count(lines, "^OK POST /" .. lua_pattern(LOG_PATTERN) .. "/_search/point_in_time%?keep_alive="))
      assert.is_true(count(lines, "^OK POST /_search signed=.*x%-amz%-security%-token") >= 6, table.concat(lines, "\n"))
      assert.equal(1, count(lines, "^OK DELETE /_search/point_in_time"))
    end
    assert.equal(1, count(lines, "^OK GET /" .. lua_pattern(LOG_PATTERN) .. "/_mapping"))
    assert.equal(#lines, count(lines, SIGNED), table.concat(lines, "\n"))
    assert_no_secret(out, err)
  end)

  it("a wrong secret key: the verifier refuses (403), exit 6 in one line, no key printed", function()
    local lines, out, err, status = verified(secure.TINKR_SIGV4_OS_LOG, function()
      return helpers.tinkr({ "logs", "--since", "1h", "--limit", "2" },
        { env = aws_env{ AWS_SECRET_ACCESS_KEY = "wrong-secret-value" } })
    end)
    assert.equal(6, status, err)
    assert.equal(1, select(2, err:gsub("\n", "")), err)
    assert.matches("REJECT signature mismatch", lines[1])
    assert.is_nil((out .. err):find("wrong-secret-value", 1, true))
  end)

  it("without the session token of temporary credentials: refused, exit 6", function()
    local lines, _, err, status = verified(secure.TINKR_SIGV4_OS_LOG, function()
      return helpers.tinkr({ "logs", "--since", "1h", "--limit", "2" }, { env = aws_env{ AWS_SESSION_TOKEN = false } })
    end)
    assert.equal(6, status, err)
    assert.matches("REJECT missing or wrong session token", lines[1])
  end)

  it("takes credentials from the shared credentials file", function()
    local home = os.tmpname()
    os.remove(home)
    assert(os.execute("mkdir -p " .. helpers.shell_quote(home .. "/.aws")))
    local f = assert(io.open(home .. "/.aws/credentials", "w"))
    f:write(("[other]\naws_access_key_id = nope\naws_secret_access_key = nope\n[tinkr]\naws_access_key_id = %s\n"
      .. "aws_secret_access_key = %s\naws_session_token = %s\n"):format(secure.TINKR_SIGV4_KEY_ID,
      secure.TINKR_SIGV4_SECRET, secure.TINKR_SIGV4_TOKEN))
    f:close()
    local lines, out, err, status = verified(secure.TINKR_SIGV4_OS_LOG, function()
      return helpers.tinkr({ "logs", "--since", "1h", "--limit", "2", "--format", "ndjson" },
        { env = aws_env{ HOME = home, AWS_PROFILE = "tinkr", AWS_ACCESS_KEY_ID = false,
                         AWS_SECRET_ACCESS_KEY = false, AWS_SESSION_TOKEN = false } })
    end)
    os.execute("rm -rf " .. helpers.shell_quote(home))
    assert.equal(0, status, err)
    assert.equal(2, select(2, out:gsub("\n", "")))
    assert.is_true(count(lines, "^OK POST") >= 1)
    assert.equal(0, count(lines, "^REJECT"))
  end)

  it("a plain wildcard pattern (otel-logs-*)", function()
    local lines, out, err, status = verified(secure.TINKR_SIGV4_OS_LOG, function()
      return helpers.tinkr({ "logs", "--since", "24h", "--limit", "3", "--format", "ndjson" },
        { env = aws_env{ OTEL_LOG_INDEX = "otel-logs-*" } })
    end)
    assert.equal(0, status, err)
    assert.equal(3, select(2, out:gsub("\n", "")))
    assert.is_true(count(lines, "^OK POST /otel%-logs%-%*/_search signed=") >= 1, table.concat(lines, "\n"))
    assert.equal(0, count(lines, "^REJECT"))
  end)

  it("core.http's aws_sigv4: '*', ',' and an already encoded '%2A' in the path, a query with ':'", function()
    local base = secure.TINKR_SIGV4_OS_URL
    local function request(path)
      return core.http.request{ url = base .. path, aws_sigv4 = "aws:amz:" .. secure.TINKR_SIGV4_REGION .. ":es",
        username = secure.TINKR_SIGV4_KEY_ID, password = secure.TINKR_SIGV4_SECRET,
        headers = { ["X-Amz-Security-Token"] = secure.TINKR_SIGV4_TOKEN } }
    end
    local lines, a, b, c = verified(secure.TINKR_SIGV4_OS_LOG, function()
      return request("/otel-logs-2026.11.2*,otel-traces-*/_count"), request("/otel-logs-2026.11.2%2A/_count"),
        request("/" .. LOG_INDEX .. "/_count?q=severity_text:ERROR&ignore_unavailable=true")
    end)
    assert.equal(0, count(lines, "^REJECT"), table.concat(lines, "\n"))
    assert.equal(3, count(lines, "^OK GET "))
    -- the query goes out in its canonical encoding, so botocore (which signs
    -- it as sent) and AWS (which decodes it first) agree
    assert.equal(1, count(lines, "^OK GET /" .. lua_pattern(LOG_INDEX) .. "/_count%?q=severity_text%%3AERROR&ignore_unavailable=true "))
    assert.equal(200, a.status, a.body)
    local counts = assert(helpers.read_file(stack.state_dir .. "/data/counts.tsv"))
    local logs = tonumber(counts:match(lua_pattern(LOG_INDEX) .. "\t(%d+)"))
    local traces = tonumber(counts:match("otel%-traces%-2026%.11%.26\t(%d+)"))
    assert.equal(logs + traces, core.json.decode(a.body).count)
    assert.equal(200, b.status, b.body)
    assert.equal(logs, core.json.decode(b.body).count)
    assert.equal(200, c.status, c.body)
  end)

  it("(the old signer) curl 7.88's own SigV4 over a path holding '*' is refused", function()
    local lines, code = verified(secure.TINKR_SIGV4_OS_LOG, function()
      return curl_signed(secure.TINKR_SIGV4_OS_URL .. "/otel-logs-*/_count", "es")
    end)
    assert.equal("403", code)
    assert.matches("REJECT signature mismatch", lines[1])
    assert.matches("/otel%-logs%-%%2A/_count", lines[1])
  end)
end)

describe("SigV4 to OpenSearch Serverless (service aoss) through the botocore verifier", function()
  it("every request carries a signed x-amz-content-sha256: a search over a pattern and a point-in-time export", function()
    local lines, out, err, status = verified(secure.TINKR_SIGV4_AOSS_LOG, function()
      return helpers.tinkr({ "logs", "--since", "24h", "--limit", "12000", "--format", "ndjson", "--verbose" },
        { env = aws_env{ OTEL_OPENSEARCH_URL = secure.TINKR_SIGV4_AOSS_URL, TINKR_OPENSEARCH_AWS_SERVICE = "aoss",
                         OTEL_LOG_INDEX = LOG_PATTERN } })
    end)
    assert.equal(0, status, err)
    assert.equal(12000, select(2, out:gsub("\n", "")))
    assert.equal(0, count(lines, "^REJECT"), table.concat(lines, "\n"))
    assert.is_true(#lines >= 3)
    assert.equal(#lines, count(lines, SIGNED), table.concat(lines, "\n"))
    assert_no_secret(out, err)
  end)

  it("refuses a request without the content hash (curl 7.88's signer adds none), exit 403", function()
    local lines, code = verified(secure.TINKR_SIGV4_AOSS_LOG, function()
      return curl_signed(secure.TINKR_SIGV4_AOSS_URL .. "/" .. LOG_INDEX .. "/_count", "aoss")
    end)
    assert.equal("403", code)
    assert.matches("REJECT x%-amz%-content%-sha256 is missing", lines[1])
  end)

  it("a hand-signed request: the body's hash passes, another hash is refused", function()
    local path, body = "/" .. LOG_INDEX .. "/_search", '{"size":0,"track_total_hits":true}'
    local lines, good, bad = verified(secure.TINKR_SIGV4_AOSS_LOG, function()
      return hand_signed(secure.TINKR_SIGV4_AOSS_URL, "aoss", "POST", path, body),
        hand_signed(secure.TINKR_SIGV4_AOSS_URL, "aoss", "POST", path, body, ("0"):rep(64))
    end)
    assert.equal(200, good.status, good.body)
    assert.matches("^OK POST ", lines[1])
    assert.equal(403, bad.status)
    assert.matches("REJECT x%-amz%-content%-sha256 is not the body's hash", lines[2])
  end)
end)

describe("SigV4 to Prometheus (service aps) through the botocore verifier", function()
  it("signs GETs with query strings: range queries, instant queries, recipes", function()
    local lines, out, err, status = verified(secure.TINKR_SIGV4_PROM_LOG, function()
      return helpers.tinkr({ "metrics", "--recipe", "http_request_rate", "--service", "payments-api",
        "--instant", "--format", "json" }, { env = aws_env() })
    end)
    assert.equal(0, status, err)
    assert.matches('"value":', out)
    assert.equal(1, count(lines, "^OK GET /api/v1/query%?query=.*&time="), table.concat(lines, "\n"))
    lines, out, err, status = verified(secure.TINKR_SIGV4_PROM_LOG, function()
      return helpers.tinkr({ "metrics", "sum(rate(http_server_request_duration_seconds_count[5m]))",
        "--since", "1h", "--step", "60s", "--format", "json" }, { env = aws_env() })
    end)
    assert.equal(0, status, err)
    -- sorted parameters: the canonical query string AWS computes
    assert.equal(1, count(lines, "^OK GET /api/v1/query_range%?end=%d+&query=.*&start=%d+&step=60 "), table.concat(lines, "\n"))
    assert.equal(0, count(lines, "^REJECT"))
    assert_no_secret(out, err)
  end)

  it("core.http's signer sorts the query itself: parameters sent unsorted, encoded braces and quotes", function()
    local lines, res = verified(secure.TINKR_SIGV4_PROM_LOG, function()
      return core.http.request{ url = secure.TINKR_SIGV4_PROM_URL .. "/api/v1/query?time=" .. os.time()
          .. "&query=count%28up%7Bjob%21%3D%22none%22%7D%29",
        aws_sigv4 = "aws:amz:" .. secure.TINKR_SIGV4_REGION .. ":aps",
        username = secure.TINKR_SIGV4_KEY_ID, password = secure.TINKR_SIGV4_SECRET,
        headers = { ["X-Amz-Security-Token"] = secure.TINKR_SIGV4_TOKEN } }
    end)
    assert.equal(200, res.status, res.body)
    assert.matches("^OK GET /api/v1/query%?time=%d+&query=", lines[1])
  end)

  it("signs a long query sent as a POST form", function()
    local expr = "vector(1)" .. (" + vector(0)"):rep(200)
    local lines, out, err, status = verified(secure.TINKR_SIGV4_PROM_LOG, function()
      return helpers.tinkr({ "metrics", expr, "--instant", "--format", "json" }, { env = aws_env() })
    end)
    assert.equal(0, status, err)
    assert.matches('"value":1', out)
    assert.equal(1, count(lines, "^OK POST /api/v1/query signed="), table.concat(lines, "\n"))
  end)

  it("a wrong region: refused, exit 6", function()
    local lines, _, err, status = verified(secure.TINKR_SIGV4_PROM_LOG, function()
      return helpers.tinkr({ "metrics", "vector(1)", "--instant" }, { env = aws_env{ AWS_REGION = "us-east-2" } })
    end)
    assert.equal(6, status, err)
    assert.matches("REJECT wrong credential scope", lines[1])
  end)
end)
