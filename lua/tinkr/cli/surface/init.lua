-- The command-line surface of tinkr and tinkr-server, described once.
-- Everything that shows it reads this data and nothing else:
--   `tinkr COMMAND --help` and `tinkr --help`   (tinkr.cli.help)
--   option parsing                             (tinkr.cli: args.parse gets surface.parse_spec)
--   `tinkr-server --help` and its command list (tools/gen_cli.lua, at build time)
--   the man pages tinkr(1), tinkr-server(8), tinkr-config(5)   (tools/manpage.lua)
--   the bash, zsh and fish completions         (tools/completion.lua)
-- spec/surface_spec.lua fails when the CLI accepts an option this does not
-- describe, or the other way round.
--
-- Adding a command: write lua/tinkr/cli/surface/<name>.lua (copy logs.lua)
-- and add its name to COMMANDS below; then `make rockspec`.
-- Adding an option: one entry in the command's `options` (or in COMMON when
-- every command takes it):
--
--   { "--service", arg = "NAME", type = "service", help = "one line, no final period" }
--
--   [1]      the long name, "--word-word"
--   short    an optional one-letter alias, "-v"
--   arg      the value's placeholder in usage lines; absent for a flag
--   type     the value's type (a key of TYPES): how it is completed and documented
--   values   for type "enum": the allowed values
--   many     true when the option may be repeated (the values are collected)
--   default  shown in help and man pages
--   help     one line
--
-- A command that asks a backend says `requests = true`: bin/tinkr then
-- starts loading libcurl as it starts (src/cli/curl_lazy.c), not on the
-- first request.
local _M = { _VERSION = "0.1.0" }

--- The commands of `tinkr COMMAND`, in the order help lists them.
local COMMANDS = { "services", "errors", "logs", "traces", "trace", "metrics", "profiles", "doctor", "watch", "mcp" }

--- Value types: `doc` says what is accepted; `complete` says how a shell
--- completes it ("files", "none", a fixed list via `values`, or a dynamic
--- source of `tinkr __complete SOURCE`).
_M.TYPES = {
  text = { doc = "any text", complete = "none" },
  count = { doc = "a whole number", complete = "none" },
  number = { doc = "a number", complete = "none" },
  duration = { doc = "a duration: 90s, 15m, 1h, 7d", complete = "none" },
  time = { doc = "RFC 3339, epoch seconds, now or now-15m", complete = "none" },
  tz = { doc = "UTC, local or an offset such as +02:00", complete = "list", values = { "UTC", "local" } },
  fields = { doc = "comma-separated field names", complete = "none" },
  level = { doc = "a severity or a comma-separated list", complete = "list",
            values = { "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL" } },
  keyvalue = { doc = "key=value", complete = "none" },
  promql = { doc = "a PromQL expression", complete = "none" },
  enum = { doc = "one of the listed values", complete = "list" },
  format = { doc = "an output format the command supports", complete = "format" },
  file = { doc = "a file name", complete = "files" },
  address = { doc = "HOST:PORT", complete = "none" },
  bytes = { doc = "bytes, with an optional k, m or g suffix", complete = "none" },
  seconds = { doc = "seconds (fractions allowed)", complete = "none" },
  service = { doc = "a service name", complete = "services" },
  recipe = { doc = "a recipe name (or list)", complete = "recipes" },
  profile = { doc = "a profile name", complete = "profiles" },
  layout = { doc = "a data layout", complete = "list", values = { "seed", "ss4o", "ecs", "flatten_attributes", "dataprepper", "jaeger" } },
}

--- The dynamic completion sources `tinkr __complete SOURCE` answers.
_M.SOURCES = { "services", "recipes", "profiles" }

--- Options every command takes.
_M.COMMON = {
  { "--since", arg = "DURATION", type = "duration", help = "the window: the last DURATION (default 1h)" },
  { "--from", arg = "TIME", type = "time", help = "start of the window" },
  { "--to", arg = "TIME", type = "time", help = "end of the window (default now)" },
  { "--now", arg = "TIME", type = "time", help = "pin \"now\" (also TINKR_NOW)" },
  { "--format", arg = "FORMAT", type = "format", help = "output format (default table)" },
  { "--tz", arg = "ZONE", type = "tz", help = "time zone of printed times (default UTC)" },
  { "--limit", arg = "N", type = "count", help = "at most N results; 0 returns every match" },
  { "--fields", arg = "A,B", type = "fields", help = "the columns to print" },
  { "--profile", arg = "NAME", type = "profile", help = "configuration profile (also TINKR_PROFILE)" },
  { "--config", arg = "FILE", type = "file", help = "configuration file (also TINKR_CONFIG)" },
  { "--layout", arg = "LAYOUT", type = "layout", help = "data layout, instead of detecting it" },
  { "--fail-if-found", help = "exit 1 when there are results, 0 when there are none (a gate)" },
  { "--no-color", help = "no colour (also NO_COLOR)" },
  { "--verbose", short = "-v", help = "print the exact requests sent, to stderr" },
  { "--help", short = "-h", help = "print this help" },
}

--- The program itself: ways in other than a command.
_M.PROGRAM = {
  name = "tinkr",
  summary = "query OpenTelemetry logs, traces and metrics in OpenSearch and Prometheus",
  synopsis = {
    { "COMMAND [options]", "run a command (tinkr COMMAND --help for each)" },
    { "script.lua [args...]", "run a Lua script (arg and ... hold args)" },
    { "-e CODE [args...]", "run CODE" },
    { "- [args...]", "read the script from standard input" },
    { "", "the REPL (on a terminal)" },
    { "--help | --version", "" },
  },
  options = {
    { "-e", arg = "CODE", type = "text", help = "run CODE as a Lua chunk; later arguments are its arg" },
    { "--help", short = "-h", help = "print the usage and the commands" },
    { "--version", short = "-v", help = "print the version, git revision and library versions" },
  },
  description = [[
tinkr answers the questions an on-call engineer asks of OpenTelemetry data:
what a service logged, how fast it served, which requests were slowest, and
what one trace did. It reads OpenSearch (logs and traces) and Prometheus
(metrics) as an OpenTelemetry Collector writes them, and always says what it
asked the backend. Everything a user may want to change, the DSL templates,
the field mappings, the PromQL recipes, is a Lua file under queries/ that a
file of the same relative path in TINKR_PATH or ~/.config/tinkr replaces.]],
}

--- Environment variables other than the settings of tinkr.config (those are
--- listed from config.SETTINGS, so a new setting is documented by itself).
_M.ENVIRONMENT = {
  { "TINKR_PROFILE", "the profile to use when --profile is not given" },
  { "TINKR_CONFIG", "the configuration file (default $XDG_CONFIG_HOME/tinkr/config.toml)" },
  { "TINKR_PATH", "colon-separated directories searched before the built-in lua/ and queries/" },
  { "XDG_CONFIG_HOME", "the user's configuration directory (default ~/.config); tinkr reads tinkr/ under it" },
  { "XDG_STATE_HOME", "where the REPL keeps its history (tinkr/history; default ~/.local/state)" },
  { "XDG_CACHE_HOME", "where tinkr caches what it learned of the backends: index fields, discovered indices, the metric naming style, completion's service names (tinkr/, mode 0700; default ~/.cache)" },
  { "TINKR_CACHE_DIR", "the cache directory itself (default $XDG_CACHE_HOME/tinkr)" },
  { "TINKR_MAP_STREAM", "0: map a search's hits only after its last byte arrives, not while it arrives (to compare; bench/logs_bench.lua)" },
  { "NO_COLOR", "when set and not empty, no colour" },
  { "COLUMNS", "the width tables and charts fit (default: the terminal's)" },
  { "TZDIR", "where time zone files are, for --tz (default /usr/share/zoneinfo)" },
  { "AWS_ACCESS_KEY_ID", "with auth = \"sigv4\": the access key id (with AWS_SECRET_ACCESS_KEY)" },
  { "AWS_SECRET_ACCESS_KEY", "with auth = \"sigv4\": the secret access key" },
  { "AWS_SESSION_TOKEN", "with auth = \"sigv4\": the session token of temporary credentials" },
  { "AWS_DEFAULT_REGION", "with auth = \"sigv4\": the region when AWS_REGION / aws_region is not set" },
  { "AWS_SHARED_CREDENTIALS_FILE", "with auth = \"sigv4\": the credentials file (default ~/.aws/credentials)" },
}

--- Exit statuses: one entry per tinkr.errors code, plus the CLI's own.
_M.EXIT = {
  { 0, nil, "results (with --fail-if-found: none)" },
  { 1, nil, "no results (with --fail-if-found: results); a script that raised; libcurl cannot be loaded (one line, see --version)" },
  { 2, "usage", "usage error: an unknown option, a bad value" },
  { 3, "config", "configuration: a missing URL, a bad profile or config file" },
  { 4, "connect", "cannot connect to a backend" },
  { 5, "timeout", "a backend did not answer in time" },
  { 6, "auth", "a backend refused the credentials (401/403)" },
  { 7, "not_found", "not found: index pattern, trace, recipe" },
  { 8, "bad_query", "the backend rejected the query (its own message follows)" },
  { 9, "backend", "the backend failed (5xx, shard failures, garbage)" },
  { 10, "tls", "TLS: certificate or handshake" },
  { 11, "too_large", "the answer is too large: narrow the query" },
  { 12, "output", "the output could not be written (a full disk, an I/O error); a closed pipe ends tinkr by SIGPIPE, as any filter" },
  { 130, "interrupted", "interrupted (Ctrl-C)" },
}

--- Files, for the FILES sections.  %s is the user's config directory.
_M.FILES = {
  { "~/.config/tinkr/config.toml", "profiles (see tinkr-config(5)); $XDG_CONFIG_HOME/tinkr/config.toml when set" },
  { "~/.config/tinkr/queries/", "the user's templates, mappings, recipes and scripts; each replaces the built-in file of the same path" },
  { "~/.config/tinkr/lua/", "the user's copies of tinkr's own Lua modules" },
  { "~/.local/state/tinkr/history", "the REPL's history" },
  { "~/.cache/tinkr/", "caches of what the backends said (index fields for TINKR_MAPPING_CACHE_TTL seconds, discovered indices, metric naming style, service names for completion); safe to delete" },
  { "/etc/tinkr/config.toml", "tinkr-server's configuration under systemd (tinkr-server(8))" },
}

--- Examples for the man page, in the order shown.
_M.EXAMPLES = {
  { "tinkr logs --service payments-api --level ERROR --since 1h", "what payments-api logged at ERROR in the last hour" },
  { "tinkr traces --service frontend --since 6h --limit 10", "the ten slowest requests of the last six hours" },
  { "tinkr trace 154db7a9461613cc58a7deebd94fcfa2", "one trace as a waterfall, with its log lines" },
  { "tinkr metrics --recipe http_latency_p99 --service checkout --since 3h", "a chart of p99 latency" },
  { "tinkr -e 'print(#tinkr.logs{ level = \"ERROR\" })'", "a Lua one-liner" },
  { "tinkr logs --level ERROR --since 5m --fail-if-found --format ndjson", "a pipeline gate: exit 1 when errors were logged" },
}

--- The server's surface (tinkr-server(8)).
_M.SERVER = require "tinkr.cli.surface.server"

--- tinkr-config(5): the configuration file and the editable queries.
_M.CONFIG = require "tinkr.cli.surface.config"

--- The hidden commands: not in help or man pages, but completion uses them.
_M.HIDDEN = { "__complete" }

local by_name
local function load_commands()
  if by_name then return by_name end
  by_name = {}
  _M.commands = {}
  for _, name in ipairs(COMMANDS) do
    local c = require("tinkr.cli.surface." .. name)
    assert(c.name == name, "surface: command file for " .. name .. " names " .. tostring(c.name))
    by_name[name] = c
    _M.commands[#_M.commands + 1] = c
  end
  return by_name
end

--- surface.list() -> the command descriptions, in order.
function _M.list()
  load_commands()
  return _M.commands
end

--- surface.command(name) -> the description of one command, or nil.
function _M.command(name)
  return load_commands()[name]
end

--- surface.options(name) -> every option a command takes: its own, then COMMON.
function _M.options(name)
  local c = assert(_M.command(name), name)
  local all = {}
  for _, o in ipairs(c.options or {}) do all[#all + 1] = o end
  if c.common ~= false then
    for _, o in ipairs(_M.COMMON) do all[#all + 1] = o end
  end
  return all
end

--- "--fail-if-found" -> "fail_if_found", the key in parsed options.
function _M.key(option)
  return (option[1]:gsub("^%-%-", ""):gsub("%-", "_"))
end

--- surface.parse_spec(name) -> the spec tinkr.cli.args.parse takes.
function _M.parse_spec(name)
  local spec = { aliases = {} }
  for _, o in ipairs(_M.options(name)) do
    local key = _M.key(o)
    spec[key] = not o.arg and "flag" or (o.many and "list" or "value")
    if o.short then spec.aliases[o.short:sub(2)] = key end
  end
  return spec
end

--- surface.values(name, option) -> the values an option takes, or nil.
function _M.values(name, option)
  if option.values then return option.values end
  if option.type == "format" then return _M.command(name).formats end
  local t = _M.TYPES[option.type]
  return t and t.values
end

return _M
