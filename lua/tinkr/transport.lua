-- How tinkr reaches one backend (OpenSearch or Prometheus): its node URLs,
-- TLS files, credentials and extra headers, read from tinkr.config once
-- per client.  The result is a table of tinkr.core.http request options;
-- credentials live only there and in the headers, never in a message, a
-- `request` record or --verbose output.
--
-- Which setting wins: the backend's own (opensearch_ca_file) over the
-- shared one (ca_file).  One way to authenticate per backend: an API key
-- (OpenSearch), a bearer token, user + password (profile or URL) or
-- auth = "sigv4" (AWS credentials; never together with the others).
local core = require "tinkr.core"
local config = require "tinkr.config"
local errors = require "tinkr.errors"

local _M = { _VERSION = "0.1.0" }

local AUTH_KINDS = { none = true, sigv4 = true }
local AWS_SERVICES = {
  opensearch = { es = true, aoss = true },
  prometheus = { aps = true },
}
local URL_VARS = { opensearch = "OTEL_OPENSEARCH_URL", prometheus = "OTEL_PROMETHEUS_URL" }
local OTHERS_MAY_READ = 63    -- 0077: any permission for group or others

local function config_error(msg) return nil, errors.new("config", msg) end

--- Warnings go to stderr once each; a test or an embedder may replace this.
local warned = {}
function _M.warn(msg)
  if warned[msg] then return end
  warned[msg] = true
  io.stderr:write("tinkr: warning: ", msg, "\n")
end

-- The backend's own setting, else the shared one.
local function setting(cfg, backend, name)
  local own, err = cfg:get(backend .. "_" .. name)
  if err then return nil, err end
  if own ~= nil then return own end
  if config.SETTINGS[name] then return cfg:get(name) end
  return nil
end

--- "u1, u2" -> { u1, u2 } (each http:// or https://) | nil, err
function _M.split_urls(text, backend)
  local var = URL_VARS[backend] or backend
  local urls = {}
  for item in (text .. ","):gmatch("([^,]*),") do
    item = item:match("^%s*(.-)%s*$")
    if item ~= "" then
      if not item:match("^https?://[^/]") then
        return config_error(("%s must start with http:// or https:// (got %q)"):format(var, errors.public_url(item)))
      end
      urls[#urls + 1] = (item:gsub("/+$", ""))
    end
  end
  if #urls == 0 then return config_error(("%s is empty"):format(var)) end
  return urls
end

-- A minimal reader for ~/.aws/credentials: [section] then key = value.
local function read_credentials_file(path, section)
  local f = io.open(path, "r")
  if not f then return nil end
  local current, found = nil, {}
  for line in f:lines() do
    local name = line:match("^%s*%[%s*([^%]]-)%s*%]")
    if name then
      current = name
    elseif current == section then
      local k, v = line:match("^%s*([%w_]+)%s*=%s*(.-)%s*$")
      if k then found[k:lower()] = v end
    end
  end
  f:close()
  return found
end

-- AWS credentials: the standard environment variables, else the shared
-- credentials file (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials,
-- section aws_profile / AWS_PROFILE / default).
local function aws_credentials(cfg)
  local getenv = cfg.getenv or os.getenv
  local id, secret = getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
  if id and id ~= "" and secret and secret ~= "" then
    local token = getenv("AWS_SESSION_TOKEN")
    return { id = id, secret = secret, token = token ~= "" and token or nil }
  end
  local profile = cfg:get("aws_profile") or "default"
  local path = getenv("AWS_SHARED_CREDENTIALS_FILE")
  if not path or path == "" then
    local home = getenv("HOME")
    path = home and home ~= "" and (home .. "/.aws/credentials") or nil
  end
  local found = path and read_credentials_file(path, profile)
  if found and found.aws_access_key_id and found.aws_secret_access_key then
    return { id = found.aws_access_key_id, secret = found.aws_secret_access_key, token = found.aws_session_token }
  end
  return config_error(("auth = \"sigv4\" needs AWS credentials: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
    .. "(and AWS_SESSION_TOKEN), or add a [%s] section to %s"):format(profile, path or "~/.aws/credentials"))
end

local function sigv4(cfg, backend, opts)
  local getenv = cfg.getenv or os.getenv
  local region = cfg:get("aws_region")
  if not region or region == "" then region = getenv("AWS_DEFAULT_REGION") end
  if not region or region == "" then
    return config_error("auth = \"sigv4\" needs a region: set aws_region in the profile or export AWS_REGION")
  end
  if not region:match("^[%w-]+$") then
    return config_error(("aws_region %q is not an AWS region name (e.g. eu-west-1)"):format(region))
  end
  local service = cfg:get(backend .. "_aws_service")
  if not AWS_SERVICES[backend][service] then
    local known = {}
    for k in pairs(AWS_SERVICES[backend]) do known[#known + 1] = k end
    table.sort(known)
    return config_error(("%s_aws_service is %q; for %s use %s"):format(backend, tostring(service), backend,
      table.concat(known, " or ")))
  end
  local creds, err = aws_credentials(cfg)
  if not creds then return nil, err end
  for _, v in pairs{ creds.id, creds.secret, creds.token } do
    if v:find("[%z\r\n]") then
      return config_error("an AWS credential contains a line break or NUL; check how it was set")
    end
  end
  opts.aws_sigv4 = ("aws:amz:%s:%s"):format(region, service)
  opts.username, opts.password = creds.id, creds.secret
  if creds.token then opts.headers["X-Amz-Security-Token"] = creds.token end
  opts.signed = { region = region, service = service }
  return true
end

-- Warns when the private key can be read by anyone but its owner.
local function check_key_file(path)
  local mode = core.file_mode(path)
  if mode and mode & OTHERS_MAY_READ ~= 0 then
    _M.warn(("client key %s can be read by other users (mode %o): chmod 600 %s"):format(path, mode, path))
  end
end

--- transport.options(cfg, backend) -> opts | nil, err
--- backend: "opensearch" | "prometheus".  opts = {
---   urls = { base URL, ... },            -- several only for OpenSearch
---   headers = { ... },                   -- extra + auth headers
---   timeout, connect_timeout, cafile, insecure, client_cert, client_key,
---   username, password, aws_sigv4,       -- as tinkr.core.http takes them
---   auth = "none"|"basic"|"bearer"|"api_key"|"sigv4"|"url" (for display)
--- }
function _M.options(cfg, backend)
  local var = URL_VARS[backend]
  local text, err = cfg:require(backend .. "_url")
  if not text then return nil, err end
  local urls
  urls, err = _M.split_urls(text, backend)
  if not urls then return nil, err end
  if backend ~= "opensearch" and #urls > 1 then
    return config_error(("%s takes one URL (a load balancer or query frontend), got %d"):format(var, #urls))
  end

  local opts = { urls = urls, headers = {}, auth = "none" }
  for _, k in ipairs{ "timeout", "connect_timeout", "insecure" } do
    opts[k], err = cfg:get(k)
    if err then return nil, err end
  end
  if config.SETTINGS.max_response then
    opts.max_body, err = cfg:get("max_response")
    if err then return nil, err end
  end
  local map = { cafile = "ca_file", client_cert = "client_cert", client_key = "client_key" }
  for opt, name in pairs(map) do
    opts[opt], err = setting(cfg, backend, name)
    if err then return nil, err end
  end
  if opts.client_key and not opts.client_cert then
    return config_error(("%s_client_key is set without a client certificate: set %s_client_cert too"):format(backend, backend))
  end
  if opts.client_cert and not opts.client_key then
    opts.client_key = opts.client_cert      -- one PEM file holding both
  end
  if opts.client_key then check_key_file(opts.client_key) end

  local extra
  extra, err = cfg:get(backend .. "_headers")
  if err then return nil, err end
  for k, v in pairs(extra or {}) do opts.headers[k] = v end

  -- Credentials: at most one way per backend.
  local ways = {}
  local user, password, token, key, auth
  user, err = cfg:get(backend .. "_user"); if err then return nil, err end
  password, err = cfg:get(backend .. "_password"); if err then return nil, err end
  token, err = cfg:get(backend .. "_bearer_token"); if err then return nil, err end
  if backend == "opensearch" then
    key, err = cfg:get("opensearch_api_key"); if err then return nil, err end
  end
  auth, err = setting(cfg, backend, "auth"); if err then return nil, err end
  auth = auth or "none"
  if not AUTH_KINDS[auth] then
    return config_error(("%s_auth is %q: use \"sigv4\" (AWS) or leave it out"):format(backend, tostring(auth)))
  end
  if password and not user then
    return config_error(("%s_password is set without %s_user"):format(backend, backend))
  end
  for _, u in ipairs(urls) do
    if errors.public_url(u) ~= u then ways.url = "user:password in " .. var end
  end
  if user then ways.basic = backend .. "_user" end
  if token then ways.bearer = backend .. "_bearer_token" end
  if key then ways.api_key = "OTEL_OPENSEARCH_API_KEY" end
  if auth == "sigv4" then ways.sigv4 = "auth = \"sigv4\"" end
  local names = {}
  for way, where in pairs(ways) do names[#names + 1] = where; opts.auth = way end
  if #names > 1 then
    table.sort(names)
    return config_error(("%s has more than one way to authenticate (%s): keep one"):format(backend, table.concat(names, ", ")))
  end
  for _, v in pairs{ user, password, token, key } do
    if v:find("[%z\r\n]") then
      return config_error(("a %s credential contains a line break or NUL; check how it was set"):format(backend))
    end
  end
  if user then opts.username, opts.password = user, password or "" end
  if token then opts.headers.Authorization = "Bearer " .. token end
  if key then opts.headers.Authorization = "ApiKey " .. key end
  if auth == "sigv4" then
    local ok, serr = sigv4(cfg, backend, opts)
    if not ok then return nil, serr end
  end
  return opts
end

--- The core.http request fields of opts for one URL (headers merged with
--- the caller's).
function _M.request(opts, fields)
  local headers = {}
  for k, v in pairs(opts.headers) do headers[k] = v end
  for k, v in pairs(fields.headers or {}) do headers[k] = v end
  fields.headers = headers
  fields.timeout, fields.connect_timeout = opts.timeout, opts.connect_timeout
  fields.cafile, fields.insecure, fields.max_body = opts.cafile, opts.insecure, opts.max_body
  fields.client_cert, fields.client_key = opts.client_cert, opts.client_key
  fields.username, fields.password, fields.aws_sigv4 = opts.username, opts.password, opts.aws_sigv4
  return fields
end

return _M
