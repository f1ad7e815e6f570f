-- tinkr.errors / `tinkr errors` against the real local stack, in each of
-- the three layouts: the sample world knows the format string of every
-- error line (stack.expected.story, "true templates"); the signatures must
-- be exactly those, none split and none merged, with their counts; and the
-- pivots (--trace N, logs --trace) land on the manifest's traces.
local helpers = require "helpers"
local stack = require("support.stack").get()
local tinkr = require "tinkr"
local json = require("tinkr.core").json
local time = require "tinkr.time"

local STORY = stack.expected.story
local support = require "support.stack"
local LAYOUTS = support.LAYOUTS
local env_of, use = support.env, support.use

-- A true template ("charge failed for order <*>: ...") as an anchored Lua
-- pattern that matches the messages made from it.
local function pattern_of(template)
  local parts = {}
  for piece in (template .. "<*>"):gmatch("(.-)<%*>") do
    parts[#parts + 1] = piece:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0")
  end
  return "^" .. table.concat(parts, ".-", 1, #parts) .. "$"
end

local function ms(iso)
  return assert(time.from_iso_ns(iso), iso) // 1000000
end

-- Each manifest signature is exactly one row: its pattern matches that
-- row's example and no other's; count, services and times agree.
local function assert_same_signatures(want, rows)
  assert.equal(#want.signatures, #rows, "number of signatures")
  local total = 0
  for _, sig in ipairs(want.signatures) do
    local pat, found = pattern_of(sig.template), {}
    for _, r in ipairs(rows) do
      if r.example:match(pat) then found[#found + 1] = r end
    end
    assert.equal(1, #found, "rows matching the template " .. sig.template)
    local r = found[1]
    assert.equal(sig.count, r.count, sig.template)
    assert.is_true(math.type(r.count) == "integer")
    assert.same(sig.services, r.services, sig.template)
    assert.equal(ms(sig.first_seen), ms(r.first_seen), sig.template)
    assert.equal(ms(sig.last_seen), ms(r.last_seen), sig.template)
    assert.equal(sig.example_trace_id ~= json.null and sig.example_trace_id or nil, r.example_trace_id, sig.template)
    total = total + r.count
  end
  assert.equal(want.lines, total)
end

for _, layout in ipairs(LAYOUTS) do
  describe("tinkr.errors, " .. layout.name .. " layout", function()
    before_each(function() use(layout) end)

    it("finds exactly the world's error templates of the last hour, with their counts", function()
      local rows, meta = tinkr.errors{ since = "1h", limit = 0 }
      assert.is_table(rows, tostring(meta))
      assert_same_signatures(STORY.errors_last_hour, rows)
      assert.equal(STORY.errors_last_hour.lines, meta.lines)
      assert.is_false(meta.truncated)
      -- most lines first, shares add up
      local share = 0
      for i, r in ipairs(rows) do
        if i > 1 then assert.is_true(rows[i - 1].count >= r.count) end
        share = share + r.share
      end
      assert.is_true(math.abs(share - 1) < 1e-9)
    end)

    it("finds exactly the world's error templates of the whole six hours", function()
      local rows = assert(tinkr.errors{ since = "6h", limit = 0 })
      assert_same_signatures(STORY.errors_all, rows)
    end)

    it("narrows to one service, and the top signature's example trace is the manifest's", function()
      local want = STORY.errors_worst_service
      local rows = assert(tinkr.errors{ service = want.service, since = "1h", limit = 0 })
      assert_same_signatures(want, rows)
      local t = assert(tinkr.trace(rows[1].example_trace_id))
      assert.equal(want.signatures[1].example_trace_id, t.trace_id)
      local found = false
      for _, l in ipairs(t.logs) do found = found or l.message == rows[1].example end
      assert.is_true(found, "the example line is among the trace's logs")
    end)
  end)
end

describe("tinkr.errors", function()
  before_each(function() use(LAYOUTS[2]) end)

  it("says when the window held more lines than it grouped", function()
    local rows, meta = tinkr.errors{ since = "6h", max_lines = 50, limit = 0 }
    assert.is_table(rows, tostring(meta))
    assert.equal(50, meta.lines)
    assert.is_true(meta.truncated)
    assert.equal(STORY.errors_all.lines, meta.total)
  end)

  it("refuses bad parameters (misuse raises)", function()
    assert.has_error(function() tinkr.errors{ limit = -1 } end)
    assert.has_error(function() tinkr.errors{ max_lines = 0 } end)
    assert.has_error(function() tinkr.errors{ bogus = 1 } end)
    assert.has_error(function() tinkr.errors("x") end)
  end)

  it("keeps tinkr.errors the error module too (tinkr.errors.new)", function()
    assert.equal("usage", tinkr.errors.new("usage", "x").code)
  end)
end)

describe("pivots", function()
  before_each(function() use(LAYOUTS[1]) end)

  it("tinkr.logs rows with a trace id can be followed with tinkr.trace", function()
    local rows = assert(tinkr.logs{ service = "payments-api", level = "ERROR", since = "1h", limit = 100 })
    local followed = 0
    for _, r in ipairs(rows) do
      if r.trace_id then
        local t = assert(tinkr.trace(r.trace_id))
        assert.equal(r.trace_id, t.trace_id)
        followed = followed + 1
        if followed == 3 then break end
      end
    end
    assert.equal(3, followed)
  end)

  it("tinkr.logs{ trace_id = } gives the log lines of one trace, as tinkr.trace does", function()
    local id = STORY.errors_worst_service.signatures[1].example_trace_id
    local rows = assert(tinkr.logs{ trace_id = id, since = "6h", limit = 0 })
    local t = assert(tinkr.trace(id))
    assert.equal(#t.logs, #rows)
    assert.is_true(#rows > 0)
    for _, r in ipairs(rows) do assert.equal(id, r.trace_id) end
  end)

  it("tinkr.services rows carry what tinkr.errors and tinkr.trace need", function()
    local rows = assert(tinkr.services{ since = "1h" })
    local worst = rows[1]
    local sigs = assert(tinkr.errors{ service = worst.service, from = worst.from, to = worst.to, limit = 0 })
    assert.equal(#STORY.errors_worst_service.signatures, #sigs)
    for _, r in ipairs(rows) do
      if r.slowest_trace_id then
        local t = assert(tinkr.trace(r.slowest_trace_id))
        assert.equal(r.slowest_trace_id, t.trace_id)
      end
    end
  end)
end)

describe("tinkr errors (CLI)", function()
  local function run(args, extra)
    local e = env_of(LAYOUTS[3], extra)
    e.COLUMNS, e.XDG_CONFIG_HOME = "160", "/nonexistent"
    return helpers.tinkr(args, { env = e })
  end

  it("prints one line per signature, most lines first, and says how to open a trace", function()
    local out, err, status = run{ "errors", "--limit", "0" }
    assert.equal(0, status, err)
    local lines = {}
    for l in out:gmatch("[^\n]+") do lines[#lines + 1] = l end
    assert.matches("^%s*#%s+COUNT%s+SHARE", lines[1])
    assert.equal(#STORY.errors_last_hour.signatures + 1, #lines)
    assert.matches("^%s*1%s+" .. STORY.errors_last_hour.signatures[1].count .. "%s", lines[2])
    assert.matches(STORY.errors_last_hour.lines .. " lines in " .. #STORY.errors_last_hour.signatures .. " signatures", err)
    assert.matches("tinkr errors %-%-trace 1", err)
  end)

  it("--trace N draws the waterfall of signature N's example trace with its logs", function()
    local want = STORY.errors_worst_service
    local out, err, status = run{ "errors", "--service", want.service, "--trace", "1" }
    assert.equal(0, status, err)
    assert.matches("trace " .. want.signatures[1].example_trace_id, out, 1, true)
    assert.matches(want.signatures[1].example_traced, out, 1, true)
    assert.matches("signature 1: ", err)
  end)

  it("--trace on a signature without trace ids, or past the last, exits 1 saying why", function()
    local want = STORY.errors_worst_service
    local untraced
    for i, s in ipairs(want.signatures) do if not s.traced then untraced = i; break end end
    assert(untraced, "the worst service has an untraced signature (health probes)")
    local _, err, status = run{ "errors", "--service", want.service, "--trace", tostring(untraced) }
    assert.equal(1, status)
    assert.matches("has no trace id", err)
    _, err, status = run{ "errors", "--trace", "999" }
    assert.equal(1, status)
    assert.matches("not 999", err)
    _, err, status = run{ "errors", "--trace", "x" }
    assert.equal(2, status)
  end)

  it("takes a user's masks from TINKR_PATH without a rebuild", function()
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. dir .. "/queries"))
    local f = assert(io.open(dir .. "/queries/masks.lua", "w"))
    -- an order id mask of one's own, and the digits mask off
    f:write([[return { patterns = { { "ord%-%x+", "<order>" } },
      builtin = { digits = false, duration = true, ip = true, email = true, uuid = true, quoted = true } }]])
    f:close()
    local out, err, status = run({ "errors", "--service", "payments-api", "--format", "json" }, { TINKR_PATH = dir })
    os.execute("rm -rf " .. dir)
    assert.equal(0, status, err)
    local saw = false
    for _, r in ipairs(json.decode(out).rows) do
      saw = saw or r.signature == "charge failed for order <order>: payment gateway timeout after 1500 ms"
    end
    assert.is_true(saw, out)
  end)

  it("a broken masks file is a config error (exit 3) naming the file", function()
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. dir .. "/queries"))
    local f = assert(io.open(dir .. "/queries/masks.lua", "w"))
    f:write([[return { builtin = { digitz = true } }]])
    f:close()
    local _, err, status = run({ "errors" }, { TINKR_PATH = dir })
    os.execute("rm -rf " .. dir)
    assert.equal(3, status)
    assert.matches("masks.lua: unknown built%-in mask 'digitz'", err)
  end)

  it("logs --trace ID lists the lines of that trace", function()
    local id = STORY.errors_worst_service.signatures[1].example_trace_id
    local out, err, status = run{ "logs", "--trace", id, "--since", "6h", "--format", "ndjson" }
    assert.equal(0, status, err)
    local n = 0
    for line in out:gmatch("[^\n]+") do
      n = n + 1
      assert.equal(id, json.decode(line).trace_id)
    end
    assert.is_true(n > 0)
  end)

  it("--format json gives integer counts and every field; csv one line per signature", function()
    local out, err, status = run{ "errors", "--format", "json", "--limit", "0" }
    assert.equal(0, status, err)
    assert.matches('"count":' .. STORY.errors_last_hour.signatures[1].count .. ',', out, 1, true)
    local doc = json.decode(out)
    assert.equal(#STORY.errors_last_hour.signatures, #doc.rows)
    for _, r in ipairs(doc.rows) do
      assert.is_true(math.type(r.count) == "integer")
      assert.is_string(r.signature)
      assert.is_table(r.services)
    end
    out = assert(run{ "errors", "--format", "csv", "--limit", "0" })
    local n = select(2, out:gsub("\n", ""))
    assert.equal(#STORY.errors_last_hour.signatures + 1, n)
  end)
end)
