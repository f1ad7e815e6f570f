-- bin/tinkr through TLS and authentication, against real servers started by
-- scripts/secure-stack: Prometheus's own web config (TLS + bcrypt basic
-- auth), nginx in front of OpenSearch (basic auth, client certificates, an
-- expired certificate, a wrong host name) and in front of Prometheus (a
-- bearer token; a Mimir-like /prometheus prefix wanting X-Scope-OrgID),
-- and node lists with a dead node.  Every failure is one line with the
-- README's exit code (TLS 10, auth 6, connect 4) and no credential is ever
-- printed, --verbose included.
local helpers = require "helpers"
local secure = require("support.secure_stack").get()
local stack = secure.stack

local PKI = secure.TINKR_TEST_PKI
local CA = PKI .. "/ca.pem"

local function run(args, env)
  local e = { TINKR_NOW = stack.now, XDG_CONFIG_HOME = "/nonexistent", COLUMNS = "120",
              OTEL_OPENSEARCH_URL = stack.opensearch, OTEL_PROMETHEUS_URL = stack.prometheus }
  for k, v in pairs(env or {}) do e[k] = v end
  return helpers.tinkr(args, { env = e })
end

local function logs(env) return run({ "logs", "--since", "1h", "--limit", "3", "--format", "ndjson", "--verbose" }, env) end
local function instant(expr, env) return run({ "metrics", expr, "--instant", "--format", "json", "--verbose" }, env) end

-- One line on stderr, no secret anywhere.
local function assert_failure(status, want, out, err, secrets)
  assert.equal(want, status, err)
  assert.equal(1, select(2, err:gsub("\n", "")), "one line: " .. err)
  for _, s in ipairs(secrets or {}) do
    assert.is_nil((out .. err):find(s, 1, true), "leaked a credential: " .. err)
  end
end

local function assert_clean(out, err, secrets)
  for _, s in ipairs(secrets) do
    assert.is_nil((out .. err):find(s, 1, true), "leaked a credential")
  end
end

local function url_with(userinfo, url)
  return (url:gsub("^(https?://)", function(scheme) return scheme .. userinfo .. "@" end))
end

local function pct(s)
  return (s:gsub("[^%w%-%._~]", function(c) return ("%%%02X"):format(c:byte()) end))
end

describe("Prometheus with its own TLS + basic auth web config", function()
  local user, pw = secure.TINKR_TLS_PROM_USER, secure.TINKR_TLS_PROM_PASSWORD

  it("answers with the CA file and the user/password from a profile (password via env:)", function()
    local conf = helpers.write_temp(([[
[profiles.tls]
prometheus_url = "%s"
prometheus_ca_file = "%s"
prometheus_user = "%s"
prometheus_password = "env:PROM_PW"
]]):format(secure.TINKR_TLS_PROM_URL, CA, user), ".toml")
    local out, err, status = run({ "metrics", "vector(7)", "--instant", "--format", "json", "--verbose",
      "--profile", "tls", "--config", conf }, { PROM_PW = pw })
    os.remove(conf)
    assert.equal(0, status, err)
    assert.matches('"value":7', out)
    assert.matches("https://127.0.0.1:%d+/api/v1/query", err)
    assert_clean(out, err, { pw })
  end)

  it("takes the user:password from the URL", function()
    local out, err, status = instant("vector(8)", { TINKR_CA_FILE = CA,
      OTEL_PROMETHEUS_URL = url_with(user .. ":" .. pct(pw), secure.TINKR_TLS_PROM_URL) })
    assert.equal(0, status, err)
    assert.matches('"value":8', out)
    assert_clean(out, err, { pw })
  end)

  it("wrong password: exit 6, one line", function()
    local out, err, status = instant("vector(1)", { TINKR_CA_FILE = CA, TINKR_PROMETHEUS_USER = user,
      TINKR_PROMETHEUS_PASSWORD = "not-the-password", OTEL_PROMETHEUS_URL = secure.TINKR_TLS_PROM_URL })
    assert_failure(status, 6, out, err, { "not-the-password" })
    assert.matches("401", err)
  end)

  it("no password at all: exit 6", function()
    local out, err, status = instant("vector(1)", { TINKR_CA_FILE = CA, OTEL_PROMETHEUS_URL = secure.TINKR_TLS_PROM_URL })
    assert_failure(status, 6, out, err)
  end)

  it("a CA that did not sign the server's certificate: exit 10, one line", function()
    local out, err, status = instant("vector(1)", { TINKR_CA_FILE = PKI .. "/other-ca.pem",
      OTEL_PROMETHEUS_URL = secure.TINKR_TLS_PROM_URL, TINKR_PROMETHEUS_USER = user, TINKR_PROMETHEUS_PASSWORD = pw })
    assert_failure(status, 10, out, err, { pw })
    assert.matches("not trusted", err)
  end)

  it("the system CA store (no CA file) does not trust a private CA: exit 10", function()
    local out, err, status = instant("vector(1)", { OTEL_PROMETHEUS_URL = secure.TINKR_TLS_PROM_URL })
    assert_failure(status, 10, out, err)
  end)
end)

describe("nginx with basic auth in front of OpenSearch", function()
  local user, pw = secure.TINKR_TLS_OS_USER, secure.TINKR_TLS_OS_PASSWORD

  it("returns logs with user/password from the environment", function()
    local out, err, status = logs{ TINKR_CA_FILE = CA, OTEL_OPENSEARCH_URL = secure.TINKR_TLS_OS_BASIC_URL,
      TINKR_OPENSEARCH_USER = user, TINKR_OPENSEARCH_PASSWORD = pw }
    assert.equal(0, status, err)
    assert.equal(3, select(2, out:gsub("\n", "")))
    assert_clean(out, err, { pw })
  end)

  it("returns logs with a percent-encoded password in the URL (':' and '@' inside)", function()
    local out, err, status = logs{ TINKR_CA_FILE = CA,
      OTEL_OPENSEARCH_URL = url_with(user .. ":" .. pct(pw), secure.TINKR_TLS_OS_BASIC_URL) }
    assert.equal(0, status, err)
    assert.equal(3, select(2, out:gsub("\n", "")))
    assert_clean(out, err, { pw, pct(pw) })
  end)

  it("wrong password: exit 6, one line, the password nowhere", function()
    local out, err, status = logs{ TINKR_CA_FILE = CA, OTEL_OPENSEARCH_URL = secure.TINKR_TLS_OS_BASIC_URL,
      TINKR_OPENSEARCH_USER = user, TINKR_OPENSEARCH_PASSWORD = "wrong-pass-42" }
    assert_failure(status, 6, out, err, { "wrong-pass-42" })
  end)
end)

describe("nginx verifying client certificates (mTLS) in front of OpenSearch", function()
  it("answers a client certificate its CA signed", function()
    local out, err, status = logs{ TINKR_CA_FILE = CA, OTEL_OPENSEARCH_URL = secure.TINKR_TLS_OS_MTLS_URL,
      TINKR_OPENSEARCH_CLIENT_CERT = PKI .. "/client.pem", TINKR_OPENSEARCH_CLIENT_KEY = PKI .. "/client.key" }
    assert.equal(0, status, err)
    assert.equal(3, select(2, out:gsub("\n", "")))
    assert.equal("", err:match("warning") or "", "a 0600 key gets no warning")
  end)

  for _, case in ipairs{
    { "no client certificate", {} , "none was sent" },
    { "a certificate from another CA", { cert = "client-other" }, "not accepted" },
    { "an expired client certificate", { cert = "client-expired" }, "not accepted" },
  } do
    it(case[1] .. ": exit 10, one line", function()
      local env = { TINKR_CA_FILE = CA, OTEL_OPENSEARCH_URL = secure.TINKR_TLS_OS_MTLS_URL }
      if case[2].cert then
        env.TINKR_CLIENT_CERT = PKI .. "/" .. case[2].cert .. ".pem"
        env.TINKR_CLIENT_KEY = PKI .. "/" .. case[2].cert .. ".key"
      end
      local out, err, status = logs(env)
      assert_failure(status, 10, out, err)
      assert.matches(case[3], err, 1, true)
    end)
  end

  it("a key file others can read works, with a warning that says how to fix it", function()
    local key = os.tmpname()
    assert(os.execute(("cp %s %s && chmod 644 %s"):format(helpers.shell_quote(PKI .. "/client.key"),
      helpers.shell_quote(key), helpers.shell_quote(key))))
    local out, err, status = logs{ TINKR_CA_FILE = CA, OTEL_OPENSEARCH_URL = secure.TINKR_TLS_OS_MTLS_URL,
      TINKR_CLIENT_CERT = PKI .. "/client.pem", TINKR_CLIENT_KEY = key }
    os.remove(key)
    assert.equal(0, status, err)
    assert.matches("warning: client key " .. key:gsub("%p", "%%%0") .. " can be read by other users", err)
    assert.equal(3, select(2, out:gsub("\n", "")))
  end)

  it("a client key that is not a key: exit 10, naming the files", function()
    local key = os.tmpname()       -- private, so no permission warning
    assert(os.execute(("cp %s %s && chmod 600 %s"):format(helpers.shell_quote(CA), helpers.shell_quote(key),
      helpers.shell_quote(key))))
    local out, err, status = logs{ TINKR_CA_FILE = CA, OTEL_OPENSEARCH_URL = secure.TINKR_TLS_OS_MTLS_URL,
      TINKR_CLIENT_CERT = PKI .. "/client.pem", TINKR_CLIENT_KEY = key }
    os.remove(key)
    assert_failure(status, 10, out, err)
    assert.matches("could not use client certificate", err)
    assert.is_nil(err:find("check the CA file", 1, true), "no hint about the wrong file")
  end)
end)

describe("server certificates tinkr must refuse", function()
  it("an expired certificate: exit 10, says it expired", function()
    local out, err, status = logs{ TINKR_CA_FILE = CA, OTEL_OPENSEARCH_URL = secure.TINKR_TLS_OS_EXPIRED_URL }
    assert_failure(status, 10, out, err)
    assert.matches("expired", err)
  end)

  it("a certificate for another host name: exit 10, names the host", function()
    local out, err, status = logs{ TINKR_CA_FILE = CA, OTEL_OPENSEARCH_URL = secure.TINKR_TLS_OS_WRONGHOST_URL }
    assert_failure(status, 10, out, err)
    assert.matches("127.0.0.1", err)
  end)

  it("https to a plain-HTTP OpenSearch port: exit 10", function()
    local out, err, status = logs{ OTEL_OPENSEARCH_URL = stack.opensearch:gsub("^http:", "https:") }
    assert_failure(status, 10, out, err)
  end)
end)

describe("a bearer token, and a Mimir-like path prefix with a tenant header (nginx → Prometheus)", function()
  local token = secure.TINKR_TLS_BEARER_TOKEN

  it("sends prometheus_bearer_token as Authorization: Bearer", function()
    local out, err, status = instant("vector(5)", { TINKR_CA_FILE = CA,
      OTEL_PROMETHEUS_URL = secure.TINKR_TLS_PROM_BEARER_URL, TINKR_PROMETHEUS_BEARER_TOKEN = token })
    assert.equal(0, status, err)
    assert.matches('"value":5', out)
    assert_clean(out, err, { token })
  end)

  it("a wrong token: exit 6, the token nowhere", function()
    local out, err, status = instant("vector(5)", { TINKR_CA_FILE = CA,
      OTEL_PROMETHEUS_URL = secure.TINKR_TLS_PROM_BEARER_URL, TINKR_PROMETHEUS_BEARER_TOKEN = "stale-token-9" })
    assert_failure(status, 6, out, err, { "stale-token-9" })
  end)

  it("runs a recipe under /prometheus with X-Scope-OrgID from a profile", function()
    local conf = helpers.write_temp(([[
[profiles.mimir]
prometheus_url = "%s"
[profiles.mimir.prometheus_headers]
X-Scope-OrgID = "%s"
]]):format(secure.TINKR_TENANT_PROM_URL, secure.TINKR_TENANT), ".toml")
    local out, err, status = run({ "metrics", "--recipe", "http_request_rate", "--service", "payments-api",
      "--instant", "--format", "json", "--verbose", "--profile", "mimir", "--config", conf })
    os.remove(conf)
    assert.equal(0, status, err)
    assert.matches("/prometheus/api/v1/query", err, 1, true)
    assert.matches('"value":', out)
  end)

  it("without the tenant header the store refuses: exit 6", function()
    local out, err, status = instant("vector(1)", { OTEL_PROMETHEUS_URL = secure.TINKR_TENANT_PROM_URL })
    assert_failure(status, 6, out, err)
  end)
end)

describe("a node list in OTEL_OPENSEARCH_URL", function()
  local function dead_port()
    local out = helpers.run([[python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])']])
    return out:match("%d+")
  end

  it("skips a dead node and answers from the next, saying which node answered", function()
    local dead = "http://127.0.0.1:" .. dead_port()
    local out, err, status = logs{ OTEL_OPENSEARCH_URL = dead .. "," .. stack.opensearch }
    assert.equal(0, status, err)
    assert.equal(3, select(2, out:gsub("\n", "")))
    assert.matches("> POST " .. stack.opensearch:gsub("%p", "%%%0") .. "/", err)
    assert.is_nil(err:find("> POST " .. dead, 1, true))
  end)

  it("every node dead: exit 4, one line", function()
    local a, b = "http://127.0.0.1:" .. dead_port(), "http://127.0.0.1:" .. dead_port()
    local out, err, status = run({ "logs", "--since", "1h", "--limit", "3" }, { OTEL_OPENSEARCH_URL = a .. "," .. b })
    assert_failure(status, 4, out, err)
    assert.matches("connection refused", err)
  end)
end)
