-- The parameters of every public function of the Lua API, declared once.
--
-- This file is data only.  What is derived from it:
--   tinkr.api_check        checks every call at the boundary (misuse raises)
--   tinkr.server.params    the query-string parameters of each HTTP route
--   docs/API.md            checked against it by spec/api_params_spec.lua
--   JSON Schemas (MCP)     api_check.schema(name) turns a definition into one
-- Add a parameter here first; a key that is not declared is refused.
local _M = { _VERSION = "0.1.0" }

-- Value types: what each accepts, in words (errors and docs say this).
_M.TYPES = {
  string = "a string",
  strings = "a string (several comma-separated) or a list of strings",
  integer = "a whole number (a Lua integer, an integral float, or a string of digits)",
  boolean = "true or false",
  duration = "a duration: 500ms, 30s, 15m, 1h, 2d, 1w, 1h30m (a bare number is seconds)",
  time = "an instant: RFC 3339, a date, epoch seconds/ms/ns, now, now-15m, or a duration ago (15m)",
  filters = "attribute filters: \"key=value\", a list of them, or a table { [\"http.route\"] = \"/cart\" }"
    .. " (values: strings, numbers or booleans)",
  trace_id = "a trace id: 1 to 64 hex digits",
  promql = "a PromQL expression (a string)",
  name = "a name: letters, digits, '_' and '-'",
  ["function"] = "a function",
  sink = "a function, or an open file such as io.stdout",
  functions = "a list of functions, or a table of named functions",
  params = "a table of the parameters below",
  settings = "a table { setting = value } of tinkr.config settings (strings, numbers or booleans)",
}

-- The time window shared by logs, traces and metrics.range.
local SINCE = { name = "since", type = "duration", default = "1h", cli = "--since",
  doc = "how far back the window reaches from `to`; give since or from, not both" }
local FROM = { name = "from", type = "time", cli = "--from", doc = "window start (instead of since)" }
local TO = { name = "to", type = "time", default = "now", cli = "--to", doc = "window end" }
local NOW = { name = "now", type = "time", cli = "--now",
  doc = "pins \"now\" for the relative times of this call (TINKR_NOW pins it for the process)" }
local WHERE = { name = "where", type = "filters", cli = "--where", http = "repeat",
  doc = "attribute equality filters, all must match (key=value; the server takes where= repeatedly)" }

local LOG_META = {
  { name = "total", doc = "hits OpenSearch counted (see relation)" },
  { name = "relation", doc = "\"eq\" (total is exact) or \"gte\" (at least total)" },
  { name = "returned", doc = "rows returned (or streamed)" },
  { name = "truncated", doc = "true when more rows match than were returned" },
  { name = "took_ms", doc = "wall-clock time of the call, ms (rounded to µs)" },
  { name = "server_took_ms", doc = "OpenSearch's own `took`" },
  { name = "pages", doc = "search requests made (more than one past 10,000 hits)" },
  { name = "paged_with", doc = "how pages were fetched (point in time, search_after, tiebreaker)" },
  { name = "request", doc = "the first request sent: { method, url, body = exact JSON text }" },
  { name = "requests", doc = "every request sent, in order (a list)" },
  { name = "index", doc = "the index pattern searched" },
  { name = "layout", doc = "the data layout used (seed, ss4o, dataprepper, ...)" },
  { name = "layout_source", doc = "how the layout was chosen (configured or detected)" },
  { name = "window", doc = "{ from, to }: the window searched, RFC 3339 UTC" },
  { name = "discovered", doc = "when the index pattern was found on the cluster (none configured, the default matched nothing): { pattern, layout, default, note, cached, others, round_trips (0 while the mapping cache holds its fields) }" },
  { name = "hint", doc = "why the result is empty: the closest service names, or that the service has nothing in the window" },
}

local METRIC_META = {
  { name = "took_ms", doc = "wall-clock time of the request, ms (rounded to µs)" },
  { name = "result_type", doc = "Prometheus's resultType: vector, matrix, scalar or string" },
  { name = "warnings", doc = "Prometheus's warnings (a list, [] when none)" },
  { name = "request", doc = "{ method, url, params = { query, time | start, end, step } }" },
  { name = "hint", doc = "an empty answer's likely cause and the query that would answer (a service selected by a label the store does not use)" },
  { name = "naming", doc = "recipes: the metric naming style used { style, service_labels, cached, description }" },
  { name = "caveats", doc = "recipes: warnings about the value, e.g. a quantile interpolated inside a bucket wider than itself" },
  { name = "buckets", doc = "recipes with a caveat: { expr, bounds } the bucket bounds were read from" },
}

_M.FUNCTIONS = {
  logs = {
    call = "tinkr.logs(p)",
    summary = "Log lines, newest first.",
    returns = "rows, meta | nil, err",
    http = "GET /v1/logs",
    args = { { name = "p", type = "params", required = true, fields = {
      { name = "service", type = "string", cli = "--service", doc = "service.name, exact" },
      { name = "level", type = "strings", cli = "--level", doc = "severity text(s), case-insensitive: ERROR or ERROR,WARN" },
      SINCE, FROM, TO, NOW,
      { name = "limit", type = "integer", min = 0, default = 100, cli = "--limit",
        doc = "rows to return; 0 = every match (paged past 10,000). The server takes 1 to its max_rows" },
      { name = "grep", type = "string", cli = "--grep", doc = "text the message contains" },
      WHERE,
      { name = "fields", type = "strings", cli = "--fields", doc = "only these row fields (and their _source paths)" },
      { name = "trace_id", type = "trace_id", cli = "--trace", doc = "only the lines of this trace" },
      { name = "each", type = "function", http = false,
        doc = "called with each row as it arrives; rows are then not kept (streaming)" },
      { name = "ndjson", type = "sink", http = false,
        doc = "a function called with chunks of JSON-lines text, or a file they are written to directly"
          .. " (the CLI's ndjson fast path: io.stdout); rows are not built" },
      { name = "order", type = "string", http = false,
        doc = "\"desc\" (newest first, the default) or \"asc\" (oldest first: what --follow reads)" },
    } } },
    rows = "{ timestamp, time_ns, service, level, message, trace_id, span_id, attributes, resource, ... }",
    meta = LOG_META,
  },

  errors = {
    call = "tinkr.errors(p)",
    summary = "Error signatures: ERROR/FATAL lines grouped by message with the variable parts masked (queries/masks.lua).",
    returns = "rows, meta | nil, err",
    args = { { name = "p", type = "params", fields = {
      { name = "service", type = "string", cli = "--service", doc = "service.name, exact" },
      { name = "level", type = "strings", cli = "--level", doc = "severities to group (default ERROR,FATAL)" },
      SINCE, FROM, TO, NOW,
      WHERE,
      { name = "limit", type = "integer", min = 0, default = 20, cli = "--limit", doc = "signatures to return; 0 = all" },
      { name = "max_lines", type = "integer", min = 1, default = 100000, cli = "--max-lines",
        doc = "group at most this many of the newest lines (meta.truncated says when the window held more)" },
    } } },
    rows = "{ rank, signature, count, share, first_seen, last_seen, services, levels, example, example_trace_id,"
      .. " trace_ids, trend }",
    meta = {
      LOG_META[1], LOG_META[2], LOG_META[4],
      { name = "lines", doc = "lines grouped" },
      { name = "signatures", doc = "signatures found (rows holds the top limit of them)" },
      { name = "max_lines", doc = "the most lines grouped" },
      { name = "took_ms", doc = "wall-clock time, ms" },
      { name = "window", doc = "{ from, to }" },
    },
  },

  each_log = {
    call = "tinkr.each_log(p)",
    summary = "An iterator over log rows, fetching pages as needed: for row in tinkr.each_log{...} do ... end.",
    returns = "iterator (raises the error value if the query fails)",
    args = { { name = "p", type = "params", fields = {
      { name = "service", type = "string", doc = "as tinkr.logs" },
      { name = "level", type = "strings", doc = "as tinkr.logs" },
      SINCE, FROM, TO, NOW,
      { name = "limit", type = "integer", min = 0, default = 100, doc = "as tinkr.logs; 0 = every match" },
      { name = "grep", type = "string", doc = "as tinkr.logs" },
      WHERE,
      { name = "fields", type = "strings", doc = "as tinkr.logs" },
    } } },
  },

  traces = {
    call = "tinkr.traces(p)",
    summary = "Root spans (requests), slowest first.",
    returns = "spans, meta | nil, err",
    http = "GET /v1/traces",
    args = { { name = "p", type = "params", required = true, fields = {
      { name = "service", type = "string", cli = "--service", doc = "service.name, exact" },
      SINCE, FROM, TO, NOW,
      { name = "limit", type = "integer", min = 0, default = 20, cli = "--limit", doc = "spans to return; 0 = all" },
      { name = "errors", type = "boolean", cli = "--errors", doc = "only spans whose status is error" },
      WHERE,
    } } },
    rows = "{ trace_id, span_id, name, service, start, start_ns, end, end_ns, duration_ns, duration_ms, status, ... }",
    meta = {
      LOG_META[1], LOG_META[2], LOG_META[3], LOG_META[4], LOG_META[5], LOG_META[6], LOG_META[7],
      LOG_META[9], LOG_META[10], LOG_META[11], LOG_META[12], LOG_META[13], LOG_META[14],
      LOG_META[15], LOG_META[16],
      { name = "duration_source", doc = "the duration field used, or how the duration was computed" },
    },
  },

  trace = {
    call = "tinkr.trace(id [, p])",
    summary = "One trace: every span as a tree, with the log lines that carry its id.",
    returns = "trace, meta | nil, err (code not_found when no span has the id)",
    http = "GET /v1/traces/{id}",
    args = {
      { name = "id", type = "trace_id", required = true, cli = "TRACE_ID", doc = "the trace id (case-insensitive)" },
      { name = "p", type = "params", fields = {} },
    },
    rows = "trace = { trace_id, spans (depth-first, each with depth and children), roots, logs (oldest first),"
      .. " start_ns, end_ns, duration_ns, services }",
    meta = {
      { name = "took_ms", doc = "wall-clock time, ms (rounded to µs)" },
      { name = "request", doc = "the span search sent" },
      { name = "requests", doc = "the span and log searches sent (a list)" },
      { name = "span_index", doc = "the trace index pattern" },
      { name = "log_index", doc = "the log index pattern" },
      { name = "layout", doc = "the span layout" },
      { name = "log_error", doc = "when the logs could not be read: the error ({ code, message }); logs is then []" },
    },
  },

  services = {
    call = "tinkr.services([p])",
    summary = "One row per service seen in any signal (logs, spans, metrics), worst first.",
    returns = "rows, meta | nil, err",
    args = { { name = "p", type = "params", fields = {
      { name = "service", type = "string", cli = "--service", doc = "only this service" },
      SINCE, FROM, TO, NOW,
      { name = "compare", type = "duration", cli = "--compare",
        doc = "also the same window this long before, with the change of each figure" },
    } } },
    rows = "{ service, log_lines, error_lines, error_share, request_rate, error_rate, p99_s, spans, root_spans,"
      .. " error_root_spans, slowest_ms, slowest_trace_id, slowest_name, error_counts, from, to, previous, change }",
    meta = {
      { name = "window", doc = "{ from, to }" },
      { name = "previous_window", doc = "{ from, to } of the compared window (with compare)" },
      { name = "took_ms", doc = "wall-clock time, ms (rounded to µs)" },
      { name = "queries", doc = "requests made" },
      { name = "requests", doc = "every request sent (a list)" },
      { name = "warnings", doc = "signals that did not answer (a list, [] when none)" },
      { name = "spark_buckets", doc = "buckets in error_counts" },
    },
  },

  all = {
    call = "tinkr.all(fns)",
    summary = "Runs functions at once (their HTTP requests overlap); returns each one's first result.",
    returns = "results in order (a list), or a table keyed like fns; raises if a function raised",
    args = { { name = "fns", type = "functions", required = true } },
  },

  now = {
    call = "tinkr.now([value])",
    summary = "Pins \"now\" for relative times (since = \"1h\", now-15m); without an argument returns it (ns).",
    returns = "ns | nil, err",
    args = { { name = "value", type = "time" } },
  },

  configure = {
    call = "tinkr.configure(opts)",
    summary = "Chooses the profile and overrides for this Lua state (what the CLI flags do).",
    returns = "true | nil, err",
    args = { { name = "opts", type = "params", fields = {
      { name = "profile", type = "string", cli = "--profile", doc = "a profile of the config file (TINKR_PROFILE)" },
      { name = "config_file", type = "string", cli = "--config", doc = "the config file (TINKR_CONFIG)" },
      { name = "overrides", type = "settings", doc = "settings that win over profile and environment" },
    } } },
  },

  ["metrics.query"] = {
    call = "tinkr.metrics.query(expr [, opts])",
    summary = "An instant PromQL query.",
    returns = "rows, meta | nil, err; rows[i] = { labels, value, time_ns }",
    http = "GET /v1/metrics/query",
    args = {
      { name = "expr", type = "promql", required = true, http = "query", cli = "'PROMQL'", doc = "the expression" },
      { name = "opts", type = "params", fields = {
        { name = "time", type = "time", default = "now", cli = "--time", doc = "the instant to evaluate at" },
      } },
    },
    meta = METRIC_META,
  },

  ["metrics.range"] = {
    call = "tinkr.metrics.range(expr [, opts])",
    summary = "A PromQL range query.",
    returns = "series, meta | nil, err; series[i] = { labels, points = { { t_ns, value }, ... } }",
    http = "GET /v1/metrics/range",
    args = {
      { name = "expr", type = "promql", required = true, http = "query", cli = "'PROMQL'", doc = "the expression" },
      { name = "opts", type = "params", fields = {
        SINCE, FROM, TO,
        { name = "step", type = "duration", cli = "--step", doc = "resolution (default: about 120 points, at least 15s)" },
      } },
    },
    meta = METRIC_META,
  },

  ["metrics.recipe"] = {
    call = "tinkr.metrics.recipe(name [, params])",
    summary = "A named PromQL recipe (queries/recipes/NAME.lua), instant by default.",
    returns = "rows | series, meta | nil, err; meta also has recipe, expr, unit, params",
    http = "GET /v1/recipes/{name}",
    args = {
      { name = "name", type = "name", required = true, cli = "--recipe", doc = "the recipe's name" },
      { name = "params", type = "params", open = "the recipe's own parameters (strings or numbers; see tinkr metrics --recipe list)",
        fields = {
          SINCE, FROM, TO,
          { name = "step", type = "duration", cli = "--step", doc = "asks for a range query with this resolution" },
          { name = "time", type = "time", cli = "--time", doc = "asks for an instant query at this time" },
          { name = "range", type = "boolean", cli = "--range / --instant", doc = "range (true) or instant (false)" },
        } },
    },
    meta = METRIC_META,
  },

  ["metrics.recipes"] = {
    call = "tinkr.metrics.recipes()",
    summary = "The names of every recipe tinkr can find (user directories included).",
    returns = "names (a list)",
    args = {},
  },

  ["metrics.buildinfo"] = {
    call = "tinkr.metrics.buildinfo()",
    summary = "Prometheus's version.",
    returns = "version, meta | nil, err",
    args = {},
  },
}

-- The order docs list them in.
_M.ORDER = { "logs", "each_log", "traces", "trace", "services", "errors", "all", "now", "configure",
  "metrics.query", "metrics.range", "metrics.recipe", "metrics.recipes", "metrics.buildinfo" }

-- What each error code means (the CLI's exit status is tinkr.errors.CODES).
_M.ERRORS = {
  usage = "misuse: a parameter of the wrong type or value (raised), a bad flag; HTTP 400",
  config = "missing or invalid configuration: environment variable, profile, flag; HTTP 500",
  connect = "backend unreachable (refused, DNS, reset); HTTP 502",
  timeout = "the backend did not answer in time (TINKR_TIMEOUT); HTTP 504",
  auth = "the backend refused the credentials (401/403); HTTP 502",
  not_found = "no index matches the pattern, no such trace, no such recipe; HTTP 404",
  bad_query = "the backend rejected the query (its own message is in detail); HTTP 400",
  backend = "the backend failed (5xx, shard failures, an answer tinkr cannot read); HTTP 502",
  tls = "TLS handshake or certificate failure; HTTP 502",
  too_large = "a response over the size limit (TINKR_MAX_RESPONSE); HTTP 400",
  output = "the file given as ndjson (the CLI's stdout) refused the lines, a full disk: the search stops there; HTTP 500",
  interrupted = "Ctrl-C; HTTP 503",
}

return _M
