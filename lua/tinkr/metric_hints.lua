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

-- `name` as a whole metric name in expr: start, end (of the name), or nil.
local function find_name(expr, name, from)
  local quoted_s, quoted_e = expr:find('"' .. name:gsub("%p", "%%%0") .. '"', from)
  local bare_s, bare_e = expr:find("%f[%w_:.]" .. name:gsub("%p", "%%%0") .. "%f[^%w_:.]", from)
  if quoted_s and (not bare_s or quoted_s < bare_s) then return quoted_s, quoted_e, true end
  return bare_s, bare_e, false
end

--- expr with metric name `old` written as `new` (quoting it, or moving it
--- into the braces, when `new` needs it), or nil when old is not in expr.
function _M.rename_metric(expr, old, new)
  local out, pos, changed = {}, 1, false
  while true do
    local s, e, quoted = find_name(expr, old, pos)
    if not s then break end
    out[#out + 1] = expr:sub(pos, s - 1)
    local legacy = new:match("^[%a_:][%w_:]*$") ~= nil
    if quoted then
      out[#out + 1] = '"' .. new .. '"'
    elseif legacy then
      out[#out + 1] = new
    elseif expr:sub(e + 1, e + 1) == "{" then
      local closes = expr:sub(e + 2, e + 2) == "}"
      out[#out + 1] = '{"' .. new .. '"' .. (closes and "" or ", ")
      e = e + 1
    else
      out[#out + 1] = '{"' .. new .. '"}'
    end
    pos, changed = e + 1, true
  end
  if not changed then return nil end
  out[#out + 1] = expr:sub(pos)
  return table.concat(out)
end

-- The label names of the HTTP attributes, respelled the same way.
local function rename_labels(expr, from_sp, to_sp)
  for _, m in ipairs(metric_style.HTTP) do
    for _, attr in ipairs({ m.status, m.route, "http.request.method" }) do
      local old = metric_style.label(metric_style.label_name(attr, from_sp))
      local new = metric_style.label(metric_style.label_name(attr, to_sp))
      if old ~= new then
        local pat = (old:sub(1, 1) == '"' and "" or "%f[%w_\"]") .. old:gsub("%p", "%%%0") .. "(%s*[=!]~?)"
        expr = expr:gsub(pat, function(op) return new .. op end)
      end
    end
  end
  return expr
end

--- The query respelled for this store's naming style, with what it fits,
--- or nil when it names no OTel HTTP metric in another spelling.
function _M.respell(client, expr)
  local style = metric_style.detect(client)
  if not style or not style.known then return nil end
  local mine = style.spelling
  for _, m in ipairs(metric_style.HTTP) do
    local suffixes = m.kind == "histogram" and { "_bucket", "_count", "_sum" } or { "" }
    for _, sp in ipairs(metric_style.SPELLINGS) do
      if sp.key ~= mine.key then
        for _, suffix in ipairs(suffixes) do
          local theirs = metric_style.metric_name(m, sp) .. suffix
          local ours = metric_style.metric_name(m, mine) .. suffix
          local renamed = theirs ~= ours and _M.rename_metric(expr, theirs, ours)
          if renamed then return rename_labels(renamed, sp, mine), style end
        end
      end
    end
  end
  return nil
end

--- hint(client, expr, at_ns) -> text | nil.  client: a tinkr.prometheus client.
function _M.for_empty(client, expr, at_ns)
  local respelled, style = _M.respell(client, expr)
  if respelled then
    local rows = client:query(respelled, at_ns)
    if type(rows) == "table" and #rows > 0 then
      return ("this store spells OTel metric names another way (%s): try %s"):format(style.writer, respelled)
    end
    expr = respelled
  end
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
