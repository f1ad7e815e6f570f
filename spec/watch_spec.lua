-- `tinkr watch` against the real stack: --once as a gate on the pinned
-- sample data; a live watcher whose alert goes pending -> firing -> error
-- (backend down, through a real TCP proxy) -> recovered -> resolved while
-- a real webhook receiver, an exec hook and the ndjson hook see it; SIGHUP
-- with a broken file, then a good one; SIGTERM during a hook.
local helpers = require "helpers"
local process = require "support.process"
local server = require "support.server"
local core = require "tinkr.core"

local json = core.json
local q = helpers.shell_quote

local function write(path, text)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
end

local function events_of(text, want_state)
  local out = {}
  for line in text:gmatch("[^\n]+") do
    local e = json.decode(line)
    if type(e) == "table" and e.state and (not want_state or e.state == want_state) then out[#out + 1] = e end
  end
  return out
end

describe("tinkr watch", function()
  local stack
  setup(function() stack = require("support.stack").get() end)

  describe("--once (a gate, on the pinned sample data)", function()
    local rules
    setup(function()
      rules = helpers.write_temp([[
return {
  { name = "errors in the last hour", query = { logs = { level = "ERROR", since = "1h" } },
    condition = "> 0", ["for"] = "10m", labels = { team = "ops" }, hooks = { { ndjson = true } } },
  { name = "absurd request rate", query = { metrics = "sum(rate(http_server_request_duration_seconds_count[5m]))" },
    condition = "> 1e9", hooks = { { ndjson = true } } },
}
]], ".lua")
    end)
    teardown(function() os.remove(rules) end)

    local env = function() return { OTEL_OPENSEARCH_URL = stack.opensearch, OTEL_PROMETHEUS_URL = stack.prometheus } end

    it("exits 1 when a rule fires ('for' does not wait), with an event a human can act on", function()
      local out, err, status = helpers.tinkr({ "watch", "--once", "--now", stack.now, rules }, { env = env() })
      assert.are.equal(1, status, err)
      local firing = events_of(out, "firing")
      assert.are.equal(1, #firing, out)
      local e = firing[1]
      assert.are.equal("errors in the last hour", e.rule)
      assert.are.equal("ops", e.labels.team)
      assert.is_true(e.value > 0)
      assert.matches('"ERROR"', e.queries[1].body)
      assert.are.equal("tinkr logs --level ERROR --since 1h --now 2026-11-26T12:00:00.000Z", e.command)
      -- The pasted command finds what the rule saw.
      local words = {}
      for w in e.command:gmatch("%S+") do words[#words + 1] = w end
      table.remove(words, 1)
      table.insert(words, "--limit"); table.insert(words, "0"); table.insert(words, "--format"); table.insert(words, "ndjson")
      local lines, _, st = helpers.tinkr(words, { env = env() })
      assert.are.equal(0, st)
      local n = 0
      for _ in lines:gmatch("[^\n]+") do n = n + 1 end
      assert.are.equal(e.value, n)
      assert.matches("rule 'errors in the last hour' firing", err)
    end)

    it("exits 0 when none fires; a broken rule file is a config error naming the file and key", function()
      local calm = helpers.write_temp([[return { name = "calm", query = { metrics = "vector(1)" }, condition = "> 5" }]], ".lua")
      local out, err, status = helpers.tinkr({ "watch", "--once", "--now", stack.now, calm }, { env = env() })
      assert.are.equal(0, status, err)
      assert.are.equal("", out)
      write(calm, [[return { name = "bad", query = { logs = {} }, conditon = "> 5" }]])
      out, err, status = helpers.tinkr({ "watch", "--once", calm }, { env = env() })
      assert.are.equal(3, status)
      assert.matches("unknown key 'conditon'", err)
      assert.matches(calm, err, 1, true)
      os.remove(calm)
    end)

    it("a backend that is down is an error status, not a crash and not a pass", function()
      local out, err, status = helpers.tinkr({ "watch", "--once", "--now", stack.now, rules },
        { env = { OTEL_OPENSEARCH_URL = "http://127.0.0.1:9", OTEL_PROMETHEUS_URL = stack.prometheus } })
      assert.are.equal(4, status, err)
      assert.are.equal(1, #events_of(out, "error"))
      assert.matches("connect", err)
    end)
  end)

  describe("a live watcher", function()
    local index, dir, proxy, receiver, watcher

    local function index_error_doc()
      local body = json.encode{ ["@timestamp"] = core.iso_format(core.now_ns()), severity = "ERROR",
        body = "watch spec error", resource = { service = { name = "watch-spec" } } }
      local res = assert(core.http.request{ method = "POST", url = stack.opensearch .. "/" .. index .. "/_doc?refresh=true",
        headers = { ["Content-Type"] = "application/json" }, body = body })
      assert(res.status < 300, res.body)
    end

    local function delete_docs()
      local res = assert(core.http.request{ method = "POST",
        url = stack.opensearch .. "/" .. index .. "/_delete_by_query?refresh=true",
        headers = { ["Content-Type"] = "application/json" }, body = '{"query":{"match_all":{}}}' })
      assert(res.status < 300, res.body)
    end

    local function rules_text(description)
      return ([[
return {
  name = "watch spec errors",
  description = %q,
  interval = "300ms",
  query = { logs = { level = "ERROR", since = "1h" } },
  condition = "> 0",
  ["for"] = "600ms",
  labels = { severity = "page" },
  hooks = {
    { ndjson = true },
    { webhook = %q, payload = "alertmanager", retries = 2, backoff = "100ms", timeout = "2s", on = { "firing", "resolved" } },
    { exec = { "sh", "-c", "cat >> %s/exec-events; echo boom >&2; exit 3" }, on = { "firing" } },
    { exec = { "sh", "-c", "sleep 1; cat > %s/resolved-hook-done" }, timeout = "5s", on = { "resolved" } },
  },
}
]]):format(description, "http://127.0.0.1:" .. receiver.port .. "/api/v2/alerts", dir, dir)
    end

    setup(function()
      index = ("tinkr-watch-%d-%d"):format(os.time(), math.random(1e6))
      local res = assert(core.http.request{ method = "PUT", url = stack.opensearch .. "/" .. index,
        headers = { ["Content-Type"] = "application/json" },
        body = json.encode{ settings = { number_of_replicas = 0 }, mappings = { properties = {
          ["@timestamp"] = { type = "date" }, severity = { type = "keyword" }, body = { type = "text" },
          resource = { properties = { service = { properties = { name = { type = "keyword" } } } } } } } } })
      assert(res.status < 300, res.body)
      dir = os.tmpname()
      os.remove(dir)
      os.execute("mkdir -p " .. q(dir))
      receiver = process.start({ "python3", helpers.root .. "/spec/support/webhook_receiver.py",
        "--out", dir .. "/received", "--fail-first", "1" })
      assert(receiver:wait_for(function(p) return p:output():match("^%d+") end, 10), receiver:errors())
      receiver.port = tonumber(receiver:output():match("^(%d+)"))
      proxy = server.proxy(stack.opensearch)
    end)

    teardown(function()
      if watcher then watcher:cleanup() end
      if receiver then receiver:cleanup() end
      if proxy then proxy:stop() end
      if dir then os.execute("rm -rf " .. q(dir)) end
      if index then core.http.request{ method = "DELETE", url = stack.opensearch .. "/" .. index } end
    end)

    it("follows an alert's life, survives a backend outage, reloads on SIGHUP, stops on SIGTERM after its hook", function()
      local rules = dir .. "/rules.lua"
      write(rules, rules_text("first"))
      watcher = process.start({ helpers.tinkr_bin(), "watch", rules }, { env = {
        OTEL_OPENSEARCH_URL = proxy.url, OTEL_LOG_INDEX = index, TINKR_LAYOUT = "seed",
        ASAN_OPTIONS = os.getenv("ASAN_OPTIONS") or "" } })
      local function count(state) return #events_of(watcher:output(), state) end
      local function wait_state(state, n, secs)
        return watcher:wait_for(function() return count(state) >= (n or 1) end, secs or 15)
      end
      assert.is_true(watcher:wait_for(function(p) return p:errors():find("watching 1 rule") end, 15), watcher:errors())
      os.execute("sleep 0.7")
      assert.are.equal(0, #events_of(watcher:output()))          -- inactive: nothing to say

      index_error_doc()
      assert.is_true(wait_state("firing"), watcher:output() .. watcher:errors())
      local states = {}
      for _, e in ipairs(events_of(watcher:output())) do states[#states + 1] = e.state end
      assert.are.same({ "pending", "firing" }, states)
      -- the webhook: first attempt refused (500), the retry delivered an Alertmanager alert list
      -- a whole line: the file exists before its first line is written
      assert.is_true(receiver:wait_for(function() return (helpers.read_file(dir .. "/received") or ""):find("\n") end, 10))
      local got = json.decode(helpers.read_file(dir .. "/received"):match("[^\n]+"))
      local alerts = json.decode(got.body)
      assert.are.equal("watch spec errors", alerts[1].labels.alertname)
      assert.are.equal("page", alerts[1].labels.severity)
      assert.is_nil(alerts[1].endsAt)
      assert.matches("^tinkr logs %-%-level ERROR %-%-since 1h", alerts[1].annotations.command)
      assert.matches("attempt 1 of 3 failed: HTTP 500", watcher:errors())
      -- the exec hook (it runs after the webhook) got the event on stdin;
      -- its failure was logged, not fatal
      assert.is_true(watcher:wait_for(function() return (helpers.read_file(dir .. "/exec-events") or ""):find("\n") ~= nil end, 10))
      assert.are.equal("firing", json.decode(helpers.read_file(dir .. "/exec-events"):match("[^\n]+")).state)
      assert.is_true(watcher:wait_for(function(p) return p:errors():find("exit 3: boom", 1, true) end, 5), watcher:errors())

      -- OpenSearch goes away: one error event, the alert stays firing
      local port = proxy.port
      proxy:stop()
      assert.is_true(wait_state("error"), watcher:errors())
      os.execute("sleep 1.2")                                     -- several more failing evaluations
      assert.are.equal(1, count("error"))
      assert.are.equal(0, count("resolved"))
      proxy = server.proxy(stack.opensearch, { port = port })
      assert.is_true(wait_state("recovered"), watcher:errors())
      os.execute("sleep 0.7")
      assert.are.equal(1, count("firing"))                        -- no second firing
      assert.are.equal(0, count("resolved"))

      -- SIGHUP: a broken file keeps the running rule; a good one is taken
      write(rules, "return { name = ")
      watcher:signal("HUP")
      assert.is_true(watcher:wait_for(function(p) return p:errors():find("reload failed, still running the 1 previous rule", 1, true) end, 5), watcher:errors())
      write(rules, rules_text("second"))
      watcher:signal("HUP")
      assert.is_true(watcher:wait_for(function(p) return p:errors():find("SIGHUP: reloaded 1 rule", 1, true) end, 5), watcher:errors())

      -- resolved, then SIGTERM while the resolved exec hook (1 s) runs
      delete_docs()
      assert.is_true(wait_state("resolved"), watcher:errors())
      watcher:signal("TERM")
      assert.are.equal(0, watcher:wait(15), watcher:errors())
      assert.is_not_nil(helpers.read_file(dir .. "/resolved-hook-done"), "the hook in flight was cut short")
      local resolved = events_of(watcher:output(), "resolved")[1]
      assert.are.equal("second", resolved.description)
      assert.are.equal(0, resolved.value)
      assert.is_true(receiver:wait_for(function()
        local text = helpers.read_file(dir .. "/received") or ""
        return text:find("endsAt", 1, true) ~= nil
      end, 5))
    end)
  end)
end)

describe("tinkr.watch.step (the alert life)", function()
  local watch = require "tinkr.watch"
  local rules = require "tinkr.watch.rules"
  local rule = rules.check{ name = "r", query = { metrics = "up" }, condition = "> 5", ["for"] = "10s" }
  local function states(events)
    local s = {}
    for i, e in ipairs(events) do s[i] = e.state end
    return table.concat(s, ",")
  end

  it("a flapping value never fires: pending falls back to inactive without an event", function()
    local alert = { state = "inactive" }
    assert.are.equal("pending", states(watch.step(rule, alert, 9, nil, nil, { now = 0 })))
    assert.are.equal("", states(watch.step(rule, alert, 1, nil, nil, { now = 5 })))
    assert.are.equal("inactive", alert.state)
    assert.are.equal("pending", states(watch.step(rule, alert, 9, nil, nil, { now = 6 })))
    assert.are.equal("", states(watch.step(rule, alert, 9, nil, nil, { now = 15 })))   -- 9 s: still pending
    assert.are.equal("firing", states(watch.step(rule, alert, 9, nil, nil, { now = 16 })))
    assert.are.equal("", states(watch.step(rule, alert, 9, nil, nil, { now = 30 })))
    assert.are.equal("resolved", states(watch.step(rule, alert, 2, nil, nil, { now = 31 })))
  end)

  it("an error is reported once, keeps a firing alert firing, and recovery is reported", function()
    local alert = { state = "inactive" }
    watch.step(rule, alert, 9, nil, nil, { now = 0, ignore_for = true })
    assert.are.equal("firing", alert.state)
    local err = { code = "connect", message = "down" }
    assert.are.equal("error", states(watch.step(rule, alert, nil, nil, err, { now = 1 })))
    assert.are.equal("", states(watch.step(rule, alert, nil, nil, err, { now = 2 })))
    assert.are.equal("firing", alert.state)
    assert.are.equal("recovered", states(watch.step(rule, alert, 9, nil, nil, { now = 3 })))
    assert.are.equal("recovered,resolved", states(watch.step(rule, alert, nil, nil, err, { now = 4 }) and
      watch.step(rule, alert, 1, nil, nil, { now = 5 })))
  end)

  it("rejects what a rule cannot mean, naming the key", function()
    for raw, msg in pairs{
      [{ name = "x", query = { logs = {} }, interval = "soon" }] = "interval",
      [{ name = "x", query = { logs = {}, metrics = "up" } }] = "give one of",
      [{ name = "x", query = { logs = {} }, hooks = { { webhook = "ftp://x" } } }] = "http",
      [{ name = "x", query = { logs = {} }, hooks = { { exec = { "a" }, on = "exploded" } } }] = "exploded",
      [{ name = "x", query = { logs = {} }, condition = "about 5" }] = "operator",
    } do
      local ok, err = pcall(rules.check, raw)
      assert.is_false(ok)
      assert.matches(msg, err)
    end
  end)
end)
