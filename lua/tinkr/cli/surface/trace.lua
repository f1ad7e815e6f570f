-- `tinkr trace`: see surface/init.lua for what each field means.
return {
  name = "trace",
  summary = "one trace as a waterfall, with its log lines",
  requests = true,
  synopsis = { "TRACE_ID [--format table|json] [--tz ZONE]" },
  args = { { "TRACE_ID", type = "text", help = "32 hexadecimal digits" } },
  description = "Every span of one trace as a waterfall, with the log lines that carry its id under their spans.",
  formats = { "table", "json" },
  options = {},
  examples = {
    { "tinkr trace 4bf92f3577b34da6a3ce929d0e0e4736", "the waterfall" },
  },
}
