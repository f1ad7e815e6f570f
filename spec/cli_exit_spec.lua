-- bin/tinkr's end: the Lua heap is left to the process exit (src/cli/main.c),
-- but finalizers still run and buffered output still reaches its file.
local helpers = require "helpers"
local tinkr = helpers.tinkr

describe("tinkr CLI at exit", function()
  it("runs __gc finalizers and flushes open files, also with big results alive", function()
    local out_path = os.tmpname()
    local script = helpers.write_temp(([[
      local f = assert(io.open(%q, "w"))
      f:write("written, never closed\n")
      local rows = {}
      for i = 1, 200000 do rows[i] = { n = i, s = "row " .. i } end
      local big = string.rep("x", 8 * 1024 * 1024) .. #rows
      setmetatable({}, { __gc = function() io.stdout:write("finalized ", #big, "\n") end })
      io.stdout:write("end of script\n")
    ]]):format(out_path), ".lua")
    local out, err, status = tinkr({ script })
    os.remove(script)
    local f = assert(io.open(out_path, "rb"))
    local written = f:read("a")
    f:close()
    os.remove(out_path)
    assert.equal(0, status, err)
    assert.equal("end of script\nfinalized " .. (8 * 1024 * 1024 + 6) .. "\n", out)
    assert.equal("written, never closed\n", written)
  end)
end)
