-- bin/tinkr's end: the Lua heap is left to the process exit (src/cli/main.c),
-- but finalizers still run and buffered output still reaches its file; and
-- output that could not be written is said, with exit status 12.
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

-- cmdline run with its stdout on /dev/full (every write fails: ENOSPC)
local function to_full_disk(args, opts)
  local parts = { helpers.shell_quote(helpers.tinkr_bin()) }
  for _, a in ipairs(args) do parts[#parts + 1] = helpers.shell_quote(a) end
  return helpers.run("sh -c " .. helpers.shell_quote(table.concat(parts, " ") .. " > /dev/full"), opts)
end

local function one_line(err)
  return select(2, err:gsub("\n", "")) == 1
end

describe("tinkr CLI when its output cannot be written", function()
  it("says so in one line and exits 12, for big and small writes alike", function()
    for _, args in ipairs{ { "-e", 'print(("x"):rep(100000))' }, { "-e", "io.write('short')" }, { "--help" },
                           { "logs", "--help" } } do
      local _, err, status = to_full_disk(args)
      local what = table.concat(args, " ")
      assert.equal(12, status, what .. ": " .. err)
      assert.truthy(err:find("^tinkr: could not write"), what .. ": " .. err)
      assert.is_true(one_line(err), what .. ": " .. err)
    end
    local _, err = to_full_disk{ "--help" }
    assert.equal("tinkr: could not write the output: No space left on device\n", err)
  end)

  it("keeps an unsuccessful status: a script that raised, a usage error", function()
    local _, err, status = to_full_disk{ "-e", "print('x'); error('boom', 0)" }
    assert.equal(1, status, err)
    assert.truthy(err:find("boom", 1, true), err)
    local _, err2, status2 = to_full_disk{ "logs", "--no-such-option" }
    assert.equal(2, status2, err2)
  end)

  it("exits 12 for tinkr logs --format ndjson, whose lines are written straight from the map", function()
    local stack = require "support.stack"
    stack.get()
    local env = stack.env(stack.LAYOUTS[2], { XDG_CONFIG_HOME = "/nonexistent" })
    -- "export": every match (67,142 lines, paged): the first page that cannot be written ends it
    for _, fmt in ipairs{ "ndjson", "table", "export" } do
      local args = { "logs", "--since", "1d", "--limit", "2000", "--format", fmt }
      if fmt == "export" then args = { "logs", "--since", "1d", "--limit", "0", "--format", "ndjson", "--verbose" } end
      local _, err, status = to_full_disk(args, { env = env })
      assert.equal(12, status, fmt .. ": " .. err)
      -- the last line of stderr (a table is preceded by its "2000 of N" note)
      assert.truthy(err:find("tinkr: could not write[^\n]*\n$"), fmt .. ": " .. err)
      assert.equal(1, select(2, err:gsub("could not write", "")), fmt .. ": " .. err)
    end
  end)
end)
