-- `tinkr errors`: see surface/init.lua for what each field means.
return {
  name = "errors",
  summary = "error signatures: ERROR/FATAL lines grouped by message with ids, numbers and times masked",
  requests = true,
  synopsis = { "[--service NAME] [--level LEVEL[,LEVEL]] [--since DURATION | --from TIME --to TIME] [--where KEY=VALUE]... [--limit N] [--max-lines N] [options]",
               "--trace N [same options]" },
  description = "The error (and fatal) log lines of the window grouped into signatures: lines whose message is the "
    .. "same once the variable parts (numbers, hex and UUID ids, durations, IP and e-mail addresses, quoted "
    .. "strings, ids in URLs) are masked. The masks are queries/masks.lua: add your own there, no rebuild. Each "
    .. "signature: how many lines and what share, first and last seen, the services that log it, a sparkline over "
    .. "the window, an example trace. Up to --max-lines (default 100,000) of the newest lines are grouped; the "
    .. "footer says when the window held more. --trace N draws the waterfall of signature N's example trace, "
    .. "with its logs.",
  formats = { "table", "json", "ndjson", "csv" },
  options = {
    { "--service", arg = "NAME", type = "service", help = "only lines of this service" },
    { "--level", arg = "LEVEL", type = "level", help = "these severities instead of ERROR,FATAL" },
    { "--where", arg = "KEY=VALUE", type = "keyvalue", many = true, help = "only lines with this attribute value (repeatable)" },
    { "--max-lines", arg = "N", type = "count", default = "100000", help = "group at most the N newest lines" },
    { "--trace", arg = "N", type = "count", help = "draw the waterfall of signature N's example trace (1 = the top one)" },
  },
  examples = {
    { "tinkr errors --service payments-api --since 1h", "what payments-api is failing with, most frequent first" },
    { "tinkr errors --service payments-api --trace 1", "one request that failed with the top signature" },
  },
}
