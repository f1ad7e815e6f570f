-- `tinkr logs`: see surface/init.lua for what each field means.
return {
  name = "logs",
  summary = "log lines, newest first",
  requests = true,
  synopsis = { "[--service NAME] [--level LEVEL[,LEVEL]] [--since DURATION | --from TIME --to TIME] [--grep TEXT] [--where KEY=VALUE]... [options]",
               "--follow [filters] [--limit N] [--interval DURATION] [--lag DURATION] [options]" },
  description = "Log lines, newest first. --limit 0 returns every match (paged past 10,000 with search_after inside a point in time, and streamed).",
  formats = { "table", "json", "ndjson", "csv" },
  options = {
    { "--service", arg = "NAME", type = "service", help = "only this service (resource service.name)" },
    { "--level", arg = "LEVEL", type = "level", help = "only this severity, or a comma-separated list (ERROR,WARN)" },
    { "--grep", arg = "TEXT", type = "text", help = "only lines whose message contains TEXT" },
    { "--where", arg = "KEY=VALUE", type = "keyvalue", many = true, help = "only lines with this attribute value (repeatable)" },
    { "--trace", arg = "TRACE_ID", type = "text", help = "only the lines of this trace" },
    { "--follow", short = "-f", help = "print the newest --limit lines (default 10), then new ones as they arrive, oldest first, until Ctrl-C" },
    { "--interval", arg = "DURATION", type = "duration", help = "with --follow: time between polls (default 2s)" },
    { "--lag", arg = "DURATION", type = "duration", help = "with --follow: how late a line may be stored and still be shown (default 10s)" },
  },
  examples = {
    { "tinkr logs --service payments-api --level ERROR --since 1h", "errors of one service in the last hour" },
    { "tinkr logs --grep timeout --where http.route=/cart --format ndjson --limit 0", "every matching line, one JSON object per line" },
    { "tinkr logs --follow --service checkout --level ERROR,WARN", "like tail -f: new errors and warnings as they arrive" },
  },
}
