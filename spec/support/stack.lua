-- The shared sample stack: a real OpenSearch (2.19 unless TINKR_OPENSEARCH
-- or make compat picks 1.3 / 3.8) and Prometheus 2.42 loaded
-- with scripts/gen-otel-data.py's data (see scripts/stack).  The first call
-- per busted run brings it up, or reuses it when it already runs
-- (`scripts/stack up` is idempotent); it is left running afterwards.
--
--   local stack = require("support.stack").get()
--   stack.opensearch  --> "http://127.0.0.1:19200"
--   stack.prometheus  --> "http://127.0.0.1:19090"
--   stack.now         --> "2026-11-26T12:00:00Z", pass it to tinkr as "now"
--   stack.opensearch_line --> "2.19": the version line the stack says it runs
--   stack.expected    --> the decoded manifest (.stack/data/expected.json)
local helpers = require "helpers"
local core = require "tinkr.core"

local M = {}
local cached

-- The three layouts the sample data is written in, with their index
-- patterns: specs that check every layout loop over these.
M.LAYOUTS = {
  { name = "seed", logs = "otel-logs-*", spans = "otel-traces-*" },
  { name = "ss4o", logs = "ss4o_logs-*", spans = "ss4o_traces-*" },
  { name = "dataprepper", logs = "logs-otel-v1*", spans = "otel-v1-apm-span-*" },
}

local q = helpers.shell_quote

local function state_dir()
  return os.getenv("TINKR_STACK_DIR") or (helpers.root .. "/.stack")
end

local function log_hint()
  local dir = state_dir()
  return "logs: " .. dir .. "/opensearch/opensearch.log, " .. dir .. "/prometheus/prometheus.log, "
    .. dir .. "/opensearch/maven.log"
end

-- Runs scripts/stack; the servers must not inherit the ASan pass's preload.
function M.command(args)
  return helpers.run("env -u LD_PRELOAD -u ASAN_OPTIONS -u UBSAN_OPTIONS "
    .. q(helpers.root .. "/scripts/stack") .. " " .. args)
end

local function read_file(path)
  local f, err = io.open(path, "rb")
  if not f then error("cannot read " .. path .. ": " .. tostring(err)) end
  local s = f:read("a")
  f:close()
  return s
end

function M.get()
  if cached then return cached end
  local out, err, status = M.command("up")
  if status ~= 0 then
    error(("scripts/stack up failed (exit %d):\n%s\n%s"):format(status, err, log_hint()), 2)
  end
  local env = {}
  for name, value in out:gmatch("export ([%w_]+)=([^\n]*)") do env[name] = value end
  if not (env.OTEL_OPENSEARCH_URL and env.OTEL_PROMETHEUS_URL and env.TINKR_SAMPLE_MANIFEST
      and env.TINKR_STACK_OPENSEARCH) then
    error("scripts/stack up printed no URLs:\n" .. out .. "\n" .. err .. "\n" .. log_hint(), 2)
  end
  local expected, jerr = core.json.decode(read_file(env.TINKR_SAMPLE_MANIFEST))
  if not expected then error("bad manifest " .. env.TINKR_SAMPLE_MANIFEST .. ": " .. jerr, 2) end
  cached = {
    opensearch = env.OTEL_OPENSEARCH_URL,
    prometheus = env.OTEL_PROMETHEUS_URL,
    now = env.TINKR_SAMPLE_NOW,
    opensearch_line = env.TINKR_STACK_OPENSEARCH,
    expected = expected,
    manifest_path = env.TINKR_SAMPLE_MANIFEST,
    state_dir = state_dir(),
  }
  return cached
end

-- The environment that points tinkr at the stack with one layout's
-- indices (and nothing else from the environment of whoever runs the
-- specs); `extra` adds or overrides variables.
function M.env(layout, extra)
  local s = M.get()
  local env = {
    OTEL_OPENSEARCH_URL = s.opensearch, OTEL_PROMETHEUS_URL = s.prometheus,
    OTEL_LOG_INDEX = layout.logs, OTEL_TRACE_INDEX = layout.spans, TINKR_NOW = s.now,
  }
  for k, v in pairs(extra or {}) do env[k] = v end
  return env
end

-- The same for the in-process API: configures tinkr from M.env and pins
-- "now" to the data's.
function M.use(layout, extra)
  local env = M.env(layout, extra)
  require("tinkr.config").set(require("tinkr.config").new{ getenv = function(k) return env[k] end })
  require("tinkr.time").pin(M.get().now)
end

return M
