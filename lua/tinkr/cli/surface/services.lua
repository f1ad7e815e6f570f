-- `tinkr services`: see surface/init.lua for what each field means.
return {
  name = "services",
  summary = "one row per service: logs, errors, rate, 5xx, p99, requests, slowest trace; worst first",
  requests = true,
  synopsis = { "[--since DURATION | --from TIME --to TIME] [--compare DURATION] [--service NAME] [options]" },
  description = "One row per service seen in the window in any signal (logs, traces, metrics), worst first "
    .. "(5xx share, then error lines): log lines, error lines (ERROR and FATAL, by severity number where the "
    .. "layout has one) and their share, request rate, 5xx share and p99 (PromQL recipes, asked once for all "
    .. "services), root spans, failed ones, and the slowest with its trace id. A dash: that signal has nothing "
    .. "for the service. Without --compare, a sparkline of the error lines over the window; with --compare 1h "
    .. "(the window an hour earlier) or 1d (a day earlier), each figure's change (an arrow and a percentage). "
    .. "Every query runs at once.",
  formats = { "table", "json", "ndjson", "csv" },
  options = {
    { "--compare", arg = "DURATION", type = "duration", help = "compare with the window this much earlier (1h, 1d)" },
    { "--service", arg = "NAME", type = "service", help = "only this service's row" },
  },
  examples = {
    { "tinkr services --since 1h", "which service is in trouble, worst first" },
    { "tinkr services --compare 1d", "the same, with each figure's change since yesterday" },
  },
}
