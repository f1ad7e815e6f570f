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
    return service.quantile_seconds(q, http.histograms, "service, le", function(bucket)
      return service.rate_by_service(bucket, p.window)
    end)
  end,
}
