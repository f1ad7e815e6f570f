-- Writes an OpenSearch _search response of N log hits in the shape the
-- Collector's opensearch exporter stores (ss4o mode): flat dotted keys inside
-- `resource` and `attributes`, `severity` as {text, number}, nanosecond
-- sort values for search_after.  Deterministic (own LCG, fixed seed).
--
--   lua5.4 bench/gen_search_response.lua OUT.json [N]      (N = 10000)

local out_path = assert(arg[1], "usage: gen_search_response.lua OUT.json [N]")
local n = tonumber(arg[2] or "10000")

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

local f = assert(io.open(out_path, "wb"))
f:write('{"took":41,"timed_out":false,"_shards":{"total":3,"successful":3,"skipped":0,"failed":0},',
        '"hits":{"total":{"value":184467,"relation":"eq"},"max_score":null,"hits":[')
for i = 1, n do
  local ns = base_ns - i * 1234567 + rand(1000)
  local svc = services[rand(#services)]
  local lv = levels[rand(#levels)]
  local method, route = methods[rand(#methods)], routes[rand(#routes)]
  local status = lv[1] == "ERROR" and 502 or 200
  local ms = rand(900)
  local id = hex(20)
  f:write(i > 1 and "," or "",
    '{"_index":"ss4o_logs-default-namespace","_id":"', id, '","_score":null,"_source":{',
    '"@timestamp":"', iso(ns), '","observedTimestamp":"', iso(ns + 150000), '",',
    '"body":"', message(lv[1], method, route, status, ms), '",',
    '"severity":{"text":"', lv[1], '","number":', lv[2], '},',
    '"attributes":{"http.method":"', method, '","http.route":"', route, '","http.status_code":', status,
    '},',
    '"resource":{"service.name":"', svc, '","service.version":"1.', rand(9), '.', rand(20),
    '","host.name":"node-', rand(40), '"},',
    '"instrumentationScope":{"name":"io.opentelemetry.http","version":"1.32.0"},',
    '"traceId":"', hex(32), '","spanId":"', hex(16), '","flags":1,',
    '"schemaUrl":"https://opentelemetry.io/schemas/1.21.0"},',
    '"sort":[', string.format("%d", ns), ',', i, ']}')
end
f:write("]}}")
f:close()
