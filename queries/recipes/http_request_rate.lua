-- Requests per second a service serves, over every route and status.
-- One expression: the newest metric generation that has data for the
-- service answers (see lib/http.lua for the order).
local service = include "service"
local http = include "http"

return {
  description = "HTTP requests per second served by a service",
  params = {
    service = { required = true, doc = "service.name, e.g. payments-api" },
    window = { type = "duration", default = "5m", doc = "rate() window" },
  },
  unit = "req/s",
  expr = function(p, promql)
    return service.first_of(http.per_request_counter(function(metric)
      return format("sum(%s)", service.rate(metric, p.service, p.window))
    end))
  end,
}
