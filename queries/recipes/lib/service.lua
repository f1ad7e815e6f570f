-- How a recipe selects one service's series.  Shared by the recipes; edit
-- this file (a copy in ~/.config/tinkr/queries/recipes/lib/) if your
-- series name services another way.
--
-- The Collector's prometheusremotewrite exporter puts service.name in the
-- `job` label ("namespace/name" when service.namespace is set); a
-- `service_name` label exists only with resource_to_telemetry_conversion
-- on; VictoriaMetrics keeps `service.name` itself.  `naming.service_labels`
-- says which of these the store's HTTP series carry (detected; job and
-- service_name when nothing was found).  A series may carry several, so a
-- service's series are the union of the selections: `a or b` keeps every
-- series of a plus those of b whose labels differ, so a series matched
-- twice counts once.
local service = {}

--- The matchers that select service `name`, one per labelling.
function service.matchers(name)
  local out = {}
  for _, label in ipairs(naming.service_labels) do
    if label == "job" then
      out[#out + 1] = promql.expand('job=~"(.+/)?{{name|regex}}"', { name = name })
    else
      out[#out + 1] = naming.label(label) .. promql.expand('="{{name}}"', { name = name })
    end
  end
  return out
end

--- rate(metric{<service>, extra}[window]) for every labelling, as one union
--- ("a or b"; `or` binds loosest, so put it inside sum(...) or parentheses).
--- extra: a matcher written by the recipe itself (never a user value), e.g.
--- 'http_response_status_code=~"5.."', or nil.
function service.rate(metric, name, window, extra)
  assert(not metric:find('[{}"\n]'), "bad metric name: " .. metric)
  local range = promql.expand("[{{window|duration}}]", { window = window })
  local parts = {}
  for i, m in ipairs(service.matchers(name)) do
    parts[i] = format("rate(%s%s)", naming.selector(metric, { m, extra }), range)
  end
  return concat(parts, " or ")
end

--- "a or b or c": the first of the alternatives that has data wins, as
--- long as each yields the same labels (here: none, after sum).
function service.first_of(alternatives)
  return concat(alternatives, "\n  or ")
end

--- rate(metric[window]) of every service's series, each labelled
--- `service` (from `job`, without a "namespace/" prefix, from `service_name`
--- or from `service.name`, whichever the store uses), as one union: wrap it
--- in sum by (service) (...).  A series with two of these labels (and the
--- same name in each) counts once.
function service.rate_by_service(metric, window, extra)
  assert(not metric:find('[{}"\n]'), "bad metric name: " .. metric)
  local range = promql.expand("[{{window|duration}}]", { window = window })
  local parts = {}
  for _, label in ipairs(naming.service_labels) do
    local selector = naming.selector(metric, { naming.label(label) .. '!=""', extra })
    local regex = label == "job" and "(?:.+/)?(.+)" or "(.+)"
    parts[#parts + 1] = format('label_replace(rate(%s%s), "service", "$1", "%s", "%s")', selector, range, label, regex)
  end
  return concat(parts, "\n    or ")
end

--- "histogram_quantile(q, sum by (<by>) (<rate>))" for each histogram
--- (newest generation first), divided into seconds where the histogram is
--- in another unit, as one first_of expression.  by: "le" or "service, le";
--- rate_of(bucket_metric) gives the rate to aggregate.
function service.quantile_seconds(q, histograms, by, rate_of)
  local alternatives = {}
  for _, h in ipairs(histograms) do
    local e = format("histogram_quantile(%s, sum by (%s) (%s))", q, by, rate_of(h.name .. "_bucket"))
    if h.per_second ~= 1 then e = format("(%s / %d)", e, h.per_second) end
    alternatives[#alternatives + 1] = e
  end
  return service.first_of(alternatives)
end

return service
