-- `tinkr profiles` and `tinkr profiles check` through bin/tinkr, against the
-- real local stack (spec/support/stack.lua) and a fault server for what the
-- stack cannot do (a 401, a closed port).  Every run also checks that no
-- secret from the config file or the environment reached stdout or stderr.
local helpers = require "helpers"
local core = require "tinkr.core"
local errors = require "tinkr.errors"
local stack_support = require "support.stack"
local fault_server = require "support.fault_server"

local API_KEY = "spec-api-key-7d2e91b0"
local URL_PASSWORD = "spec-url-password-c55a"
local ENV_API_KEY = "spec-env-api-key-0b9f"
local SECRETS = { API_KEY, URL_PASSWORD, ENV_API_KEY }

local function lines_of(s)
  local t = {}
  for line in s:gmatch("[^\n]+") do t[#t + 1] = line end
  return t
end

local function decode(s)
  local v, err = core.json.decode(s)
  assert(v, ("not JSON (%s): %s"):format(tostring(err), s))
  return v
end

describe("tinkr profiles", function()
  local stack, srv, closed_port, dir, path, base_env

  -- Runs bin/tinkr with a clean, known environment (plus `extra`), and
  -- asserts that no secret is in what it printed.
  local function tinkr(args, extra)
    local vars = {}
    for k, v in pairs(base_env) do vars[k] = v end
    for k, v in pairs(extra or {}) do vars[k] = v end
    local out, err, status = helpers.tinkr(args, { env = vars })
    for _, secret in ipairs(SECRETS) do
      assert(not out:find(secret, 1, true), "a secret in stdout:\n" .. out)
      assert(not err:find(secret, 1, true), "a secret in stderr:\n" .. err)
    end
    return out, err, status
  end

  local function write_config(name, text)
    local p = dir .. "/" .. name
    local f = assert(io.open(p, "wb"))
    f:write(text)
    f:close()
    return p
  end

  setup(function()
    stack = stack_support.get()
    srv = fault_server.start()
    closed_port = decode(assert(core.http.request{ url = srv:url("/unused_port") }).body).port
    dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. helpers.shell_quote(dir .. "/xdg")))
    base_env = {
      XDG_CONFIG_HOME = dir .. "/xdg", TINKR_CONFIG = "", TINKR_PROFILE = "", TINKR_BACKEND = "",
      OTEL_OPENSEARCH_URL = "", OTEL_PROMETHEUS_URL = "", OTEL_OPENSEARCH_API_KEY = "",
      OTEL_LOG_INDEX = "", OTEL_TRACE_INDEX = "", TINKR_LAYOUT = "", TINKR_TIMEOUT = "", NO_COLOR = "1",
    }
    local with_password = stack.opensearch:gsub("^http://", "http://admin:" .. URL_PASSWORD .. "@")
    path = write_config("config.toml", ([[
default_profile = "local"

[profiles.local]
backend = "otel"
opensearch_url = "%s"
prometheus_url = "%s"
opensearch_api_key = "%s"
log_index = "otel-logs-*"
trace_index = "otel-traces-*"

[profiles.with-password]
opensearch_url = "%s"
prometheus_url = "%s"

[profiles.from-env]
opensearch_url = "env:SPEC_OS_URL"
prometheus_url = "env:SPEC_PROM_URL"
opensearch_api_key = "env:SPEC_OS_KEY"

[profiles.closed]
opensearch_url = "http://127.0.0.1:%d"
prometheus_url = "%s"
opensearch_api_key = "%s"

[profiles.auth]
opensearch_url = "%s"
prometheus_url = "%s"
opensearch_api_key = "%s"

[profiles.wrong-kind]
opensearch_url = "%s"
prometheus_url = "%s"
]]):format(stack.opensearch, stack.prometheus, API_KEY,
      with_password, stack.prometheus,
      closed_port, stack.prometheus, API_KEY,
      srv:url("/auth"), stack.prometheus, API_KEY,
      stack.prometheus, stack.opensearch))
  end)

  teardown(function()
    if srv then srv:stop() end
    if dir then os.execute("rm -rf " .. helpers.shell_quote(dir)) end
  end)

  describe("list", function()
    it("shows each profile's backend, URLs and indices in a table, the default marked", function()
      local out, err, status = tinkr({ "profiles", "--config", path })
      assert.equal(0, status, err)
      assert.equal("", err)
      local lines = lines_of(out)
      assert.equal(7, #lines, out)
      assert.matches("^NAME +DEFAULT +BACKEND +OPENSEARCH_URL +PROMETHEUS_URL +LOG_INDEX +TRACE_INDEX +OPENSEARCH_API_KEY$", lines[1])
      -- rows come sorted by name
      local names = {}
      for i = 2, #lines do names[#names + 1] = lines[i]:match("^(%S+)") end
      assert.same({ "auth", "closed", "from-env", "local", "with-password", "wrong-kind" }, names)
      local row = lines[5]
      assert.matches("^local +%* +otel +" .. stack.opensearch:gsub("%p", "%%%0") .. " +"
        .. stack.prometheus:gsub("%p", "%%%0") .. " +otel%-logs%-%* +otel%-traces%-%* +<redacted>$", row)
      assert.matches("http://<redacted>@127.0.0.1:%d+", lines[6])
      assert.matches("env:SPEC_OS_URL +env:SPEC_PROM_URL", lines[4])
    end)

    it("gives every setting as JSON with --format json", function()
      local out, err, status = tinkr({ "profiles", "--config", path, "--format", "json" })
      assert.equal(0, status, err)
      local doc = decode(out)
      assert.same({ config_file = path, default_profile = "local" }, doc.meta)
      assert.equal(6, #doc.rows)
      local by_name = {}
      for _, r in ipairs(doc.rows) do by_name[r.name] = r end
      assert.same({
        name = "local", default = true, backend = "otel", opensearch_url = stack.opensearch,
        prometheus_url = stack.prometheus, opensearch_api_key = "<redacted>",
        log_index = "otel-logs-*", trace_index = "otel-traces-*",
      }, by_name["local"])
      assert.equal(false, by_name["from-env"].default)
      assert.equal("env:SPEC_OS_KEY", by_name["from-env"].opensearch_api_key)
      assert.equal(stack.opensearch:gsub("^http://", "http://<redacted>@"), by_name["with-password"].opensearch_url)
    end)

    it("finds the file through TINKR_CONFIG and at $XDG_CONFIG_HOME/tinkr/config.toml", function()
      local out, err, status = tinkr({ "profiles", "--format", "json" }, { TINKR_CONFIG = path })
      assert.equal(0, status, err)
      assert.equal(path, decode(out).meta.config_file)
      local xdg = dir .. "/xdg2"
      assert(os.execute("mkdir -p " .. helpers.shell_quote(xdg .. "/tinkr")))
      write_config("xdg2/tinkr/config.toml", '[profiles.only]\nlog_index = "x-*"\n')
      out, err, status = tinkr({ "profiles", "--format", "json" }, { XDG_CONFIG_HOME = xdg })
      assert.equal(0, status, err)
      assert.equal(xdg .. "/tinkr/config.toml", decode(out).meta.config_file)
      assert.equal("only", decode(out).rows[1].name)
    end)

    it("says so, exit 1, when there is no file at the default location", function()
      local out, err, status = tinkr({ "profiles" })
      assert.equal(1, status)
      assert.equal("", out)
      assert.equal(("tinkr: no config file: %s/xdg/tinkr/config.toml does not exist (see docs/PROFILES.md)\n"):format(dir), err)
      out, _, status = tinkr({ "profiles", "--format", "json" })
      assert.equal(1, status)
      assert.same({}, decode(out).rows)
    end)

    it("exits 3 naming the file when --config or TINKR_CONFIG names a missing file", function()
      local missing = dir .. "/missing.toml"
      local _, err, status = tinkr({ "profiles", "--config", missing })
      assert.equal(3, status)
      assert.equal(("tinkr: config file %s does not exist (given by --config)\n"):format(missing), err)
      _, err, status = tinkr({ "profiles" }, { TINKR_CONFIG = missing })
      assert.equal(3, status)
      assert.equal(("tinkr: config file %s does not exist (given by TINKR_CONFIG)\n"):format(missing), err)
    end)

    it("exits 3 with file:line for an unknown key, and never shows a secret from a bad line", function()
      local bad = write_config("typo.toml", '[profiles.p]\nopensearch_api_key = "' .. API_KEY .. '"\nlog_indx = "x"\n')
      local _, err, status = tinkr({ "profiles", "--config", bad })
      assert.equal(3, status)
      assert.matches("^tinkr: " .. bad:gsub("%p", "%%%0") .. ":3: profile 'p': unknown key 'log_indx' %(did you mean 'log_index'%?%); known keys: ", err)
      bad = write_config("unquoted.toml", "[profiles.p]\nopensearch_api_key = " .. API_KEY .. "\n")
      _, err, status = tinkr({ "profiles", "--config", bad })
      assert.equal(3, status)
      assert.matches(":2:22: invalid value '<redacted>'", err, 1, true)
    end)

    it("exits 2 for an unknown subcommand or format", function()
      local _, err, status = tinkr({ "profiles", "show" })
      assert.equal(2, status)
      assert.matches("unknown subcommand 'show'", err, 1, true)
      _, err, status = tinkr({ "profiles", "--config", path, "--format", "yaml" })
      assert.equal(2, status)
      assert.matches("unknown format 'yaml'", err, 1, true)
    end)
  end)

  describe("check", function()
    local versions

    setup(function()
      local os_root = decode(assert(core.http.request{ url = stack.opensearch .. "/" }).body)
      local build = decode(assert(core.http.request{ url = stack.prometheus .. "/api/v1/status/buildinfo" }).body)
      versions = { opensearch = os_root.version.number, prometheus = build.data.version }
    end)

    local function pattern(s) return (s:gsub("%p", "%%%0")) end

    it("reaches both backends of a profile and reports their real versions and latency", function()
      local out, err, status = tinkr({ "profiles", "check", "local", "--config", path })
      assert.equal(0, status, err)
      assert.equal("", err)
      local lines = lines_of(out)
      assert.equal(2, #lines, out)
      assert.matches("^opensearch  " .. pattern(stack.opensearch) .. "  ok  " .. pattern(versions.opensearch)
        .. "  %d+%.%d ms$", lines[1])
      assert.matches("^prometheus  " .. pattern(stack.prometheus) .. "  ok  " .. pattern(versions.prometheus)
        .. "  %d+%.%d ms$", lines[2])
      assert.matches("^" .. pattern(stack.opensearch_line) .. "%.", versions.opensearch)
    end)

    it("checks the selected profile when no name is given: TINKR_PROFILE, else default_profile", function()
      local out, err, status = tinkr({ "profiles", "check", "--config", path })
      assert.equal(0, status, err)
      assert.matches("^opensearch  " .. pattern(stack.opensearch) .. "  ok", out)
      out, _, status = tinkr({ "profiles", "check", "--config", path }, { TINKR_PROFILE = "closed" })
      assert.equal(errors.CODES.connect, status)
      assert.matches("127.0.0.1:" .. closed_port, out, 1, true)
    end)

    it("shows a URL's password as <redacted> and still uses it", function()
      local out, err, status = tinkr({ "profiles", "check", "with-password", "--config", path })
      assert.equal(0, status, err)
      assert.matches("^opensearch  http://<redacted>@127%.0%.0%.1:%d+  ok  ", out)
    end)

    it("reports a closed port as a connect error, exit 4, and still checks the other backend", function()
      local out, err, status = tinkr({ "profiles", "check", "closed", "--config", path })
      assert.equal(errors.CODES.connect, status)
      assert.equal("", err)
      local lines = lines_of(out)
      assert.equal(2, #lines, out)
      assert.equal(("opensearch  http://127.0.0.1:%d  error  OpenSearch: connection refused: http://127.0.0.1:%d/ "
        .. "— is the server running, and is the URL right? (set by profile closed)"):format(
        closed_port, closed_port), lines[1])
      assert.matches("^prometheus  " .. pattern(stack.prometheus) .. "  ok  ", lines[2])
    end)

    it("checks the backends at once: two unreachable servers cost one connect timeout", function()
      local port = decode(assert(core.http.request{ url = srv:url("/blackhole_port") }).body).port
      local hole = write_config("blackhole.toml", ([[
[profiles.hole]
opensearch_url = "http://127.0.0.1:%d"
prometheus_url = "http://127.0.0.1:%d"
connect_timeout = 2
]]):format(port, port))
      local started = core.monotonic()
      local out, _, status = tinkr({ "profiles", "check", "hole", "--config", hole })
      local took = core.monotonic() - started
      assert.equal(errors.CODES.timeout, status)
      local lines = lines_of(out)
      assert.matches("^opensearch  http://127%.0%.0%.1:%d+  error  OpenSearch: could not connect within 2%.0 s", lines[1])
      assert.matches("^prometheus  http://127%.0%.0%.1:%d+  error  Prometheus: could not connect within 2%.0 s", lines[2])
      -- one after the other: at least 4 s.  A 2 s timeout (not 0.5 s) leaves
      -- room for starting the ASan build on a loaded machine.
      assert.is_true(took < 3.5, ("took %.2f s"):format(took))
    end)

    it("gives the same report as JSON", function()
      local out, _, status = tinkr({ "profiles", "check", "closed", "--config", path, "--format", "json" })
      assert.equal(errors.CODES.connect, status)
      local doc = decode(out)
      assert.equal("closed", doc.meta.profile)
      local os_row, prom_row = doc.rows[1], doc.rows[2]
      assert.equal("opensearch", os_row.backend)
      assert.equal("error", os_row.status)
      assert.equal("connect", os_row.code)
      assert.equal("prometheus", prom_row.backend)
      assert.equal("ok", prom_row.status)
      assert.equal(versions.prometheus, prom_row.version)
      assert.is_true(prom_row.latency_ms > 0)
    end)

    it("exits 6 when the server refuses the credentials, without showing the API key", function()
      local out, _, status = tinkr({ "profiles", "check", "auth", "--config", path })
      assert.equal(errors.CODES.auth, status)
      assert.matches("^opensearch  " .. pattern(srv:url("/auth")) .. "  error  OpenSearch refused the request %(401", out)
    end)

    it("reports a server of the other kind as an error rather than a version", function()
      local out, _, status = tinkr({ "profiles", "check", "wrong-kind", "--config", path })
      assert.equal(errors.CODES.backend, status)
      local lines = lines_of(out)
      assert.matches("^opensearch  " .. pattern(stack.prometheus) .. "  error  OpenSearch answered 302", lines[1])
      assert.matches("^prometheus  " .. pattern(stack.opensearch) .. "  error  Prometheus ", lines[2])
    end)

    it("reads env:VAR values from the environment, and names VAR when it is unset", function()
      local out, err, status = tinkr({ "profiles", "check", "from-env", "--config", path },
        { SPEC_OS_URL = stack.opensearch, SPEC_PROM_URL = stack.prometheus, SPEC_OS_KEY = ENV_API_KEY })
      assert.equal(0, status, err)
      assert.equal(2, #lines_of(out))
      out, _, status = tinkr({ "profiles", "check", "from-env", "--config", path }, { SPEC_PROM_URL = stack.prometheus })
      assert.equal(errors.CODES.config, status)
      assert.equal("opensearch  -  error  SPEC_OS_URL is not set, but profile 'from-env' takes opensearch_url from it: "
        .. "export SPEC_OS_URL=...", lines_of(out)[1])
      assert.matches("^prometheus  " .. pattern(stack.prometheus) .. "  ok", lines_of(out)[2])
    end)

    it("exits 3 for an unknown profile, listing the known ones", function()
      local out, err, status = tinkr({ "profiles", "check", "prod", "--config", path })
      assert.equal(3, status)
      assert.equal("", out)
      assert.equal(("tinkr: %s has no profile 'prod'; known profiles: auth, closed, from-env, local, with-password, wrong-kind\n"):format(path), err)
    end)

    it("exits 2 when no profile is named and none is selected", function()
      local plain = write_config("nodefault.toml", '[profiles.a]\nlog_index = "a-*"\n')
      local _, err, status = tinkr({ "profiles", "check", "--config", plain })
      assert.equal(2, status)
      assert.matches("which profile?", err, 1, true)
    end)
  end)

  describe("selection by the other commands", function()
    it("fail with exit 3 for an unknown --profile or a profile without a config file", function()
      local _, err, status = tinkr({ "logs", "--profile", "prod", "--config", path })
      assert.equal(3, status)
      assert.matches("has no profile 'prod'; known profiles: auth, closed", err, 1, true)
      _, err, status = tinkr({ "logs" }, { TINKR_PROFILE = "prod" })
      assert.equal(3, status)
      assert.matches("profile 'prod' was asked for, but there is no config file: " .. dir .. "/xdg/tinkr/config.toml", err, 1, true)
    end)

    it("apply the precedence flag > profile > environment > default", function()
      local prec = write_config("prec.toml", [[
[profiles.prec]
log_index = "profile-logs-*"
layout = "ss4o"
]])
      local script = [[
local cfg_file, profile = ...
assert(tinkr.configure{ config_file = cfg_file, profile = profile ~= "" and profile or nil,
  overrides = { layout = "seed" } })
local cfg = tinkr.config.get()
for _, name in ipairs{ "layout", "log_index", "trace_index", "opensearch_url" } do
  local v, source = cfg:lookup(name)
  print(name, v, source)
end
]]
      local out, err, status = tinkr({ "-e", script, prec, "" }, {
        TINKR_PROFILE = "prec", TINKR_LAYOUT = "dataprepper", OTEL_LOG_INDEX = "env-logs-*",
        OTEL_OPENSEARCH_URL = "http://env-host:9200",
      })
      assert.equal(0, status, err)
      assert.equal(table.concat({
        "layout\tseed\tflag",                                   -- flag beats profile and env
        "log_index\tprofile-logs-*\tprofile prec",              -- profile beats OTEL_LOG_INDEX
        "trace_index\totel-traces-*\tdefault",                  -- default when nothing sets it
        "opensearch_url\thttp://env-host:9200\tenv OTEL_OPENSEARCH_URL", -- env beats (no) default
      }, "\n") .. "\n", out)
    end)
  end)
end)
