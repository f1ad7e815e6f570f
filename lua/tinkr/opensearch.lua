-- A small OpenSearch client: JSON requests, errors a user can act on, the
-- fast map path for search responses, and a cache of index mappings.
local core = require "tinkr.core"
local errors = require "tinkr.errors"
local nodes = require "tinkr.nodes"
local parallel = require "tinkr.parallel"
local transport = require "tinkr.transport"

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
--- OTEL_OPENSEARCH_URL may list several nodes ("http://a:9200,http://b:9200").
function _M.new(cfg)
  local opts, err = transport.options(cfg, "opensearch")
  if not opts then return nil, err end
  opts.headers["Content-Type"] = "application/json"
  opts.headers.Accept = "application/json"
  -- gzip pays off over a network; on loopback, decompressing costs more
  -- time than the bytes saved (10k hits: 55 ms gzip vs 25 ms plain).
  -- (Not when signing: the signature covers every header we send.)
  if _M.is_loopback(opts.urls[1]) and not opts.aws_sigv4 then opts.headers["Accept-Encoding"] = "identity" end
  return setmetatable({
    base = opts.urls[1],
    nodes = nodes.new(opts.urls),
    transport = opts,
    mappings = {},            -- index pattern -> flattened fields (see fields())
  }, Client)
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

-- nginx answers 400 with an HTML page when the client certificate is
-- missing or not accepted (ssl_verify_client on).
local function client_cert_refused(body)
  return body:find("No required SSL certificate was sent", 1, true) or body:find("The SSL certificate error", 1, true)
end

local function status_error(res, what, path)
  local reason, _, etype = reason_of(res.body)
  local s = res.status
  if s == 400 and client_cert_refused(res.body or "") then
    return errors.new("tls", ("OpenSearch (behind a TLS proxy) refused the client certificate (%s): set opensearch_client_cert and opensearch_client_key to a certificate its CA signed, still valid"):format(
      res.body:find("No required", 1, true) and "none was sent" or "not accepted"), { status = s })
  end
  -- without OpenSearch's own words, say what came back (an HTML page from a
  -- proxy is named by its title, never dumped)
  local quoted = reason or errors.body_summary(res.body, res.headers and res.headers["content-type"])
  if s == 401 or s == 403 then
    return errors.new("auth", ("OpenSearch refused the request (%d%s): check the credentials (OTEL_OPENSEARCH_API_KEY, opensearch_user/opensearch_password, user:password in %s, or auth = \"sigv4\")"):format(
      s, reason and (": " .. reason:sub(1, 200)) or "", URL_VAR), { status = s })
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

-- Requests that may go to another node after the first one reached its
-- server: reads only.  Opening a point in time (it creates state on the
-- cluster) and deleting one are not repeated once sent; a request that
-- never reached a node (refused, DNS, connect timeout) is always retried.
local function retry_safe(method, path)
  if method == "GET" or method == "HEAD" then return true end
  if method ~= "POST" then return false end
  local p = path:match("^[^?]*")
  return p:match("/_search$") ~= nil or p:match("/_count$") ~= nil or p:match("/_msearch$") ~= nil
    or p:match("/_field_caps$") ~= nil
end
_M.retry_safe = retry_safe

-- Statuses a node (or the proxy in front of it) gives while it cannot serve.
local UNAVAILABLE = { [502] = true, [503] = true, [504] = true }

-- The libcurl request for method + path on the only node, and its public
-- description (search_start's asynchronous send; node lists take the
-- synchronous path, which fails over).
function Client:prepare(method, path, body, response_body)
  local text = body and json.encode(body) or nil
  local url = self.nodes.urls[1] .. path
  return transport.request(self.transport, { method = method, url = url, body = text,
      response_body = response_body }),
    { method = method, url = public_url(url), body = text }
end

local function checked(res, herr, request, what, path)
  if not res then return nil, errors.from_http(herr, "OpenSearch", URL_VAR), request end
  if res.status >= 300 then return nil, status_error(res, what, path), request end
  return res, nil, request
end

--- client:send(method, path, body) -> res, nil, request | nil, err, request
--- body is a Lua table (encoded here) or nil.  `request` is what was sent:
--- { method, url, body = exact JSON text, node = 1.. }.  Headers are not
--- included, so credentials never leave this function.  With several node
--- URLs, a node that cannot be reached is skipped (see tinkr.nodes) and the
--- request goes to the next where that is safe (retry_safe).  With
--- response_body = "buffer", a 2xx res.body is core.http's buffer (read in
--- place by tinkr.core.map), not a string.
function Client:send(method, path, body, what, response_body, tap)
  local text = body and json.encode(body) or nil
  local request, res, herr
  local order = self.nodes:order()
  for k, i in ipairs(order) do
    local url = self.nodes.urls[i] .. path
    request = { method = method, url = public_url(url), body = text }
    if #order > 1 then request.node = i end
    res, herr = parallel.request(transport.request(self.transport,
      { method = method, url = url, body = text, response_body = response_body, tap = tap }))
    local last = k == #order
    if res and not (UNAVAILABLE[res.status] and retry_safe(method, path)) then
      self.nodes:succeeded(i)
      break
    end
    if herr and (herr.code == "tls" or herr.code == "bad_url" or herr.code == "interrupted" or herr.code == "too_large") then
      break                               -- the same on every node
    end
    self.nodes:failed(i)
    if last or (herr and herr.sent and not retry_safe(method, path)) then break end
  end
  if not res then return nil, errors.from_http(herr, "OpenSearch", URL_VAR), request end
  if res.status >= 300 then return nil, status_error(res, what, path), request end
  return res, nil, request
end

--- client:version() -> { number = "2.19.1", major =, minor =, distribution = } | nil, err
--- Asked once per client (GET /), then cached.
function Client:version()
  if self._version then return self._version end
  local doc, err = self:json("GET", "/")
  if not doc then return nil, err end
  local v = type(doc.version) == "table" and doc.version or {}
  local number = type(v.number) == "string" and v.number or "0.0.0"
  local major, minor = number:match("^(%d+)%.(%d+)")
  self._version = {
    number = number, major = tonumber(major) or 0, minor = tonumber(minor) or 0,
    distribution = v.distribution or "elasticsearch",
  }
  return self._version
end

--- client:cluster_health() -> health | nil, err  (for `tinkr doctor`)
--- health = { status = "green"|"yellow"|"red", nodes =, data_nodes =,
---   active_shards =, unassigned_shards =, initializing_shards =,
---   relocating_shards =, cluster_name = }
function Client:cluster_health()
  local doc, err = self:json("GET", "/_cluster/health")
  if not doc then return nil, err end
  if type(doc.status) ~= "string" then
    return nil, errors.new("backend", "OpenSearch sent cluster health without a status")
  end
  return {
    status = doc.status, cluster_name = doc.cluster_name,
    nodes = doc.number_of_nodes, data_nodes = doc.number_of_data_nodes,
    active_shards = doc.active_shards, unassigned_shards = doc.unassigned_shards,
    initializing_shards = doc.initializing_shards, relocating_shards = doc.relocating_shards,
  }
end

--- True when the server has point-in-time searches (OpenSearch 2.4 and later).
function Client:has_pit()
  local v = self:version()
  if not v then return false end
  return v.distribution == "opensearch" and (v.major > 2 or (v.major == 2 and v.minor >= 4))
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
--- With as_ndjson, "rows" is map.ndjson's JSON lines: a lines buffer
--- (#, :text(), :find(), :write(file)), or a string in a sandbox.
--- spec is a map spec (tinkr.core.map); meta has total, relation, took,
--- last_sort and request (exactly what was sent).
local function search_path(index)
  return index and ("/" .. escape_path(index) .. "/_search") or "/_search"
end

local function mapped(res, request, spec, as_ndjson, started, stream)
  -- A buffer body is freed on return: the collector does not see its
  -- megabytes, and an export makes one per page.
  local body <close> = type(res.body) == "userdata" and res.body or nil
  local rows, meta
  -- JSON lines stay in the pieces they were written in (a lines buffer,
  -- or a string where buffers are not handed out): see otel.lua's put_lines
  if as_ndjson then rows, meta = map.ndjson(res.body, spec, stream, "buffer")
  else rows, meta = map.rows(res.body, spec) end
  if not rows then
    return nil, errors.new("backend", ("OpenSearch sent a search response tinkr cannot read: %s"):format(meta))
  end
  meta.request = request
  meta.took_ms = require("tinkr.time").elapsed_ms(started)
  meta.bytes = #res.body
  -- Some shards did not answer (a node died, a shard is unassigned): the
  -- page would be silently short.  The caller may retry; never pass it on.
  local failed = math.tointeger(meta.shards_failed) or 0
  if failed > 0 then
    return nil, errors.new("backend", ("OpenSearch answered from only %d of %d shards of '%s' (a node left or a shard is unassigned): results would be incomplete; check the cluster's health and retry"):format(
      (math.tointeger(meta.shards_total) or failed) - failed, math.tointeger(meta.shards_total) or failed, index or "the point in time"),
      { partial = true, request = request })
  end
  return rows, meta
end

function Client:search(index, dsl, spec, as_ndjson)
  local path = search_path(index)
  local started = core.monotonic()
  -- JSON lines are mapped while the response arrives (a tap, core.map.stream)
  -- where the request runs here; in a tinkr.all task it runs elsewhere
  -- (TINKR_MAP_STREAM=0: after the last byte only, for bench/logs_bench.lua's comparison)
  local stream = as_ndjson and not parallel.in_task() and os.getenv("TINKR_MAP_STREAM") ~= "0"
    and map.stream(spec) or nil
  local res, err, request = self:send("POST", path, dsl, index, "buffer", stream)   -- mapped in place
  if not res then return nil, err end
  return mapped(res, request, spec, as_ndjson, started, stream)
end

--- client:search_start(index, dsl, spec, as_ndjson) -> wait
--- Sends the search now and returns at once; wait() -> rows, meta | nil, err
--- (as client:search).  The DSL is encoded at the call, so the caller may
--- change dsl afterwards.  Used to fetch the next page of an export while
--- the current one is written.  Blocks in wait() (not for tinkr.all tasks).
function Client:search_start(index, dsl, spec, as_ndjson)
  if #self.nodes.urls > 1 then
    local rows, meta = self:search(index, dsl, spec, as_ndjson)
    return function() return rows, meta end
  end
  local path = search_path(index)
  local started = core.monotonic()
  local req, request = self:prepare("POST", path, dsl, "buffer")
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
