-- `tinkr doctor`: can tinkr answer every command against these backends,
-- and what exactly did it find?  Reaches OpenSearch (version, cluster
-- health, the OTel indices per signal with layout, documents, time range,
-- services) and Prometheus (version, how metric names are spelled), and
-- prints the settings that would pin what it found.
--
--   local report = doctor.run(config)   -- never raises for the world's failures
--   io.write(doctor.render(report))
--   os.exit(report.status)
local core = require "tinkr.core"
local discovery = require "tinkr.discovery"
local errors = require "tinkr.errors"
local layout = require "tinkr.layout"
local metric_style = require "tinkr.metric_style"
local opensearch = require "tinkr.opensearch"
local parallel = require "tinkr.parallel"

local json = core.json
local _M = { _VERSION = "0.1.0" }

_M.SERVICES_SHOWN = 8

local KIND_SETTING = { logs = "log_index", spans = "trace_index" }

-- Documents, time range and services of one index family (one search).
local function family_stats(client, fam)
  local m = layout.mapping(fam.layout)
  local fields = layout.fields(client, fam.pattern)
  if not (m and fields) then return { error = "cannot read its mapping" } end
  local section = m[fam.kind]
  local r = layout.resolver(fields, section, fam.pattern)
  local tname = fam.kind == "logs" and "timestamp" or "start"
  local ok_t, tfield = pcall(r.field, tname)
  -- a layout may keep a date twin for range queries (Jaeger: startTimeMillis)
  local twin = type(section.query_fields) == "table" and section.query_fields[tname]
  if twin and fields[twin] then ok_t, tfield = true, twin end
  local unit_ns = ({ us = 1000, ns = 1, s = 1000000000 })[type(section.time_units) == "table"
    and not twin and section.time_units[tname] or ""] or 1000000
  local ok_s, sfield = pcall(r.field, "service")
  local aggs = {}
  if ok_t then
    aggs.first = { min = { field = tfield } }
    aggs.last = { max = { field = tfield } }
  end
  if ok_s then aggs.services = { terms = { field = sfield, size = 100 } } end
  local body = { size = 0, track_total_hits = true, aggs = aggs }
  local doc, err = client:json("POST", "/" .. fam.pattern .. "/_search", body, fam.pattern)
  if not doc then return { error = err.message } end
  local out = { docs = type(doc.hits) == "table" and type(doc.hits.total) == "table" and doc.hits.total.value or nil }
  local a = type(doc.aggregations) == "table" and doc.aggregations or {}
  local function when(x)
    if type(x) ~= "table" then return nil end
    -- a date field stored as epoch_millis (Jaeger) gives digits as its string
    local text = x.value_as_string
    if text and not text:match("^%d+$") then return text end
    return (type(x.value) == "number" and core.iso_format(math.floor(x.value) * unit_ns)) or text
  end
  out.from, out.to = when(a.first), when(a.last)
  out.services = core.json.array({})
  for _, b in ipairs(type(a.services) == "table" and a.services.buckets or {}) do
    out.services[#out.services + 1] = tostring(b.key)
  end
  table.sort(out.services)
  return out
end

local function check_opensearch(cfg, report)
  local os_url = cfg:get("opensearch_url")
  local o = { url = os_url and errors.public_url(os_url) }
  report.opensearch = o
  if not os_url then
    o.error = errors.new("config", "OTEL_OPENSEARCH_URL is not set: export OTEL_OPENSEARCH_URL=http://host:9200")
    return
  end
  local client, err = opensearch.new(cfg)
  if not client then o.error = err; return end
  local results = parallel.run{
    info = function() return client:json("GET", "/") end,
    health = function() return client:json("GET", "/_cluster/health") end,
    found = function() return discovery.candidates(client) end,
  }
  local info, ierr = results.info[1], results.info[2]
  if not info then o.error = ierr; return end
  local v = type(info.version) == "table" and info.version or {}
  o.version = v.number
  o.distribution = v.distribution or "elasticsearch"
  local h = results.health[1]
  if h then
    o.health = { status = h.status, unassigned_shards = h.unassigned_shards, nodes = h.number_of_nodes }
  else
    o.health_error = results.health[2] and results.health[2].message
  end
  local found, ferr = results.found[1], results.found[2]
  if not found then o.error = ferr; return end
  -- stats for every family, in parallel
  local tasks = {}
  for i, fam in ipairs(found) do
    tasks[i] = function() return family_stats(client, fam) end
  end
  local stats = #tasks > 0 and { parallel.all(tasks) } or {}
  for i, fam in ipairs(found) do
    for k, val in pairs(stats[i] or {}) do fam[k] = val end
  end
  o.indices = core.json.array(found)
  -- what each signal would use: the configured pattern, else the default,
  -- else the first family found (what discovery picks)
  o.signals = {}
  for _, kind in ipairs({ "logs", "spans" }) do
    local pattern, source = cfg:lookup(KIND_SETTING[kind])
    local chosen
    if source ~= "default" then
      for _, fam in ipairs(found) do
        if fam.kind == kind and (fam.pattern == pattern or discovery.matches(pattern, fam.indices[1])) then
          chosen = chosen or fam
        end
      end
      o.signals[kind] = { pattern = pattern, source = source, family = chosen }
    else
      for _, fam in ipairs(found) do
        if fam.kind == kind and discovery.matches(pattern, fam.indices[1]) then chosen = chosen or fam end
      end
      if chosen then
        o.signals[kind] = { pattern = pattern, source = "default", family = chosen }
      else
        for _, fam in ipairs(found) do
          if fam.kind == kind then chosen = chosen or fam end
        end
        o.signals[kind] = { pattern = chosen and chosen.pattern or pattern, source = chosen and "discovered" or "default",
          family = chosen }
      end
    end
  end
end

local function check_prometheus(cfg, report)
  local p = {}
  report.prometheus = p
  local metrics = require("tinkr.metrics").new(cfg)
  local client, err = metrics:client()
  if not client then p.error = err; return end
  p.url = errors.public_url(client.base)
  local version, verr = client:buildinfo()
  if not version then p.error = verr; return end
  p.version = version
  local style, serr = metric_style.detect(client, { fresh = true })
  if not style then p.error = serr; return end
  p.style = style
end

local function pin_lines(report)
  local env, profile = core.json.array({}), core.json.array({})
  local o = report.opensearch or {}
  for kind, var in pairs({ logs = "OTEL_LOG_INDEX", spans = "OTEL_TRACE_INDEX" }) do
    local s = o.signals and o.signals[kind]
    if s and s.family then
      env[#env + 1] = ("export %s=%s"):format(var, s.family.pattern)
      profile[#profile + 1] = ('%s = "%s"'):format(KIND_SETTING[kind], s.family.pattern)
    end
  end
  table.sort(env)
  local ls, ss = o.signals and o.signals.logs, o.signals and o.signals.spans
  if ls and ss and ls.family and ss.family and ls.family.layout == ss.family.layout then
    env[#env + 1] = "export TINKR_LAYOUT=" .. ls.family.layout
    profile[#profile + 1] = ('layout = "%s"'):format(ls.family.layout)
  end
  table.sort(profile)
  if o.url then table.insert(profile, 1, ('opensearch_url = "%s"'):format(o.url)) end
  local p = report.prometheus or {}
  -- after opensearch_url when there is one (a report may have either URL alone)
  if p.url then table.insert(profile, o.url and 2 or 1, ('prometheus_url = "%s"'):format(p.url)) end
  return env, profile
end

--- doctor.run(config) -> report.  report.status: 0 when every command can
--- be answered, 1 when a backend answers but some signal has no data, else
--- the exit status of the first backend failure (README: exit status).
function _M.run(cfg)
  local report = {}
  parallel.all{
    function() check_opensearch(cfg, report) return true end,
    function() check_prometheus(cfg, report) return true end,
  }
  local o, p = report.opensearch, report.prometheus
  local sig = o.signals or {}
  report.answers = {
    logs = sig.logs ~= nil and sig.logs.family ~= nil,
    traces = sig.spans ~= nil and sig.spans.family ~= nil,
    trace = sig.spans ~= nil and sig.spans.family ~= nil,
    metrics = p.version ~= nil,
    recipes = p.style ~= nil and p.style.known == true,
  }
  report.env, report.profile = pin_lines(report)
  local failed = o.error or p.error
  if failed then
    report.status = errors.exit_status(failed)
  else
    report.status = 0
    for _, ok in pairs(report.answers) do
      if not ok then report.status = 1 end
    end
  end
  return report
end

local function short_time(t)
  return t and (t:gsub("%.%d+", ""):gsub("T", " ")) or "?"
end

local function services_text(list)
  if not list or #list == 0 then return "no services" end
  local shown = {}
  for i = 1, math.min(#list, _M.SERVICES_SHOWN) do shown[i] = list[i] end
  local more = #list > _M.SERVICES_SHOWN and (", +%d more"):format(#list - _M.SERVICES_SHOWN) or ""
  return ("%d services: %s%s"):format(#list, table.concat(shown, ", "), more)
end

--- The report as text for a terminal.
function _M.render(report)
  local out = {}
  local function line(fmt, ...) out[#out + 1] = fmt:format(...) end
  local o, p = report.opensearch, report.prometheus
  if o.error then
    line("OpenSearch  %s: %s", o.url or "(not set)", o.error.message)
  else
    line("OpenSearch  %s: %s %s", o.url, o.distribution, o.version or "?")
    if o.health then
      line("  cluster   %s, %d node%s, %d unassigned shard%s", o.health.status, o.health.nodes or 0,
        o.health.nodes == 1 and "" or "s", o.health.unassigned_shards or 0,
        o.health.unassigned_shards == 1 and "" or "s")
    elseif o.health_error then
      line("  cluster   health unknown: %s", o.health_error)
    end
    if #(o.indices or {}) == 0 then line("  no OTel log or span indices found") end
    for _, fam in ipairs(o.indices or {}) do
      line("  %-5s  %-32s %-18s %s docs, %s .. %s, %s", fam.kind, fam.pattern, fam.layout,
        tostring(fam.docs or "?"), short_time(fam.from), short_time(fam.to), services_text(fam.services))
    end
    for _, kind in ipairs({ "logs", "spans" }) do
      local s = o.signals[kind]
      if s.family then
        line("  %s use %s (%s, %s)", kind == "logs" and "logs: " or "spans:", s.family.pattern, s.family.layout, s.source)
      else
        line("  %s no index (%s '%s' matches no OTel index)", kind == "logs" and "logs: " or "spans:", s.source, s.pattern)
      end
    end
  end
  if p.error then
    line("Prometheus  %s: %s", p.url or "(not set)", p.error.message)
  else
    line("Prometheus  %s: version %s", p.url, p.version)
    local st = p.style
    if st.known then
      line("  metrics   %s", st.writer)
      line("            e.g. %s; service in label %s", st.example, table.concat(st.service_labels, ", "))
    else
      line("  metrics   no OTel HTTP server metrics found (recipes will answer nothing)")
    end
  end
  local can, cannot = {}, {}
  for _, c in ipairs({ "logs", "traces", "trace", "metrics", "recipes" }) do
    if report.answers[c] then can[#can + 1] = c else cannot[#cannot + 1] = c end
  end
  line("Answers     %s%s", #can > 0 and table.concat(can, ", ") or "nothing",
    #cannot > 0 and ("; not: " .. table.concat(cannot, ", ")) or "")
  if #report.env > 0 then
    line("Pin what was found (environment):")
    for _, e in ipairs(report.env) do line("  %s", e) end
    line("or in a profile (~/.config/tinkr/config.toml):")
    line("  [profiles.found]")
    for _, e in ipairs(report.profile) do line("  %s", e) end
  end
  return table.concat(out, "\n") .. "\n"
end

--- The report as plain data for --format json (errors as messages).
function _M.plain(report)
  local function strip(v, depth)
    if depth > 8 then return nil end
    if errors.is_error(v) then return { code = v.code, message = v.message } end
    if type(v) ~= "table" then return v end
    -- a copy keeps the array mark: an empty list stays []
    local t = getmetatable(v) == json.array_mt and json.array({}) or {}
    for k, x in pairs(v) do
      if k ~= "spelling" then t[k] = strip(x, depth + 1) end
    end
    if v.spelling then t.spelling = v.spelling.key end
    return t
  end
  return json.encode(strip(report, 0))
end

return _M
