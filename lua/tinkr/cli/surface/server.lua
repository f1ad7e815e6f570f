-- tinkr-server's surface: options, routes, environment, signals.  Its
-- --help text and tinkr-server(8) are generated from this (tools/gen_cli.lua,
-- tools/manpage.lua); spec/surface_spec.lua checks that src/server/main.c
-- parses exactly these options.  Entries as in surface/init.lua.
return {
  name = "tinkr-server",
  summary = "serve tinkr's queries as a JSON API over HTTP",
  synopsis = { "[--listen HOST:PORT] [--profile NAME] [--workers N] [options]" },
  description = [[
tinkr-server answers the same queries as tinkr(1) and the Lua API, as JSON
over HTTP, for automation hooks and other tools. Requests go to a pool of Lua
workers, each with its own Lua state, behind libmicrohttpd. Backends and
profiles are configured exactly as for tinkr (see tinkr-config(5)). An option
takes its value as --name VALUE or --name=VALUE.]],
  options = {
    { "--listen", arg = "HOST:PORT", type = "address", default = "127.0.0.1:8080", help = "address to listen on; port 0 picks a free port, printed at start" },
    { "--profile", arg = "NAME", type = "profile", help = "configuration profile, as for tinkr" },
    { "--config", arg = "FILE", type = "file", help = "the config file, as for tinkr (else TINKR_CONFIG, else ~/.config/tinkr/config.toml)" },
    { "--workers", arg = "N", type = "count", default = "8", help = "Lua workers: requests answered at once" },
    { "--io-threads", arg = "N", type = "count", default = "CPUs, at most 4", help = "HTTP threads" },
    { "--queue", arg = "N", type = "count", default = "1024", help = "requests that may wait for a worker" },
    { "--queue-timeout", arg = "SECONDS", type = "seconds", default = "30", help = "longest wait for a worker before 503" },
    { "--max-body", arg = "BYTES", type = "bytes", default = "1m", help = "largest request body" },
    { "--timeout", arg = "SECONDS", type = "seconds", default = "TINKR_TIMEOUT or 30", help = "per backend request" },
    { "--max-rows", arg = "N", type = "count", default = "10000", help = "largest limit= a query may ask for" },
    { "--max-response", arg = "BYTES", type = "bytes", default = "64m", help = "largest JSON answer" },
    { "--memory", arg = "BYTES", type = "bytes", default = "512m", help = "memory cap per worker's Lua state" },
    { "--script-instructions", arg = "N", type = "count", default = "100000000", help = "instruction budget per script run" },
    { "--script-seconds", arg = "SECONDS", type = "seconds", default = "10", help = "wall-clock budget per script run" },
    { "--script-memory", arg = "BYTES", type = "bytes", default = "64m", help = "memory budget per script run" },
    { "--drain", arg = "SECONDS", type = "seconds", default = "10", help = "how long SIGTERM waits for requests in flight" },
    { "--help", short = "-h", help = "print this help" },
    { "--version", help = "print the version, git revision and library versions" },
  },
  routes = {
    { "GET /v1/logs", "log lines, as tinkr.logs: service, level, since | from+to, limit, grep, where (repeatable), fields" },
    { "GET /v1/traces", "root spans, slowest first, as tinkr.traces: service, since | from+to, limit, errors, where" },
    { "GET /v1/traces/{id}", "one trace, as tinkr.trace" },
    { "GET /v1/metrics/query", "an instant PromQL query: query, time" },
    { "GET /v1/metrics/range", "a range PromQL query: query, since | from+to, step" },
    { "GET /v1/recipes/{name}", "a recipe, with its parameters and time or since/from/to/step" },
    { "POST /v1/scripts/{name}", "runs queries/scripts/{name}.lua with the JSON body as params, within the script budgets" },
    { "GET /healthz", "the process is alive (answered without Lua or a backend; needs no token)" },
    { "GET /readyz", "200 when the backends answer, else 503 naming the one that failed" },
    { "GET /metrics", "the server's own metrics, Prometheus text format" },
  },
  environment = {
    { "TINKR_CONFIG", "the config file when --config is not given, as for tinkr" },
    { "TINKR_SERVER_TOKEN", "when set, every route but /healthz needs 'Authorization: Bearer <token>'; taken out of the environment before any Lua runs" },
    { "CREDENTIALS_DIRECTORY", "under systemd: a credential named tinkr-server-token is read as the token (LoadCredential=)" },
    { "JOURNAL_STREAM", "set by systemd when standard error is the journal: log lines then carry a syslog level prefix" },
    { "NOTIFY_SOCKET", "under systemd (Type=notify): readiness and stopping are reported to it" },
  },
  auth = [[
When TINKR_SERVER_TOKEN is set (or, under systemd, the credential
tinkr-server-token), every route but /healthz needs the header
'Authorization: Bearer <token>'; a missing or wrong token is a 401. The token
lives in C only and never reaches Lua, an answer or the log. Without a token the
server warns when it listens on anything but loopback.]],
  budgets = [[
Each POST /v1/scripts run has an instruction budget (--script-instructions), a
wall-clock budget (--script-seconds) and a memory budget (--script-memory). When
one runs out the script is stopped (pcall cannot catch the stop) and the answer
is 500 script_budget naming the budget. Queries are bounded by --max-rows,
--max-response and --timeout; each worker's Lua state by --memory; request
bodies by --max-body; waiting for a worker by --queue and --queue-timeout.]],
  errors = [[
Errors are {"error": {"code": ..., "message": ...}} with an HTTP status: 400 bad
parameters or query, 401 token, 404 not found, 405 method, 413 body too large,
500 script failed or out of budget, 502 backend down or refusing, 503 overloaded
or shutting down, 504 backend timeout.]],
  logging = [[
The server writes one event per line to standard error. When JOURNAL_STREAM
says that is the journal (as under systemd), each line starts with a syslog
level (<3> error, <4> warning, <6> info) that journald stores as the priority.]],
  signals = {
    { "SIGTERM, SIGINT", "stop accepting connections, let requests in flight finish for up to --drain seconds, then stop what still runs and exit 0" },
  },
  exit = {
    { "0", "stopped by SIGTERM or SIGINT after draining" },
    { "1", "could not start (the address is taken, out of memory, a worker failed)" },
    { "2", "usage: an unknown option or a bad value, an empty TINKR_SERVER_TOKEN" },
    { "3", "config: a bad config file, an unknown profile or a bad setting (as tinkr)" },
  },
  files = {
    { "/etc/tinkr/config.toml", "the configuration the packaged systemd unit passes (TINKR_CONFIG)" },
    { "/etc/tinkr/token", "the token the packaged unit loads as a credential (mode 0600, root)" },
    { "/lib/systemd/system/tinkr-server.service", "the packaged systemd unit" },
  },
  examples = {
    { "TINKR_SERVER_TOKEN=s3cret tinkr-server --listen 127.0.0.1:8080 --profile otel-prod", "serve one profile on loopback" },
    { "curl -H 'Authorization: Bearer s3cret' 'http://127.0.0.1:8080/v1/logs?service=payments-api&level=ERROR&since=1h'", "ask it" },
  },
}
