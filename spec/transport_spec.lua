-- tinkr.transport and tinkr.nodes without servers: which options a
-- configuration turns into, node order and backoff, which requests may be
-- retried, and that no credential reaches a message.
local config = require "tinkr.config"
local nodes = require "tinkr.nodes"
local opensearch = require "tinkr.opensearch"
local transport = require "tinkr.transport"
local helpers = require "helpers"

local function cfg(settings, env)
  env = env or {}
  return config.new{ profile = settings, profile_name = "t", getenv = function(k) return env[k] end }
end

local function options(backend, settings, env)
  return transport.options(cfg(settings, env), backend)
end

describe("tinkr.nodes", function()
  local now
  local function clock() return now end
  before_each(function() now = 100 end)

  it("keeps asking the node that answered, and skips a failed one until its backoff ends", function()
    local n = nodes.new({ "a", "b", "c" }, clock)
    assert.same({ 1, 2, 3 }, n:order())
    n:failed(1)
    assert.same({ 2, 3, 1 }, n:order())          -- resting nodes last
    n:succeeded(2)
    assert.same({ 2, 3, 1 }, n:order())
    now = now + nodes.FIRST_BACKOFF_S
    assert.same({ 2, 3, 1 }, n:order())          -- node 1 is back, after the current one
    n:failed(2)
    assert.same({ 3, 1, 2 }, n:order())
  end)

  it("doubles the backoff per failure in a row, up to the maximum, and forgets it on success", function()
    local n = nodes.new({ "a", "b" }, clock)
    for _ = 1, 3 do n:failed(1) end
    assert.equal(100 + 4 * nodes.FIRST_BACKOFF_S, n.resting_until[1])
    for _ = 1, 20 do n:failed(1) end
    assert.equal(100 + nodes.MAX_BACKOFF_S, n.resting_until[1])
    n:succeeded(1)
    assert.is_nil(n.resting_until[1])
    assert.same({ 1, 2 }, n:order())
  end)

  it("still tries every node when all rest, the one back soonest first", function()
    local n = nodes.new({ "a", "b", "c" }, clock)
    n:failed(2); n:failed(2)                       -- rests 2 s
    n:failed(3)                                    -- rests 1 s
    n:failed(1); n:failed(1); n:failed(1)          -- rests 4 s
    assert.same({ 3, 2, 1 }, n:order())
  end)
end)

describe("opensearch.retry_safe", function()
  it("retries reads on another node, never PIT creation or deletion once sent", function()
    assert.is_true(opensearch.retry_safe("POST", "/otel-logs-*/_search"))
    assert.is_true(opensearch.retry_safe("POST", "/_search"))
    assert.is_true(opensearch.retry_safe("POST", "/a,b/_count"))
    assert.is_true(opensearch.retry_safe("GET", "/otel-logs-*/_mapping"))
    assert.is_true(opensearch.retry_safe("GET", "/"))
    assert.is_false(opensearch.retry_safe("POST", "/otel-logs-*/_search/point_in_time?keep_alive=2m"))
    assert.is_false(opensearch.retry_safe("DELETE", "/_search/point_in_time"))
    assert.is_false(opensearch.retry_safe("PUT", "/index/_doc/1"))
    assert.is_false(opensearch.retry_safe("POST", "/_bulk"))
  end)
end)

describe("tinkr.transport.options", function()
  it("splits a comma-separated node list and trims slashes and blanks", function()
    local o = assert(options("opensearch", { opensearch_url = " http://a:9200/, https://b:9200 ,http://c:9200" }))
    assert.same({ "http://a:9200", "https://b:9200", "http://c:9200" }, o.urls)
  end)

  it("names the variable and hides credentials when a node URL is bad", function()
    local _, err = options("opensearch", { opensearch_url = "http://a:9200,ftp://user:hunter2@b" })
    assert.equal("config", err.code)
    assert.matches("OTEL_OPENSEARCH_URL must start with http:// or https://", err.message, 1, true)
    assert.is_nil(err.message:find("hunter2", 1, true))
  end)

  it("takes one Prometheus URL, with a path prefix kept as is", function()
    local o = assert(options("prometheus", { prometheus_url = "http://mimir:8080/prometheus/" }))
    assert.same({ "http://mimir:8080/prometheus" }, o.urls)
    local _, err = options("prometheus", { prometheus_url = "http://a:9090,http://b:9090" })
    assert.matches("takes one URL", err.message)
  end)

  it("adds per-backend headers from a profile table or the environment form", function()
    local o = assert(options("prometheus", { prometheus_url = "http://m/prometheus",
      prometheus_headers = { ["X-Scope-OrgID"] = "team-a" } }))
    assert.equal("team-a", o.headers["X-Scope-OrgID"])
    o = assert(options("prometheus", { prometheus_url = "http://m" },
      { TINKR_PROMETHEUS_HEADERS = "X-Scope-OrgID: team-b; X-Extra:  two words " }))
    assert.same({ ["X-Scope-OrgID"] = "team-b", ["X-Extra"] = "two words" }, o.headers)
    local _, err = options("prometheus", { prometheus_url = "http://m" }, { TINKR_PROMETHEUS_HEADERS = "no colon here" })
    assert.equal("config", err.code)
  end)

  it("prefers the backend's own TLS files over the shared ones", function()
    local o = assert(options("opensearch", { opensearch_url = "https://a", ca_file = "/shared.pem",
      opensearch_ca_file = "/os.pem", client_cert = "/c.pem", client_key = "/nonexistent/c.key" }))
    assert.equal("/os.pem", o.cafile)
    assert.equal("/c.pem", o.client_cert)
    assert.equal("/nonexistent/c.key", o.client_key)
    local p = assert(options("prometheus", { prometheus_url = "https://p", ca_file = "/shared.pem" }))
    assert.equal("/shared.pem", p.cafile)
    local _, err = options("opensearch", { opensearch_url = "https://a", opensearch_client_key = "/k" })
    assert.matches("client_key is set without a client certificate", err.message)
  end)

  it("turns user/password, a bearer token or an API key into one Authorization", function()
    local o = assert(options("opensearch", { opensearch_url = "https://a", opensearch_user = "u",
      opensearch_password = "p" }))
    assert.equal("u", o.username)
    assert.equal("p", o.password)
    assert.equal("basic", o.auth)
    o = assert(options("prometheus", { prometheus_url = "https://p" }, { TINKR_PROMETHEUS_BEARER_TOKEN = "tok" }))
    assert.equal("Bearer tok", o.headers.Authorization)
    o = assert(options("opensearch", { opensearch_url = "https://a" }, { OTEL_OPENSEARCH_API_KEY = "k1" }))
    assert.equal("ApiKey k1", o.headers.Authorization)
  end)

  it("refuses two ways to authenticate, naming them but not their values", function()
    local _, err = options("opensearch", { opensearch_url = "https://u:secret-pw@a", opensearch_bearer_token = "tok-secret" })
    assert.equal("config", err.code)
    assert.matches("more than one way to authenticate", err.message)
    assert.matches("opensearch_bearer_token", err.message)
    assert.is_nil(err.message:find("secret", 1, true))
    _, err = options("opensearch", { opensearch_url = "https://a", opensearch_password = "pw" })
    assert.matches("opensearch_password is set without opensearch_user", err.message)
    _, err = options("opensearch", { opensearch_url = "https://a", auth = "kerberos" })
    assert.matches('use "sigv4"', err.message)
  end)

  it("refuses a credential with a line break (header injection)", function()
    local _, err = options("prometheus", { prometheus_url = "https://p" }, { TINKR_PROMETHEUS_BEARER_TOKEN = "a\r\nX-Evil: 1" })
    assert.equal("config", err.code)
    assert.is_nil(err.message:find("Evil", 1, true))
  end)

  describe("auth = sigv4", function()
    local aws = { AWS_ACCESS_KEY_ID = "AKID1", AWS_SECRET_ACCESS_KEY = "s3cr3t", AWS_REGION = "eu-west-1" }

    it("signs with curl's SigV4 for region and service, credentials from the environment", function()
      local o = assert(options("opensearch", { opensearch_url = "https://a", auth = "sigv4" }, aws))
      assert.equal("aws:amz:eu-west-1:es", o.aws_sigv4)
      assert.equal("AKID1", o.username)
      assert.equal("s3cr3t", o.password)
      assert.is_nil(o.headers["X-Amz-Security-Token"])
      local p = assert(options("prometheus", { prometheus_url = "https://aps", auth = "sigv4" },
        { AWS_ACCESS_KEY_ID = "AKID1", AWS_SECRET_ACCESS_KEY = "s", AWS_DEFAULT_REGION = "us-east-1",
          AWS_SESSION_TOKEN = "tok" }))
      assert.equal("aws:amz:us-east-1:aps", p.aws_sigv4)
      assert.equal("tok", p.headers["X-Amz-Security-Token"])
      o = assert(options("opensearch", { opensearch_url = "https://a", auth = "sigv4", opensearch_aws_service = "aoss" }, aws))
      assert.equal("aws:amz:eu-west-1:aoss", o.aws_sigv4)
    end)

    it("reads the shared credentials file, section AWS_PROFILE", function()
      local path = helpers.write_temp("[default]\naws_access_key_id = D\naws_secret_access_key = DS\n\n"
        .. "[ops]\naws_access_key_id=OPS\naws_secret_access_key=OPSS\naws_session_token = OPST\n")
      local env = { AWS_SHARED_CREDENTIALS_FILE = path, AWS_PROFILE = "ops", AWS_REGION = "eu-west-1" }
      local o = assert(options("opensearch", { opensearch_url = "https://a", auth = "sigv4" }, env))
      assert.equal("OPS", o.username)
      assert.equal("OPSS", o.password)
      assert.equal("OPST", o.headers["X-Amz-Security-Token"])
      env.AWS_PROFILE = nil
      o = assert(options("opensearch", { opensearch_url = "https://a", auth = "sigv4" }, env))
      assert.equal("D", o.username)
      os.remove(path)
    end)

    it("says what is missing: region, credentials, a known service", function()
      local _, err = options("opensearch", { opensearch_url = "https://a", auth = "sigv4" },
        { AWS_ACCESS_KEY_ID = "A", AWS_SECRET_ACCESS_KEY = "S" })
      assert.matches("needs a region", err.message)
      _, err = options("opensearch", { opensearch_url = "https://a", auth = "sigv4" },
        { AWS_REGION = "eu-west-1", HOME = "/nonexistent" })
      assert.matches("needs AWS credentials", err.message)
      _, err = options("prometheus", { prometheus_url = "https://a", auth = "sigv4", prometheus_aws_service = "es" }, aws)
      assert.matches("use aps", err.message)
      _, err = options("opensearch", { opensearch_url = "https://a", auth = "sigv4", opensearch_user = "u" }, aws)
      assert.matches("more than one way", err.message)
    end)

    it("refuses AWS credentials holding a line break (they go into headers), without echoing them", function()
      for _, bad in ipairs{ { AWS_ACCESS_KEY_ID = "AKID\r\nX-Evil: 1" }, { AWS_SESSION_TOKEN = "tok\nen" } } do
        local env = { AWS_ACCESS_KEY_ID = "A", AWS_SECRET_ACCESS_KEY = "S", AWS_REGION = "eu-west-1" }
        for k, v in pairs(bad) do env[k] = v end
        local o, err = options("opensearch", { opensearch_url = "https://a", auth = "sigv4" }, env)
        assert.is_nil(o)
        assert.equal("config", err.code)
        assert.matches("AWS credential contains a line break", err.message)
        assert.is_nil(err.message:find("Evil", 1, true))
      end
    end)
  end)

  describe("a client key others can read", function()
    local warnings, saved
    before_each(function()
      warnings, saved = {}, transport.warn
      transport.warn = function(msg) warnings[#warnings + 1] = msg end
    end)
    after_each(function() transport.warn = saved end)

    it("gets a warning naming the file and the fix; a private one does not", function()
      local key = helpers.write_temp("not really a key\n")
      assert(os.execute("chmod 644 " .. helpers.shell_quote(key)))
      assert(options("opensearch", { opensearch_url = "https://a", client_cert = "/c.pem", client_key = key }))
      assert.equal(1, #warnings)
      assert.matches("can be read by other users", warnings[1], 1, true)
      assert.matches("chmod 600 " .. key, warnings[1], 1, true)
      assert(os.execute("chmod 600 " .. helpers.shell_quote(key)))
      assert(options("opensearch", { opensearch_url = "https://a", client_cert = "/c.pem", client_key = key }))
      assert.equal(1, #warnings)
      os.remove(key)
    end)
  end)
end)

describe("profiles.redact for the transport settings", function()
  local profiles = require "tinkr.profiles"
  it("redacts each URL of a node list on its own, and whole header tables", function()
    assert.equal("http://a:1,http://<redacted>@b:2",
      profiles.redact("opensearch_url", "http://a:1,http://u:pw@b:2"))
    assert.equal("<redacted>", profiles.redact("prometheus_headers", { ["X-Scope-OrgID"] = "t" }))
    assert.equal("<redacted>", profiles.redact("prometheus_password", "pw"))
    assert.equal("env:PW", profiles.redact("prometheus_password", "env:PW"))
  end)
end)
