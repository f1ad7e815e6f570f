-- The 5xx share of every service's HTTP requests at once (0..1), one row
-- per service (label `service`).  A service with traffic but no 5xx
-- series answers 0.
local service = include "service"
local http = include "http"

local function share(metric, status_label, p)
  local all = format("sum by (service) (%s)", service.rate_by_service(metric, p.window))
  local bad = format("sum by (service) (%s)",
    service.rate_by_service(metric, p.window, status_label .. '=~"5.."'))
  return format("((%s) or (0 * %s))\n    / %s", bad, all, all)
end

return {
  description = "share of HTTP requests answered with 5xx, every service (label service)",
  params = {
    window = { type = "duration", default = "5m", doc = "rate() window" },
  },
  unit = "ratio",
  expr = function(p, promql)
    return service.first_of(http.per_request_counter(function(metric, status_label)
      return share(metric, status_label, p)
    end))
  end,
}
