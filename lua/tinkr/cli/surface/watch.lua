-- `tinkr watch`: see surface/init.lua for what each field means.
return {
  name = "watch",
  summary = "evaluate alert rules on their intervals and run their hooks",
  requests = true,
  synopsis = { "RULES.lua... [--once] [--now TIME] [--profile NAME]" },
  args = { { "RULES", type = "file", help = "rule files (Lua), or directories of them" } },
  description = "Evaluates the rules of RULES.lua files (see queries/rules/) on their intervals. An alert goes "
    .. "inactive -> pending -> firing -> resolved as Prometheus's do; each change runs the rule's hooks (exec, "
    .. "webhook, ndjson). A failing backend puts a rule in state error (reported once, then on recovery) and "
    .. "never resolves an alert. SIGHUP reloads the files (a broken file keeps the running rules); SIGTERM stops "
    .. "after the hooks in flight. With --once every rule is evaluated once ('for' does not wait): exit 0 when "
    .. "none fires, 1 when some do.",
  common = false,
  formats = {},                  -- no --format: events are JSON lines (ndjson hooks)
  options = {
    { "--once", help = "evaluate every rule once and exit: 0 none firing, 1 some firing (a gate)" },
    { "--now", arg = "TIME", type = "time", help = "pin \"now\" for the queries' windows (also TINKR_NOW)" },
    { "--profile", arg = "NAME", type = "profile", help = "configuration profile (also TINKR_PROFILE)" },
    { "--config", arg = "FILE", type = "file", help = "configuration file (also TINKR_CONFIG)" },
    { "--layout", arg = "LAYOUT", type = "layout", help = "data layout, instead of detecting it" },
    { "--help", short = "-h", help = "print this help" },
  },
  examples = {
    { "tinkr watch queries/rules/", "every shipped example rule, until SIGTERM" },
    { "tinkr watch --once deploy-gate.lua", "a deploy gate: exit 1 when a rule fires" },
  },
}
