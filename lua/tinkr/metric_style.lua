-- How a Prometheus-compatible store spells OTel metric and label names.
--
-- The same OTel histogram `http.server.request.duration` (unit s) arrives as
--   http_server_request_duration_seconds_bucket   Collector prometheusremotewrite,
--                                                  Prometheus 3 OTLP UnderscoreEscapingWithSuffixes
--   http_server_request_duration_bucket            Prometheus 3 OTLP UnderscoreEscapingWithoutSuffixes
--   http.server.request.duration_seconds_bucket    Prometheus 3 OTLP NoUTF8EscapingWithSuffixes
--   http.server.request.duration_bucket            Prometheus 3 OTLP NoTranslation, VictoriaMetrics OTLP
-- and the service is in `job` (Collector, Prometheus OTLP), `service_name`
-- (resource_to_telemetry_conversion) or `service.name` (VictoriaMetrics).
--
-- detect() looks once (the metric names, then the label names of the HTTP
-- series found) and caches the answer per URL in a small file; recipes ask
-- a style for the names to use, so the PromQL sent is the one that fits.
local core = require "tinkr.core"
local disk_cache = require "tinkr.disk_cache"

local json = core.json
local _M = { _VERSION = "0.1.0" }

_M.CACHE_TTL_S = 600            -- a style rarely changes; re-detect after this

-- The OTel metrics the recipes use: dotted name, unit suffix, kind.
_M.HTTP = {
  { otel = "http.server.request.duration", unit = "seconds", per_second = 1, kind = "histogram",
    status = "http.response.status_code", route = "http.route" },
  { otel = "http.server.duration", unit = "milliseconds", per_second = 1000, kind = "histogram",
    status = "http.status_code", route = "http.route" },
  { otel = "http.server.requests", kind = "counter", status = "http.status_code", route = "http.route" },
}

-- The four spellings, most common first.
_M.SPELLINGS = {
  { key = "underscore_suffixes", utf8 = false, suffixes = true },
  { key = "underscore", utf8 = false, suffixes = false },
  { key = "utf8_suffixes", utf8 = true, suffixes = true },
  { key = "utf8", utf8 = true, suffixes = false },
}

local LEGACY_NAME = "^[%a_:][%w_:]*$"
local LEGACY_LABEL = "^[%a_][%w_]*$"

--- The stored name of an OTel metric under a spelling, before _bucket etc.
--- counter: the whole name (with _total when suffixed).
function _M.metric_name(m, spelling)
  local name = spelling.utf8 and m.otel or m.otel:gsub("[^%w_:]", "_")
  if spelling.suffixes then
    if m.unit then name = name .. "_" .. m.unit end
    if m.kind == "counter" then name = name .. "_total" end
  end
  return name
end

--- The stored name of an OTel attribute (label) under a spelling.
function _M.label_name(attr, spelling)
  if spelling.utf8 then return attr end
  return (attr:gsub("[^%w_]", "_"))
end

--- A PromQL selector: name{m1, m2}, or {"name", m1, m2} when the name needs
--- quoting (UTF-8 names, Prometheus 3).  matchers: already-rendered strings.
function _M.selector(name, matchers)
  local ms = table.concat(matchers or {}, ", ")
  if name:match(LEGACY_NAME) then return ("%s{%s}"):format(name, ms) end
  local quoted = '"' .. name:gsub('[\\"]', "\\%0") .. '"'
  return "{" .. quoted .. (ms ~= "" and (", " .. ms) or "") .. "}"
end

--- A label name as it is written in a matcher: bare, or quoted when it needs it.
function _M.label(name)
  if name:match(LEGACY_LABEL) then return name end
  return '"' .. name:gsub('[\\"]', "\\%0") .. '"'
end

-- The spellings' bucket/count series names, to look for in the name list.
local function probes()
  local out = {}
  for _, sp in ipairs(_M.SPELLINGS) do
    for _, m in ipairs(_M.HTTP) do
      local n = _M.metric_name(m, sp)
      out[#out + 1] = { spelling = sp, metric = m, series = m.kind == "histogram" and n .. "_bucket" or n }
    end
  end
  return out
end

--- The style for a set of metric names and a label lookup (pure; see detect).
--- labels_of(list of series names) -> set of label names those series carry.
function _M.classify(names, labels_of)
  local have = {}
  for _, n in ipairs(names) do have[n] = true end
  local best, found = nil, {}
  for _, p in ipairs(probes()) do
    if have[p.series] then
      found[#found + 1] = p.series
      best = best or p
    end
  end
  if not best then
    return { known = false, spelling = _M.SPELLINGS[1], service_labels = { "job", "service_name" },
      found = found, description = "no OTel HTTP server metrics found" }
  end
  -- the labels of every HTTP series found (a store may carry the service in
  -- job on one generation and in service_name on another)
  local labels = labels_of and labels_of(found) or {}
  local service_labels = {}
  for _, l in ipairs({ "job", "service_name", "service.name" }) do
    if labels[l] then service_labels[#service_labels + 1] = l end
  end
  -- Where both job and a service label are there, the service label is the
  -- explicit one; job stays as well (it may hold namespace/name).
  if #service_labels == 0 then service_labels = { "job" } end
  local sp = best.spelling
  local writer
  if sp.key == "underscore_suffixes" then
    writer = labels.service_name and "Collector prometheusremotewrite with resource_to_telemetry_conversion"
      or "Collector prometheusremotewrite, or Prometheus 3 OTLP (UnderscoreEscapingWithSuffixes)"
  elseif sp.key == "underscore" then
    writer = "Prometheus 3 OTLP (UnderscoreEscapingWithoutSuffixes)"
  elseif sp.key == "utf8_suffixes" then
    writer = "Prometheus 3 OTLP (NoUTF8EscapingWithSuffixes)"
  elseif labels["service.name"] and not labels.job then
    writer = "VictoriaMetrics OTLP (names as sent, resource attributes as labels)"
  else
    writer = "Prometheus 3 OTLP (NoTranslation)"
  end
  return {
    known = true, spelling = sp, service_labels = service_labels, found = found,
    example = best.series, writer = writer,
    description = ("%s: %s, service in %s"):format(writer, best.series, table.concat(service_labels, ", ")),
  }
end

--- What recipe files see as `naming` for a style (nil: the default,
--- Collector remote-write spelling with job and service_name).
function _M.naming(style)
  style = style or _M.classify({}, nil)
  local sp = style.spelling
  return {
    style = sp.key,
    HTTP = _M.HTTP,
    service_labels = style.service_labels,
    metric_name = function(m) return _M.metric_name(m, sp) end,
    label_name = function(attr) return _M.label_name(attr, sp) end,
    label = _M.label,
    selector = _M.selector,
  }
end

---------------------------------------------------------------------------
-- Detection against a server, with a file cache.

_M.cache_dir = nil             -- instead of tinkr.disk_cache's directory (tests)

--- The cache of detected styles (tinkr.disk_cache), one entry per URL.
function _M.cache()
  return disk_cache.open("metric-style", { ttl = _M.CACHE_TTL_S, dir = _M.cache_dir })
end

--- The cache key for a Prometheus URL (credentials stripped, hashed).
function _M.cache_key(url)
  return disk_cache.key(url, "metric-style")
end

local function by_key(key)
  for _, sp in ipairs(_M.SPELLINGS) do
    if sp.key == key then return sp end
  end
end

--- detect(client [, opts]) -> style | nil, err
--- client: a tinkr.prometheus client.  opts.fresh skips the cache.
--- style.round_trips says how many requests it took (0 from the cache).
function _M.detect(client, opts)
  opts = opts or {}
  local cache = _M.cache()
  local key = _M.cache_key(client.base)
  local hit = not opts.fresh and cache:get(key)
  if type(hit) == "table" and type(hit.style) == "table" and type(hit.spelling) == "string" and by_key(hit.spelling) then
    local style = _M.classify({}, nil)
    for k, v in pairs(hit.style) do style[k] = v end
    style.spelling = by_key(hit.spelling)
    style.cached, style.round_trips = true, 0
    return style
  end
  local names, err = client:call("/api/v1/label/__name__/values", {}, {})
  if not names then return nil, err end
  local trips = 1
  local function labels_of(series)
    local alts = {}
    for i, n in ipairs(series) do alts[i] = n:gsub("[%.%+%*%?%^%$%(%)%[%]{}|\\]", "\\\\%0") end
    local selector = '{__name__=~"' .. table.concat(alts, "|") .. '"}'
    local set = {}
    local list = client:call("/api/v1/labels", { ["match[]"] = selector }, { "match[]" })
    trips = trips + 1
    for _, l in ipairs(type(list) == "table" and list or {}) do set[l] = true end
    return set
  end
  local style = _M.classify(type(names) == "table" and names or {}, labels_of)
  style.cached, style.round_trips = false, trips
  cache:put(key, { spelling = style.spelling.key, style = {
    known = style.known, service_labels = json.array(style.service_labels), found = json.array(style.found),
    example = style.example, writer = style.writer, description = style.description,
  } })
  return style
end

return _M
