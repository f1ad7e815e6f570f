-- A small OpenSearch client: JSON requests, errors a user can act on, the
-- fast map path for search responses, and a cache of index mappings.
local core = require "tinkr.core"
local errors = require "tinkr.errors"
local parallel = require "tinkr.parallel"

local json, map = core.json, core.map
local public_url = errors.public_url
local _M = { _VERSION = "0.1.0" }

local Client = {}
Client.__index = Client

local URL_VAR = "OTEL_OPENSEARCH_URL"

--- True for http(s)://localhost, 127.x.x.x and [::1] URLs.
function _M.is_loopback(url)
  local host = errors.public_url(url):match("^%a[%w+.-]*://%[?([^/%]:]+)")
  return host == "localhost" or host == "::1" or (host and host:match("^127%.%d+%.%d+%.%d+$") ~= nil) or false
end

--- opensearch.new(config) -> client | nil, err
function _M.new(cfg)
  local url, err = cfg:require("opensearch_url")
  if not url then return nil, err end
  if not url:match("^https?://") then
    return nil, errors.new("config", ("OTEL_OPENSEARCH_URL must start with http:// or https://, got %q"):format(
      public_url(url)))
  end
  local headers = { ["Content-Type"] = "application/json", Accept = "application/json" }
  -- gzip pays off over a network; on loopback, decompressing costs more
  -- time than the bytes saved (10k hits: 55 ms gzip vs 25 ms plain).
  if _M.is_loopback(url) then headers["Accept-Encoding"] = "identity" end
  local key = cfg:get("opensearch_api_key")
  if key then
    if key:find("[\r\n]") then
      return nil, errors.new("config", "OTEL_OPENSEARCH_API_KEY contains a line break; check how it was set")
    end
    headers.Authorization = "ApiKey " .. key
  end
  local client = {
    base = url:gsub("/+$", ""),
    headers = headers,
    mappings = {},            -- index pattern -> flattened fields (see fields())
  }
  -- a bad value is an error here, never a silent default
  for field, setting in pairs{ timeout = "timeout", connect_timeout = "connect_timeout", ca_file = "ca_file",
                               insecure = "insecure", max_body = "max_response" } do
    local v, verr = cfg:get(setting)
    if verr then return nil, verr end
    client[field] = v
  end
  return setmetatable(client, Client)
end


-- OpenSearch's own explanation from an error body, if it sent one.
local function reason_of(body)
  local doc = json.decode(body or "")
  if type(doc) ~= "table" or type(doc.error) ~= "table" then
    return type(doc) == "table" and type(doc.error) == "string" and doc.error or nil, doc
  end
  local e = doc.error
  local cause = type(e.root_cause) == "table" and e.root_cause[1] or e
  local reason = cause.reason or e.reason
  if type(e.caused_by) == "table" and e.caused_by.reason and e.caused_by.reason ~= reason then
    reason = ("%s (%s)"):format(reason, e.caused_by.reason)
  end
  return reason, doc, cause.type or e.type
end

local function status_error(res, what, path)
  local reason, _, etype = reason_of(res.body)
  local s = res.status
  -- without OpenSearch's own words, say what came back (an HTML page from a
  -- proxy is named by its title, never dumped)
  local quoted = reason or errors.body_summary(res.body, res.headers and res.headers["content-type"])
  if s == 401 or s == 403 then
    return errors.new("auth", ("OpenSearch refused the request (%d%s): set OTEL_OPENSEARCH_API_KEY or put user:password in %s"):format(
      s, reason and (": " .. reason) or "", URL_VAR), { status = s })
  elseif s == 404 and etype == "index_not_found_exception" then
    return errors.new("not_found", ("no index matches '%s' on OpenSearch (%s); check OTEL_LOG_INDEX / OTEL_TRACE_INDEX"):format(
      what or path, reason or "index not found"), { status = s })
  elseif s == 400 then
    return errors.new("bad_query", ("OpenSearch rejected the query: %s"):format(quoted),
      { status = s, detail = reason })
  elseif s >= 500 then
    return errors.new("backend", ("OpenSearch failed (%d): %s"):format(s, quoted), { status = s })
  end
  return errors.new("backend", ("OpenSearch answered %d for %s: %s"):format(s, path, quoted),
    { status = s })
end

-- The libcurl request for method + path, and its public description.
function Client:prepare(method, path, body)
  local text = body and json.encode(body) or nil
  local url = self.base .. path
  return {
    method = method, url = url, headers = self.headers, body = text,
    timeout = self.timeout, connect_timeout = self.connect_timeout,
    cafile = self.ca_file, insecure = self.insecure, max_body = self.max_body,
  }, { method = method, url = public_url(url), body = text }
end

local function checked(res, herr, request, what, path)
  if not res then return nil, errors.from_http(herr, "OpenSearch", URL_VAR), request end
  if res.status >= 300 then return nil, status_error(res, what, path), request end
  return res, nil, request
end

--- client:send(method, path, body) -> res, nil, request | nil, err, request
--- body is a Lua table (encoded here) or nil.  `request` is what was sent:
--- { method, url, body = exact JSON text }.  Headers are not included, so
--- the API key never leaves this function.
function Client:send(method, path, body, what)
  local req, request = self:prepare(method, path, body)
  local res, herr = parallel.request(req)
  return checked(res, herr, request, what, path)
end

--- client:json(method, path, body) -> decoded | nil, err
function Client:json(method, path, body, what)
  local res, err, request = self:send(method, path, body, what)
  if not res then return nil, err, request end
  local doc, jerr = json.decode(res.body)
  if doc == nil then
    return nil, errors.new("backend", ("OpenSearch sent a response that is not JSON (%s)"):format(jerr)), request
  end
  return doc, nil, request
end

local escape_path = require("tinkr.index_pattern").path

--- An index pattern as a URL path segment (its own * and , kept).
_M.escape_index = escape_path

--- client:search(index, dsl, spec, as_ndjson) -> rows, meta | nil, err
--- With as_ndjson, "rows" is the text from map.ndjson (JSON lines).
--- spec is a map spec (tinkr.core.map); meta has total, relation, took,
--- last_sort and request (exactly what was sent).
local function search_path(index)
  return index and ("/" .. escape_path(index) .. "/_search") or "/_search"
end

local function mapped(res, request, spec, as_ndjson, started)
  local rows, meta = (as_ndjson and map.ndjson or map.rows)(res.body, spec)
  if not rows then
    return nil, errors.new("backend", ("OpenSearch sent a search response tinkr cannot read: %s"):format(meta))
  end
  meta.request = request
  meta.took_ms = require("tinkr.time").elapsed_ms(started)
  meta.bytes = #res.body
  return rows, meta
end

function Client:search(index, dsl, spec, as_ndjson)
  local path = search_path(index)
  local started = core.monotonic()
  local res, err, request = self:send("POST", path, dsl, index)
  if not res then return nil, err end
  return mapped(res, request, spec, as_ndjson, started)
end

--- client:search_start(index, dsl, spec, as_ndjson) -> wait
--- Sends the search now and returns at once; wait() -> rows, meta | nil, err
--- (as client:search).  The DSL is encoded at the call, so the caller may
--- change dsl afterwards.  Used to fetch the next page of an export while
--- the current one is written.  Blocks in wait() (not for tinkr.all tasks).
function Client:search_start(index, dsl, spec, as_ndjson)
  local path = search_path(index)
  local started = core.monotonic()
  local req, request = self:prepare("POST", path, dsl)
  self.multi = self.multi or core.http.multi()
  self.done = self.done or {}
  local multi, done = self.multi, self.done
  local function collect(list)
    for _, d in ipairs(list) do done[d.id] = d end
  end
  local id = multi:add(req)
  collect(multi:wait(0))                 -- send it now; the server starts working
  return function()
    while not done[id] do collect(multi:wait(1.0)) end
    local d = done[id]
    done[id] = nil
    local res, err = checked(d.res, d.err, request, index, path)
    if not res then return nil, err end
    return mapped(res, request, spec, as_ndjson, started)
  end
end

--- client:aggregate(index, dsl) -> decoded response, meta | nil, err
--- For searches read for their aggregations (size 0): the whole response
--- decoded, meta = { request (exactly what was sent), took_ms }.
function Client:aggregate(index, dsl)
  local started = core.monotonic()
  local doc, err, request = self:json("POST", "/" .. escape_path(index) .. "/_search", dsl, index)
  if not doc then return nil, err end
  return doc, { request = request, took_ms = (core.monotonic() - started) * 1000, took = doc.took }
end

return _M
