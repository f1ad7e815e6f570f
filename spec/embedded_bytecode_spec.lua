-- bin/tinkr carries its lua/ modules precompiled (tools/embed.lua), so a
-- run does not parse them again.  What must not change: errors and
-- tracebacks name the real file and line, and a user's own copy of a
-- module (TINKR_PATH, the config directory) still replaces the built-in one.
local helpers = require "helpers"

local q = helpers.shell_quote

describe("embedded modules (precompiled)", function()
  it("are bytecode in the binary, with their source beside for resources", function()
    local gen = helpers.read_file(helpers.root .. "/build/gen/embedded.c")
    assert.is_string(gen, "build/gen/embedded.c (make)")
    -- a precompiled chunk starts with ESC "Lua" and the version byte 0x54
    local entry = gen:match('{ "lua/tinkr/errors%.lua", %d+,.-},\n')
    assert.is_string(entry)
    assert.truthy(entry:find('"\\033Lua\\124', 1, true) or entry:find('"\\033LuaT', 1, true), entry:sub(1, 200))
    local template = gen:match('{ "queries/templates/logs%.lua", %d+,.-},\n')
    assert.is_string(template)
    assert.matches("0, 0 },\n$", template, nil, "queries/ stays text (loaded into a sandbox)")
  end)

  it("name the file and line in errors and tracebacks", function()
    local _, err, status = helpers.tinkr{ "-e", "require('tinkr.disk_cache').open(nil)" }
    assert.equal(1, status)
    assert.matches("lua/tinkr/disk_cache%.lua:%d+: bad argument #1 to 'open'", err)
    assert.matches("lua/tinkr/disk_cache%.lua:%d+: in function 'tinkr%.disk_cache%.open'", err)
  end)

  it("give way to a user's copy of the module", function()
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. q(dir .. "/tinkr")))
    local f = assert(io.open(dir .. "/tinkr/severity.lua", "w"))
    f:write("return { shadowed = 'yes' }\n")
    f:close()
    local out, err, status = helpers.tinkr({ "-e", "io.write(require('tinkr.severity').shadowed)" },
      { env = { TINKR_PATH = dir } })
    os.execute("rm -rf " .. q(dir))
    assert.equal(0, status, err)
    assert.equal("yes", out)
  end)
end)
