-- docs/API.md is generated from the parameter definitions the API checks
-- against (tinkr.api_params), so it lists every function, every
-- parameter with its type and default, the meta fields and the error
-- codes -- and cannot drift: this spec fails while it is stale.
local helpers = require "helpers"
local api_params = require "tinkr.api_params"
local errors = require "tinkr.errors"

describe("docs/API.md", function()
  local doc = helpers.read_file(helpers.root .. "/docs/API.md")

  it("exists and is what tools/api_doc.lua makes of lua/tinkr/api_params.lua (make api-doc)", function()
    assert.is_string(doc, "docs/API.md is missing")
    local out, err, status = helpers.run("cd " .. helpers.shell_quote(helpers.root) .. " && lua5.4 tools/api_doc.lua")
    assert.equal(0, status, err)
    assert.equal(out, doc)
  end)

  it("names every function, every parameter and every error code", function()
    for _, name in ipairs(api_params.ORDER) do
      local def = api_params.FUNCTIONS[name]
      assert.truthy(doc:find("## `" .. def.call .. "`", 1, true), name)
      for _, a in ipairs(def.args) do
        for _, f in ipairs(a.fields or { a }) do
          assert.truthy(doc:find("| `" .. f.name .. "` | " .. f.type, 1, true), name .. " " .. f.name)
        end
      end
    end
    for code, status in pairs(errors.CODES) do
      assert.is_string(api_params.ERRORS[code], "no meaning written for error code " .. code)
      assert.truthy(doc:find("| `" .. code .. "` | " .. status .. " |", 1, true), code)
    end
  end)

  it("is what lua/tinkr/init.lua points at", function()
    local init = helpers.read_file(helpers.root .. "/lua/tinkr/init.lua")
    assert.truthy(init:find("docs/API.md", 1, true))
  end)
end)
