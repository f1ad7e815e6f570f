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
    local alternatives = {}
    for _, h in ipairs(http.histograms) do
      alternatives[#alternatives + 1] = format("sum(%s)", service.rate(h.name .. "_count", p.service, p.window))
    end
    for _, c in ipairs(http.counters) do
      alternatives[#alternatives + 1] = format("sum(%s)", service.rate(c.name, p.service, p.window))
    end
    return service.first_of(alternatives)
  end,
}
