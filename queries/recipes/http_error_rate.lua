-- The share of a service's HTTP requests answered with a 5xx status:
-- 5xx rate / total rate, 0..1.  "or vector(0)" makes a service without any
-- 5xx series answer 0 rather than nothing; a service without traffic at
-- all still answers nothing (or NaN when its counters stand still).
local service = include "service"
local http = include "http"

local function share(metric, status_label, p)
  local errors5xx = service.rate(metric, p.service, p.window, status_label .. '=~"5.."')
  local all = service.rate(metric, p.service, p.window)
  return format("(sum(%s) or vector(0))\n    / sum(%s)", errors5xx, all)
end

return {
  description = "share of HTTP requests answered with 5xx (0..1)",
  params = {
    service = { required = true, doc = "service.name, e.g. payments-api" },
    window = { type = "duration", default = "5m", doc = "rate() window" },
  },
  unit = "ratio",
  expr = function(p, promql)
    return service.first_of(http.per_request_counter(function(metric, status_label)
      return share(metric, status_label, p)
    end))
  end,
}
