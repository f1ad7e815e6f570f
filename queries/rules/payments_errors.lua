-- payments-api logs errors: page when it keeps happening for a minute.
-- Run: tinkr watch queries/rules/payments_errors.lua
return {
  name = "payments-api errors",
  description = "payments-api logged ERROR lines in the last 5 minutes",
  interval = "30s",
  query = { logs = { service = "payments-api", level = "ERROR", since = "5m" } },
  condition = "> 0",
  ["for"] = "1m",
  labels = { severity = "page", team = "payments" },
  hooks = {
    { ndjson = true },                                   -- one event per line on stdout
    -- { webhook = "https://hooks.slack.com/services/T000/B000/XXXX", payload = "slack" },
  },
}
