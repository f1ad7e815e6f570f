-- Writes an OpenSearch _search response of N hits.  By default (LAYOUT
-- ss4o) log hits in the shape the Collector's opensearch exporter stores:
-- flat dotted keys inside `resource` and `attributes`, `severity` as
-- {text, number}, nanosecond sort values for search_after.  The other
-- layouts of queries/mappings/ give the same records in their own shape
-- (seed, dataprepper, ecs, flatten_attributes: logs; jaeger: spans).
-- Deterministic (own LCG, fixed seed).
--
--   lua5.4 bench/gen_search_response.lua OUT.json [N [LAYOUT]]   (10000 ss4o)

local out_path = assert(arg[1], "usage: gen_search_response.lua OUT.json [N [LAYOUT]]")
local n = tonumber(arg[2] or "10000")
local layout = arg[3] or "ss4o"

local state = 20251126
local function rand(k)            -- 1..k
  state = (state * 1103515245 + 12345) % 2147483648
  return (state >> 16) % k + 1
end
local function hex(len)
  local t = {}
  for i = 1, len do t[i] = string.format("%x", rand(16) - 1) end
  return table.concat(t)
end

local services = { "payments-api", "checkout", "cart", "frontend", "inventory", "shipping" }
local levels = { { "INFO", 9 }, { "INFO", 9 }, { "INFO", 9 }, { "DEBUG", 5 }, { "WARN", 13 }, { "ERROR", 17 } }
local routes = { "/orders/{id}", "/cart", "/payments", "/healthz", "/items/{sku}" }
local methods = { "GET", "POST", "PUT", "DELETE" }

local base_ns = 1764172800000000000     -- 2025-11-26T16:00:00Z
local function iso(ns)
  local s = ns // 1000000000
  local frac = ns % 1000000000
  return os.date("!%Y-%m-%dT%H:%M:%S", s) .. string.format(".%09dZ", frac)
end

local function message(level, method, route, status, ms)
  if level == "ERROR" then
    return string.format('%s %s failed: \\"ledger\\" returned %d\\n\\tat Ledger.post(Ledger.java:%d)',
      method, route, status, rand(400))
  end
  return string.format("%s %s %d in %d ms", method, route, status, ms)
end

-- One record, then its _source text in the chosen layout.
local function record(i)
  local r = { ns = base_ns - i * 1234567 + rand(1000) }
  r.svc = services[rand(#services)]
  r.lv = levels[rand(#levels)]
  r.method, r.route = methods[rand(#methods)], routes[rand(#routes)]
  r.status = r.lv[1] == "ERROR" and 502 or 200
  r.ms = rand(900)
  r.id = hex(20)
  r.body = message(r.lv[1], r.method, r.route, r.status, r.ms)
  r.version = "1." .. rand(9) .. "." .. rand(20)
  r.host = "node-" .. rand(40)
  r.trace, r.span = hex(32), hex(16)
  return r
end

local sources = {}

function sources.ss4o(r)
  return '"@timestamp":"' .. iso(r.ns) .. '","observedTimestamp":"' .. iso(r.ns + 150000) .. '",' ..
    '"body":"' .. r.body .. '",' ..
    '"severity":{"text":"' .. r.lv[1] .. '","number":' .. r.lv[2] .. '},' ..
    '"attributes":{"http.method":"' .. r.method .. '","http.route":"' .. r.route ..
    '","http.status_code":' .. r.status .. '},' ..
    '"resource":{"service.name":"' .. r.svc .. '","service.version":"' .. r.version ..
    '","host.name":"' .. r.host .. '"},' ..
    '"instrumentationScope":{"name":"io.opentelemetry.http","version":"1.32.0"},' ..
    '"traceId":"' .. r.trace .. '","spanId":"' .. r.span .. '","flags":1,' ..
    '"schemaUrl":"https://opentelemetry.io/schemas/1.21.0"'
end

-- The product document's layout: nested objects, severity a string.
function sources.seed(r)
  return '"@timestamp":"' .. iso(r.ns) .. '","body":"' .. r.body .. '","severity":"' .. r.lv[1] .. '",' ..
    '"attributes":{"http":{"method":"' .. r.method .. '","route":"' .. r.route ..
    '","status_code":' .. r.status .. '}},' ..
    '"resource":{"service":{"name":"' .. r.svc .. '","version":"' .. r.version ..
    '"},"host":{"name":"' .. r.host .. '"}},' ..
    '"traceId":"' .. r.trace .. '","spanId":"' .. r.span .. '"'
end

-- Data Prepper: attributes as top-level keys, their dots turned into '@'.
function sources.dataprepper(r)
  return '"traceId":"' .. r.trace .. '","spanId":"' .. r.span .. '","severityText":"' .. r.lv[1] ..
    '","severityNumber":' .. r.lv[2] .. ',"flags":1,"time":"' .. iso(r.ns) ..
    '","observedTime":"' .. iso(r.ns + 150000) .. '","@timestamp":"' .. iso(r.ns) ..
    '","body":"' .. r.body .. '","droppedAttributesCount":0,' ..
    '"log.attributes.http@method":"' .. r.method .. '","log.attributes.http@route":"' .. r.route ..
    '","log.attributes.http@status_code":' .. r.status .. ',' ..
    '"resource.attributes.service@name":"' .. r.svc .. '","resource.attributes.service@version":"' ..
    r.version .. '","resource.attributes.host@name":"' .. r.host .. '","serviceName":"' .. r.svc ..
    '","schemaUrl":"https://opentelemetry.io/schemas/1.21.0"'
end

-- The exporter's ecs mode: flat dotted keys at the top level.
function sources.ecs(r)
  return '"@timestamp":"' .. iso(r.ns) .. '","Attributes.http.method":"' .. r.method ..
    '","Attributes.http.route":"' .. r.route .. '","Attributes.http.status_code":' .. r.status ..
    ',"Attributes.service.name":"' .. r.svc .. '","Attributes.service.version":"' .. r.version ..
    '","Attributes.host.name":"' .. r.host .. '","Body.value":"' .. r.body .. '",' ..
    '"SeverityNumber":' .. r.lv[2] .. ',"SeverityText":"' .. r.lv[1] .. '",' ..
    '"SpanId":"' .. r.span .. '","TraceFlags":1,"TraceId":"' .. r.trace .. '"'
end

-- The exporter's flatten_attributes mode: attributes as top-level keys.
function sources.flatten_attributes(r)
  return '"@timestamp":"' .. iso(r.ns) .. '","http.method":"' .. r.method ..
    '","http.route":"' .. r.route .. '","http.status_code":' .. r.status ..
    ',"service.name":"' .. r.svc .. '","service.version":"' .. r.version ..
    '","host.name":"' .. r.host .. '","Body.value":"' .. r.body .. '",' ..
    '"SeverityNumber":' .. r.lv[2] .. ',"SeverityText":"' .. r.lv[1] .. '",' ..
    '"SpanId":"' .. r.span .. '","TraceFlags":1,"TraceId":"' .. r.trace .. '"'
end

-- Jaeger v2 spans: microsecond times, references, key/type/value tags.
function sources.jaeger(r)
  local us = r.ns // 1000
  return '"traceID":"' .. r.trace .. '","spanID":"' .. r.span .. '","flags":1,' ..
    '"operationName":"' .. r.method .. ' ' .. r.route .. '",' ..
    '"references":[{"refType":"CHILD_OF","traceID":"' .. r.trace .. '","spanID":"' .. r.id:sub(1, 16) .. '"}],' ..
    '"startTime":' .. us .. ',"startTimeMillis":' .. us // 1000 .. ',"duration":' .. r.ms * 1000 .. ',' ..
    '"tags":[{"key":"http.method","type":"string","value":"' .. r.method .. '"},' ..
    '{"key":"http.route","type":"string","value":"' .. r.route .. '"},' ..
    '{"key":"http.status_code","type":"int64","value":"' .. r.status .. '"},' ..
    '{"key":"span.kind","type":"string","value":"server"}],' ..
    '"logs":[],"process":{"serviceName":"' .. r.svc .. '","tags":[' ..
    '{"key":"service.version","type":"string","value":"' .. r.version .. '"},' ..
    '{"key":"host.name","type":"string","value":"' .. r.host .. '"}]}'
end

local source = assert(sources[layout], "unknown layout " .. layout)
local index = layout == "jaeger" and "jaeger-span-2025-11-26" or "ss4o_logs-default-namespace"

local f = assert(io.open(out_path, "wb"))
f:write('{"took":41,"timed_out":false,"_shards":{"total":3,"successful":3,"skipped":0,"failed":0},',
        '"hits":{"total":{"value":184467,"relation":"eq"},"max_score":null,"hits":[')
for i = 1, n do
  local r = record(i)
  f:write(i > 1 and "," or "",
    '{"_index":"', index, '","_id":"', r.id, '","_score":null,"_source":{', source(r), '},',
    '"sort":[', string.format("%d", r.ns), ',', i, ']}')
end
f:write("]}}")
f:close()
