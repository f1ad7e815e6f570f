-- tinkr(1), tinkr-server(8) and tinkr-config(5) are generated from the
-- command-line surface (tools/manpage.lua): they render without a warning
-- and name every command, option, variable, status, route and setting.
local helpers = require "helpers"
local surface = require "tinkr.cli.surface"
local q = helpers.shell_quote

local dir
local pages = {}

-- roff escapes minus signs: "--max-body" is written \-\-max\-body.
local function roff(s) return (s:gsub("%-", "\\-")) end

setup(function()
  dir = os.tmpname(); os.remove(dir)
  assert(os.execute("mkdir -p " .. q(dir)))
  local _, err, status = helpers.run("cd " .. q(helpers.root) .. " && lua5.4 tools/manpage.lua " .. q(dir))
  assert(status == 0, err)
  for _, name in ipairs{ "tinkr.1", "tinkr-server.8", "tinkr-config.5" } do
    pages[name] = assert(helpers.read_file(dir .. "/" .. name), name)
  end
end)

teardown(function()
  if dir then os.execute("rm -rf " .. q(dir)) end
end)

describe("the man pages", function()
  it("render with no warning from groff or man", function()
    for name in pairs(pages) do
      local path = q(dir .. "/" .. name)
      local _, err, status = helpers.run("groff -ww -z -man " .. path)
      assert.equal(0, status, err)
      assert.equal("", err, name)
      local out
      out, err, status = helpers.run("MANWIDTH=80 man --warnings -l " .. path)
      assert.equal(0, status, err)
      assert.equal("", err, name)
      assert.truthy(#out > 1000, name)
    end
  end)

  it("tinkr(1) documents every command, option, variable and exit status", function()
    local page = pages["tinkr.1"]
    for _, c in ipairs(surface.list()) do
      assert.truthy(page:find('.SS "tinkr ' .. c.name .. '"', 1, true), c.name)
      for _, o in ipairs(surface.options(c.name)) do
        assert.truthy(page:find("\\fB" .. roff(o[1]) .. "\\fR", 1, true), c.name .. " " .. o[1])
      end
    end
    for _, s in pairs(require("tinkr.config").SETTINGS) do
      assert.truthy(page:find("\\fB" .. s.env .. "\\fR", 1, true), s.env)
    end
    for _, e in ipairs(surface.ENVIRONMENT) do assert.truthy(page:find(e[1], 1, true), e[1]) end
    for code, status in pairs(require("tinkr.errors").CODES) do
      assert.truthy(page:find(".TP\n\\fB" .. status .. "\\fR\n[^\n]*(" .. code .. ")"), code)
    end
    for _, s in ipairs{ "NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "ENVIRONMENT", "EXIT STATUS", "FILES", "EXAMPLES", "SEE ALSO" } do
      assert.truthy(page:find("\n.SH " .. s .. "\n", 1, true), s)
    end
  end)

  it("tinkr-server(8) documents every option and route, auth, budgets and signals", function()
    local page = pages["tinkr-server.8"]
    for _, o in ipairs(surface.SERVER.options) do
      assert.truthy(page:find("\\fB" .. roff(o[1]) .. "\\fR", 1, true), o[1])
    end
    for _, r in ipairs(surface.SERVER.routes) do assert.truthy(page:find(roff(r[1]), 1, true), r[1]) end
    for _, s in ipairs{ "AUTHENTICATION", "BUDGETS", "SIGNALS", "ENVIRONMENT" } do
      assert.truthy(page:find("\n.SH " .. s .. "\n", 1, true), s)
    end
    assert.truthy(page:find("TINKR_SERVER_TOKEN", 1, true))
  end)

  it("tinkr-config(5) documents every profile key and lists the built-in recipes", function()
    local page = pages["tinkr-config.5"]
    for key in pairs(require("tinkr.config").SETTINGS) do
      assert.truthy(page:find("\\fB" .. roff(key) .. "\\fR", 1, true), key)
    end
    for _, name in ipairs(require("tinkr.recipes").list()) do
      assert.truthy(page:find(roff(name), 1, true), name)
    end
  end)

  it("are the same bytes for the same tree (dated by SOURCE_DATE_EPOCH)", function()
    local other = os.tmpname(); os.remove(other)
    assert(os.execute("mkdir -p " .. q(other)))
    local _, err, status = helpers.run("cd " .. q(helpers.root) .. " && SOURCE_DATE_EPOCH=86400 lua5.4 tools/manpage.lua " .. q(other))
    assert.equal(0, status, err)
    local page = helpers.read_file(other .. "/tinkr.1")
    os.execute("rm -rf " .. q(other))
    assert.truthy(page:find('^.TH TINKR 1 "1970%-01%-02"'), page:sub(1, 80))
  end)
end)
