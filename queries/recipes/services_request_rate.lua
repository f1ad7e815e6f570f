-- Requests per second of every service at once, one row per service
-- (label `service`).  tinkr services asks this once instead of
-- http_request_rate once per service.  Generations as in lib/http.lua: for
-- each service the newest one with data answers.
local service = include "service"
local http = include "http"

return {
  description = "HTTP requests per second, every service (label service)",
  params = {
    window = { type = "duration", default = "5m", doc = "rate() window" },
  },
  unit = "req/s",
  expr = function(p, promql)
    return service.first_of(http.per_request_counter(function(metric)
      return format("sum by (service) (%s)", service.rate_by_service(metric, p.window))
    end))
  end,
}
