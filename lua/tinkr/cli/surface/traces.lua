-- `tinkr traces`: see surface/init.lua for what each field means.
return {
  name = "traces",
  summary = "root spans (requests), slowest first",
  requests = true,
  synopsis = { "[--service NAME] [--errors] [--since DURATION | --from TIME --to TIME] [--where KEY=VALUE]... [options]" },
  description = "Root spans (requests), slowest first. Where spans have no duration field, tinkr computes it and says so.",
  formats = { "table", "json", "ndjson", "csv" },
  options = {
    { "--service", arg = "NAME", type = "service", help = "only requests served by this service" },
    { "--errors", help = "only requests whose root span has an error status" },
    { "--where", arg = "KEY=VALUE", type = "keyvalue", many = true, help = "only spans with this attribute value (repeatable)" },
  },
  examples = {
    { "tinkr traces --service frontend --since 6h --limit 10", "the ten slowest requests" },
  },
}
