-- An on-call investigation of one service over one window, all at once:
-- request rate (chart), 5xx error rate, p99 latency, the latest error logs,
-- the slowest root spans, then the waterfall of the slowest trace with its
-- logs.  Run: tinkr queries/investigate.lua [SERVICE] [WINDOW]
--   e.g.  tinkr queries/investigate.lua payments-api 1h
local tinkr = require "tinkr"
local output = require "tinkr.output"

local service = arg and arg[1] or "payments-api"
local window = arg and arg[2] or "1h"
local out = { format = "table", color = output.isatty() and (os.getenv("NO_COLOR") or "") == "", tz = os.getenv("TINKR_TZ"), notes = false }

local function heading(text)
  io.write("\n", out.color and "\27[1m" or "", "== ", text, " ==", out.color and "\27[0m" or "", "\n")
end

local function show_error(what, err)
  io.write(("(%s unavailable: %s)\n"):format(what, tostring(err)))
end

local function value_of(rows)
  return rows and rows[1] and rows[1].value
end

-- Everything that does not depend on anything else, in parallel.
local started = tinkr.core.monotonic()
local r = tinkr.all{
  rate = function() return { tinkr.metrics.recipe("http_request_rate", { service = service, since = window }) } end,
  errors = function() return { tinkr.metrics.recipe("http_error_rate", { service = service }) } end,
  p99 = function() return { tinkr.metrics.recipe("http_latency_p99", { service = service }) } end,
  logs = function() return { tinkr.logs{ service = service, level = "ERROR,FATAL", since = window, limit = 10 } } end,
  slow = function() return { tinkr.traces{ service = service, since = window, limit = 5 } } end,
}
local parallel_ms = (tinkr.core.monotonic() - started) * 1000

print(("investigating %s over the last %s (now = %s)"):format(service, window, tinkr.time.format(tinkr.time.now())))

heading("request rate")
if r.rate[1] then output.metrics(r.rate[1], r.rate[2], out) else show_error("request rate", r.rate[2]) end

heading("errors and latency now")
local err_share, p99 = value_of(r.errors[1]), value_of(r.p99[1])
print(("5xx share  %s"):format(err_share and ("%.2f %%"):format(err_share * 100) or tostring(r.errors[2] or "no data")))
print(("p99        %s"):format(p99 and ("%.0f ms"):format(p99 * 1000) or tostring(r.p99[2] or "no data")))

heading("latest error logs")
if r.logs[1] then
  output.logs(r.logs[1], r.logs[2], out)
  print(("(%d shown of %d in the window)"):format(#r.logs[1], r.logs[2].total or 0))
else
  show_error("logs", r.logs[2])
end

heading("slowest requests (root spans)")
local slow = r.slow[1]
if slow then
  output.traces(slow, r.slow[2], out)
  print(("(%d root spans in the window; duration: %s)"):format(r.slow[2].total or 0, r.slow[2].duration_source))
else
  show_error("traces", r.slow[2])
end

if slow and slow[1] then
  heading("slowest trace " .. slow[1].trace_id)
  local t, meta = tinkr.trace(slow[1].trace_id)
  if t then output.trace(t, meta, out) else show_error("trace", meta) end
end
io.write(("\n(%d queries in parallel took %.0f ms)\n"):format(5, parallel_ms))
