-- Profiles: where the config file is, what a [profiles.NAME] table may
-- hold, which profile is selected, and which value wins (flag, profile,
-- environment, default).  The command line is in profiles_cli_spec.lua.
local helpers = require "helpers"
local profiles = require "tinkr.profiles"
local config = require "tinkr.config"

local SECRET = "tinkr-spec-secret-4f1c9a"

-- A getenv that sees only `vars`.
local function env(vars)
  return function(name) return vars[name] end
end

local function temp_config(text)
  return helpers.write_temp(text, ".toml")
end

-- Loads text as a --config file; returns what load returned.
local function load_text(text, vars)
  local path = temp_config(text)
  local file, err, where = profiles.load(path, env(vars or {}))
  os.remove(path)
  return file, err, where, path
end

-- The error for text, asserting there is one and that it is a config error.
local function load_error(text)
  local file, err, _, path = load_text(text)
  assert.is_nil(file)
  assert.is_table(err, "expected an error")
  assert.equal("config", err.code)
  assert.equal(3, require("tinkr.errors").exit_status(err))
  return err.message, path
end

local function temp_dir()
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p " .. helpers.shell_quote(dir .. "/tinkr")))
  return dir
end

local function remove_dir(dir)
  os.execute("rm -rf " .. helpers.shell_quote(dir))
end

local PRODUCT_EXAMPLE = [[
[profiles.otel-prod]
backend = "otel"
opensearch_url = "env:OTEL_OPENSEARCH_URL"
prometheus_url = "env:OTEL_PROMETHEUS_URL"
log_index = "otel-logs-*"
trace_index = "otel-traces-*"
]]

describe("profiles.path", function()
  it("takes --config first, then TINKR_CONFIG, then the XDG location", function()
    local vars = { TINKR_CONFIG = "/etc/tinkr.toml", XDG_CONFIG_HOME = "/x", HOME = "/home/u" }
    assert.same({ "/given.toml", "--config" }, { profiles.path("/given.toml", env(vars)) })
    assert.same({ "/etc/tinkr.toml", "TINKR_CONFIG" }, { profiles.path(nil, env(vars)) })
    vars.TINKR_CONFIG = nil
    assert.same({ "/x/tinkr/config.toml" }, { profiles.path(nil, env(vars)) })
    vars.XDG_CONFIG_HOME = nil
    assert.same({ "/home/u/.config/tinkr/config.toml" }, { profiles.path(nil, env(vars)) })
  end)

  it("treats empty values as unset, and has no default without XDG_CONFIG_HOME or HOME", function()
    local vars = { TINKR_CONFIG = "", XDG_CONFIG_HOME = "", HOME = "/home/u" }
    assert.same({ "/home/u/.config/tinkr/config.toml" }, { profiles.path("", env(vars)) })
    assert.same({}, { profiles.path(nil, env{}) })
  end)
end)

describe("profiles.load", function()
  it("reads the product document's profile as written", function()
    local file, err = load_text(PRODUCT_EXAMPLE)
    assert.is_nil(err)
    assert.same({ "otel-prod" }, file.names)
    assert.is_nil(file.default)
    assert.equal("--config", file.given_by)
    assert.same({
      backend = "otel",
      opensearch_url = "env:OTEL_OPENSEARCH_URL",
      prometheus_url = "env:OTEL_PROMETHEUS_URL",
      log_index = "otel-logs-*",
      trace_index = "otel-traces-*",
    }, file.profiles["otel-prod"])
  end)

  it("takes every setting of tinkr.config with its type", function()
    local file, err = load_text([[
default_profile = "full"
[profiles.full]
backend = "otel"
opensearch_url = "https://search.example:9200"
opensearch_api_key = "k"
prometheus_url = "http://prom.example:9090"
log_index = "logs-*"
trace_index = "traces-*"
layout = "ss4o"
timeout = 12.5
connect_timeout = 2
ca_file = "/etc/ssl/ca.pem"
insecure = true
now = "2026-11-26T12:00:00Z"
max_response = 1048576
mapping_cache_ttl = 0
client_cert = "/etc/tinkr/client.pem"
client_key = "/etc/tinkr/client.key"
auth = "sigv4"
aws_region = "eu-west-1"
aws_profile = "ops"
opensearch_headers = { "X-Tenant" = "a" }
opensearch_user = "reader"
opensearch_password = "env:OS_PASSWORD"
opensearch_bearer_token = "env:OS_TOKEN"
opensearch_ca_file = "/etc/ssl/os-ca.pem"
opensearch_client_cert = "/etc/tinkr/os.pem"
opensearch_client_key = "/etc/tinkr/os.key"
opensearch_auth = "none"
opensearch_aws_service = "aoss"
prometheus_headers = { "X-Scope-OrgID" = "team-a" }
prometheus_user = "reader"
prometheus_password = "env:PROM_PASSWORD"
prometheus_bearer_token = "env:PROM_TOKEN"
prometheus_ca_file = "/etc/ssl/prom-ca.pem"
prometheus_client_cert = "/etc/tinkr/prom.pem"
prometheus_client_key = "/etc/tinkr/prom.key"
prometheus_auth = "sigv4"
prometheus_aws_service = "aps"
]])
    assert.is_nil(err)
    local p = file.profiles.full
    for name in pairs(config.SETTINGS) do
      assert.is_not_nil(p[name], "the spec should cover setting " .. name)
    end
    assert.equal(12.5, p.timeout)
    assert.equal(2, p.connect_timeout)
    assert.equal(true, p.insecure)
    assert.equal("full", file.default)
  end)

  it("accepts env:VAR for settings of any type", function()
    local file, err = load_text([[
[profiles.e]
timeout = "env:MY_TIMEOUT"
insecure = "env:MY_INSECURE"
opensearch_api_key = "env:OS_KEY"
]])
    assert.is_nil(err)
    assert.same({ timeout = "env:MY_TIMEOUT", insecure = "env:MY_INSECURE", opensearch_api_key = "env:OS_KEY" },
      file.profiles.e)
  end)

  it("accepts a file without profiles, and dotted or quoted profile names", function()
    local file = assert(load_text("# nothing yet\n"))
    assert.same({}, file.names)
    file = assert(load_text('profiles.a.log_index = "a-*"\n[profiles."b c"]\nlog_index = "b-*"\n'))
    assert.same({ "a", "b c" }, file.names)
    assert.equal("b-*", file.profiles["b c"].log_index)
  end)

  it("is not an error when the default-location file does not exist", function()
    local dir = temp_dir()
    local file, err, path = profiles.load(nil, env{ XDG_CONFIG_HOME = dir })
    remove_dir(dir)
    assert.is_nil(file)
    assert.is_nil(err)
    assert.equal(dir .. "/tinkr/config.toml", path)
  end)

  it("reads the file at the default location", function()
    local dir = temp_dir()
    local f = assert(io.open(dir .. "/tinkr/config.toml", "wb"))
    f:write(PRODUCT_EXAMPLE)
    f:close()
    local file, err = profiles.load(nil, env{ XDG_CONFIG_HOME = dir })
    remove_dir(dir)
    assert.is_nil(err)
    assert.same({ "otel-prod" }, file.names)
    assert.is_nil(file.given_by)
  end)

  it("is an error when a file named by --config or TINKR_CONFIG does not exist", function()
    local missing = "/nonexistent/dir/tinkr.toml"
    local file, err = profiles.load(missing, env{})
    assert.is_nil(file)
    assert.equal("config", err.code)
    assert.equal("config file /nonexistent/dir/tinkr.toml does not exist (given by --config)", err.message)
    file, err = profiles.load(nil, env{ TINKR_CONFIG = missing })
    assert.is_nil(file)
    assert.equal("config file /nonexistent/dir/tinkr.toml does not exist (given by TINKR_CONFIG)", err.message)
  end)

  it("is an error when the file cannot be read", function()
    local dir = temp_dir()
    local file, err = profiles.load(dir, env{})
    remove_dir(dir)
    assert.is_nil(file)
    assert.matches("^cannot read config file .+: Is a directory", err.message)
  end)

  it("refuses a file too large to be a config file", function()
    local file, err = profiles.load("/dev/zero", env{})
    assert.is_nil(file)
    assert.matches("^config file /dev/zero is larger than %d+ bytes", err.message)
  end)

  it("reports TOML syntax errors with file:line:column", function()
    local msg, path = load_error('[profiles.a]\nlog_index = "a-*"\nlog_index = "b-*"\n')
    assert.equal(path .. ":3:1: duplicate key 'log_index' in [profiles.a] (first defined at line 2)", msg)
  end)

  it("rejects an unknown key, naming the key, the profile, the line and the known keys", function()
    local msg, path = load_error('[profiles.prod]\nbackend = "otel"\nopensearch_ulr = "http://h:9200"\n')
    local known = {}
    for name in pairs(config.SETTINGS) do known[#known + 1] = name end
    table.sort(known)
    assert.equal(path .. ":3: profile 'prod': unknown key 'opensearch_ulr' (did you mean 'opensearch_url'?); "
      .. "known keys: " .. table.concat(known, ", "), msg)
    assert.truthy(msg:find("opensearch_url, opensearch_user, prometheus_auth", 1, true))
  end)

  it("rejects a nested table inside a profile as an unknown key", function()
    local msg = load_error('[profiles.prod.tls]\nca_file = "x"\n')
    assert.matches("profile 'prod': unknown key 'tls'", msg, 1, true)
  end)

  it("rejects unknown top-level keys, so [profile.x] is not silently ignored", function()
    local msg, path = load_error('[profile.prod]\nbackend = "otel"\n')
    assert.equal(path .. ": unknown top-level key 'profile' (did you mean 'profiles'?); known: default_profile, "
      .. "profiles (profiles go in [profiles.NAME] tables)", msg)
  end)

  it("rejects values of the wrong type, without showing the value", function()
    local cases = {
      { 'timeout = "30"', "timeout must be a number (or \"env:VAR\"), got a string" },
      { "insecure = 1", "insecure must be true or false (or \"env:VAR\"), got an integer" },
      { "opensearch_url = 9200", "opensearch_url must be a string (or \"env:VAR\"), got an integer" },
      { 'log_index = ["a-*", "b-*"]', "log_index must be a string (or \"env:VAR\"), got an array" },
      { "now = 2026-11-26T12:00:00Z", "now must be a string (or \"env:VAR\"), got a date-time" },
      { "layout = { name = \"ss4o\" }", "layout must be a string (or \"env:VAR\"), got a table" },
      { "connect_timeout = 0", "connect_timeout must be a positive number of seconds" },
      { "timeout = -inf", "timeout must be a positive number of seconds" },
      { "timeout = nan", "timeout must be a positive number of seconds" },
      { 'trace_index = ""', "trace_index is empty; leave it out to use the environment or the default" },
      { 'prometheus_url = "prometheus:9090"', "prometheus_url must start with http:// or https://, e.g. http://prometheus:9090" },
      { 'backend = "elastic"', "backend 'elastic' is not known; known backends: otel" },
      { 'opensearch_url = "env:"', "opensearch_url: \"env:\" must be followed by an environment variable name, e.g. \"env:OTEL_OPENSEARCH_URL\"" },
      { 'timeout = "env:1X"', "timeout: \"env:\" must be followed by an environment variable name, e.g. \"env:TINKR_TIMEOUT\"" },
    }
    for _, case in ipairs(cases) do
      local msg, path = load_error("[profiles.p]\n" .. case[1] .. "\n")
      assert.equal(path .. ":2: profile 'p': " .. case[2], msg)
    end
  end)

  it("rejects profiles that are not tables and a bad default_profile", function()
    local msg, path = load_error('profiles = "prod"\n')
    assert.equal(path .. ": profiles must be a table, got a string", msg)
    msg, path = load_error('profiles.prod = "x"\n')
    assert.equal(path .. ": profiles.prod must be a table ([profiles.prod]), got a string", msg)
    msg, path = load_error('[[profiles.prod]]\nlog_index = "x"\n')
    assert.equal(path .. ": profiles.prod must be a table ([profiles.prod]), got an array", msg)
    msg, path = load_error('default_profile = 1\n')
    assert.equal(path .. ": default_profile must be a string, got an integer", msg)
    msg, path = load_error('default_profile = "prd"\n[profiles.prod]\n[profiles.dev]\n')
    assert.equal(path .. ": default_profile is 'prd', but there is no [profiles.prd]; known profiles: dev, prod", msg)
  end)

  it("never puts a secret into an error message", function()
    local bad = {
      -- unquoted: the TOML parser quotes what it could not read
      "[profiles.p]\nopensearch_api_key = " .. SECRET .. "\n",
      "[profiles.p]\nopensearch_api_key = \"" .. SECRET .. "\" trailing\n",
      "[profiles.p]\nopensearch_api_key = '" .. SECRET .. "\n",
      "[profiles.p]\nopensearch_api_key = 1" .. SECRET .. "\n",
      "[profiles.p]\nopensearch_url = http://user:" .. SECRET .. "@h:9200\n",
      "[profiles.p]\nopensearch_api_key = [\"" .. SECRET .. "\"]\n",
      "[profiles.p]\nopensearch_api_key = \"" .. SECRET .. "\"\nopensearch_api_key = \"" .. SECRET .. "\"\n",
      "[profiles.p]\nopensearch_api_key = \"" .. SECRET .. "\"\nbogus = 1\n",
    }
    for _, text in ipairs(bad) do
      local msg = load_error(text)
      assert.is_nil(msg:find(SECRET, 1, true), msg)
      assert.is_nil(msg:find(SECRET:sub(4), 1, true), msg)
    end
    -- the parser's hint is kept, with the value replaced
    local msg = load_error("[profiles.p]\nopensearch_api_key = " .. SECRET .. "\n")
    assert.matches(":2:22: invalid value '<redacted>' (strings must be quoted: \"<redacted>\")", msg, 1, true)
  end)
end)

describe("profiles.select", function()
  local path
  before_each(function()
    path = temp_config([[
default_profile = "dev"
[profiles.dev]
opensearch_url = "http://127.0.0.1:9200"
[profiles.prod]
opensearch_url = "https://search.example:9200"
log_index = "prod-logs-*"
]])
  end)
  after_each(function() os.remove(path) end)

  it("returns the wanted profile and its name", function()
    local p, name = profiles.select("prod", path, env{})
    assert.equal("prod", name)
    assert.same({ opensearch_url = "https://search.example:9200", log_index = "prod-logs-*" }, p)
  end)

  it("falls back to default_profile when none is wanted", function()
    local p, name = profiles.select(nil, path, env{})
    assert.equal("dev", name)
    assert.same({ opensearch_url = "http://127.0.0.1:9200" }, p)
    assert.equal("dev", select(2, profiles.select("", path, env{})))
  end)

  it("gives a copy: changing it does not change the next selection", function()
    local p = profiles.select("prod", path, env{})
    p.log_index = "changed"
    assert.equal("prod-logs-*", profiles.select("prod", path, env{}).log_index)
  end)

  it("uses TINKR_CONFIG when no file is given", function()
    local _, name = profiles.select("prod", nil, env{ TINKR_CONFIG = path })
    assert.equal("prod", name)
  end)

  it("is an error for an unknown profile, listing the known ones", function()
    local p, err = profiles.select("staging", path, env{})
    assert.is_nil(p)
    assert.equal("config", err.code)
    assert.equal(path .. " has no profile 'staging'; known profiles: dev, prod", err.message)
  end)

  it("selects nothing when there is no file, or no default, and none is wanted", function()
    local dir = temp_dir()
    assert.same({ n = 2 }, table.pack(profiles.select(nil, nil, env{ XDG_CONFIG_HOME = dir })))
    local nodefault = temp_config('[profiles.a]\nlog_index = "a-*"\n')
    assert.same({ n = 2 }, table.pack(profiles.select(nil, nodefault, env{})))
    os.remove(nodefault)
    remove_dir(dir)
  end)

  it("is an error when a profile is wanted but there is no file", function()
    local dir = temp_dir()
    local p, err = profiles.select("prod", nil, env{ XDG_CONFIG_HOME = dir })
    remove_dir(dir)
    assert.is_nil(p)
    assert.equal(("profile 'prod' was asked for, but there is no config file: %s/tinkr/config.toml does not exist "
      .. "(create it, or use --config / TINKR_CONFIG)"):format(dir), err.message)
  end)

  it("passes on the file's errors", function()
    local p, err = profiles.select(nil, "/nonexistent/tinkr.toml", env{})
    assert.is_nil(p)
    assert.equal("config", err.code)
    assert.matches("/nonexistent/tinkr.toml does not exist", err.message, 1, true)
  end)

  it("raises on misuse", function()
    assert.has_error(function() profiles.select(42, path) end,
      "bad argument #1 to 'select' (string expected, got number)")
    assert.has_error(function() profiles.load({}) end,
      "bad argument #1 to 'load' (string expected, got table)")
  end)
end)

describe("profiles.redact", function()
  it("hides secrets and URL credentials, and keeps env:VAR references", function()
    assert.equal("<redacted>", profiles.redact("opensearch_api_key", SECRET))
    assert.equal("env:OS_KEY", profiles.redact("opensearch_api_key", "env:OS_KEY"))
    assert.equal("https://<redacted>@search:9200", profiles.redact("opensearch_url", "https://u:" .. SECRET .. "@search:9200"))
    assert.equal("https://<redacted>@search:9200/p", profiles.redact("opensearch_url", "https://u:p@ss/w@rd@search:9200/p"))
    assert.equal("http://prometheus:9090", profiles.redact("prometheus_url", "http://prometheus:9090"))
    assert.equal("otel-logs-*", profiles.redact("log_index", "otel-logs-*"))
    assert.equal(30, profiles.redact("timeout", 30))
  end)
end)

describe("precedence: flag, then profile, then environment, then default", function()
  local path
  before_each(function()
    path = temp_config([[
[profiles.prod]
log_index = "profile-logs-*"
layout = "ss4o"
opensearch_url = "env:PROD_OPENSEARCH_URL"
timeout = 7
]])
  end)
  after_each(function() os.remove(path) end)

  local function cfg_for(vars, overrides)
    local profile, name = assert(profiles.select("prod", path, env(vars)))
    return config.new{ profile = profile, profile_name = name, overrides = overrides or {}, getenv = env(vars) }
  end

  it("a flag beats a profile value", function()
    local cfg = cfg_for({ TINKR_LAYOUT = "dataprepper" }, { layout = "seed" })
    assert.same({ "seed", "flag" }, { cfg:lookup("layout") })
  end)

  it("a profile value beats the OTEL_* / TINKR_* environment variable", function()
    local cfg = cfg_for{ OTEL_LOG_INDEX = "env-logs-*", TINKR_LAYOUT = "dataprepper", TINKR_TIMEOUT = "99" }
    assert.same({ "profile-logs-*", "profile prod" }, { cfg:lookup("log_index") })
    assert.same({ "ss4o", "profile prod" }, { cfg:lookup("layout") })
    assert.equal(7, cfg:get("timeout"))
  end)

  it("an environment variable beats the default", function()
    local cfg = cfg_for{ OTEL_TRACE_INDEX = "env-traces-*", TINKR_CONNECT_TIMEOUT = "2.5" }
    assert.same({ "env-traces-*", "env OTEL_TRACE_INDEX" }, { cfg:lookup("trace_index") })
    assert.equal(2.5, cfg:get("connect_timeout"))
  end)

  it("the default applies when nothing else sets a value", function()
    local cfg = cfg_for{}
    assert.same({ "otel-traces-*", "default" }, { cfg:lookup("trace_index") })
    assert.same({ "otel", "default" }, { cfg:lookup("backend") })
  end)

  it("reads env:VAR when the setting is used, naming VAR and the profile when it is unset", function()
    local cfg = cfg_for{ PROD_OPENSEARCH_URL = "http://127.0.0.1:9200", OTEL_OPENSEARCH_URL = "http://other:9200" }
    assert.same({ "http://127.0.0.1:9200", "profile prod (env:PROD_OPENSEARCH_URL)" }, { cfg:lookup("opensearch_url") })
    cfg = cfg_for{ OTEL_OPENSEARCH_URL = "http://other:9200" }
    local v, err = cfg:get("opensearch_url")
    assert.is_nil(v)
    assert.equal("PROD_OPENSEARCH_URL is not set, but profile 'prod' takes opensearch_url from it: "
      .. "export PROD_OPENSEARCH_URL=...", err.message)
  end)
end)
