-- Settings for the backends, from (highest first) explicit overrides (CLI
-- flags, script arguments), the selected profile, environment variables and
-- defaults.  Values are resolved when used, so a missing URL is only an
-- error for the query that needs it, and the error names the variable.
local errors = require "tinkr.errors"

local _M = { _VERSION = "0.1.0" }

_M.BACKENDS = { otel = true }

-- setting -> { env = VAR, default = value, secret = bool, doc = ... }
_M.SETTINGS = {
  backend = { env = "TINKR_BACKEND", default = "otel", doc = "backend name" },
  opensearch_url = { env = "OTEL_OPENSEARCH_URL", doc = "OpenSearch base URL or comma-separated node URLs, e.g. http://opensearch:9200" },
  opensearch_api_key = { env = "OTEL_OPENSEARCH_API_KEY", secret = true, doc = "sent as Authorization: ApiKey" },
  prometheus_url = { env = "OTEL_PROMETHEUS_URL", doc = "Prometheus base URL, e.g. http://prometheus:9090" },
  log_index = { env = "OTEL_LOG_INDEX", default = "otel-logs-*", doc = "log index pattern" },
  trace_index = { env = "OTEL_TRACE_INDEX", default = "otel-traces-*", doc = "trace index pattern" },
  layout = { env = "TINKR_LAYOUT", doc = "data layout: seed, ss4o, ecs, flatten_attributes, dataprepper, jaeger (default: detected)" },
  timeout = { env = "TINKR_TIMEOUT", default = 30, doc = "seconds per backend request" },
  connect_timeout = { env = "TINKR_CONNECT_TIMEOUT", default = 5, doc = "seconds to connect" },
  ca_file = { env = "TINKR_CA_FILE", doc = "CA bundle for TLS" },
  insecure = { env = "TINKR_INSECURE", default = false, doc = "disable TLS verification (tests only)" },
  now = { env = "TINKR_NOW", doc = "pin \"now\" (RFC 3339 or epoch seconds)" },

  -- Transport and authentication per backend (see tinkr.transport).  A
  -- backend-specific setting beats the shared one (opensearch_ca_file
  -- beats ca_file).
  client_cert = { env = "TINKR_CLIENT_CERT", doc = "client certificate (PEM) for mutual TLS" },
  client_key = { env = "TINKR_CLIENT_KEY", doc = "client private key (PEM) for mutual TLS" },
  auth = { env = "TINKR_AUTH", doc = "\"sigv4\" signs requests with AWS credentials" },
  aws_region = { env = "AWS_REGION", doc = "AWS region for SigV4 (else AWS_DEFAULT_REGION)" },
  aws_profile = { env = "AWS_PROFILE", doc = "section of the shared AWS credentials file" },
  opensearch_headers = { env = "TINKR_OPENSEARCH_HEADERS", type = "headers", secret = true,
    doc = "extra request headers: a table in a profile, \"Name: value; Name: value\" in the environment" },
  opensearch_user = { env = "TINKR_OPENSEARCH_USER", doc = "basic auth user (or user:password@ in the URL)" },
  opensearch_password = { env = "TINKR_OPENSEARCH_PASSWORD", secret = true, doc = "basic auth password" },
  opensearch_bearer_token = { env = "TINKR_OPENSEARCH_BEARER_TOKEN", secret = true, doc = "sent as Authorization: Bearer" },
  opensearch_ca_file = { env = "TINKR_OPENSEARCH_CA_FILE", doc = "CA bundle for OpenSearch (else ca_file)" },
  opensearch_client_cert = { env = "TINKR_OPENSEARCH_CLIENT_CERT", doc = "client certificate for OpenSearch (else client_cert)" },
  opensearch_client_key = { env = "TINKR_OPENSEARCH_CLIENT_KEY", doc = "client key for OpenSearch (else client_key)" },
  opensearch_auth = { env = "TINKR_OPENSEARCH_AUTH", doc = "auth for OpenSearch only (else auth)" },
  opensearch_aws_service = { env = "TINKR_OPENSEARCH_AWS_SERVICE", default = "es", doc = "SigV4 service: es (managed domains) or aoss (serverless)" },
  prometheus_headers = { env = "TINKR_PROMETHEUS_HEADERS", type = "headers", secret = true,
    doc = "extra request headers, e.g. X-Scope-OrgID for Mimir/Cortex" },
  prometheus_user = { env = "TINKR_PROMETHEUS_USER", doc = "basic auth user (or user:password@ in the URL)" },
  prometheus_password = { env = "TINKR_PROMETHEUS_PASSWORD", secret = true, doc = "basic auth password" },
  prometheus_bearer_token = { env = "TINKR_PROMETHEUS_BEARER_TOKEN", secret = true, doc = "sent as Authorization: Bearer" },
  prometheus_ca_file = { env = "TINKR_PROMETHEUS_CA_FILE", doc = "CA bundle for Prometheus (else ca_file)" },
  prometheus_client_cert = { env = "TINKR_PROMETHEUS_CLIENT_CERT", doc = "client certificate for Prometheus (else client_cert)" },
  prometheus_client_key = { env = "TINKR_PROMETHEUS_CLIENT_KEY", doc = "client key for Prometheus (else client_key)" },
  prometheus_auth = { env = "TINKR_PROMETHEUS_AUTH", doc = "auth for Prometheus only (else auth)" },
  prometheus_aws_service = { env = "TINKR_PROMETHEUS_AWS_SERVICE", default = "aps", doc = "SigV4 service for Prometheus (aps: Amazon Managed Prometheus)" },
}

-- Settings with a type are checked whenever they are read, whatever set
-- them (environment text, a profile value, an override): a bad value is a
-- config error naming where it came from, never a silent default.
local function seconds(v)
  local n = v
  if type(v) == "string" then n = v:match("^%s*%d*%.?%d+%s*$") and tonumber(v) end
  if type(n) ~= "number" or not (n > 0 and n <= 86400) then
    return nil, "must be a number of seconds above 0 and at most 86400, e.g. 30"
  end
  return n
end

local function byte_count(v)
  local n = v
  if type(v) == "string" then n = v:match("^%s*%d+%s*$") and math.tointeger(tonumber(v)) end
  if math.type(n) ~= "integer" or n < 1024 or n > 1 << 40 then
    return nil, "must be a whole number of bytes from 1024 to 1099511627776, e.g. 268435456"
  end
  return n
end

local function flag(v)
  if type(v) == "boolean" then return v end
  local t = type(v) == "string" and v:lower()
  if t == "1" or t == "true" or t == "yes" then return true end
  if t == "0" or t == "false" or t == "no" or t == "" then return false end
  return nil, "must be true or false (also 1/0, yes/no)"
end

local function index(v)
  local ok, why = require("tinkr.index_pattern").check(v)
  if not ok then return nil, "is not an index pattern: " .. why end
  return v
end

_M.SETTINGS.timeout.check = seconds
_M.SETTINGS.connect_timeout.check = seconds
_M.SETTINGS.insecure.check = flag
_M.SETTINGS.log_index.check = index
_M.SETTINGS.trace_index.check = index
_M.SETTINGS.max_response = { env = "TINKR_MAX_RESPONSE", default = 268435456, check = byte_count,
  doc = "largest backend response body, bytes" }

-- Seconds tinkr trusts what it learned of an index pattern's fields
-- (tinkr.layout's mapping cache); 0 turns the cache off.
local function cache_seconds(v)
  local n = v
  if type(v) == "string" then n = v:match("^%s*%d+%s*$") and math.tointeger(tonumber(v)) end
  if math.type(n) ~= "integer" or n < 0 or n > 86400 then
    return nil, "must be whole seconds from 0 (no cache) to 86400, e.g. 300"
  end
  return n
end
_M.SETTINGS.mapping_cache_ttl = { env = "TINKR_MAPPING_CACHE_TTL", default = 300, check = cache_seconds,
  doc = "seconds an index pattern's fields are remembered on disk between runs (0: ask OpenSearch every run)" }

--- How a user sets a setting, for hints: "TINKR_TIMEOUT (profile key timeout)".
function _M.how_to_set(name)
  local spec = _M.SETTINGS[name] or {}
  return spec.env and ("%s (profile key %s)"):format(spec.env, name) or ("profile key " .. name)
end

-- Where a value came from, as an error names it.
local function origin(name, value, source)
  source = source or ""
  local var = source:match("^env (.+)$") or source:match("%(env:([^)]+)%)")
  if var then return ("%s=%q"):format(var, tostring(value)) end
  local profile = source:match("^profile (%S+)")
  if profile then return ("%s = %q in profile '%s'"):format(name, tostring(value), profile) end
  return ("%s %q"):format(name, tostring(value))
end

--- "Name: value; Name: value" (the environment form of a headers setting)
--- -> { Name = value } | nil, message.  Profiles give a TOML table instead.
function _M.parse_headers(text)
  local out = {}
  for item in text:gmatch("[^;\n]+") do
    if item:find("%S") then
      local name, value = item:match("^%s*([^:%s]+)%s*:%s*(.-)%s*$")
      if not name then
        return nil, "headers must be written \"Name: value; Name: value\""
      end
      out[name] = value
    end
  end
  return out
end

local Config = {}
Config.__index = Config

local function coerce(name, value, source)
  local spec = _M.SETTINGS[name]
  -- headers: the message never quotes the value (it may hold a token)
  if spec and spec.type == "headers" and type(value) == "string" then
    local h, err = _M.parse_headers(value)
    if not h then return nil, ("%s: %s"):format(name, err) end
    return h
  end
  if spec and spec.check then
    local v, why = spec.check(value)
    if v == nil then return nil, origin(name, value, source) .. ": " .. why end
    return v
  end
  local default = spec and spec.default
  if type(value) ~= "string" then return value end
  if type(default) == "number" then
    local n = tonumber(value)
    if not n then return nil, ("%s must be a number, got %q"):format(name, value) end
    return n
  elseif type(default) == "boolean" then
    local v = value:lower()
    if v == "1" or v == "true" or v == "yes" then return true end
    if v == "0" or v == "false" or v == "no" or v == "" then return false end
    return nil, ("%s must be true or false, got %q"):format(name, value)
  end
  return value
end

--- config.new{ overrides = {...}, profile = {...}, profile_name =, getenv = os.getenv }
function _M.new(opts)
  opts = opts or {}
  return setmetatable({
    overrides = opts.overrides or {},
    profile = opts.profile or {},
    profile_name = opts.profile_name,
    getenv = opts.getenv or os.getenv,
  }, Config)
end

--- Where a setting's value comes from: value, source ("flag", "profile NAME",
--- "env VAR", "default") — or nil when unset.  Profile values "env:VAR" are
--- read from the environment now.
function Config:lookup(name)
  local spec = _M.SETTINGS[name] or {}
  local v = self.overrides[name]
  if v ~= nil then return v, "flag" end
  v = self.profile[name]
  if v ~= nil then
    if type(v) == "string" and v:sub(1, 4) == "env:" then
      local var = v:sub(5)
      local ev = self.getenv(var)
      if ev == nil or ev == "" then
        return nil, nil, errors.new("config", ("%s is not set, but profile '%s' takes %s from it: export %s=..."):format(
          var, self.profile_name or "?", name, var))
      end
      return ev, ("profile %s (env:%s)"):format(self.profile_name or "?", var)
    end
    return v, "profile " .. tostring(self.profile_name)
  end
  if spec.env then
    v = self.getenv(spec.env)
    if v ~= nil and v ~= "" then return v, "env " .. spec.env end
  end
  if spec.default ~= nil then return spec.default, "default" end
  return nil
end

--- The value of a setting, or nil, err.  Optional settings give nil.
function Config:get(name)
  local v, source, err = self:lookup(name)
  if err then return nil, err end
  if v == nil then return nil end
  local cv, cerr = coerce(name, v, source)
  if cerr then return nil, errors.new("config", cerr) end
  return cv
end

--- Like get, but a missing value is an error that says how to set it.
function Config:require(name)
  local v, err = self:get(name)
  if err then return nil, err end
  if v == nil then
    local spec = _M.SETTINGS[name] or {}
    local how = spec.env and ("export %s=%s"):format(spec.env, (spec.doc or ""):match("e%.g%. (%S+)") or "...") or name
    local where = self.profile_name and (" (or set %s in profile '%s')"):format(name, self.profile_name) or ""
    return nil, errors.new("config", ("%s is not set: %s%s"):format(spec.env or name, how, where))
  end
  return v
end

--- Checks every typed setting now (numbers, booleans, index patterns),
--- so a bad TINKR_TIMEOUT is a config error before anything runs.
--- Returns true or nil, err (code config).
function Config:validate()
  local names = {}
  for name, spec in pairs(_M.SETTINGS) do
    if spec.check then names[#names + 1] = name end
  end
  table.sort(names)
  for _, name in ipairs(names) do
    local _, err = self:get(name)
    if err then return nil, err end
  end
  return true
end

--- The backend name, checked against the known ones.
function Config:backend()
  local b, err = self:get("backend")
  if err then return nil, err end
  if not _M.BACKENDS[b] then
    local known = {}
    for k in pairs(_M.BACKENDS) do known[#known + 1] = k end
    table.sort(known)
    return nil, errors.new("config", ("unknown backend '%s' (TINKR_BACKEND): known backends are %s"):format(
      b, table.concat(known, ", ")))
  end
  return b
end

--- Settings with secrets redacted, for display.
function Config:describe()
  local out = {}
  for name, spec in pairs(_M.SETTINGS) do
    local v, source = self:lookup(name)
    if v ~= nil then
      out[name] = { value = spec.secret and "<redacted>" or v, source = source }
    end
  end
  return out
end

-- The process-wide default (env only, or what the CLI/profile set up).
local current
function _M.get()
  current = current or _M.new()
  return current
end

function _M.set(cfg)
  current = cfg
end

return _M
