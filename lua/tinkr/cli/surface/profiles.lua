-- `tinkr profiles`: see surface/init.lua for what each field means.
return {
  name = "profiles",
  summary = "list the configured profiles, or check one",
  synopsis = { "[--config FILE]", "check [NAME]" },
  subcommands = { { "check", help = "reach each backend of a profile and report its version and latency" } },
  args = { { "NAME", type = "profile", help = "the profile to check (default: the selected one)" } },
  description = "Lists the profiles of the configuration file, secrets redacted; `check` reaches each backend of a profile. See tinkr-config(5).",
  formats = { "table", "json", "ndjson", "csv" },
  options = {},
  examples = {
    { "tinkr profiles check otel-prod", "is every backend of otel-prod reachable?" },
  },
}
