-- `tinkr logs`: see surface/init.lua for what each field means.
return {
  name = "logs",
  summary = "log lines, newest first",
  synopsis = { "[--service NAME] [--level LEVEL[,LEVEL]] [--since DURATION | --from TIME --to TIME] [--grep TEXT] [--where KEY=VALUE]... [options]" },
  description = "Log lines, newest first. --limit 0 returns every match (paged past 10,000 with search_after inside a point in time, and streamed).",
  formats = { "table", "json", "ndjson", "csv" },
  options = {
    { "--service", arg = "NAME", type = "service", help = "only this service (resource service.name)" },
    { "--level", arg = "LEVEL", type = "level", help = "only this severity, or a comma-separated list (ERROR,WARN)" },
    { "--grep", arg = "TEXT", type = "text", help = "only lines whose message contains TEXT" },
    { "--where", arg = "KEY=VALUE", type = "keyvalue", many = true, help = "only lines with this attribute value (repeatable)" },
    { "--trace", arg = "TRACE_ID", type = "text", help = "only the lines of this trace" },
  },
  examples = {
    { "tinkr logs --service payments-api --level ERROR --since 1h", "errors of one service in the last hour" },
    { "tinkr logs --grep timeout --where http.route=/cart --format ndjson --limit 0", "every matching line, one JSON object per line" },
  },
}
