-- A Prometheus HTTP API client: instant and range queries, build info.
-- Every request goes through tinkr.parallel.request, so queries issued
-- inside tinkr.all run concurrently.  Results are plain tables; failures
-- are errors.lua values (`nil, err`), misuse raises.
local _M = { _VERSION = "0.1.0" }

local errors = require "tinkr.errors"
local parallel = require "tinkr.parallel"
local core = require "tinkr.core"
local json = core.json
local time = require "tinkr.time"
local transport = require "tinkr.transport"

local format, byte, gsub, sub = string.format, string.byte, string.gsub, string.sub
local concat, floor, tonumber, type, pairs, ipairs = table.concat, math.floor, tonumber, type, pairs, ipairs

local ENVVAR = "OTEL_PROMETHEUS_URL"
local WHAT = "Prometheus"
local MAX_GET_URL = 2048       -- longer queries go as a POST form (proxies cut long URLs)
local NS_PER_S = 1000000000

local Client = {}
Client.__index = Client

--- prometheus.new{ url =, timeout =, connect_timeout =, headers =, ca_file =, insecure = }
--- timeout / connect_timeout: seconds (core.http's defaults when nil).
--- Or { url =, transport = tinkr.transport.options(cfg, "prometheus") },
--- which carries TLS files, credentials and extra headers.
function _M.new(opts)
  if type(opts) ~= "table" then
    error(("bad argument #1 to 'new' (table expected, got %s)"):format(type(opts)), 2)
  end
  if type(opts.url) ~= "string" or opts.url == "" then
    error("bad argument #1 to 'new' (field 'url' must be a non-empty string)", 2)
  end
  if opts.headers ~= nil and type(opts.headers) ~= "table" then
    error("bad argument #1 to 'new' (field 'headers' must be a table)", 2)
  end
  return setmetatable({
    base = (gsub(opts.url, "/+$", "")),
    timeout = opts.timeout,
    connect_timeout = opts.connect_timeout,
    headers = opts.headers,
    ca_file = opts.ca_file,
    insecure = opts.insecure and true or false,
    max_body = opts.max_response,
    transport = opts.transport,
    -- A SigV4 signature covers the query string in sorted order.
    sorted_query = opts.transport and opts.transport.aws_sigv4 ~= nil,
  }, Client)
end

local ns_to_seconds = time.to_prometheus   -- decimal seconds, ms precision

-- Prometheus sends times as float seconds with millisecond precision.
local function seconds_to_ns(t)
  local mt = math.type(t)
  if mt == "integer" then return t * NS_PER_S end
  if mt ~= "float" or t ~= t or t == math.huge or t == -math.huge then return nil end
  local ms = floor(t * 1000 + 0.5)
  return math.type(ms) == "integer" and ms * 1000000 or nil
end

local SPECIAL_VALUES = { NaN = 0 / 0, ["+Inf"] = math.huge, ["-Inf"] = -math.huge, Inf = math.huge }

-- Sample values arrive as strings; Prometheus values are float64, so they
-- stay floats here too.
local function parse_value(s)
  if type(s) ~= "string" then return nil end
  local special = SPECIAL_VALUES[s]
  if special then return special end
  local n = tonumber(s)
  return n and n + 0.0
end

local function urlencode(s)
  return (gsub(s, "[^%w%-%._~]", function(c) return format("%%%02X", byte(c)) end))
end

local function encode_params(params, order)
  local parts = {}
  for _, k in ipairs(order) do
    if params[k] ~= nil then parts[#parts + 1] = k .. "=" .. urlencode(params[k]) end
  end
  return concat(parts, "&")
end

-- The URL as it may be shown: user:password@ removed.
local function safe_url(url)
  return (gsub(url, "^(%a[%w+.-]*://)[^@/]*@", "%1"))
end

-- A short, one-line excerpt of a body that was not what we expected (an
-- HTML page by its title).
local function excerpt(res)
  return errors.body_summary(res.body, res.headers and res.headers["content-type"])
end

local function check_ns(v, n, fname)
  if math.type(v) ~= "integer" then
    error(("bad argument #%d to '%s' (integer nanoseconds expected, got %s)"):format(
      n, fname, math.type(v) or type(v)), 3)
  end
end

-- Turns a non-success answer into an error value.
local function answer_error(res, decoded, request)
  local status = res.status
  local fields = { status = status, request = request }
  -- Only Prometheus's own envelope counts as Prometheus speaking; other
  -- JSON (OpenSearch's "no handler found", a proxy's error) does not.
  local envelope = type(decoded) == "table" and (decoded.status == "error" or decoded.status == "success")
  local their = envelope and type(decoded.error) == "string" and decoded.error or nil
  local etype = envelope and type(decoded.errorType) == "string" and decoded.errorType or nil
  fields.detail, fields.error_type = their, etype
  if status == 401 or status == 403 then
    return errors.new("auth", format("%s refused the request (HTTP %d%s) — check the credentials/headers for %s",
      WHAT, status, their and (": " .. their) or "", ENVVAR), fields)
  end
  if not envelope then
    local ctype = res.headers and res.headers["content-type"] or "no content type"
    local what = decoded and "JSON that is not a Prometheus API answer" or "not JSON"
    return errors.new("backend", format("%s answered HTTP %d with %s, %s: %s — is %s the Prometheus base URL (e.g. http://host:9090)?",
      WHAT, status, ctype, what, excerpt(res), ENVVAR), fields)
  end
  if etype == "bad_data" or (status == 400 and their) then
    return errors.new("bad_query", format("%s rejected the query: %s", WHAT, their or "bad request"), fields)
  end
  if etype == "timeout" then
    return errors.new("timeout", format("%s: query timed out: %s — try a smaller window or a larger step",
      WHAT, their or ""), fields)
  end
  if status == 404 then
    return errors.new("backend", format("%s: no API at %s (HTTP 404) — is %s the Prometheus base URL (e.g. http://host:9090)?",
      WHAT, request.url, ENVVAR), fields)
  end
  return errors.new("backend", format("%s failed (HTTP %d%s): %s", WHAT, status,
    etype and (", " .. etype) or "", their or excerpt(res)), fields)
end

-- Sends one API request; returns the decoded `data` and meta, or nil, err.
-- order: parameter names in the order they go on the wire.
function Client:call(path, params, order)
  local url = self.base .. path
  if self.sorted_query then
    order = { table.unpack(order) }
    table.sort(order)
  end
  local query = encode_params(params, order)
  local req = {
    url = url, timeout = self.timeout, connect_timeout = self.connect_timeout, headers = self.headers,
    cafile = self.ca_file, insecure = self.insecure, max_body = self.max_body,
  }
  if self.transport then req = transport.request(self.transport, { url = url }) end
  local method = "GET"
  if query ~= "" then
    if #url + 1 + #query <= MAX_GET_URL then
      req.url = url .. "?" .. query
    else
      method = "POST"
      local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
      for k, v in pairs(req.headers or {}) do headers[k] = v end
      req.headers, req.body = headers, query
    end
  end
  req.method = method
  local shown = {}
  for k, v in pairs(params) do shown[k] = v end
  local request = { method = method, url = safe_url(url), params = shown }

  local started = core.monotonic()
  local res, herr = parallel.request(req)
  local took_ms = time.elapsed_ms(started)
  if not res then
    local err = errors.from_http(herr, WHAT, ENVVAR)
    err.request = request
    return nil, err
  end
  local decoded = json.decode(res.body or "")
  if type(decoded) ~= "table" then decoded = nil end
  if res.status ~= 200 or not decoded or decoded.status ~= "success" then
    return nil, answer_error(res, decoded, request)
  end
  local warnings = json.array()
  if type(decoded.warnings) == "table" then
    for i, w in ipairs(decoded.warnings) do warnings[i] = tostring(w) end
  end
  return decoded.data, { took_ms = took_ms, request = request, warnings = warnings }
end

local function labels_of(metric)
  local labels = {}
  if type(metric) == "table" then
    for k, v in pairs(metric) do labels[k] = v end
  end
  return labels
end

local function sample_row(labels, pair, histogram)
  local row = { labels = labels }
  if type(pair) == "table" then
    row.time_ns = seconds_to_ns(pair[1])
    row.value = parse_value(pair[2])
  end
  if histogram then row.histogram = histogram end  -- native histograms: passed through
  return row
end

-- Prometheus's result shapes -> tinkr rows / series.
local function normalise(data)
  local rtype, result = data.resultType, data.result
  local out = json.array()
  if rtype == "vector" then
    for i, s in ipairs(result) do
      local h = s.histogram
      out[i] = sample_row(labels_of(s.metric), s.value or (h and { h[1] }), h and h[2])
    end
  elseif rtype == "scalar" then
    out[1] = sample_row({}, result)
  elseif rtype == "string" then
    out[1] = { labels = {}, time_ns = seconds_to_ns(result[1]), value = result[2] }
  elseif rtype == "matrix" then
    for i, s in ipairs(result) do
      local points = json.array()
      for j, pair in ipairs(s.values or {}) do
        points[j] = json.array{ seconds_to_ns(pair[1]), parse_value(pair[2]) }
      end
      out[i] = { labels = labels_of(s.metric), points = points }
    end
  else
    return nil, rtype
  end
  return out
end

local function query_result(data, meta)
  if type(data) ~= "table" or type(data.result) ~= "table" then
    return nil, errors.new("backend", WHAT .. " answered success without a result", { request = meta.request })
  end
  -- A malformed answer (a sample that is not a pair, ...) must not raise.
  local ok, rows, unknown = pcall(normalise, data)
  if not ok then
    return nil, errors.new("backend", format("%s answered a malformed %s result", WHAT, tostring(data.resultType)),
      { request = meta.request, detail = tostring(rows) })
  end
  if not rows then
    return nil, errors.new("backend", format("%s answered with unknown result type %q", WHAT, tostring(unknown)),
      { request = meta.request })
  end
  meta.result_type = data.resultType
  return rows, meta
end

local function check_expr(expr, fname)
  if type(expr) ~= "string" then
    error(("bad argument #1 to '%s' (string expected, got %s)"):format(fname, type(expr)), 3)
  end
end

--- client:query(expr, time_ns) -> rows, meta | nil, err
--- rows[i] = { labels = {...}, value = <float>, time_ns = <integer> }
function Client:query(expr, time_ns)
  check_expr(expr, "query")
  check_ns(time_ns, 2, "query")
  local data, meta = self:call("/api/v1/query",
    { query = expr, time = ns_to_seconds(time_ns) }, { "query", "time" })
  if not data then return nil, meta end
  return query_result(data, meta)
end

--- client:query_range(expr, start_ns, end_ns, step_s) -> series, meta | nil, err
--- series[i] = { labels = {...}, points = { { t_ns, value }, ... } }
function Client:query_range(expr, start_ns, end_ns, step_s)
  check_expr(expr, "query_range")
  check_ns(start_ns, 2, "query_range")
  check_ns(end_ns, 3, "query_range")
  if type(step_s) ~= "number" or not (step_s > 0) then
    error(("bad argument #4 to 'query_range' (positive number of seconds expected, got %s)"):format(tostring(step_s)), 2)
  end
  local step = math.type(step_s) == "integer" and tostring(step_s)
    or format("%.3f", step_s):gsub("0+$", ""):gsub("%.$", "")
  local data, meta = self:call("/api/v1/query_range",
    { query = expr, start = ns_to_seconds(start_ns), ["end"] = ns_to_seconds(end_ns), step = step },
    { "query", "start", "end", "step" })
  if not data then return nil, meta end
  return query_result(data, meta)
end

--- client:buildinfo() -> version, meta | nil, err   (meta.build: the whole answer)
function Client:buildinfo()
  local data, meta = self:call("/api/v1/status/buildinfo", {}, {})
  if not data then return nil, meta end
  if type(data) ~= "table" or type(data.version) ~= "string" then
    return nil, errors.new("backend", WHAT .. " build info has no version", { request = meta.request })
  end
  meta.build = data
  return data.version, meta
end

return _M
