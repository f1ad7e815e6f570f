-- How a recipe selects one service's series.  Shared by the recipes; edit
-- this file (a copy in ~/.config/tinkr/queries/recipes/lib/) if your
-- series name services another way.
--
-- The Collector's prometheusremotewrite exporter puts service.name in the
-- `job` label ("namespace/name" when service.namespace is set); a
-- `service_name` label exists only with resource_to_telemetry_conversion
-- on.  A series may carry either or both, so a service's series are the
-- union of both selections: `a or b` keeps every series of a plus those of
-- b whose labels differ, so a series matched twice counts once.
local service = {}

local METRIC_NAME = "^[%a_:][%w_:]*$"

--- The matchers that select service `name`, one per labelling.
function service.matchers(name)
  return {
    promql.expand('job=~"(.+/)?{{name|regex}}"', { name = name }),
    promql.expand('service_name="{{name}}"', { name = name }),
  }
end

--- rate(metric{<service>, extra}[window]) for every labelling, as one union
--- ("a or b"; `or` binds loosest, so put it inside sum(...) or parentheses).
--- extra: a matcher written by the recipe itself (never a user value), e.g.
--- 'http_response_status_code=~"5.."', or nil.
function service.rate(metric, name, window, extra)
  assert(metric:match(METRIC_NAME), "bad metric name: " .. metric)
  local range = promql.expand("[{{window|duration}}]", { window = window })
  local parts = {}
  for i, m in ipairs(service.matchers(name)) do
    if extra then m = m .. ", " .. extra end
    parts[i] = format("rate(%s{%s}%s)", metric, m, range)
  end
  return concat(parts, " or ")
end

--- "a or b or c": the first of the alternatives that has data wins, as
--- long as each yields the same labels (here: none, after sum).
function service.first_of(alternatives)
  return concat(alternatives, "\n  or ")
end

--- rate(metric[window]) of every service's series, each labelled
--- `service` (from `job`, without a "namespace/" prefix, or from
--- `service_name`), as one union: wrap it in sum by (service) (...).
--- A series with both labels (and the same name in each) counts once.
function service.rate_by_service(metric, window, extra)
  assert(metric:match(METRIC_NAME), "bad metric name: " .. metric)
  local range = promql.expand("[{{window|duration}}]", { window = window })
  local more = extra and (", " .. extra) or ""
  return format('label_replace(rate(%s{job!=""%s}%s), "service", "$1", "job", "(?:.+/)?(.+)")'
    .. '\n    or label_replace(rate(%s{service_name!=""%s}%s), "service", "$1", "service_name", "(.+)")',
    metric, more, range, metric, more, range)
end

return service
