-- `tinkr logs --follow` against the real OpenSearch while a real writer
-- (spec/support/log_writer.py) keeps indexing: lines sharing a timestamp,
-- late arrivals within --lag, a level filter, Ctrl-C ending it; then the
-- edges: a range OpenSearch rounds, a document stamped in the future, the
-- backend going away and coming back (a TCP proxy in front of the real
-- OpenSearch, killed and restarted on its port), a backend that hangs.
local helpers = require "helpers"
local process = require "support.process"
local core = require "tinkr.core"

local json = core.json

-- The writer's batches: 3 lines each, plus a late one every fourth batch.
local BATCHES = 16
local LINES = 3 * BATCHES + BATCHES // 4
local MARKER = "follow marker"

local function is_marker(message) return message:sub(1, #MARKER) == MARKER end

-- Waits (bounded) until every follower in ps polls: writes ERROR lines
-- "follow marker N", stamped when written and searchable at once, one
-- every 0.5 s, until each follower has shown one.  A follower that shows
-- one polls, and its window then holds every line stamped later, however
-- slowly it started (a fixed sleep does not know; and with a short --lag a
-- marker written before it started is never shown, hence several).
local function until_polling(url, name, ps)
  local deadline = core.monotonic() + 60
  local n = 0
  repeat
    n = n + 1
    local doc = json.encode{ ["@timestamp"] = core.now_ns() // 1000000, severity = "ERROR",
      body = MARKER .. " " .. n, resource = { service = { name = "follow-marker" } } }
    local res = assert(core.http.request{ method = "POST", url = url .. "/" .. name .. "/_bulk?refresh=true",
      headers = { ["Content-Type"] = "application/x-ndjson" }, body = '{"index":{}}\n' .. doc .. "\n" })
    assert(res.status == 200 and not json.decode(res.body).errors, res.body)
    local all = true
    for _, p in ipairs(ps) do
      if not p:wait_for(function(q) return q:output():find(MARKER, 1, true) ~= nil end, 0.5) then all = false end
    end
    if all then return end
  until core.monotonic() > deadline
  for _, p in ipairs(ps) do assert(p:output():find(MARKER, 1, true), "a follower never polled: " .. p:errors()) end
end

-- Each marker a follower showed (message -> times): at least one, none twice.
local function check_markers(marks)
  assert.is_truthy(next(marks), "no marker shown")
  for m, times in pairs(marks) do assert.are.equal(1, times, m) end
end

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

  -- seq -> times shown, the writer's lines in the order shown, marker -> times shown
  local function seqs_of(text)
    local out, order, marks = {}, {}, {}
    for line in text:gmatch("[^\n]+") do
      local row = assert(json.decode(line), line)
      if is_marker(row.message) then
        marks[row.message] = (marks[row.message] or 0) + 1
      else
        local seq = assert(tonumber(row.message:match("seq=(%d+)")), line)
        out[seq] = (out[seq] or 0) + 1
        order[#order + 1] = { seq = seq, row = row }
      end
    end
    return out, order, marks
  end

  setup(function()
    stack = require("support.stack").get()
    index = ("tinkr-follow-%d-%d"):format(os.time(), math.random(1e6))
    go_file = os.tmpname()
    os.remove(go_file)
    writer = process.start({ "python3", helpers.root .. "/spec/support/log_writer.py",
      stack.opensearch, index, go_file, tostring(BATCHES) })
    assert(writer:wait_for(function(p) return p:output():find("ready") end, 60), writer:errors())
  end)

  teardown(function()
    if writer then writer:cleanup() end
    if go_file then os.remove(go_file) end
    if index then core.http.request{ method = "DELETE", url = stack.opensearch .. "/" .. index } end
  end)

  it("prints every line once, oldest first, through equal timestamps and late arrivals; a filter applies", function()
    local everything = follower()
    local only_errors = follower{ "--level", "ERROR" }
    until_polling(stack.opensearch, index, { everything, only_errors })
    assert(io.open(go_file, "w")):close()         -- both follow: the writer starts now
    assert.are.equal(0, writer:wait(120), writer:errors())
    all, errs = {}, {}
    for line in writer:output():gmatch("[^\n]+") do
      if line:sub(1, 1) == "{" then
        local d = json.decode(line)
        all[#all + 1] = d
        if d.level == "ERROR" then errs[#errs + 1] = d end
      end
    end
    assert.are.equal(LINES, #all, "lines the writer wrote")
    -- Wait until the followers caught up (bounded), then Ctrl-C them.
    local function caught_up(p, want)
      local got = seqs_of(p:output())
      for _, d in ipairs(want) do if not got[d.seq] then return false end end
      return true
    end
    local all_shown = everything:wait_for(function(p) return caught_up(p, all) end, 60)
    local errs_shown = only_errors:wait_for(function(p) return caught_up(p, errs) end, 60)
    os.execute("sleep 1")                         -- a few more polls: nothing may repeat
    everything:signal("INT")
    only_errors:signal("INT")
    assert.are.equal(0, everything:wait(10), everything:errors())
    assert.are.equal(0, only_errors:wait(10), only_errors:errors())
    assert.is_true(all_shown, "the follower never showed every line: " .. everything:errors())
    assert.is_true(errs_shown, "the --level ERROR follower never showed every ERROR line: " .. only_errors:errors())

    local counts, order, marks = seqs_of(everything:output())
    check_markers(marks)
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
    local ecounts, eorder, emarks = seqs_of(only_errors:output())
    check_markers(emarks)
    assert.are.equal(#errs, #eorder)
    for _, d in ipairs(errs) do assert.are.equal(1, ecounts[d.seq]) end
    for _, o in ipairs(eorder) do assert.are.equal("ERROR", o.row.level) end
    everything:cleanup()
    only_errors:cleanup()
  end)

  -- The poll boundary and the backend, one index each, documents written
  -- directly with known timestamps (refresh=true: searchable at once).
  describe("at the edges", function()
    local made = {}

    local function new_index()
      local name = ("tinkr-follow-edge-%d-%d"):format(os.time(), math.random(1e6))
      local res = assert(core.http.request{ method = "PUT", url = stack.opensearch .. "/" .. name,
        headers = { ["Content-Type"] = "application/json" },
        body = json.encode{ settings = { number_of_shards = 1, number_of_replicas = 0 },
          mappings = { properties = { ["@timestamp"] = { type = "date" }, severity = { type = "keyword" },
            resource = { properties = { service = { properties = { name = { type = "keyword" } } } } } } } } })
      assert(res.status == 200, res.body)
      made[#made + 1] = name
      return name
    end

    -- docs = { { ts = epoch ms, msg = "..." }, ... }
    local function write(name, docs)
      local lines = {}
      for _, d in ipairs(docs) do
        lines[#lines + 1] = '{"index":{}}'
        lines[#lines + 1] = json.encode{ ["@timestamp"] = d.ts, severity = "INFO", body = d.msg,
          resource = { service = { name = "follow-edge" } } }
      end
      local res = assert(core.http.request{ method = "POST", url = stack.opensearch .. "/" .. name .. "/_bulk?refresh=true",
        headers = { ["Content-Type"] = "application/x-ndjson" }, body = table.concat(lines, "\n") .. "\n" })
      assert(res.status == 200 and not json.decode(res.body).errors, res.body)
    end

    local function now_ms() return core.now_ns() // 1000000 end

    local function follow(name, url, lag, env)
      local e = { OTEL_OPENSEARCH_URL = url or stack.opensearch, OTEL_LOG_INDEX = name, TINKR_LAYOUT = "seed",
        ASAN_OPTIONS = os.getenv("ASAN_OPTIONS") or "" }
      for k, v in pairs(env or {}) do e[k] = v end
      return process.start({ helpers.tinkr_bin(), "logs", "--follow", "--interval", "200ms", "--lag", lag,
        "--limit", "0", "--format", "ndjson", "--fields", "message" }, { env = e })
    end

    -- message -> times shown (p: a follower, or its output), markers
    -- apart (they are checked here: some shown, none twice)
    local function shown(p)
      local n, marks = {}, {}
      local text = type(p) == "string" and p or p:output()
      for line in text:gmatch("[^\n]+") do
        local m = assert(json.decode(line), line).message
        local t = is_marker(m) and marks or n
        t[m] = (t[m] or 0) + 1
      end
      if type(p) == "string" then check_markers(marks) end
      return n
    end
    local function shows(p, msgs, seconds)
      return p:wait_for(function()
        local n = shown(p)
        for _, m in ipairs(msgs) do if not n[m] then return false end end
        return true
      end, seconds or 30)
    end
    local function polling(p, name) until_polling(stack.opensearch, name, { p }) end
    -- Ctrl-C -> exit status, output, errors
    local function stop(p)
      p:signal("INT")
      local status = p:wait(10)
      local out, errs = p:output(), p:errors()
      p:cleanup()
      return status, out, errs
    end

    teardown(function()
      for _, name in ipairs(made) do core.http.request{ method = "DELETE", url = stack.opensearch .. "/" .. name } end
    end)

    it("shows a row once when the rounded range returns it again after its id was forgotten", function()
      -- --lag 1500us: the polls' start falls between milliseconds, and
      -- OpenSearch rounds it down for a millisecond date field, so a row
      -- 2 ms older than the newest comes back in every poll.
      local name = new_index()
      local f = follow(name, nil, "1500us")
      polling(f, name)
      local t = now_ms()
      write(name, { { ts = t - 2, msg = "edge older" }, { ts = t, msg = "edge newest" } })
      assert.is_true(shows(f, { "edge older", "edge newest" }), f:errors())
      os.execute("sleep 1.5")                     -- several more polls
      local status, out, errs = stop(f)
      assert.are.equal(0, status, errs)
      assert.are.same({ ["edge older"] = 1, ["edge newest"] = 1 }, shown(out))
    end)

    it("a document stamped an hour ahead does not hide the ones stamped now", function()
      local name = new_index()
      local f = follow(name, nil, "2s")
      polling(f, name)
      write(name, { { ts = now_ms() + 3600 * 1000, msg = "from a fast clock" } })
      assert.is_true(shows(f, { "from a fast clock" }), f:errors())
      write(name, { { ts = now_ms(), msg = "present 1" } })
      os.execute("sleep 0.5")
      write(name, { { ts = now_ms(), msg = "present 2" } })
      local ok = shows(f, { "present 1", "present 2" })
      local status, out, errs = stop(f)
      assert.are.equal(0, status, errs)
      assert.is_true(ok, "lines stamped now were never shown: " .. out)
      assert.are.same({ ["from a fast clock"] = 1, ["present 1"] = 1, ["present 2"] = 1 }, shown(out))
    end)

    it("OpenSearch going away mid-follow: one line, then it catches up when it is back, nothing twice", function()
      local server = require "support.server"
      local name = new_index()
      local proxy = server.proxy(stack.opensearch)     -- the backend's address, which the spec can take away
      local port = proxy.port
      local f = follow(name, proxy.url, "5s", { TINKR_TIMEOUT = "3" })
      local ok, err = pcall(function()
        polling(f, name)
        write(name, { { ts = now_ms(), msg = "before" } })
        assert.is_true(shows(f, { "before" }), f:errors())
        proxy:stop()                                   -- connections refused from now on
        assert.is_true(f:wait_for(function(p) return p:errors():find("retrying", 1, true) end, 10),
          "no error line: " .. f:errors())
        -- Written while it cannot be read, older than the lag once it is back.
        write(name, { { ts = now_ms(), msg = "during 1" } })
        os.execute("sleep 6")
        write(name, { { ts = now_ms(), msg = "during 2" } })
        os.execute("sleep 0.5")
        proxy = server.proxy(stack.opensearch, { port = port })
        assert.is_true(shows(f, { "during 1", "during 2" }), f:errors())
        write(name, { { ts = now_ms(), msg = "after" } })
        assert.is_true(shows(f, { "after" }), f:errors())
      end)
      proxy:stop()
      local status, out, errs = stop(f)
      assert(ok, err)
      assert.are.equal(0, status, errs)
      assert.are.same({ before = 1, ["during 1"] = 1, ["during 2"] = 1, after = 1 }, shown(out))
      -- One line for the outage (not one per poll), one for the recovery.
      local lines = {}
      for l in errs:gmatch("[^\n]+") do lines[#lines + 1] = l end
      assert.are.equal(2, #lines, errs)
      assert.matches("127%.0%.0%.1:" .. port, lines[1])
      assert.matches("retrying every poll", lines[1])
      assert.matches("answers again", lines[2])
    end)

    it("a backend that accepts but never answers: a timeout line, and Ctrl-C still ends it at once", function()
      local server = require "support.server"
      local name = new_index()
      local proxy = server.proxy(stack.opensearch, { delay_ms = 60000 })
      local f = follow(name, proxy.url, "5s", { TINKR_TIMEOUT = "1" })
      local said = f:wait_for(function(p) return p:errors():find("retrying", 1, true) end, 15)
      local t0 = core.monotonic()
      local status, _, errs = stop(f)
      local took = core.monotonic() - t0
      proxy:stop()
      assert.is_true(said, "no timeout line: " .. errs)
      assert.matches("time", errs)
      assert.are.equal(1, select(2, errs:gsub("\n", "")), errs)
      assert.are.equal(0, status, errs)
      assert.is_true(took < 5, ("Ctrl-C took %.1f s"):format(took))
    end)
  end)

  it("rejects a bad --lag with a usage error", function()
    local _, err, status = helpers.tinkr({ "logs", "--follow", "--lag", "soon" },
      { env = { OTEL_OPENSEARCH_URL = stack.opensearch } })
    assert.are.equal(2, status)
    assert.matches("%-%-lag wants a duration", err)
  end)
end)
