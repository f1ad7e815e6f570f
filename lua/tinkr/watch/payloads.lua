-- What a webhook hook POSTs, by name (a rule may also give a function).
--   event         the event itself (see tinkr.watch)
--   alertmanager  a list of one alert, as Alertmanager's POST /api/v2/alerts
--                 takes it: labels (alertname + the rule's), annotations,
--                 startsAt, endsAt once resolved
--   slack         { text = ... }, as a Slack incoming webhook takes it
local json = require("tinkr.core").json

local _M = { _VERSION = "0.1.0" }

function _M.event(e) return e end

function _M.alertmanager(e)
  local labels = { alertname = e.rule }
  for k, v in pairs(e.labels or {}) do labels[k] = v end
  local alert = {
    labels = labels,
    annotations = {
      summary = ("%s is %s (value %s)"):format(e.rule, e.state, tostring(e.value)),
      command = e.command,
      description = e.description,
    },
    startsAt = e.since,
  }
  if e.state == "resolved" then alert.endsAt = e.at end
  return json.array{ alert }
end

local ICONS = { firing = ":rotating_light:", resolved = ":white_check_mark:", pending = ":hourglass:",
  error = ":warning:", recovered = ":arrows_counterclockwise:" }

function _M.slack(e)
  local lines = { ("%s *%s* is %s (value %s, since %s)"):format(ICONS[e.state] or "", e.rule, e.state,
    tostring(e.value), tostring(e.since)) }
  if e.error then lines[#lines + 1] = "error: " .. e.error.message end
  if e.command then lines[#lines + 1] = "```" .. e.command .. "```" end
  return { text = table.concat(lines, "\n") }
end

return _M
