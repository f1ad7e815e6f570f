-- A latency quantile of a service's gRPC server calls, in seconds.
-- Alternatives, first with data wins:
--   rpc_server_call_duration_seconds   semconv >= 1.37 rpc.server.call.duration (s)
--   rpc_server_duration_milliseconds   rpc.server.duration as the Collector names it (ms)
--   rpc_server_duration                the product document's name, no unit suffix (ms,
--                                      the unit rpc.server.duration is defined in)
local service = include "service"

local HISTOGRAMS = {
  { name = "rpc_server_call_duration_seconds", per_second = 1 },
  { name = "rpc_server_duration_milliseconds", per_second = 1000 },
  { name = "rpc_server_duration", per_second = 1000 },
}

return {
  description = "gRPC server call latency quantile in seconds (default p99)",
  params = {
    service = { required = true, doc = "service.name, e.g. payments-api" },
    quantile = { type = "number", default = 0.99, min = 0, max = 1, doc = "0..1" },
    window = { type = "duration", default = "5m", doc = "rate() window" },
  },
  unit = "seconds",
  expr = function(p, promql)
    local q = promql.expand("{{q|number}}", { q = p.quantile })
    return service.quantile_seconds(q, HISTOGRAMS, "le", function(bucket)
      return service.rate(bucket, p.service, p.window)
    end)
  end,
}
