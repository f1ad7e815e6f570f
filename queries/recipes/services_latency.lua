-- An HTTP latency quantile of every service at once, in seconds, one row
-- per service (label `service`).  Histograms in milliseconds are divided
-- by 1000.
local service = include "service"
local http = include "http"

return {
  description = "HTTP server latency quantile in seconds, every service (label service)",
  params = {
    quantile = { type = "number", default = 0.99, min = 0, max = 1, doc = "0..1" },
    window = { type = "duration", default = "5m", doc = "rate() window" },
  },
  unit = "seconds",
  expr = function(p, promql)
    local q = promql.expand("{{q|number}}", { q = p.quantile })
    local alternatives = {}
    for _, h in ipairs(http.histograms) do
      local e = format("histogram_quantile(%s, sum by (service, le) (%s))", q,
        service.rate_by_service(h.name .. "_bucket", p.window))
      if h.per_second ~= 1 then e = format("(%s / %d)", e, h.per_second) end
      alternatives[#alternatives + 1] = e
    end
    return service.first_of(alternatives)
  end,
}
