-- checkout's p99 latency over 500 ms for 5 minutes, sent to Alertmanager
-- (POST /api/v2/alerts takes the "alertmanager" payload as it is).
return {
  name = "checkout p99 latency",
  interval = "1m",
  query = { recipe = "http_latency_p99", params = { service = "checkout" } },
  condition = "> 0.5",                                   -- seconds
  ["for"] = "5m",
  labels = { severity = "ticket", service = "checkout" },
  hooks = {
    { webhook = "http://127.0.0.1:9093/api/v2/alerts", payload = "alertmanager",
      timeout = "5s", retries = 2, backoff = "1s", on = { "firing", "resolved" } },
    { ndjson = true },
  },
}
