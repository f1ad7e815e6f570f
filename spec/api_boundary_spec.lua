-- Every parameter of every public function is type-checked at the
-- boundary, from its one definition in tinkr.api_params: a value of the
-- wrong type raises a usage error before anything reaches a query.  The
-- first block is driven by the definitions themselves, so a parameter
-- added without a check (or a check that lets a table through) fails here.
local api_params = require "tinkr.api_params"
local api_check = require "tinkr.api_check"
local config = require "tinkr.config"
local errors = require "tinkr.errors"
local json = require("tinkr.core").json
local tinkr = require "tinkr"
local helpers = require "helpers"

-- The public function behind a definition name ("metrics.query" -> tinkr.metrics.query).
local function public(name)
  local f = tinkr
  for part in name:gmatch("[^.]+") do f = f[part] end
  return f
end

-- A valid value per type, and values each type must refuse.
local GOOD = {
  string = "x", strings = "a,b", integer = 5, boolean = true, duration = "15m", time = "now-5m",
  filters = "k=v", trace_id = "abc123", promql = "up", name = "http_latency",
  ["function"] = function() end, functions = {}, settings = { timeout = 3 }, sink = function() end,
}
local NESTED_QUERY = { value = "PAYMENTS-API", case_insensitive = true }
local BAD = {
  string = { NESTED_QUERY, 5, true, json.null, function() end },
  strings = { NESTED_QUERY, { "a", 5 }, {}, 5, json.null },
  integer = { 1e20, "99999999999999999999", "1e3", "0x10", " 5", 2.5, -1, "abc", NESTED_QUERY, json.null, true },
  boolean = { "true", 1, NESTED_QUERY, json.null },
  duration = { NESTED_QUERY, true, -5, 0 / 0, json.null },
  time = { NESTED_QUERY, true, 1 / 0, json.null },
  filters = { { ["http.route"] = NESTED_QUERY }, { 5 }, 5, true, json.null },
  trace_id = { 5, NESTED_QUERY, json.null },
  promql = { 5, NESTED_QUERY, json.null },
  name = { 5, "../x", NESTED_QUERY },
  ["function"] = { "f", 5 },
  sink = { "f", 5, {}, NESTED_QUERY },
  functions = { "f", { 1 } },
  settings = { { nope = 1 }, { timeout = {} }, "x" },
}

-- The arguments of a call whose argument i / params key is set to v, every
-- other required argument valid.
local function call_args(def, at_arg, key, v)
  local args = {}
  for i, a in ipairs(def.args) do
    if a.type == "params" then
      args[i] = {}
      if i == at_arg then args[i][key] = v end
    elseif i == at_arg then
      args[i] = v
    elseif a.required then
      args[i] = GOOD[a.type]
    end
  end
  return args, #def.args
end

local function raises_usage(fn, args, n, what)
  local ok, err = pcall(fn, table.unpack(args, 1, n))
  assert.is_false(ok, what .. ": accepted")
  assert.is_true(errors.is_error(err), what .. ": raised " .. tostring(err) .. " (not a tinkr error)")
  assert.equal("usage", err.code, what)
  assert.is_nil(err.message:find("\n"), what .. ": one line")
  return err
end

describe("the public API checks every parameter against tinkr.api_params", function()
  -- No backend is configured: a check that lets a value through shows as
  -- a config error (returned, not raised) instead of a usage raise.
  before_each(function()
    config.set(config.new{ getenv = function() return nil end })
  end)

  it("has a definition, with known types, for every public function", function()
    for _, name in ipairs(api_params.ORDER) do
      local def = api_params.FUNCTIONS[name]
      assert.is_table(def, name)
      -- a function, or a callable table (tinkr.errors is also the error module)
      local f = public(name)
      assert.is_true(type(f) == "function" or type((getmetatable(f) or {}).__call) == "function", name)
      for _, a in ipairs(def.args) do
        assert.is_string(api_params.TYPES[a.type], name .. " " .. a.name)
        for _, f in ipairs(a.fields or {}) do
          assert.is_string(api_params.TYPES[f.type], name .. " " .. f.name)
          assert.is_string(f.doc, name .. " " .. f.name .. " has no doc")
        end
      end
    end
    for name in pairs(api_params.FUNCTIONS) do
      local listed = false
      for _, n in ipairs(api_params.ORDER) do listed = listed or n == name end
      assert.is_true(listed, name .. " missing from ORDER")
    end
  end)

  it("has a definition for every public function (add one to lua/tinkr/api_params.lua)", function()
    local missing = {}
    for name, v in pairs(tinkr) do
      if type(v) == "function" and not api_params.FUNCTIONS[name] then missing[#missing + 1] = "tinkr." .. name end
    end
    for name, v in pairs(require "tinkr.metrics") do
      if type(v) == "function" and name ~= "new" and not api_params.FUNCTIONS["metrics." .. name] then
        missing[#missing + 1] = "tinkr.metrics." .. name
      end
    end
    table.sort(missing)
    assert.same({}, missing)
  end)

  it("raises a usage error for a value of the wrong type, for every parameter of every function", function()
    local tried = 0
    for _, name in ipairs(api_params.ORDER) do
      local def = api_params.FUNCTIONS[name]
      for i, a in ipairs(def.args) do
        local targets = a.type == "params" and a.fields or { a }
        for _, f in ipairs(targets) do
          for _, bad in ipairs(BAD[f.type]) do
            local args, n = call_args(def, i, f.name, bad)
            local what = ("%s %s = %s"):format(name, f.name, api_check.shown(bad))
            local err = raises_usage(public(name), args, n, what)
            assert.matches("'" .. name .. "'", err.message, 1, true)
            assert.matches(f.name, err.message, 1, true)
            tried = tried + 1
          end
        end
      end
    end
    assert.is_true(tried > 150, "tried only " .. tried)
  end)

  it("raises for unknown keys and for arguments of the wrong shape", function()
    for _, name in ipairs(api_params.ORDER) do
      local def = api_params.FUNCTIONS[name]
      for i, a in ipairs(def.args) do
        if a.type == "params" and not a.open then
          local args, n = call_args(def, i, "limt", 5)
          local err = raises_usage(public(name), args, n, name .. " limt")
          assert.matches("unknown parameter 'limt'", err.message, 1, true)
        end
        if a.type == "params" then
          local args, n = call_args(def, -1)
          args[i] = "not a table"
          raises_usage(public(name), args, n, name .. " params as a string")
        end
      end
      local args = call_args(def, -1)
      args[#def.args + 1] = "extra"
      raises_usage(public(name), args, #def.args + 1, name .. " extra argument")
    end
  end)

  it("names null as null and says to leave the parameter out", function()
    local ok, err = pcall(tinkr.logs, { now = json.null })
    assert.is_false(ok)
    assert.equal("usage", err.code)
    assert.matches("now: .* got null %(leave it out instead%)", err.message)
  end)

  it("passes on a copy with only the declared keys, values converted", function()
    local given = { service = "a", limit = "7", level = { "ERROR", "WARN" }, where = { ["k"] = 1 } }
    local p = api_check.args("logs", given)
    assert.are_not.equal(given, p)
    assert.equal(7, p.limit)
    assert.equal("integer", math.type(p.limit))
    assert.equal(json.array_mt, getmetatable(p.level))
    assert.same({ k = 1 }, p.where)
    assert.equal(100, (api_check.args("logs", { limit = 100.0 })).limit)
  end)

  it("converts command-line and query-string text by the same definitions: a limit is digits", function()
    assert.equal(10, api_check.text("logs", "limit", "10"))
    for _, bad in ipairs{ "1e20", "99999999999999999999", "0x10", "1e3", "  5", "-1", "5.0", "" } do
      local v, err = api_check.text("logs", "limit", bad)
      assert.is_nil(v, bad)
      assert.matches("limit must be", err)
    end
  end)

  it("gives each params table a JSON Schema for other front ends (MCP, HTTP)", function()
    local s = api_check.schema("logs")
    assert.equal("object", s.type)
    assert.equal("integer", s.properties.limit.type)
    assert.equal(0, s.properties.limit.minimum)
    assert.is_nil(s.properties.each, "Lua-only parameters are not in the schema")
    assert.is_false(s.additionalProperties)
    assert.equal("[]", json.encode(s.required))
    local q = api_check.schema("metrics.query")
    assert.same({ "query" }, q.required)
    assert.is_true(api_check.schema("metrics.recipe").additionalProperties)
  end)
end)

describe("misuse from the CLI, -e and scripts is one line with exit 2", function()
  -- A dead backend: anything that got as far as a query would exit 4.
  local env = { OTEL_OPENSEARCH_URL = "http://127.0.0.1:9", OTEL_PROMETHEUS_URL = "http://127.0.0.1:9",
    XDG_CONFIG_HOME = "/nonexistent", TINKR_NOW = "2026-11-26T12:00:00Z" }

  local function one_line_usage(out, err, status, pattern)
    assert.equal(2, status, err)
    assert.equal("", out)
    assert.is_nil(err:find("traceback"), err)
    assert.matches(pattern, err)
    assert.is_nil(err:match("^[^\n]*\n(.+)$") and err:match("^[^\n]*\n(.+)$"):find("tinkr:"), err)
  end

  it("refuses --limit 1e20 and 99999999999999999999 before querying", function()
    for _, v in ipairs{ "1e20", "99999999999999999999", "0x10", "-3" } do
      local out, err, status = helpers.tinkr({ "logs", "--limit", v }, { env = env })
      one_line_usage(out, err, status, "%-%-limit must be a whole number")
      out, err, status = helpers.tinkr({ "traces", "--limit", v }, { env = env })
      one_line_usage(out, err, status, "%-%-limit must be a whole number")
    end
  end)

  it("refuses a recipe number given as 0x10 or 1e3x (text is converted by the parameter's type)", function()
    for _, v in ipairs{ "0x1", "0.9x", " 0.5" } do
      local out, err, status = helpers.tinkr({ "metrics", "--recipe", "http_latency", "--service", "checkout",
        "--quantile", v, "--instant" }, { env = env })
      one_line_usage(out, err, status, "parameter 'quantile' must be a number")
    end
  end)

  it("refuses --tz +99:00 and --format yaml before querying", function()
    local out, err, status = helpers.tinkr({ "logs", "--tz", "+99:00" }, { env = env })
    one_line_usage(out, err, status, "%-%-tz: UTC offset %+99:00 out of range")
    out, err, status = helpers.tinkr({ "traces", "--tz", "Mars/Olympus" }, { env = env })
    one_line_usage(out, err, status, "%-%-tz:")
    out, err, status = helpers.tinkr({ "logs", "--format", "yaml" }, { env = env })
    one_line_usage(out, err, status, "%-%-format: unknown format")
  end)

  it("raises misuse in -e and in a script file as one line naming the script line", function()
    local out, err, status = helpers.tinkr({ "-e", "tinkr.logs{ limit = 1e20 }" }, { env = env })
    one_line_usage(out, err, status, "^tinkr: %(command line%):1: bad argument #1 to 'logs' %(limit: a whole number at most")
    out, err, status = helpers.tinkr({ "-e",
      "local r, m = tinkr.logs{ service = { value = 'PAYMENTS-API', case_insensitive = true }, since = '1h', limit = 1 } print(m.total)" },
      { env = env })
    one_line_usage(out, err, status, "bad argument #1 to 'logs' %(service: a string expected, got table%)")
    local script = helpers.write_temp("local x = 1\ntinkr.metrics.query('up', { time = {} })\n", ".lua")
    out, err, status = helpers.tinkr({ script }, { env = env })
    os.remove(script)
    one_line_usage(out, err, status, ":2: bad argument #2 to 'metrics.query' %(time: a time")
  end)

  it("still shows a traceback for a script's own error (exit 1)", function()
    local _, err, status = helpers.tinkr({ "-e", "error('mine')" }, { env = env })
    assert.equal(1, status)
    assert.matches("mine", err)
    assert.matches("traceback", err)
  end)

  it("exits with a re-raised error value's own code (a script that error()s an err)", function()
    local _, err, status = helpers.tinkr({ "-e", "local _, e = tinkr.logs{ limit = 1 } error(e)" }, { env = env })
    assert.equal(4, status, err)
    assert.matches("^tinkr: OpenSearch: connection refused", err)
  end)
end)
