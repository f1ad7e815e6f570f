-- `tinkr mcp`: see surface/init.lua for what each field means.
return {
  name = "mcp",
  summary = "serve tinkr's tools to an AI agent over MCP (stdio)",
  requests = true,
  synopsis = { "[--profile NAME] [--now TIME]" },
  description = "Speaks the Model Context Protocol on stdin/stdout (one JSON-RPC message per line), for an agent "
    .. "that starts tinkr itself. The tools are services, errors, logs, traces, trace, metrics_query, metrics_range "
    .. "and recipe; their "
    .. "input schemas come from the same parameter definitions as the Lua and HTTP APIs. tinkr-server answers "
    .. "the same protocol over HTTP at POST /mcp.",
  common = false,
  formats = {},                  -- no --format: MCP is JSON-RPC
  options = {
    { "--now", arg = "TIME", type = "time", help = "pin \"now\" for relative windows (also TINKR_NOW)" },
    { "--profile", arg = "NAME", type = "profile", help = "configuration profile (also TINKR_PROFILE)" },
    { "--config", arg = "FILE", type = "file", help = "configuration file (also TINKR_CONFIG)" },
    { "--layout", arg = "LAYOUT", type = "layout", help = "data layout, instead of detecting it" },
    { "--help", short = "-h", help = "print this help" },
  },
  examples = {
    { "tinkr mcp --profile otel-prod", "what an agent's MCP configuration runs (command: tinkr, args: mcp ...)" },
  },
}
