-- scripts/stack recognises its servers by the state directory's path, so
-- it resolves that path first: the same directory named through a symlink,
-- with "..", or with a trailing slash finds the running servers instead of
-- starting a second OpenSearch on the same data ("failed to obtain node
-- locks").  Only `env` and `status` are run here: neither starts anything.
local helpers = require "helpers"
local stack = require("support.stack").get()

local q = helpers.shell_quote

local function stack_cmd(dir, args)
  return helpers.run("env -u LD_PRELOAD TINKR_STACK_DIR=" .. q(dir) .. " " .. q(helpers.root .. "/scripts/stack") .. " " .. args)
end

describe("scripts/stack state directory", function()
  local real = assert(io.popen("realpath " .. q(stack.state_dir))):read("l")
  local link = os.tmpname()
  os.remove(link)

  setup(function() assert(os.execute("ln -s " .. q(real) .. " " .. q(link))) end)
  teardown(function() os.remove(link) end)

  it("finds the running stack through a symlink, '..' or a trailing slash", function()
    local want, err, status = stack_cmd(real, "env")
    assert.equal(0, status, err)
    assert.matches("OTEL_OPENSEARCH_URL=http://127%.0%.0%.1:%d+", want)
    local parent, base = real:match("^(.*)/([^/]+)$")
    for _, spelling in ipairs{ link, link .. "/", parent .. "/" .. base .. "/../" .. base } do
      local out, serr, st = stack_cmd(spelling, "env")
      assert.equal(0, st, spelling .. ": " .. serr)
      assert.equal(want, out, spelling)
      out, serr, st = stack_cmd(spelling, "status")
      assert.equal(0, st, spelling .. ": " .. out .. serr)
      assert.matches("opensearch: running", out)
      assert.matches("state: " .. real:gsub("%p", "%%%0"), out)
    end
  end)
end)
