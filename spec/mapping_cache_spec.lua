-- The mapping cache: a command against OpenSearch asks once (its search)
-- when the fields of its index pattern were learned by an earlier run, and
-- asks again when what it remembered turns out stale.  Requests are
-- counted by a recording proxy (spec/support/recording_proxy.py) in front
-- of the real OpenSearch of the sample stack: every request reaches the
-- real server; the proxy only writes down "METHOD PATH".
local helpers = require "helpers"
local stack = require("support.stack").get()
local core = require "tinkr.core"
local disk_cache = require "tinkr.disk_cache"

local json = core.json
local q = helpers.shell_quote
local E = stack.expected

local Proxy = {}
Proxy.__index = Proxy

local function start_proxy(upstream)
  local pidfile, log = os.tmpname(), os.tmpname()
  local cmd = table.concat({ "exec env -u LD_PRELOAD python3", q(helpers.root .. "/spec/support/recording_proxy.py"),
    "--upstream", q(upstream), "--log", q(log), "--pidfile", q(pidfile) }, " ")
  local self = setmetatable({ log = log, pidfile = pidfile }, Proxy)
  self.proc = assert(io.popen(cmd, "r"))
  local line = self.proc:read("l")
  self.port = tonumber(line and line:match("^(%d+)$"))
  self.pid = tonumber((helpers.read_file(pidfile) or ""):match("^(%d+)"))
  assert(self.port and self.pid, "recording proxy did not start: " .. tostring(line))
  return self
end

-- The requests recorded since the last call, as "METHOD PATH" (query cut).
function Proxy:take()
  local text = helpers.read_file(self.log) or ""
  local f = assert(io.open(self.log, "w")); f:close()
  local out = {}
  for line in text:gmatch("[^\n]+") do out[#out + 1] = (line:gsub("%?.*$", "")) end
  return out
end

function Proxy:stop()
  if self.pid then os.execute("kill -TERM " .. self.pid .. " 2>/dev/null") end
  if self.proc then self.proc:close() end
  os.remove(self.log)
  os.remove(self.pidfile)
end

describe("the mapping cache (requests counted by a recording proxy before the real OpenSearch)", function()
  local proxy, cache_dir, url
  setup(function()
    proxy = start_proxy(stack.opensearch)
    -- credentials in the URL (ignored by the unsecured stack) must not reach the cache
    url = ("http://tinkr:s3cret-pw@127.0.0.1:%d"):format(proxy.port)
  end)
  teardown(function() proxy:stop() end)
  before_each(function()
    cache_dir = os.tmpname()
    os.remove(cache_dir)
    proxy:take()
  end)
  after_each(function() os.execute("rm -rf " .. q(cache_dir)) end)

  local function tinkr(args, extra)
    local env = { OTEL_OPENSEARCH_URL = url, TINKR_NOW = stack.now, TINKR_CACHE_DIR = cache_dir,
      XDG_CONFIG_HOME = "/nonexistent", OTEL_LOG_INDEX = "ss4o_logs-*", OTEL_TRACE_INDEX = "ss4o_traces-*" }
    for k, v in pairs(extra or {}) do env[k] = v end
    return helpers.tinkr(args, { env = env })
  end

  local function cache()
    return disk_cache.open("mapping", { dir = cache_dir, ttl = 300 })
  end
  local function key(pattern)
    return disk_cache.key(url, "mapping", pattern)
  end

  local LOGS = { "logs", "--since", "6h", "--limit", "50", "--format", "ndjson" }

  -- NDJSON lines as tables (the order of keys past the first few is not fixed)
  local function rows_of(text)
    local rows = {}
    for line in text:gmatch("[^\n]+") do rows[#rows + 1] = assert(json.decode(line)) end
    return rows
  end

  it("the first run asks twice (_mapping, _search), the next once, with the same answer", function()
    local out1, err1, s1 = tinkr(LOGS)
    assert.equal(0, s1, err1)
    assert.same({ "GET /ss4o_logs-*/_mapping", "POST /ss4o_logs-*/_search" }, proxy:take())
    local out2, err2, s2 = tinkr(LOGS)
    assert.equal(0, s2, err2)
    assert.same({ "POST /ss4o_logs-*/_search" }, proxy:take())
    assert.same(rows_of(out1), rows_of(out2))
    assert.equal(50, #rows_of(out2))
    -- traces too, and the default pattern (otel-logs-*, nothing configured)
    assert.equal(0, select(3, tinkr{ "traces", "--since", "6h", "--limit", "3", "--format", "json" }))
    assert.equal(2, #proxy:take())
    local out, err, status = tinkr{ "traces", "--since", "6h", "--limit", "3", "--format", "json" }
    assert.equal(0, status, err)
    assert.same({ "POST /ss4o_traces-*/_search" }, proxy:take())
    assert.equal(E.traces.slowest_root.trace_id, json.decode(out).rows[1].trace_id)
    assert.equal(0, select(3, tinkr(LOGS, { OTEL_LOG_INDEX = "" })))
    assert.same({ "GET /otel-logs-*/_mapping", "POST /otel-logs-*/_search" }, proxy:take())
    assert.equal(0, select(3, tinkr(LOGS, { OTEL_LOG_INDEX = "" })))
    assert.same({ "POST /otel-logs-*/_search" }, proxy:take())
  end)

  it("keeps its files private and free of credentials", function()
    assert.equal(0, select(3, tinkr(LOGS)))
    assert.equal(tonumber("700", 8), core.file_mode(cache_dir))
    local p = assert(io.popen("ls -A " .. q(cache_dir)))
    local n = 0
    for name in p:lines() do
      n = n + 1
      local path = cache_dir .. "/" .. name
      assert.equal(tonumber("600", 8), core.file_mode(path), name)
      local text = helpers.read_file(path)
      assert.is_nil(text:find("s3cret", 1, true), name)
      assert.is_nil(text:find(tostring(proxy.port), 1, true), name .. " names no URL")
    end
    p:close()
    assert.is_true(n >= 1)
    assert.is_table(cache():get(key("ss4o_logs-*")))
  end)

  it("TINKR_MAPPING_CACHE_TTL=0 or the profile key mapping_cache_ttl = 0 turns it off", function()
    for _ = 1, 2 do
      assert.equal(0, select(3, tinkr(LOGS, { TINKR_MAPPING_CACHE_TTL = "0" })))
      assert.equal(2, #proxy:take())
    end
    local dir = os.tmpname()
    os.remove(dir)
    assert(core.mkdir_p(dir .. "/tinkr"))
    local f = assert(io.open(dir .. "/tinkr/config.toml", "w"))
    f:write('[profiles.nocache]\nmapping_cache_ttl = 0\n')
    f:close()
    for _ = 1, 2 do
      assert.equal(0, select(3, tinkr({ "logs", "--profile", "nocache", "--since", "6h", "--limit", "5" }, { XDG_CONFIG_HOME = dir })))
      assert.equal(2, #proxy:take())
    end
    os.execute("rm -rf " .. q(dir))
    local _, err, status = tinkr(LOGS, { TINKR_MAPPING_CACHE_TTL = "soon" })
    assert.equal(3, status)
    assert.matches("TINKR_MAPPING_CACHE_TTL=\"soon\": must be whole seconds from 0", err)
  end)

  it("a field the cached mapping lacks: asks for the mapping again and answers right", function()
    local want = select(1, tinkr(LOGS))
    proxy:take()
    local fields = cache():get(key("ss4o_logs-*"))
    assert.is_table(fields["@timestamp"])
    fields["@timestamp"] = nil           -- as if cached before the field existed
    assert(cache():put(key("ss4o_logs-*"), fields))
    local out, err, status = tinkr(LOGS)
    assert.equal(0, status, err)
    assert.same(rows_of(want), rows_of(out))
    assert.same({ "GET /ss4o_logs-*/_mapping", "POST /ss4o_logs-*/_search" }, proxy:take())
    assert.is_table(cache():get(key("ss4o_logs-*"))["@timestamp"], "the cache holds the fresh fields")
    assert.equal(0, select(3, tinkr(LOGS)))
    assert.equal(1, #proxy:take())
  end)

  it("a search OpenSearch rejects on a cached field is run again with fresh fields", function()
    local args = { "traces", "--since", "6h", "--limit", "3", "--format", "json" }
    local want = json.decode((tinkr(args))).rows
    proxy:take()
    -- the seed layout's span fields (a `duration` field to sort on) cached
    -- for the ss4o spans, which have none: OpenSearch answers 400
    assert.equal(0, select(3, tinkr(args, { OTEL_TRACE_INDEX = "otel-traces-*" })))
    assert(cache():put(key("ss4o_traces-*"), cache():get(key("otel-traces-*"))))
    proxy:take()
    local out, err, status = tinkr(args)
    assert.equal(0, status, err)
    local doc = json.decode(out)
    assert.equal("ss4o", doc.meta.layout)
    assert.same(want, doc.rows)
    assert.same({ "POST /ss4o_traces-*/_search", "GET /ss4o_traces-*/_mapping", "POST /ss4o_traces-*/_search" },
      proxy:take())
    assert.equal(0, select(3, tinkr(args)))
    assert.equal(1, #proxy:take())
  end)

  it("hits that do not look like the cached layout: asked again before anything is printed", function()
    local want = select(1, tinkr(LOGS))
    proxy:take()
    -- fields that make the ss4o logs look like the ECS layout (message in
    -- Body.value, which these documents lack)
    local fields = cache():get(key("ss4o_logs-*"))
    fields["severity.text"] = nil
    fields["SeverityText"] = { type = "keyword" }
    fields["Attributes.service.name"] = { type = "keyword" }
    assert(cache():put(key("ss4o_logs-*"), fields))
    local out, err, status = tinkr(LOGS)
    assert.equal(0, status, err)
    assert.same(rows_of(want), rows_of(out))
    assert.same({ "POST /ss4o_logs-*/_search", "GET /ss4o_logs-*/_mapping", "POST /ss4o_logs-*/_search" }, proxy:take())
  end)

  it("no hits from cached fields: checks the mapping once, keeps a cache that was right", function()
    local args = { "logs", "--since", "6h", "--service", "no-such-service", "--format", "json" }
    assert.equal(1, select(3, tinkr(args)))
    proxy:take()
    local _, err, status = tinkr(args)
    assert.equal(1, status, err)
    local asked = proxy:take()
    assert.equal("POST /ss4o_logs-*/_search", asked[1])
    assert.equal(1, #(function() local t = {}; for _, a in ipairs(asked) do if a:find("_mapping") then t[#t + 1] = a end end; return t end)())
    assert.is_table(cache():get(key("ss4o_logs-*")), "still cached")
  end)
end)
