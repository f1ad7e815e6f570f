-- `tinkr doctor`: see surface/init.lua for what each field means.
return {
  name = "doctor",
  summary = "can tinkr answer every command here? what it finds on each backend",
  requests = true,
  synopsis = { "[--profile NAME] [--format table|json]" },
  args = {},
  description = "Reaches each backend and reports what it found: versions, cluster health (green/yellow/red, unassigned shards), the OTel indices per signal with their layout, document count, time range and services, how Prometheus spells the OTel metric names, and the environment lines and profile that pin it. Exit status 0 when every command can be answered, 1 when some signal has no data, a backend failure's status otherwise.",
  formats = { "table", "json" },
  options = {},
  examples = {
    { "tinkr doctor", "what tinkr finds, and what to export to pin it" },
  },
}
