-- The command line is described once (lua/tinkr/cli/surface/); these specs
-- fail when bin/tinkr or bin/tinkr-server accepts, reads or documents
-- anything that description does not say, or the other way round.
local helpers = require "helpers"
local surface = require "tinkr.cli.surface"
local help = require "tinkr.cli.help"
local q = helpers.shell_quote

local server_bin = require("support.server").binary

-- A value each type accepts, to show the parser takes the option.
local SAMPLE = {
  text = "x", count = "2", number = "0.5", duration = "5m", time = "now-1h", tz = "UTC",
  fields = "message", level = "ERROR", keyvalue = "k=v", promql = "up", format = "json",
  file = "/dev/null", address = "127.0.0.1:0", bytes = "1m", seconds = "1", service = "svc",
  recipe = "http_latency", profile = "p", layout = "seed",
}

local function lua_files(dir)
  local out = {}
  for line in assert(io.popen("find " .. q(helpers.root .. "/" .. dir) .. " -name '*.lua' | sort")):lines() do
    out[#out + 1] = line
  end
  return out
end

describe("the command-line surface", function()
  it("describes exactly the commands tinkr.cli runs", function()
    local described = {}
    for _, c in ipairs(surface.list()) do described[#described + 1] = c.name end
    table.sort(described)
    assert.same(described, require("tinkr.cli").command_names(),
      "a command needs lua/tinkr/cli/surface/NAME.lua, listed in COMMANDS there")
  end)

  it("gives every option a valid shape: long name, type for values, values for enums", function()
    local function check(o, where)
      assert.truthy(o[1]:match("^%-%-[a-z][a-z0-9%-]*$"), where .. ": " .. tostring(o[1]))
      assert.is_string(o.help, where .. " " .. o[1] .. " has no help")
      if o.short then assert.truthy(o.short:match("^%-%a$"), where .. " " .. o[1]) end
      if o.arg then
        assert.is_table(surface.TYPES[o.type], where .. " " .. o[1] .. ": unknown type " .. tostring(o.type))
        if o.type == "enum" then assert.is_table(o.values, where .. " " .. o[1]) end
      else
        assert.is_nil(o.type, where .. " " .. o[1] .. " is a flag with a type")
        assert.is_nil(o.many, where .. " " .. o[1])
      end
    end
    for _, c in ipairs(surface.list()) do
      local seen = {}
      for _, o in ipairs(surface.options(c.name)) do
        check(o, c.name)
        assert.is_nil(seen[o[1]], c.name .. " describes " .. o[1] .. " twice")
        seen[o[1]] = true
      end
      assert.is_table(c.formats, c.name .. " lists no formats")
    end
    for _, o in ipairs(surface.SERVER.options) do check(o, "tinkr-server") end
  end)

  it("lists only formats tinkr has a module for", function()
    for _, c in ipairs(surface.list()) do
      for _, f in ipairs(c.formats) do
        assert.is_true(pcall(require, "tinkr.format." .. f), c.name .. ": no tinkr.format." .. f)
      end
    end
  end)

  it("bin/tinkr accepts every option described, and nothing else", function()
    for _, c in ipairs(surface.list()) do
      local argv = { c.name }
      for _, o in ipairs(surface.options(c.name)) do
        if o[1] ~= "--help" then
          argv[#argv + 1] = o[1]
          if o.arg then argv[#argv + 1] = SAMPLE[o.type] or "x" end
        end
        if o.short then argv[#argv + 1] = o.short end
      end
      argv[#argv + 1] = "--help"
      local out, err, status = helpers.tinkr(argv)
      assert.equal(0, status, c.name .. ": " .. err)
      assert.equal(help.command(c.name), out)
      local _, err2, status2 = helpers.tinkr({ c.name, "--not-described", "--help" })
      assert.equal(2, status2)
      assert.truthy(err2:find("unknown option '--not-described'", 1, true), err2)
    end
  end)

  it("bin/tinkr reads no option the surface does not describe", function()
    -- Every opts.NAME the command code reads must be a described option.
    local keys = {}
    for _, c in ipairs(surface.list()) do
      for k in pairs(surface.parse_spec(c.name)) do keys[k] = true end
    end
    for _, path in ipairs(lua_files("lua/tinkr/cli")) do
      if not path:find("/complete%.lua$") and not path:find("/surface/") then
        for key in helpers.read_file(path):gmatch("opts%.([%a_][%w_]*)") do
          assert.is_true(keys[key] ~= nil, path .. " reads opts." .. key .. ", which no command describes")
        end
      end
    end
    local cli = helpers.read_file(helpers.root .. "/lua/tinkr/cli.lua")
    for key in cli:gmatch("opts%.([%a_][%w_]*)") do
      assert.is_true(keys[key] ~= nil, "lua/tinkr/cli.lua reads opts." .. key .. ", which no command describes")
    end
    -- and parses with the surface's spec (the hidden __complete excepted)
    for _, path in ipairs(lua_files("lua")) do
      for call in helpers.read_file(path):gmatch("args%.parse%(([^\n]*)") do
        if not path:find("/cli/complete%.lua$") and not path:find("/cli/args%.lua$") then
          assert.truthy(call:find("surface.parse_spec(", 1, true), path .. ": args.parse without the surface: " .. call)
        end
      end
    end
  end)

  it("bin/tinkr --help lists every command and is the rendered surface", function()
    local out, _, status = helpers.tinkr({ "--help" })
    assert.equal(0, status)
    assert.equal(help.program(), out)
    for _, c in ipairs(surface.list()) do
      assert.truthy(out:find("\n  " .. c.name .. " ", 1, true), c.name)
    end
    assert.falsy(out:find("__complete", 1, true))
  end)

  it("bin/tinkr-server parses exactly the options described", function()
    local src = helpers.read_file(helpers.root .. "/src/server/main.c")
    local parsed, described = {}, {}
    for name in src:gmatch('strcmp%(a, "(%-%-[%w%-]+)"%)') do parsed[#parsed + 1] = name end
    for _, o in ipairs(surface.SERVER.options) do described[#described + 1] = o[1] end
    table.sort(parsed); table.sort(described)
    assert.same(described, parsed,
      "src/server/main.c and lua/tinkr/cli/surface/server.lua must name the same options (one entry each there)")
    local argv = { q(server_bin()) }
    for _, o in ipairs(surface.SERVER.options) do
      if o[1] ~= "--help" and o[1] ~= "--version" then
        argv[#argv + 1] = o[1]
        argv[#argv + 1] = q(SAMPLE[o.type] or "x")
      end
    end
    argv[#argv + 1] = "--help"
    local out, err, status = helpers.run(table.concat(argv, " "))
    assert.equal(0, status, err)
    assert.equal(help.server(), out)
    -- the same options as --name=VALUE
    local joined = { q(server_bin()) }
    for _, o in ipairs(surface.SERVER.options) do
      if o[1] ~= "--help" and o[1] ~= "--version" then
        joined[#joined + 1] = q(o[1] .. "=" .. (SAMPLE[o.type] or "x"))
      end
    end
    joined[#joined + 1] = "--help"
    out, err, status = helpers.run(table.concat(joined, " "))
    assert.equal(0, status, err)
    assert.equal(help.server(), out)
    local _, err2, status2 = helpers.run(q(server_bin()) .. " --not-described 1")
    assert.equal(2, status2)
    assert.truthy(err2:find("unknown option '--not-described'", 1, true), err2)
    _, err2, status2 = helpers.run(q(server_bin()) .. " --not-described=1")
    assert.equal(2, status2)
    assert.truthy(err2:find("unknown option '--not-described'", 1, true), err2)
  end)

  it("documents every exit status tinkr.errors maps to, with the same number", function()
    local documented = {}
    for _, e in ipairs(surface.EXIT) do
      if e[2] then documented[e[2]] = e[1] end
    end
    assert.same(require("tinkr.errors").CODES, documented)
  end)

  it("documents every environment variable the code reads", function()
    local known = { HOME = true }
    for _, e in ipairs(surface.ENVIRONMENT) do known[e[1]] = true end
    for _, e in ipairs(surface.SERVER.environment) do known[e[1]] = true end
    for _, s in pairs(require("tinkr.config").SETTINGS) do known[s.env] = true end
    local files = lua_files("lua")
    for line in assert(io.popen("find " .. q(helpers.root .. "/src") .. " -name '*.c'")):lines() do files[#files + 1] = line end
    for _, path in ipairs(files) do
      for var in helpers.read_file(path):gmatch('getenv%(%s*"([%w_]+)"') do
        assert.is_true(known[var], path .. " reads " .. var .. ", which no ENVIRONMENT list documents")
      end
    end
  end)

  it("__complete answers every dynamic source the surface names, quietly", function()
    local types = {}
    for _, t in pairs(surface.TYPES) do types[t.complete] = true end
    for _, s in ipairs(surface.SOURCES) do
      assert.is_true(types[s], s .. " is not used by any type")
      local _, err, status = helpers.tinkr({ "__complete", s },
        { env = { OTEL_OPENSEARCH_URL = "http://127.0.0.1:1", XDG_CACHE_HOME = "/nonexistent", TINKR_CONFIG = "/dev/null" } })
      assert.equal(0, status, s .. ": " .. err)
      assert.equal("", err)
    end
    local out = helpers.tinkr({ "__complete", "recipes" })
    for _, name in ipairs(require("tinkr.recipes").list()) do
      assert.truthy(out:find("\n" .. name .. "\n", 1, true) or out:find("^" .. name .. "\n"), name)
    end
    local _, _, status = helpers.tinkr({ "__complete", "nonsense" })
    assert.equal(2, status)
  end)
end)
