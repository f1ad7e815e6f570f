-- `tinkr metrics`: see surface/init.lua for what each field means.
return {
  name = "metrics",
  summary = "PromQL queries and recipes; a range draws a chart",
  requests = true,
  synopsis = {
    "'PROMQL' [--since DURATION --step DURATION | --instant --time TIME] [options]",
    "--recipe NAME [--service NAME] [--since DURATION] [--param KEY=VALUE]... [options]",
    "--recipe list",
  },
  args = { { "PROMQL", type = "promql", help = "a PromQL expression (quote it for the shell)" } },
  description = "A range query draws a chart; --instant (or --time) asks for one value per series. A recipe is a named PromQL template under queries/recipes/ that works with every metric naming style.",
  formats = { "table", "json", "ndjson", "csv" },
  options = {
    { "--recipe", arg = "NAME", type = "recipe", help = "run a recipe; 'list' lists them" },
    { "--service", arg = "NAME", type = "service", help = "the recipe's service" },
    { "--step", arg = "DURATION", type = "duration", help = "resolution of a range query" },
    { "--range", help = "a range query (the default unless --instant or --time)" },
    { "--instant", help = "an instant query: one value per series" },
    { "--time", arg = "TIME", type = "time", help = "evaluation time of an instant query" },
    { "--param", arg = "KEY=VALUE", type = "keyvalue", many = true, help = "a recipe parameter (repeatable)" },
    { "--quantile", arg = "Q", type = "number", help = "the recipe's quantile, e.g. 0.99" },
    { "--window", arg = "DURATION", type = "duration", help = "the recipe's rate window, e.g. 5m" },
  },
  examples = {
    { "tinkr metrics 'rate(http_server_requests_total{service_name=\"payments-api\"}[5m])' --instant", "one value per series" },
    { "tinkr metrics --recipe http_latency_p99 --service checkout --since 3h", "a chart" },
    { "tinkr metrics --recipe list", "the recipes" },
  },
}
