-- PromQL escaping, the template expander, the recipe loader and every
-- shipped recipe (expanded with hostile service names).  No server needed;
-- spec/metrics_integration_spec.lua runs the same recipes against Prometheus.
local promql = require "tinkr.promql"
local recipes = require "tinkr.recipes"
local resources = require "tinkr.resources"
local helpers = require "helpers"

local HOSTILE = {
  'a"} or vector(1) or {x="',
  'x\\"}) or up{a="',
  "new\nline",
  "back\\slash",
  "} or on() vector(1) #",
  "(.+)|.*",
  "pay.api",
  "`tick` 'single'",
  "ünïcödé-svc",
}

-- Splits PromQL text into what lies outside string literals (literals
-- replaced by "") and the decoded literals, the way the PromQL lexer reads
-- double-quoted strings.  If a value could escape its string, the outside
-- text would change.
local function split_strings(expr)
  local outside, literals = {}, {}
  local i = 1
  while i <= #expr do
    local c = expr:sub(i, i)
    if c == '"' then
      local buf = {}
      i = i + 1
      while true do
        local d = expr:sub(i, i)
        assert(d ~= "", "unterminated string in: " .. expr)
        assert(d ~= "\n", "raw newline inside a string in: " .. expr)
        if d == "\\" then
          local e = expr:sub(i + 1, i + 1)
          local simple = { n = "\n", r = "\r", t = "\t", ['"'] = '"', ["\\"] = "\\" }
          if simple[e] then
            buf[#buf + 1] = simple[e]; i = i + 2
          elseif e == "x" then
            buf[#buf + 1] = string.char(tonumber(expr:sub(i + 2, i + 3), 16)); i = i + 4
          else
            error("unexpected escape \\" .. e .. " in: " .. expr)
          end
        elseif d == '"' then
          i = i + 1
          break
        else
          buf[#buf + 1] = d; i = i + 1
        end
      end
      literals[#literals + 1] = table.concat(buf)
      outside[#outside + 1] = '""'
    else
      outside[#outside + 1] = c
      i = i + 1
    end
  end
  return table.concat(outside), literals
end

-- Reads an RE2 pattern that regex_escape produced back into the literal text.
local function re2_unescape(pattern)
  local out, i = {}, 1
  while i <= #pattern do
    local c = pattern:sub(i, i)
    if c == "\\" then
      out[#out + 1] = pattern:sub(i + 1, i + 1); i = i + 2
    else
      assert(not c:find("[%.%+%*%?%(%)|%[%]{}%^%$]"), "unescaped RE2 metacharacter " .. c .. " in " .. pattern)
      out[#out + 1] = c; i = i + 1
    end
  end
  return table.concat(out)
end

describe("promql.label_escape", function()
  it("escapes backslash, double quote and newline", function()
    assert.are.equal([[a\\b]], promql.label_escape([[a\b]]))
    assert.are.equal([[say \"hi\"]], promql.label_escape([[say "hi"]]))
    assert.are.equal([[one\ntwo]], promql.label_escape("one\ntwo"))
  end)

  it("writes other control characters as escapes and leaves UTF-8 alone", function()
    assert.are.equal([[\r\t\x01\x7f]], promql.label_escape("\r\t\1\127"))
    assert.are.equal("ünïcödé", promql.label_escape("ünïcödé"))
    assert.are.equal("", promql.label_escape(""))
  end)

  it("reads back as the original for hostile values", function()
    for _, v in ipairs(HOSTILE) do
      local outside, literals = split_strings('"' .. promql.label_escape(v) .. '"')
      assert.are.equal('""', outside)
      assert.are.same({ v }, literals)
    end
  end)

  it("raises on a non-string", function()
    assert.has_error(function() promql.label_escape(nil) end,
      "bad argument #1 to 'label_escape' (string expected, got nil)")
  end)
end)

describe("promql.regex_escape", function()
  it("escapes every RE2 metacharacter, then the backslashes for the string", function()
    assert.are.equal([[pay\\.api]], promql.regex_escape("pay.api"))
    assert.are.equal([[\\.\\+\\*\\?\\(\\)\\|\\[\\]\\{\\}\\^\\$\\\\]], promql.regex_escape([[.+*?()|[]{}^$\]]))
    assert.are.equal("plain-name_1", promql.regex_escape("plain-name_1"))
  end)

  it("gives a pattern that matches exactly the literal text", function()
    for _, v in ipairs(HOSTILE) do
      local _, literals = split_strings('"' .. promql.regex_escape(v) .. '"')
      assert.are.equal(v, re2_unescape(literals[1]))
    end
  end)
end)

describe("promql.matcher", function()
  it("builds an equality matcher with the value escaped", function()
    assert.are.equal([[service_name="a\"} or vector(1) or {x=\""]], promql.matcher("service_name", HOSTILE[1]))
  end)

  it("refuses a label name that is not one", function()
    assert.has_error(function() promql.matcher('job"} or up{a', "x") end)
    assert.has_error(function() promql.matcher("1abc", "x") end)
  end)

  it("regex_matcher quotes a caller-written pattern", function()
    assert.are.equal([[job=~"(.+/)?x"]], promql.regex_matcher("job", "(.+/)?x"))
  end)
end)

describe("promql.is_duration", function()
  it("accepts PromQL durations and nothing else", function()
    for _, d in ipairs({ "5m", "1h30m", "90s", "100ms", "1y2w3d4h5m6s7ms" }) do
      assert.is_true(promql.is_duration(d), d)
    end
    for _, d in ipairs({ "", "5", "m", "5m1h", "5m]", "5m) or vector(1", "-5m", "1.5h", 5 }) do
      assert.is_false(promql.is_duration(d), tostring(d))
    end
  end)
end)

describe("promql.expand", function()
  local T = 'rate(x{job=~"(.+/)?{{s|regex}}", service_name="{{s}}"}[{{w|duration}}]) > {{q|number}}'

  it("substitutes escaped values only", function()
    local e = promql.expand(T, { s = "pay.api", w = "5m", q = 0.5 })
    assert.are.equal([[rate(x{job=~"(.+/)?pay\\.api", service_name="pay.api"}[5m]) > 0.5]], e)
  end)

  it("keeps the query's shape whatever the value", function()
    local shape = split_strings(promql.expand(T, { s = "svc", w = "5m", q = 1 }))
    for _, v in ipairs(HOSTILE) do
      local outside, literals = split_strings(promql.expand(T, { s = v, w = "5m", q = 1 }))
      assert.are.equal(shape, outside)
      assert.are.equal(v, literals[2])
      assert.are.equal("(.+/)?" .. v, "(.+/)?" .. re2_unescape(literals[1]:sub(7)))
    end
  end)

  it("writes numbers exactly and shortly", function()
    assert.are.equal("0.99", promql.expand("{{q|number}}", { q = 0.99 }))
    assert.are.equal("3", promql.expand("{{q|number}}", { q = 3 }))
    assert.are.equal("0.1", promql.expand("{{q|number}}", { q = "0.1" }))
  end)

  it("rejects values that are not what the placeholder needs", function()
    assert.has_error(function() promql.expand("x[{{w|duration}}]", { w = "5m] or vector(1) [5m" }) end)
    assert.has_error(function() promql.expand("{{q|number}}", { q = "1) or vector(1" }) end)
    assert.has_error(function() promql.expand("{{q|number}}", { q = 0 / 0 }) end)
    assert.has_error(function() promql.expand("sum by ({{l|name}}) (x)", { l = "a) or (b" }) end)
    assert.are.equal("sum by (http_route) (x)", promql.expand("sum by ({{l|name}}) (x)", { l = "http_route" }))
  end)

  it("refuses placeholders where an escaped value would not be safe", function()
    assert.has_error(function() promql.expand("x{a={{v}}}", { v = "y" }) end,
      "placeholder {{v}} must be inside a double-quoted string")
    assert.has_error(function() promql.expand([[x{a='{{v}}'}]], { v = "y" }) end)
    assert.has_error(function() promql.expand('x[{{w|duration}}] "{{w|duration}}"', { w = "5m" }) end)
    -- an escaped quote inside the template's string does not end it
    assert.are.equal([[x{a="\"y"}]], promql.expand([[x{a="\"{{v}}"}]], { v = "y" }))
  end)

  it("names a missing value and an unknown filter", function()
    assert.has_error(function() promql.expand('x{a="{{service}}"}', {}) end, "missing value for 'service'")
    assert.has_error(function() promql.expand('x{a="{{v|shout}}"}', { v = "y" }) end)
    assert.has_error(function() promql.expand('x{a="{{v}}', { v = "y" }) end)
  end)
end)

describe("recipes", function()
  local SHIPPED = { "http_error_rate", "http_latency", "http_latency_p50", "http_latency_p90",
                    "http_latency_p99", "http_request_rate", "rpc_duration" }
  -- every service at once, one row each (tinkr services)
  local GROUPED = { "services_error_rate", "services_latency", "services_request_rate" }
  local ALL = {}
  for _, n in ipairs(SHIPPED) do ALL[#ALL + 1] = n end
  for _, n in ipairs(GROUPED) do ALL[#ALL + 1] = n end

  it("lists the shipped recipes, sorted, without helper files", function()
    assert.are.same(ALL, recipes.list())
  end)

  for _, name in ipairs(GROUPED) do
    it(name .. " groups by a service label made from job or service_name, and checks its window", function()
      local r = assert(recipes.get(name))
      assert.is_nil(r.params.service)
      local expr = assert(recipes.expand(name, { window = "1h" }))
      assert.matches("by (service", expr, 1, true)
      assert.matches('label_replace(rate(http_server_request_duration_seconds_', expr, 1, true)
      assert.matches('"service", "$1", "job", "(?:.+/)?(.+)")', expr, 1, true)
      assert.matches('"service", "$1", "service_name", "(.+)")', expr, 1, true)
      assert.matches("[1h]", expr, 1, true)
      local _, err = recipes.expand(name, { window = "5m]) or vector(1" })
      assert.are.equal("usage", err.code)
      _, err = recipes.expand(name, { service = "x" })
      assert.are.equal("usage", err.code)
    end)
  end

  for _, name in ipairs(SHIPPED) do
    describe(name, function()
      local r = assert(recipes.get(name))

      it("has a description, a unit and a required service", function()
        assert.is_string(r.description)
        assert.truthy(({ ["req/s"] = true, ratio = true, seconds = true })[r.unit])
        assert.is_true(r.params.service.required)
      end)

      it("keeps its shape for hostile service names", function()
        local shape = split_strings(assert(recipes.expand(name, { service = "svc" })))
        for _, v in ipairs(HOSTILE) do
          local expr = assert(recipes.expand(name, { service = v }))
          local outside, literals = split_strings(expr)
          assert.are.equal(shape, outside)
          local saw_exact, saw_regex = false, false
          for _, lit in ipairs(literals) do
            if lit == v then saw_exact = true end
            if lit:sub(1, 6) == "(.+/)?" and re2_unescape(lit:sub(7)) == v then saw_regex = true end
          end
          assert.is_true(saw_exact, "service_name matcher for " .. v)
          assert.is_true(saw_regex, "job matcher for " .. v)
        end
      end)

      it("names a missing service", function()
        local expr, err = recipes.expand(name, {})
        assert.is_nil(expr)
        assert.are.equal("usage", err.code)
        assert.matches("missing required parameter 'service'", err.message, 1, true)
      end)

      it("refuses an unknown parameter and a bad window", function()
        local _, err = recipes.expand(name, { service = "x", servcie = "y" })
        assert.are.equal("usage", err.code)
        assert.matches("unknown parameter 'servcie'", err.message, 1, true)
        _, err = recipes.expand(name, { service = "x", window = "5m]) or vector(1" })
        assert.are.equal("usage", err.code)
        assert.matches("must be a duration", err.message, 1, true)
      end)
    end)
  end

  it("answers latency in seconds for every generation", function()
    local expr = recipes.expand("http_latency", { service = "s", quantile = 0.9 })
    assert.matches("histogram_quantile(0.9, sum by (le) (rate(http_server_request_duration_seconds_bucket{", expr, 1, true)
    assert.matches("rate(http_server_duration_milliseconds_bucket{", expr, 1, true)
    assert.matches(") / 1000)", expr, 1, true)
    local rpc = recipes.expand("rpc_duration", { service = "s" })
    assert.matches("rpc_server_duration_milliseconds_bucket", rpc, 1, true)
    assert.matches("rpc_server_duration_bucket", rpc, 1, true)
  end)

  it("the thin latency recipes are http_latency at their quantile", function()
    for q, name in pairs({ [0.5] = "http_latency_p50", [0.9] = "http_latency_p90", [0.99] = "http_latency_p99" }) do
      assert.are.equal(recipes.expand("http_latency", { service = "s", quantile = q, window = "2m" }),
        recipes.expand(name, { service = "s", window = "2m" }))
    end
  end)

  it("checks number parameters against their bounds", function()
    local _, err = recipes.expand("http_latency", { service = "s", quantile = 1.5 })
    assert.are.equal("usage", err.code)
    assert.matches("between 0 and 1", err.message, 1, true)
    _, err = recipes.expand("http_latency", { service = "s", quantile = "high" })
    assert.matches("must be a number", err.message, 1, true)
  end)

  it("an unknown recipe is not_found and lists the known ones", function()
    local r, err = recipes.get("http_requests_per_fortnight")
    assert.is_nil(r)
    assert.are.equal("not_found", err.code)
    assert.are.equal("no recipe 'http_requests_per_fortnight'; known: " .. table.concat(ALL, ", "), err.message)
    local _, err2 = recipes.get("../../lua/tinkr/init")
    assert.are.equal("not_found", err2.code)
  end)
end)

describe("recipe files from a user directory", function()
  local dir

  local function write(rel, content)
    assert(os.execute("mkdir -p " .. helpers.shell_quote((dir .. "/" .. rel):match("^(.*)/"))))
    local f = assert(io.open(dir .. "/" .. rel, "wb"))
    f:write(content)
    f:close()
  end

  before_each(function()
    dir = os.tmpname()
    os.remove(dir)
    write("queries/recipes/http_request_rate.lua", [[
return { description = "mine", unit = "req/s",
  params = { service = { required = true } },
  expr = function(p, promql) return promql.expand('my_requests{svc="{{service}}"}', p) end }
]])
    write("queries/recipes/my_saturation.lua", [[
local service = include "service"
return { description = "cpu", unit = "ratio", params = { service = { required = true } },
  expr = function(p) return "sum(" .. service.rate("process_cpu_seconds_total", p.service, "1m") .. ")" end }
]])
    write("queries/recipes/uses_os.lua", [[
return { description = "x", unit = "ratio", params = {}, expr = function() return os.getenv("HOME") end }
]])
    write("queries/recipes/sets_global.lua", "helper = 1\nreturn {}\n")
    write("queries/recipes/broken.lua", "return {\n")
    write("queries/recipes/not_a_table.lua", "return 42\n")
  end)

  after_each(function()
    os.execute("rm -rf " .. helpers.shell_quote(dir))
  end)

  -- Runs a Lua snippet in a fresh process (plain lua5.4, or bin/tinkr with
  -- its embedded files) whose user directory is `dir`: through TINKR_PATH,
  -- or with how = "xdg" through $XDG_CONFIG_HOME/tinkr.
  local function run(code, how, runner)
    local script = helpers.write_temp([[
local recipes = require "tinkr.recipes"
local function show(v, err) if v == nil then print("ERR " .. err.code .. " " .. err.message) else print(v) end end
]] .. code, ".lua")
    local cmd
    if runner == "tinkr" then
      cmd = helpers.shell_quote(helpers.tinkr_bin()) .. " " .. helpers.shell_quote(script)
    else
      cmd = "lua5.4 -e " .. helpers.shell_quote(("package.path=%q;package.cpath=%q"):format(
        helpers.root .. "/lua/?.lua;" .. helpers.root .. "/lua/?/init.lua;" .. package.path,
        helpers.root .. "/build/lib/?.so;" .. package.cpath)) .. " " .. helpers.shell_quote(script)
    end
    local env = { TINKR_PATH = dir, XDG_CONFIG_HOME = dir .. "-nowhere" }
    if how == "xdg" then
      assert(os.execute(("mkdir -p %s && ln -s %s %s"):format(helpers.shell_quote(dir .. "-xdg"),
        helpers.shell_quote(dir), helpers.shell_quote(dir .. "-xdg/tinkr"))))
      env = { TINKR_PATH = "", XDG_CONFIG_HOME = dir .. "-xdg" }
    end
    local out, err, status = helpers.run(cmd, { env = env })
    os.remove(script)
    os.execute("rm -rf " .. helpers.shell_quote(dir .. "-xdg"))
    assert.are.equal(0, status, err)
    return out
  end

  for _, runner in ipairs({ "lua5.4", "tinkr" }) do
    describe("under " .. runner, function()
      it("a file with the same relative path shadows the shipped recipe", function()
        local out = run([[show(recipes.expand("http_request_rate", { service = 'a"b' }))
show(recipes.expand("http_error_rate", { service = "x" }) ~= nil)]], nil, runner)
        assert.are.equal('my_requests{svc="a\\"b"}\ntrue\n', out)
      end)

      it("a new file is a new recipe, listed with the others, and can include the helpers", function()
        local out = run([[print(table.concat(recipes.list(), ","))
show(recipes.expand("my_saturation", { service = "db" }))]], nil, runner)
        local list, expr = out:match("^([^\n]*)\n(.*)\n$")
        assert.matches(",my_saturation,", "," .. list .. ",", 1, true)
        assert.matches(",http_latency,", "," .. list .. ",", 1, true)
        assert.are.equal('sum(rate(process_cpu_seconds_total{job=~"(.+/)?db"}[1m]) or '
          .. 'rate(process_cpu_seconds_total{service_name="db"}[1m]))', expr)
      end)

      it("$XDG_CONFIG_HOME/tinkr is searched too", function()
        local out = run([[show(recipes.expand("http_request_rate", { service = "z" }))]], "xdg", runner)
        assert.are.equal('my_requests{svc="z"}\n', out)
      end)

      it("runs recipe files without os/io and refuses new globals", function()
        local out = run([[show(recipes.expand("uses_os", {}))
show(recipes.get("sets_global"))]], nil, runner)
        local first, second = out:match("^([^\n]*)\n([^\n]*)\n$")
        assert.matches("^ERR config recipe 'uses_os' %(.-uses_os%.lua%) failed: .*undefined global 'os'", first)
        assert.matches("^ERR config error running queries/recipes/sets_global%.lua: .*assignment to global 'helper'", second)
      end)

      it("says which file is broken", function()
        local out = run([[show(recipes.get("broken"))
show(recipes.get("not_a_table"))]], nil, runner)
        local first, second = out:match("^([^\n]*)\n([^\n]*)\n$")
        assert.matches("^ERR config cannot load queries/recipes/broken%.lua: .*broken%.lua:2:", first)
        assert.matches("^ERR config .*not_a_table%.lua: must return a table, returned number", second)
      end)
    end)
  end
end)

describe("resources.sandbox", function()
  it("allows the listed functions and nothing else", function()
    local env = resources.sandbox({ extra = 1 }, "@x.lua")
    -- format and the libraries are tinkr.core.sandbox's bounded ones
    local sandbox = require("tinkr.core").sandbox
    assert.are.equal(sandbox.string.format, env.format)
    assert.are.equal(sandbox.string.find, env.string.find)
    assert.are_not.equal(string.find, env.string.find)
    assert.are.equal(1, env.extra)
    assert.has_error(function() return env.io end, "undefined global 'io' in x.lua")
    assert.has_error(function() return env.require end)
    assert.has_error(function() env.x = 1 end)
  end)

  it("gives copies of the libraries, so a resource cannot change them for others", function()
    local env = resources.sandbox()
    env.string.format = nil
    assert.is_function(string.format)
  end)
end)
