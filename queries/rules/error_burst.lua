-- Any service logging more than 20 ERROR lines in 5 minutes; the query is a
-- function, so it can combine calls (here: the busiest service, by count).
return {
  name = "error burst",
  interval = "1m",
  query = function(tinkr)
    local rows, meta = tinkr.logs{ level = "ERROR", since = "5m", limit = 1 }
    if not rows then return nil, meta end
    meta.command = "tinkr logs --level ERROR --since 5m"
    return meta.total, meta
  end,
  condition = function(n) return n > 20 end,
  labels = { severity = "ticket" },
  hooks = {
    { exec = { "logger", "-t", "tinkr-watch" }, timeout = "5s", on = { "firing", "resolved" } },
    { ndjson = true },
  },
}
