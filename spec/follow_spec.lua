-- `tinkr logs --follow` against the real OpenSearch while a real writer
-- (spec/support/log_writer.py) keeps indexing: lines sharing a timestamp,
-- late arrivals within --lag, a level filter, Ctrl-C ending it.
local helpers = require "helpers"
local process = require "support.process"
local core = require "tinkr.core"

local json = core.json

describe("tinkr logs --follow", function()
  local stack, index, go_file, writer, all, errs

  local function follower(extra)
    local argv = { helpers.tinkr_bin(), "logs", "--follow", "--interval", "300ms", "--lag", "5s",
      "--limit", "0", "--format", "ndjson", "--fields", "message,timestamp,level" }
    for _, a in ipairs(extra or {}) do argv[#argv + 1] = a end
    return process.start(argv, { env = {
      OTEL_OPENSEARCH_URL = stack.opensearch, OTEL_LOG_INDEX = index, TINKR_LAYOUT = "seed",
      ASAN_OPTIONS = os.getenv("ASAN_OPTIONS") or "",
    } })
  end

  local function seqs_of(text)
    local out, order = {}, {}
    for line in text:gmatch("[^\n]+") do
      local row = assert(json.decode(line), line)
      local seq = tonumber(row.message:match("seq=(%d+)"))
      out[seq] = (out[seq] or 0) + 1
      order[#order + 1] = { seq = seq, row = row }
    end
    return out, order
  end

  setup(function()
    stack = require("support.stack").get()
    index = ("tinkr-follow-%d-%d"):format(os.time(), math.random(1e6))
    go_file = os.tmpname()
    os.remove(go_file)
    writer = process.start({ "python3", helpers.root .. "/spec/support/log_writer.py",
      stack.opensearch, index, go_file, "4" })
    assert(writer:wait_for(function(p) return p:output():find("ready") end, 20), writer:errors())
  end)

  teardown(function()
    if writer then writer:cleanup() end
    if go_file then os.remove(go_file) end
    if index then core.http.request{ method = "DELETE", url = stack.opensearch .. "/" .. index } end
  end)

  it("prints every line once, oldest first, through equal timestamps and late arrivals; a filter applies", function()
    local everything = follower()
    local only_errors = follower{ "--level", "ERROR" }
    os.execute("sleep 1.5")                       -- both followers have done their first poll
    assert(io.open(go_file, "w")):close()         -- the writer starts now
    assert.are.equal(0, writer:wait(30), writer:errors())
    all, errs = {}, {}
    for line in writer:output():gmatch("[^\n]+") do
      if line:sub(1, 1) == "{" then
        local d = json.decode(line)
        all[#all + 1] = d
        if d.level == "ERROR" then errs[#errs + 1] = d end
      end
    end
    assert.is_true(#all > 40, "the writer wrote " .. #all .. " lines")
    -- Wait until the followers caught up (bounded), then Ctrl-C them.
    local function caught_up(p, want)
      local got = seqs_of(p:output())
      for _, d in ipairs(want) do if not got[d.seq] then return false end end
      return true
    end
    everything:wait_for(function(p) return caught_up(p, all) end, 20)
    only_errors:wait_for(function(p) return caught_up(p, errs) end, 10)
    os.execute("sleep 1")                         -- a few more polls: nothing may repeat
    everything:signal("INT")
    only_errors:signal("INT")
    assert.are.equal(0, everything:wait(10), everything:errors())
    assert.are.equal(0, only_errors:wait(10), only_errors:errors())

    local counts, order = seqs_of(everything:output())
    for _, d in ipairs(all) do
      assert.are.equal(1, counts[d.seq], ("seq %d shown %s times"):format(d.seq, tostring(counts[d.seq])))
    end
    assert.are.equal(#all, #order)
    -- Oldest first: apart from late arrivals, timestamps never go back.
    local late = {}
    for _, d in ipairs(all) do late[d.seq] = d.late end
    local last
    for _, o in ipairs(order) do
      if not late[o.seq] then
        if last then assert.is_true(o.row.timestamp >= last, o.row.timestamp .. " after " .. last) end
        last = o.row.timestamp
      end
    end
    local ecounts, eorder = seqs_of(only_errors:output())
    assert.are.equal(#errs, #eorder)
    for _, d in ipairs(errs) do assert.are.equal(1, ecounts[d.seq]) end
    for _, o in ipairs(eorder) do assert.are.equal("ERROR", o.row.level) end
    everything:cleanup()
    only_errors:cleanup()
  end)

  it("rejects a bad --lag with a usage error", function()
    local _, err, status = helpers.tinkr({ "logs", "--follow", "--lag", "soon" },
      { env = { OTEL_OPENSEARCH_URL = stack.opensearch } })
    assert.are.equal(2, status)
    assert.matches("%-%-lag wants a duration", err)
  end)
end)
