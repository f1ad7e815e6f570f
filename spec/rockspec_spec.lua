-- The rockspec lists every module, and `require "tinkr"` works from a plain
-- lua5.4 with the C core built as a module.
local helpers = require "helpers"

describe("tinkr-scm-1.rockspec", function()
  it("is up to date with the tree (lua5.4 tools/rockspec.lua > tinkr-scm-1.rockspec)", function()
    local f = assert(io.open(helpers.root .. "/tinkr-scm-1.rockspec"))
    local committed = f:read("a"); f:close()
    local generated = helpers.run("cd " .. helpers.shell_quote(helpers.root) .. " && lua5.4 tools/rockspec.lua")
    assert.equal(generated, committed)
  end)

  it("loads as a rockspec with a busted test section and the C core", function()
    local env = {}
    local chunk = assert(loadfile(helpers.root .. "/tinkr-scm-1.rockspec", "t", env))
    chunk()
    assert.equal("tinkr", env.package)
    assert.same({ type = "busted" }, env.test)
    assert.is_table(env.build.modules["tinkr.core"])
    assert.equal("lua/tinkr/init.lua", env.build.modules["tinkr"])
    assert.equal("queries/templates/logs.lua", env.build.modules["tinkr.queries.templates.logs"])
  end)

  it("lets a plain lua5.4 require tinkr and reach the C core", function()
    local out, err, status = helpers.run(
      "cd " .. helpers.shell_quote(helpers.root) ..
      " && env -u LD_PRELOAD LUA_PATH='lua/?.lua;lua/?/init.lua' LUA_CPATH='build/lib/?.so' lua5.4 -e " ..
      helpers.shell_quote("local t = require 'tinkr'; print(t.json.encode({n = 1764172800000000123}), t.core.version)"))
    assert.equal(0, status, err)
    assert.equal('{"n":1764172800000000123}\t0.1.0\n', out)
  end)

  it("installs with luarocks make, and the installed rock finds its queries", function()
    local tree = os.tmpname(); os.remove(tree)
    local q = helpers.shell_quote
    local _, err, status = helpers.run("cd " .. q(helpers.root) ..
      " && env -u LD_PRELOAD luarocks --lua-version 5.4 make --tree " .. q(tree) .. " tinkr-scm-1.rockspec")
    assert.equal(0, status, err)
    local out
    out, err, status = helpers.run("cd / && env -u LD_PRELOAD LUA_PATH=" .. q(tree .. "/share/lua/5.4/?.lua;" .. tree .. "/share/lua/5.4/?/init.lua") ..
      " LUA_CPATH=" .. q(tree .. "/lib/lua/5.4/?.so") .. " lua5.4 -e " ..
      q("local r = require 'tinkr.resources'; local src, name = r.find('queries/templates/logs.lua'); print(src ~= nil, name:match('tinkr/queries/templates/logs.lua') ~= nil, require('tinkr').core.version)"))
    os.execute("rm -rf " .. q(tree))
    assert.equal(0, status, err)
    assert.equal("true\ttrue\t0.1.0\n", out)
  end)
end)
