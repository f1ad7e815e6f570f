-- tinkr.metrics: PromQL against the configured Prometheus.
--
--   local rows, meta = tinkr.metrics.query('up', { time = "2026-11-26T12:00:00Z" })
--   local series, meta = tinkr.metrics.range('up', { since = "1h", step = "30s" })
--   local rows, meta = tinkr.metrics.recipe("http_request_rate", { service = "payments-api" })
--
-- rows[i]   = { labels = {...}, value = <float>, time_ns = <integer> }
-- series[i] = { labels = {...}, points = { { t_ns, value }, ... } }
-- meta      = { took_ms =, result_type =, warnings = {...},
--               request = { method =, url =, params = { query =, time = | start =, end =, step = } } }
-- Every function returns result, meta or nil, err (tinkr.errors); only a
-- wrong argument type raises.  Requests go through tinkr.parallel, so
-- several of these inside tinkr.all run at once.
local _M = { _VERSION = "0.1.0" }

local errors = require "tinkr.errors"
local time = require "tinkr.time"
local prometheus = require "tinkr.prometheus"
local recipes = require "tinkr.recipes"
local metric_style = require "tinkr.metric_style"
local metric_hints = require "tinkr.metric_hints"
local bucket_check = require "tinkr.bucket_check"
local transport = require "tinkr.transport"

local NS_PER_S = time.NS_PER_S
local TARGET_POINTS = 120     -- default range step: about this many points
local MIN_STEP_S = 15         -- ... but never finer than a typical scrape interval

local Metrics = {}
Metrics.__index = Metrics

--- metrics.new(config): config is a tinkr.config object or a plain table
--- { prometheus_url =, timeout =, connect_timeout =, ca_file =, insecure =, headers = }.
--- Nothing is checked until a query needs it, so a missing URL is an error
--- value from that query (code "config"), not a raise here.
function _M.new(config)
  if type(config) ~= "table" then
    error(("bad argument #1 to 'new' (table expected, got %s)"):format(type(config)), 2)
  end
  return setmetatable({ config = config }, Metrics)
end

-- The Prometheus client for this config, or nil, err.
function Metrics:client()
  local cfg = self.config
  if type(cfg.require) ~= "function" then       -- a plain table of settings
    if type(cfg.prometheus_url) ~= "string" or cfg.prometheus_url == "" then
      return nil, errors.new("config",
        "OTEL_PROMETHEUS_URL is not set: export OTEL_PROMETHEUS_URL=http://host:9090")
    end
    local overrides = {}
    for k, v in pairs(cfg) do overrides[k] = v end
    overrides.headers, overrides.prometheus_headers = nil, cfg.headers
    cfg = require("tinkr.config").new{ overrides = overrides, getenv = function() return nil end }
  end
  local opts, err = transport.options(cfg, "prometheus")
  if not opts then return nil, err end
  return prometheus.new{ url = opts.urls[1], transport = opts }
end

local check = require("tinkr.api_check").args

local function empty_expr(expr)
  if not expr:find("%S") then
    return errors.new("usage", "empty PromQL expression")
  end
end

-- opts.time (any form tinkr.time parses; default now) -> ns | nil, err
local function instant_of(opts)
  if opts.time == nil then return time.now() end
  local ns, err = time.parse(opts.time)
  if not ns then return nil, errors.new("usage", "time: " .. err) end
  return ns
end

-- opts.since / from / to / step -> from_ns, to_ns, step_s | nil, err
local function range_of(opts)
  local from_ns, to_ns = time.window{ since = opts.since, from = opts.from, to = opts.to }
  if not from_ns then return nil, errors.new("usage", to_ns) end
  local step_s
  if opts.step ~= nil then
    local ns, err = time.duration(opts.step)
    if not ns then return nil, errors.new("usage", "step: " .. err) end
    if ns < time.NS_PER_MS then return nil, errors.new("usage", "step: must be at least 1ms") end
    step_s = ns % NS_PER_S == 0 and ns // NS_PER_S or ns / NS_PER_S
  else
    local span_s = (to_ns - from_ns) / NS_PER_S
    step_s = math.max(MIN_STEP_S, math.ceil(span_s / TARGET_POINTS))
  end
  return from_ns, to_ns, step_s
end

--- m:query(expr, opts) -> rows, meta | nil, err
--- opts.time: the instant to evaluate at (default now).
function Metrics:query(expr, opts)
  expr, opts = check("metrics.query", expr, opts)
  return self:instant(expr, opts or {}, true)
end

-- The instant query behind query() and recipes; hint: explain an empty answer.
function Metrics:instant(expr, opts, hint)
  local bad = empty_expr(expr)
  if bad then return nil, bad end
  local at, err = instant_of(opts)
  if not at then return nil, err end
  local client, cerr = self:client()
  if not client then return nil, cerr end
  local rows, meta = client:query(expr, at)
  if rows then
    meta.time_ns = at
    if #rows == 0 and hint then meta.hint = metric_hints.for_empty(client, expr, at) end
  end
  return rows, meta
end

--- m:range(expr, opts) -> series, meta | nil, err
--- opts.since (default 1h) or from/to; opts.step (default: ~120 points, >= 15s).
function Metrics:range(expr, opts)
  expr, opts = check("metrics.range", expr, opts)
  return self:ranged(expr, opts or {}, true)
end

-- The range query behind range() and recipes; hint: explain an empty answer.
function Metrics:ranged(expr, opts, hint)
  local bad = empty_expr(expr)
  if bad then return nil, bad end
  local from_ns, to_ns, step_s = range_of(opts)
  if not from_ns then return nil, to_ns end
  local client, cerr = self:client()
  if not client then return nil, cerr end
  local series, meta = client:query_range(expr, from_ns, to_ns, step_s)
  if series then
    meta.from_ns, meta.to_ns, meta.step_s = from_ns, to_ns, step_s
    if #series == 0 and hint then meta.hint = metric_hints.for_empty(client, expr, to_ns) end
  end
  return series, meta
end

-- Keys of metrics.recipe's params that say when, not what.
local RANGE_KEYS = { since = true, from = true, to = true, step = true }
local INSTANT_KEYS = { time = true }

--- m:recipe(name, params) -> rows | series, meta | nil, err
--- params: the recipe's own parameters, plus since/from/to/step for a range
--- query or time for an instant one (default: an instant query at now);
--- range = true asks for a range with the defaults (the last hour).
--- meta also has recipe =, expr = (the PromQL sent), unit =, params =.
function Metrics:recipe(name, params)
  name, params = check("metrics.recipe", name, params)
  params = params or {}
  local own, when, ranged = {}, {}, false
  for k, v in pairs(params) do
    if RANGE_KEYS[k] then when[k], ranged = v, true
    elseif INSTANT_KEYS[k] then when[k] = v
    elseif k ~= "range" then own[k] = v end
  end
  if params.range ~= nil then            -- explicit: range = true / false
    if type(params.range) ~= "boolean" then
      return nil, errors.new("usage", "range must be true or false")
    end
    if params.range == false and ranged then
      return nil, errors.new("usage", "range = false, but since/from/to/step ask for a range")
    end
    ranged = params.range
  end
  if ranged and when.time ~= nil then
    return nil, errors.new("usage", "give time (instant) or since/from/to/step (range), not both")
  end
  -- Parameters are checked before anything is asked of the server.
  local checked, cerr = recipes.expand(name, own)
  if not checked then return nil, cerr end
  local client
  client, cerr = self:client()
  if not client then
    cerr.recipe, cerr.expr = name, checked
    return nil, cerr
  end
  local function run(fresh)
    local style, serr = metric_style.detect(client, { fresh = fresh })
    if not style then
      serr.recipe, serr.expr = name, checked
      return nil, serr
    end
    local expr, recipe, values = recipes.expand(name, own, metric_style.naming(style))
    if not expr then return nil, recipe end
    local result, meta
    if ranged then
      result, meta = self:ranged(expr, when, false)
    else
      result, meta = self:instant(expr, when, false)
    end
    if not result then
      meta.recipe, meta.expr = name, expr
      return nil, meta, style
    end
    meta.recipe, meta.expr, meta.unit, meta.params = name, expr, recipe.unit, values
    meta.naming = { style = style.spelling.key, service_labels = style.service_labels, cached = style.cached,
      description = style.description }
    return result, meta, style, recipe, values
  end
  local result, meta, style, recipe, values = run(false)
  -- A cached style may be stale (the store was rewritten, or another server
  -- now answers on that URL): an empty answer, or PromQL the server cannot
  -- parse (UTF-8 names sent to Prometheus 2), means look again, once.
  local stale = style and style.cached and (result and #result == 0 or not result and meta.code == "bad_query")
  if stale then
    result, meta, style, recipe, values = run(true)
  end
  if result and #result > 0 and type(recipe.buckets) == "function" then
    local caveat = self:bucket_caveat(client, recipe, values, result, meta)
    if caveat then meta.caveats = { caveat } end
  end
  return result, meta
end

-- The caveat for a quantile recipe whose answer sits in a bucket wider than
-- itself, or nil.  Asks the recipe's bucket counts (first alternative with
-- data) at the instant queried, or the end of the range.
function Metrics:bucket_caveat(client, recipe, values, result, meta)
  local ok, alternatives = pcall(recipe.buckets, values, require("tinkr.promql"))
  if not ok or type(alternatives) ~= "table" then return nil end
  local at = meta.time_ns or meta.to_ns
  for _, alt in ipairs(alternatives) do
    local rows = client:query(alt.expr, at)
    local bounds = rows and bucket_check.bounds(rows, alt.per_second)
    if bounds then
      -- In seconds, a p99 "at most 1 s" or finer needs no caveat.
      local worst = bucket_check.worst(bounds, result, recipe.unit == "seconds" and 1 or 0)
      if not worst then return nil end
      local what = meta.recipe .. (values.service and (" for " .. values.service) or "")
      if meta.params and meta.params.quantile then what = ("%s (q = %s)"):format(what, meta.params.quantile) end
      meta.buckets = { expr = alt.expr, bounds = bounds }
      return bucket_check.caveat(what, worst, recipe.unit, bounds)
    end
  end
  return nil
end

--- Names of the recipes tinkr can find.
function Metrics:recipes()
  return require("tinkr.core").json.array(recipes.list())
end

--- m:buildinfo() -> version, meta | nil, err
function Metrics:buildinfo()
  local client, err = self:client()
  if not client then return nil, err end
  return client:buildinfo()
end

-- Module-level functions use the process-wide config (tinkr.config.get(),
-- read each call so tinkr.configure / the CLI flags take effect).
local function default()
  return _M.new(require("tinkr.config").get())
end

function _M.query(...) return default():query(check("metrics.query", ...)) end
function _M.range(...) return default():range(check("metrics.range", ...)) end
function _M.recipe(...) return default():recipe(check("metrics.recipe", ...)) end
function _M.recipes(...)
  check("metrics.recipes", ...)
  return require("tinkr.core").json.array(recipes.list())
end
function _M.buildinfo(...)
  check("metrics.buildinfo", ...)
  return default():buildinfo()
end

return _M
