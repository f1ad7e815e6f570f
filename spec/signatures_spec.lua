-- tinkr.signatures: the grouping behind `tinkr errors`, without a backend.
-- The sample world knows the format string of every error line it writes;
-- bench/error_lines.py turns them into lines with fresh values, and the
-- grouping must give back exactly those templates (none split, none
-- merged) with their counts.
local helpers = require "helpers"
local signatures = require "tinkr.signatures"
local json = require("tinkr.core").json

-- A template as an anchored Lua pattern; its digits match any digit, as
-- bench/error_lines.py redraws every digit of a line.
local function pattern_of(template)
  local parts = {}
  for piece in (template .. "<*>"):gmatch("(.-)<%*>") do
    parts[#parts + 1] = piece:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0"):gsub("%d", "%%d")
  end
  return "^" .. table.concat(parts, ".-") .. "$"
end

describe("tinkr.signatures", function()
  it("groups the world's error lines into exactly its true templates", function()
    local dir = os.tmpname()
    local lines, truth = dir .. ".txt", dir .. ".json"
    local _, err, status = helpers.run(("/usr/bin/python3 %s/bench/error_lines.py --lines 5000 --out %s --truth %s"):format(
      helpers.root, helpers.shell_quote(lines), helpers.shell_quote(truth)))
    assert.equal(0, status, err)
    local want = json.decode(helpers.read_file(truth)).templates
    for _, file_way in ipairs({ true, false }) do
      local g = signatures.grouper()
      if file_way then
        assert(g:add_file(lines))
      else
        for line in io.lines(lines) do g:add(line) end
      end
      local rows, stats = g:rows(0)
      local n = 0
      for template, count in pairs(want) do
        n = n + 1
        local found = {}
        for _, r in ipairs(rows) do
          if r.example:match(pattern_of(template)) then found[#found + 1] = r end
        end
        assert.equal(1, #found, template)
        assert.equal(count, found[1].count, template)
      end
      assert.equal(n, #rows)
      assert.equal(5000, stats.lines)
    end
    os.remove(dir); os.remove(lines); os.remove(truth)
  end)

  it("keeps per signature the services, times, a trend over the window and the example's trace", function()
    local NS = 1000000000
    local g = signatures.grouper{ from_ns = 0, to_ns = 24 * NS }
    g:add("order 7 failed", { time_ns = 23 * NS, service = "b", level = "ERROR" })
    g:add("order 8 failed", { time_ns = 22 * NS, service = "a", level = "ERROR", trace_id = "abc1" })
    g:add("order 9 failed", { time_ns = 1 * NS, service = "a", level = "FATAL", trace_id = "abc2" })
    g:add("disk full", { time_ns = 5 * NS, service = "c", level = "ERROR" })
    local rows, stats = g:rows(0)
    assert.same({ lines = 4, signatures = 2 }, stats)
    local r = rows[1]
    assert.equal("order <*> failed", r.signature)
    assert.equal(3, r.count)
    assert.equal(0.75, r.share)
    assert.same({ "a", "b" }, r.services)
    assert.same({ "ERROR", "FATAL" }, r.levels)
    assert.equal("1970-01-01T00:00:01.000Z", r.first_seen)
    assert.equal("1970-01-01T00:00:23.000Z", r.last_seen)
    -- the first line seen that names a trace is the example
    assert.equal("order 8 failed", r.example)
    assert.equal("abc1", r.example_trace_id)
    assert.same({ "abc1", "abc2" }, r.trace_ids)
    assert.equal(24, #r.trend)
    assert.equal(1, r.trend[2])
    assert.equal(1, r.trend[23])
    assert.equal(1, r.trend[24])
    assert.is_nil(rows[2].example_trace_id)
    -- limit
    assert.equal(1, #g:rows(1))
  end)

  it("applies a user's Lua pattern masks before the built-in ones", function()
    local masks = signatures.masks{ patterns = { { "tenant=%w+", "tenant=<tenant>" } }, builtin = { digits = true } }
    assert.equal("login for tenant=<tenant> failed <*> times", signatures.signature("login for tenant=acme failed 3 times", masks))
    assert.has_error(function() signatures.masks{ patterns = { { "[a", "x" } } } end)
    assert.has_error(function() signatures.masks{ builtin = { nope = true } } end)
    assert.has_error(function() signatures.masks{ patterns = { "x" } } end)
  end)
end)
