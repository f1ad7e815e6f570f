-- A shortcut: http_latency with quantile = 0.99.
local latency = recipe "http_latency"

return {
  description = "HTTP server latency p99 in seconds",
  params = { service = latency.params.service, window = latency.params.window },
  unit = "seconds",
  expr = function(p, promql)
    return latency.expr({ service = p.service, window = p.window, quantile = 0.99 }, promql)
  end,
  buckets = latency.buckets,
}
