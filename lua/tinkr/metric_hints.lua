-- Why a PromQL query came back empty, when the reason is the usual one:
-- the service is selected by a label this store does not use.  The
-- Collector's prometheusremotewrite puts service.name in `job` (so the
-- product document's `{service_name="payments-api"}` matches nothing),
-- resource_to_telemetry_conversion adds `service_name`, VictoriaMetrics
-- keeps `service.name`.  Only asked on an empty result: a few count()
-- queries, then one line with the query that would answer.
local metric_style = require "tinkr.metric_style"

local _M = { _VERSION = "0.1.0" }

-- Where each labelling comes from, for the hint's explanation.
local WHY = {
  job = "the Collector puts service.name in `job`",
  service_name = "service.name is in `service_name` here (resource_to_telemetry_conversion)",
  ["service.name"] = "service.name is kept as the `service.name` label here (VictoriaMetrics, or promoted resource attributes)",
}

--- The first service matcher (label = "value") in expr:
--- { label =, value =, s =, e = } (s..e: its place in expr), or nil.
function _M.service_matcher(expr)
  local best
  local function try(label, pattern)
    local s, e, v = expr:find(pattern)
    if s and (not best or s < best.s) then best = { label = label, value = v, s = s, e = e } end
  end
  try("service.name", '"service%.name"%s*=%s*"([^"\\]*)"')
  try("service_name", '%f[%w_."]service_name%s*=%s*"([^"\\]*)"')
  try("job", '%f[%w_."]job%s*=%s*"([^"\\]*)"')
  return best
end

local function render(label, value)
  return metric_style.label(label) .. '="' .. value .. '"'
end

--- hint(client, expr, at_ns) -> text | nil.  client: a tinkr.prometheus client.
function _M.for_empty(client, expr, at_ns)
  local m = _M.service_matcher(expr)
  if not m then return nil end
  local function count(selector)
    local rows = client:query("count(" .. selector .. ")", at_ns)
    local v = type(rows) == "table" and rows[1] and rows[1].value
    return type(v) == "number" and v or 0
  end
  for _, alt in ipairs({ "job", "service_name", "service.name" }) do
    if alt ~= m.label then
      local replacement
      if count("{" .. render(alt, m.value) .. "}") > 0 then
        replacement = render(alt, m.value)
      elseif alt == "job" then
        -- job is "namespace/name" when service.namespace is set
        local re = 'job=~".+/' .. m.value:gsub("[%.%+%*%?%^%$%(%)%[%]{}|]", "\\\\%0") .. '"'
        if count("{" .. re .. "}") > 0 then replacement = re end
      end
      if replacement then
        local try = expr:sub(1, m.s - 1) .. replacement .. expr:sub(m.e + 1)
        local has_label = count("{" .. metric_style.label(m.label) .. '=~".+"}') > 0
        local what = has_label and ("no series has %s"):format(render(m.label, m.value))
          or ("no series has `%s`"):format(m.label)
        return ("%s; %s: try %s"):format(what, WHY[alt], try)
      end
    end
  end
  return nil
end

return _M
