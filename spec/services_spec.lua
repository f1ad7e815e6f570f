-- tinkr.services / `tinkr services` against the real local stack, in each
-- of the three layouts: the manifest's story (stack.expected.story) says
-- which service is worst and every figure; counts must match exactly,
-- PromQL figures to the bit, and those must agree with the truth from the
-- spans within the histograms' precision.
local helpers = require "helpers"
local stack = require("support.stack").get()
local tinkr = require "tinkr"
local json = require("tinkr.core").json

local STORY = stack.expected.story
local support = require "support.stack"
local LAYOUTS = support.LAYOUTS
local env_of, use = support.env, support.use

local function near(want, got, what)
  assert(type(got) == "number", what .. ": no value")
  assert(math.abs(want - got) <= 1e-9 * math.max(1, math.abs(want)),
    ("%s: want %.17g, got %.17g"):format(what, want, got))
end

local function by_service(rows)
  local out = {}
  for _, r in ipairs(rows) do out[r.service] = r end
  return out
end

local function names(rows)
  local out = {}
  for i, r in ipairs(rows) do out[i] = r.service end
  return out
end

local function sorted_keys(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = k end
  table.sort(out)
  return out
end

for _, layout in ipairs(LAYOUTS) do
  describe("tinkr.services, " .. layout.name .. " layout", function()
    before_each(function() use(layout) end)

    it("puts the manifest's worst service first, in the manifest's order", function()
      local rows, meta = tinkr.services{ since = "1h" }
      assert.is_table(rows, tostring(meta))
      assert.equal(STORY.worst_service, rows[1].service)
      assert.same(STORY.worst_first, names(rows))
      assert.equal(5, meta.queries)
      assert.same({}, meta.warnings)
    end)

    it("counts log lines, error lines and root spans exactly, and names the slowest request", function()
      local rows = assert(tinkr.services{ since = "1h" })
      local got = by_service(rows)
      assert.same(sorted_keys(STORY.services), sorted_keys(got))
      for svc, want in pairs(STORY.services) do
        local r = got[svc]
        assert.equal(want.log_lines, r.log_lines, svc .. " log lines")
        assert.equal(want.error_lines, r.error_lines, svc .. " error lines")
        assert.equal(want.root_spans, r.root_spans, svc .. " root spans")
        assert.equal(want.error_root_spans, r.error_root_spans, svc .. " failed root spans")
        if want.slowest_root ~= json.null then
          assert.equal(want.slowest_root.trace_id, r.slowest_trace_id, svc .. " slowest")
          assert.is_true(math.abs(want.slowest_root.duration_ns / 1e6 - r.slowest_ms) < 0.001, svc)
        else
          assert.is_nil(r.slowest_trace_id)
        end
        -- the window travels with the row, for the next command
        assert.equal("2026-11-26T11:00:00.000Z", r.from)
        assert.equal("2026-11-26T12:00:00.000Z", r.to)
      end
    end)

    it("gives PromQL's rate, 5xx share and p99, which agree with the spans", function()
      local got = by_service(assert(tinkr.services{ since = "1h" }))
      for svc, want in pairs(STORY.services) do
        local r, pq = got[svc], want.promql
        near(pq.request_rate, r.request_rate, svc .. " rate")
        near(pq.error_rate, r.error_rate, svc .. " 5xx share")
        near(pq.p99_seconds, r.p99_s, svc .. " p99")
        -- the truth (every request is a server span) within bucket precision
        assert.is_true(math.abs(r.request_rate - want.request_rate) <= 0.02 * want.request_rate, svc)
        assert.is_true(math.abs(r.error_rate - want.error_rate) <= 0.01, svc)
        local lo, hi = want.p99_bucket[1], want.p99_bucket[2]
        assert.is_true(r.p99_s >= lo and (hi == json.null or r.p99_s <= hi),
          ("%s p99 %g outside the true bucket %g..%s"):format(svc, r.p99_s, lo, tostring(hi)))
      end
    end)

    it("--compare 1h shows each incident's direction of change", function()
      local got = by_service(assert(tinkr.services{ since = "1h", compare = "1h" }))
      local checked = 0
      for _, inc in ipairs(STORY.incidents) do
        local c = inc.compare_1h
        if c ~= json.null and c then
          local field = ({ error_rate = "error_rate", p99_seconds = "p99_s", error_lines = "error_lines" })[c.figure]
          local change = got[inc.service].change[field]
          assert(change ~= nil, inc.name)
          local dir = change == "new" and "up" or change > 0 and "up" or change < 0 and "down" or "same"
          assert.equal(c.direction, dir, inc.name .. " " .. c.figure)
          checked = checked + 1
        end
      end
      assert.is_true(checked >= 3)
      -- the previous window's figures are the manifest's previous hour
      for svc, want in pairs(STORY.previous) do
        assert.equal(want.error_lines, got[svc].previous.error_lines, svc)
        assert.equal(want.log_lines, got[svc].previous.log_lines, svc)
      end
    end)
  end)
end

describe("tinkr.services with one signal missing", function()
  it("keeps every service and leaves the dead signal's figures out, saying why", function()
    use(LAYOUTS[2], { OTEL_PROMETHEUS_URL = "http://127.0.0.1:9/" })
    local rows, meta = tinkr.services{ since = "1h" }
    assert.is_table(rows, tostring(meta))
    assert.same(sorted_keys(STORY.services), sorted_keys(by_service(rows)))
    for _, r in ipairs(rows) do
      assert.is_nil(r.request_rate)
      assert.is_nil(r.p99_s)
      assert.equal(STORY.services[r.service].error_lines, r.error_lines)
    end
    assert.equal(3, #meta.warnings)
    assert.equal("connect", meta.warnings[1].code)
  end)

  it("rejects a compare that is not a duration", function()
    use(LAYOUTS[1])
    local rows, err = tinkr.services{ compare = "yesterday" }
    assert.is_nil(rows)
    assert.equal("usage", err.code)
    assert.matches("compare:", err.message)
    assert.has_error(function() tinkr.services("x") end)
  end)
end)

describe("tinkr services (CLI)", function()
  local function run(args, extra)
    local e = env_of(LAYOUTS[2], extra)
    e.COLUMNS, e.XDG_CONFIG_HOME = "200", "/nonexistent"
    return helpers.tinkr(args, { env = e })
  end

  it("prints the worst service on the first line, a sparkline, and says what it ran", function()
    local out, err, status = run{ "services" }
    assert.equal(0, status, err)
    local lines = {}
    for l in out:gmatch("[^\n]+") do lines[#lines + 1] = l end
    assert.matches("^SERVICE%s+LOGS%s+ERRORS", lines[1])
    assert.matches("^" .. STORY.worst_service:gsub("%-", "%%-") .. " ", lines[2])
    assert.equal(#STORY.worst_first + 1, #lines)
    assert.matches("ERRORS OVER TIME", lines[1])
    assert.matches("5 queries at once", err)
    -- a service with no root spans shows dashes for the slowest request
    assert.matches("shipping .* %-  %-", out)
  end)

  it("--compare 1h shows arrows: up for the incident of the last hour, down for the one before", function()
    local out, err, status = run{ "services", "--compare", "1h" }
    assert.equal(0, status, err)
    local pay = out:match("\npayments%-api[^\n]*")
    assert.matches("\226\134\145", pay)             -- ↑
    local inv = out:match("\ninventory[^\n]*")
    assert.matches("\226\134\147", inv)             -- ↓
    assert.matches("10 queries at once", err)
  end)

  it("--format json, ndjson and csv carry the same rows; a missing figure is null", function()
    local out, err, status = run{ "services", "--format", "json" }
    assert.equal(0, status, err)
    local doc = json.decode(out)
    assert.equal(STORY.worst_service, doc.rows[1].service)
    assert.equal(#STORY.worst_first, #doc.rows)
    for _, r in ipairs(doc.rows) do
      assert.equal(STORY.services[r.service].log_lines, r.log_lines)
      if STORY.services[r.service].root_spans == 0 then assert.equal(json.null, r.slowest_trace_id) end
    end
    out = assert(run{ "services", "--format", "ndjson" })
    local n = 0
    for line in out:gmatch("[^\n]+") do
      n = n + 1
      assert.equal(STORY.worst_first[n], json.decode(line).service)
    end
    assert.equal(#STORY.worst_first, n)
    out = assert(run{ "services", "--format", "csv", "--compare", "1h" })
    assert.matches("^service,log_lines,error_lines,", out)
    assert.matches("\n" .. STORY.worst_service:gsub("%-", "%%-") .. ",", out)
    assert.matches("previous_error_rate", out)
  end)

  it("exits 2 on a bad option and 4 when OpenSearch and Prometheus are both down", function()
    local _, err, status = run{ "services", "--bogus" }
    assert.equal(2, status)
    assert.matches("unknown option", err)
    _, err, status = run({ "services" }, { OTEL_OPENSEARCH_URL = "http://127.0.0.1:9", OTEL_PROMETHEUS_URL = "http://127.0.0.1:9" })
    assert.equal(4, status, err)
    assert.equal(1, select(2, err:gsub("\n", "")))
  end)
end)
