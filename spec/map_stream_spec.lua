-- core.map.stream: hits mapped while the search response arrives (a tap on
-- core.http.request), then taken by map.ndjson.  Whatever the worker did,
-- the lines, meta and errors must be those of map.ndjson on the whole body.
-- Against the real OpenSearch, directly and through a proxy that trickles
-- its answer (spec/support/trickle_proxy.py), and, for bodies a real server
-- never sends, that script as a stand-in server.
local helpers = require "helpers"
local core = require "tinkr.core"
local stack = require "support.stack"
local http, map, json = core.http, core.map, core.json

local S = stack.get()
local SPEC = { fields = { timestamp = "@timestamp", message = "body", resource = "resource",
    service = "resource.service.name", level = "severity.text" },
  hit_fields = { _id = "_id" }, order = { "timestamp", "service", "level", "message" }, time_field = "timestamp" }
local function dsl(size) return ('{"size":%d,"sort":[{"@timestamp":{"order":"desc"}}]}'):format(size) end

local procs = {}
-- trickle_proxy.py with args; returns its URL
local function trickle(args)
  local p = assert(io.popen("exec env -u LD_PRELOAD python3 " .. helpers.shell_quote(helpers.root
    .. "/spec/support/trickle_proxy.py") .. " " .. args, "r"))
  local port, pid = (p:read("l") or ""):match("^(%d+) (%d+)$")
  procs[#procs + 1] = { file = p, pid = pid }
  assert(port, "trickle_proxy.py did not start")
  return "http://127.0.0.1:" .. port
end

local function search(base, size, stream, extra_headers)
  local headers = { ["content-type"] = "application/json", ["accept-encoding"] = "identity" }
  for k, v in pairs(extra_headers or {}) do headers[k] = v end
  return assert(http.request{ method = "POST", url = base .. "/ss4o_logs-*/_search", body = dsl(size),
    headers = headers, response_body = "buffer", tap = stream, timeout = 60 })
end

local function whole(body, spec)      -- the reference: no stream
  return map.ndjson(body, spec or SPEC)
end

teardown(function()
  for _, p in ipairs(procs) do
    if p.pid then os.execute("kill " .. p.pid .. " 2>/dev/null") end
    p.file:close()
  end
end)

describe("core.map.stream", function()
  local slow
  setup(function()
    slow = trickle("--target " .. S.opensearch:match("^https?://([^/]+)") .. " --piece 65536 --gap-ms 4")
  end)

  it("maps hits while a slow answer arrives, and map.ndjson takes them: same lines and meta", function()
    local st = map.stream(SPEC)
    local res = search(slow, 3000, st)
    assert.equal(200, res.status)
    assert.is_true(#res.body > 1024 * 1024)
    local text, meta = map.ndjson(res.body, SPEC, st)
    local want, want_meta = whole(res.body)
    assert.equal(want, text)
    assert.same(want_meta, meta)
    local hits, adopted = st:hits()
    assert.is_true(adopted)
    assert.is_true(hits >= 1000, "mapped while arriving: " .. hits)
  end)

  it("gives the same lines when the answer comes at full speed", function()
    for _ = 1, 3 do
      local st = map.stream(SPEC)
      local res = search(S.opensearch, 10000, st)
      assert.equal(whole(res.body), (map.ndjson(res.body, SPEC, st)))
    end
  end)

  it("does nothing for compressed or small answers, and still maps them", function()
    local st = map.stream(SPEC)
    local res = search(S.opensearch, 3000, st, { ["accept-encoding"] = "gzip" })
    assert.equal(whole(res.body), (map.ndjson(res.body, SPEC, st)))
    assert.equal(0, (st:hits()))
    st = map.stream(SPEC)
    res = search(slow, 100, st)
    assert.equal(whole(res.body), (map.ndjson(res.body, SPEC, st)))
    assert.equal(0, (st:hits()))
    -- its work could only be taken from a buffer: with a string body, no worker
    st = map.stream(SPEC)
    res = assert(http.request{ method = "POST", url = slow .. "/ss4o_logs-*/_search", body = dsl(3000),
      headers = { ["content-type"] = "application/json", ["accept-encoding"] = "identity" }, tap = st })
    assert.equal("string", type(res.body))
    assert.equal(whole(res.body), (map.ndjson(res.body, SPEC, st)))
    assert.equal(0, (st:hits()))
  end)

  it("stops cleanly when the answer is an error, or nobody maps it", function()
    local st = map.stream(SPEC)
    local res = assert(http.request{ url = slow .. "/no-such-index-xyz/_search", tap = st, response_body = "buffer" })
    assert.equal(404, res.status)
    assert.equal("string", type(res.body))
    st = map.stream(SPEC)
    res = search(slow, 3000, st)
    st, res = nil, nil
    collectgarbage()
    collectgarbage()
  end)

  it("is refused where the request could outlive it, and for another spec", function()
    local st = map.stream(SPEC)
    assert.has_error(function() http.multi():add{ url = S.opensearch, tap = st } end)
    assert.has_error(function() http.request_many{ { url = S.opensearch, tap = st } } end)
    assert.has_error(function() http.request{ url = S.opensearch, tap = {} } end)
    local res = search(S.opensearch, 10, st)
    assert.has_error(function() map.ndjson(res.body, { fields = { a = "a" } }, st) end,
      "bad argument #3 to 'ndjson' (a stream made for another spec)")
  end)
end)

describe("core.map.stream on bodies a real server never sends (trickle_proxy.py --file, a stand-in)", function()
  -- 3000 hits of about 600 bytes, in OpenSearch's layout
  local function body(opts)
    local hits = {}
    for i = 1, 3000 do
      local source = '{"@timestamp":"2026-11-26T11:00:00.' .. ("%09d"):format(i) .. 'Z","body":"line ' .. i
        .. '","severity":{"text":"INFO"},"resource":{"service.name":"svc","pad":"' .. ("x"):rep(480) .. '"}'
      if opts.decoys and i % 7 == 0 then
        source = source .. ',"nested":[{"_index":"a"},{"_index":"b","x":{"_index":1}}]'
      end
      source = source .. "}"
      local hit = '{"_index":"ss4o_logs","_id":"id' .. i .. '","_score":null,"_source":' .. source .. ',"sort":[' .. i .. ']}'
      if opts.broken_at == i then hit = hit:gsub('"line', '"li\1ne', 1) end
      if opts.not_object_at == i then hit = "42" end
      hits[i] = hit
    end
    return '{"took":1,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},'
      .. '"hits":{"total":{"value":3000,"relation":"eq"},"max_score":null,"hits":[' .. table.concat(hits, ",") .. ']}}'
  end

  local function via_stand_in(text)
    local path = os.tmpname()
    local f = assert(io.open(path, "wb"))
    f:write(text)
    f:close()
    local url = trickle("--file " .. helpers.shell_quote(path) .. " --piece 32768 --gap-ms 3")
    local st = map.stream(SPEC)
    local res = assert(http.request{ method = "POST", url = url .. "/x/_search", body = "{}", tap = st,
      response_body = "buffer", timeout = 60 })
    os.remove(path)
    local got, got_meta = map.ndjson(res.body, SPEC, st)
    return got, got_meta, text, st
  end

  it("maps decoy hit openings inside hits as one thread does", function()
    local got, meta, text, st = via_stand_in(body{ decoys = true })
    assert.equal(whole(text), got)
    assert.equal(3000, meta.hits)
    assert.is_true((st:hits()) > 0)
  end)

  it("reports bad JSON half-way, and a hit that is not an object, as one thread does", function()
    for _, opts in ipairs{ { broken_at = 2500 }, { broken_at = 40 }, { not_object_at = 2200 } } do
      local got, err, text = via_stand_in(body(opts))
      local want, want_err = whole(text)
      assert.is_nil(got)
      assert.is_nil(want)
      assert.equal(want_err, err)
    end
  end)
end)
