-- Which handler answers a method + path.  Path segments in braces are
-- captured ({id}, {name}) and passed to the handler.  HEAD is served as GET
-- (the HTTP layer drops the body).
local errors = require "tinkr.errors"

local _M = { _VERSION = "0.1.0" }

-- route: the metrics label (also in src/server/server_metrics.c's list)
-- backend: which backend a failure of this route is blamed on by default
_M.ROUTES = {
  { method = "GET", pattern = "^/v1/logs$", route = "/v1/logs", handler = "logs", backend = "opensearch" },
  { method = "GET", pattern = "^/v1/traces$", route = "/v1/traces", handler = "traces", backend = "opensearch" },
  { method = "GET", pattern = "^/v1/traces/([^/]+)$", route = "/v1/traces/{id}", handler = "trace", backend = "opensearch" },
  { method = "GET", pattern = "^/v1/metrics/query$", route = "/v1/metrics/query", handler = "metrics_query", backend = "prometheus" },
  { method = "GET", pattern = "^/v1/metrics/range$", route = "/v1/metrics/range", handler = "metrics_range", backend = "prometheus" },
  { method = "GET", pattern = "^/v1/recipes/([^/]+)$", route = "/v1/recipes/{name}", handler = "recipe", backend = "prometheus" },
  { method = "POST", pattern = "^/v1/scripts/([^/]+)$", route = "/v1/scripts/{name}", handler = "script" },
  { method = "GET", pattern = "^/readyz$", route = "/readyz", handler = "readyz" },
  { method = "POST", pattern = "^/mcp$", route = "/mcp", handler = "mcp" },
}

local function known_paths()
  local out = { "GET /healthz", "GET /metrics" }
  for _, r in ipairs(_M.ROUTES) do
    out[#out + 1] = r.method .. " " .. r.route
  end
  return table.concat(out, ", ")
end

--- router.match(method, path) -> route, capture | nil, err
--- err.code is "not_found" (no such path) or "method_not_allowed" (with err.allow).
function _M.match(method, path)
  local effective = method == "HEAD" and "GET" or method
  local allowed = {}
  for _, r in ipairs(_M.ROUTES) do
    local capture = path:match(r.pattern)
    if capture ~= nil then
      if r.method == effective then
        return r, (capture ~= path and capture or nil)
      end
      allowed[#allowed + 1] = r.method
      if r.method == "GET" then allowed[#allowed + 1] = "HEAD" end
    end
  end
  if #allowed > 0 then
    return nil, errors.new("method_not_allowed", ("%s is not supported on %s; use %s"):format(
      method, path, allowed[1]), { allow = table.concat(allowed, ", ") })
  end
  return nil, errors.new("not_found", ("no route %s %s; known: %s"):format(method, path, known_paths()))
end

return _M
