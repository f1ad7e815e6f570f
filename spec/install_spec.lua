-- make install / make uninstall into a DESTDIR, and the installed tinkr
-- used the way a user would: from another directory, no checkout in reach,
-- no TINKR_PATH, against the sample stack.
local helpers = require "helpers"
local q = helpers.shell_quote

local PREFIX = "/usr/local"

local function tmpdir()
  local d = os.tmpname(); os.remove(d)
  assert(os.execute("mkdir -p " .. q(d)))
  return d
end

-- Runs a command line from / with a clean environment: no TINKR_PATH, a
-- HOME of its own, the stack's URLs when given.
local function from_elsewhere(cmdline, env)
  local parts = { "cd / && env -u TINKR_PATH -u TINKR_CONFIG -u XDG_CONFIG_HOME -u LUA_PATH -u LUA_CPATH" }
  for k, v in pairs(env or {}) do parts[#parts + 1] = k .. "=" .. q(v) end
  parts[#parts + 1] = cmdline
  return helpers.run(table.concat(parts, " "))
end

local function make(target, stage)
  return helpers.run("make -C " .. q(helpers.root) .. " --no-print-directory " .. target ..
    " DESTDIR=" .. q(stage) .. " PREFIX=" .. PREFIX)
end

describe("make install", function()
  local stack = require("support.stack").get()
  local stage, home, root
  local bin = function(name) return q(root .. "/bin/" .. name) end

  setup(function()
    stage, home = tmpdir(), tmpdir()
    root = stage .. PREFIX
    local _, err, status = make("install", stage)
    assert(status == 0, err)
  end)

  teardown(function()
    os.execute("rm -rf " .. q(stage) .. " " .. q(home))
  end)

  it("puts each part in its conventional place", function()
    for _, path in ipairs{
      "bin/tinkr", "bin/tinkr-server",
      "lib/lua/5.4/tinkr/core.so",
      "share/lua/5.4/tinkr/init.lua", "share/lua/5.4/tinkr/cli/surface/init.lua",
      "share/lua/5.4/tinkr/queries/templates/logs.lua", "share/lua/5.4/tinkr/queries/recipes/http_latency.lua",
      "share/man/man1/tinkr.1", "share/man/man5/tinkr-config.5", "share/man/man8/tinkr-server.8",
      "share/bash-completion/completions/tinkr", "share/bash-completion/completions/tinkr-server",
      "share/zsh/site-functions/_tinkr", "share/fish/vendor_completions.d/tinkr.fish",
      "share/doc/tinkr/README.md", "share/doc/tinkr/PROFILES.md", "share/doc/tinkr/examples/investigate.lua",
    } do
      assert.is_not_nil(helpers.read_file(root .. "/" .. path), path)
    end
    local out = helpers.run("stat -c %a " .. bin("tinkr") .. " " .. q(root .. "/share/man/man1/tinkr.1"))
    assert.equal("755\n644\n", out)
  end)

  it("the installed tinkr runs a query against the stack from another directory", function()
    local env = { HOME = home, OTEL_OPENSEARCH_URL = stack.opensearch, OTEL_PROMETHEUS_URL = stack.prometheus,
                  OTEL_LOG_INDEX = "ss4o_logs-*", OTEL_TRACE_INDEX = "ss4o_traces-*" }
    local out, err, status = from_elsewhere(bin("tinkr") .. " logs --service payments-api --level ERROR --limit 3 " ..
      "--since 1h --now " .. q(stack.now) .. " --format ndjson", env)
    assert.equal(0, status, err)
    local n = 0
    for line in out:gmatch("[^\n]+") do
      n = n + 1
      assert.matches('"service":"payments%-api"', line)
      assert.matches('"level":"ERROR"', line)
    end
    assert.equal(3, n)
    out, err, status = from_elsewhere(bin("tinkr") .. " metrics --recipe http_request_rate --service payments-api " ..
      "--since 30m --now " .. q(stack.now) .. " --format json", env)
    assert.equal(0, status, err)
    assert.matches('"recipe":"http_request_rate"', out)
    assert.matches('"points":%[%[%d+,[%d.]+%]', out)
    out, err, status = from_elsewhere(bin("tinkr-server") .. " --version", env)
    assert.equal(0, status, err)
    assert.matches("^tinkr%-server %d", out)
  end)

  it("TINKR_PATH and ~/.config/tinkr still override the built-in queries", function()
    local user = tmpdir()
    assert(os.execute("mkdir -p " .. q(user .. "/queries/recipes") .. " " .. q(home .. "/.config/tinkr/queries/recipes")))
    local recipe = "return { description = 'from %s', params = {}, unit = '1', expr = function() return 'up' end }\n"
    local f = assert(io.open(user .. "/queries/recipes/from_tinkr_path.lua", "w")); f:write(recipe:format("TINKR_PATH")); f:close()
    f = assert(io.open(home .. "/.config/tinkr/queries/recipes/from_home.lua", "w")); f:write(recipe:format("home")); f:close()
    local out, err, status = from_elsewhere("TINKR_PATH=" .. q(user) .. " " .. bin("tinkr") .. " metrics --recipe list", { HOME = home })
    os.execute("rm -rf " .. q(user) .. " " .. q(home .. "/.config"))
    assert.equal(0, status, err)
    assert.matches("from_tinkr_path +from TINKR_PATH", out)
    assert.matches("from_home +from home", out)
    assert.matches("http_latency_p99", out)
  end)

  it("a plain lua5.4 requires the installed module and finds its queries", function()
    local lua_path = root .. "/share/lua/5.4/?.lua;" .. root .. "/share/lua/5.4/?/init.lua"
    local code = "local t = require 'tinkr'; local r = require 'tinkr.resources'; " ..
      "local _, where = r.find('queries/templates/logs.lua'); " ..
      "t.configure{}; local rows = assert(t.logs{ service = 'payments-api', since = '1h', limit = 2 }); " ..
      "print(t.core.version, where, #rows)"
    local out, err, status = from_elsewhere("lua5.4 -e " .. q(code), {
      HOME = home, OTEL_OPENSEARCH_URL = stack.opensearch, OTEL_LOG_INDEX = "ss4o_logs-*", TINKR_NOW = stack.now,
      LUA_PATH = lua_path, LUA_CPATH = root .. "/lib/lua/5.4/?.so" })
    assert.equal(0, status, err)
    assert.equal(require("tinkr.core").version .. "\t@" .. root .. "/share/lua/5.4/tinkr/queries/templates/logs.lua\t2\n", out)
  end)

  it("the installed man pages and completions load", function()
    local _, err, status = helpers.run("MANWIDTH=80 man --warnings -l " .. q(root .. "/share/man/man1/tinkr.1") .. " >/dev/null")
    assert.equal(0, status, err)
    assert.equal("", err)
    local out
    out, err, status = helpers.run("bash --norc -c " .. q("source " .. q(root .. "/share/bash-completion/completions/tinkr") ..
      "; COMP_WORDS=(tinkr met); COMP_CWORD=1; _tinkr; echo ${COMPREPLY[*]}"))
    assert.equal(0, status, err)
    assert.equal("metrics\n", out)
  end)

  it("make uninstall removes everything install put there", function()
    local other = tmpdir()
    local _, err, status = make("install", other)
    assert.equal(0, status, err)
    _, err, status = make("uninstall", other)
    assert.equal(0, status, err)
    local left = helpers.run("find " .. q(other) .. " -type f -o -type l")
    os.execute("rm -rf " .. q(other))
    assert.equal("", left)
  end)
end)
