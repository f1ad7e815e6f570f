-- A latency quantile of a service's HTTP server requests, in seconds,
-- from its duration histogram.  Histograms recorded in milliseconds are
-- divided by 1000, so every generation answers in seconds.
local service = include "service"
local http = include "http"

return {
  description = "HTTP server latency quantile in seconds (q = 0.5, 0.9, 0.99 ...)",
  params = {
    service = { required = true, doc = "service.name, e.g. payments-api" },
    quantile = { type = "number", default = 0.99, min = 0, max = 1, doc = "0..1" },
    window = { type = "duration", default = "5m", doc = "rate() window" },
  },
  unit = "seconds",
  expr = function(p, promql)
    local q = promql.expand("{{q|number}}", { q = p.quantile })
    return service.quantile_seconds(q, http.histograms, "le", function(bucket)
      return service.rate(bucket, p.service, p.window)
    end)
  end,
  -- Per alternative, the bucket counts around the quantile: tinkr reads the
  -- bounds from the first that has data and adds a caveat when the quantile
  -- sits in a bucket wider than itself (see lua/tinkr/bucket_check.lua).
  buckets = function(p, promql)
    local out = {}
    for _, h in ipairs(http.histograms) do
      out[#out + 1] = { expr = format("sum by (le) (%s)", service.rate(h.name .. "_bucket", p.service, p.window)),
        per_second = h.per_second }
    end
    return out
  end,
}
