-- tinkr.disk_cache and core.mkdir_p / core.write_private: private, atomic,
-- keyed entries with a TTL that shrug off damaged or foreign files and
-- never hold credentials.
local helpers = require "helpers"
local core = require "tinkr.core"
local disk_cache = require "tinkr.disk_cache"

local q = helpers.shell_quote

local function tmpdir()
  local d = os.tmpname()
  os.remove(d)
  return d
end

local function listing(dir)
  local names = {}
  local p = assert(io.popen("ls -A " .. q(dir) .. " 2>/dev/null"))
  for line in p:lines() do names[#names + 1] = line end
  p:close()
  return names
end

local function write(path, text)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
end

describe("core.mkdir_p", function()
  it("makes every missing directory with the mode, like mkdir -p without a shell", function()
    local base = tmpdir()
    assert.is_true(core.mkdir_p(base .. "/a//b/c"))
    assert.equal(tonumber("700", 8), core.file_mode(base .. "/a/b/c"))
    assert.equal(tonumber("700", 8), core.file_mode(base .. "/a"))
    assert.is_true(core.mkdir_p(base .. "/a/b/c"), "an existing directory is fine")
    assert.is_true(core.mkdir_p(base .. "/m", tonumber("750", 8)))
    assert.equal(tonumber("750", 8), core.file_mode(base .. "/m") & tonumber("750", 8))
    -- shell syntax in the name is just a name
    local odd = base .. "/it's $(touch " .. base .. "/pwned) `x`; y"
    assert.is_true(core.mkdir_p(odd))
    assert.equal(tonumber("700", 8), core.file_mode(odd))
    assert.is_nil(core.file_mode(base .. "/pwned"))
    os.execute("rm -rf " .. q(base))
  end)

  it("says why it could not, and refuses a NUL byte", function()
    local base = tmpdir()
    assert.is_true(core.mkdir_p(base))
    write(base .. "/file", "x")
    local ok, err = core.mkdir_p(base .. "/file/sub")
    assert.is_nil(ok)
    assert.matches("cannot create directory .*/file/sub: Not a directory", err)
    assert.has_error(function() core.mkdir_p(base .. "\0x") end)
    os.execute("rm -rf " .. q(base))
  end)
end)

describe("core.write_private", function()
  it("replaces a file whole, mode 0600, leaving no temporary behind", function()
    local base = tmpdir()
    assert.is_true(core.mkdir_p(base))
    local path = base .. "/f.json"
    write(path, "old")
    os.execute("chmod 644 " .. q(path))
    assert.is_true(core.write_private(path, "new\0bytes"))
    assert.equal("new\0bytes", helpers.read_file(path))
    assert.equal(tonumber("600", 8), core.file_mode(path))
    assert.same({ "f.json" }, listing(base))
    local ok, err = core.write_private(base .. "/missing/f", "x")
    assert.is_nil(ok)
    assert.matches("No such file or directory", err)
    assert.same({ "f.json" }, listing(base))
    os.execute("rm -rf " .. q(base))
  end)
end)

describe("tinkr.disk_cache", function()
  local dir, clock
  local function open(ttl) return disk_cache.open("test", { dir = dir, ttl = ttl or 300, now = function() return clock end }) end
  before_each(function()
    dir = tmpdir() .. "/nested/tinkr"
    clock = 1700000000
  end)
  after_each(function() os.execute("rm -rf " .. q(dir:match("^(.*)/nested/tinkr$"))) end)

  it("keeps an entry per key in a 0700 directory, each file 0600", function()
    local c = open()
    local k1, k2 = disk_cache.key("http://a:9200", "x"), disk_cache.key("http://a:9200", "y")
    assert.is_nil(c:get(k1))
    assert.is_true(c:put(k1, { fields = { "a", "b" }, n = 1 }))
    assert.is_true(c:put(k2, "second"))
    assert.same({ fields = { "a", "b" }, n = 1 }, c:get(k1))
    assert.equal("second", c:get(k2))
    assert.equal(tonumber("700", 8), core.file_mode(dir))
    local files = listing(dir)
    assert.equal(2, #files)
    for _, name in ipairs(files) do
      assert.matches("^test%-%x+%.json$", name)
      assert.equal(tonumber("600", 8), core.file_mode(dir .. "/" .. name))
    end
    c:forget(k1)
    assert.is_nil(c:get(k1))
    assert.equal("second", c:get(k2))
  end)

  it("forgets entries older than the TTL (and ones stamped in the future)", function()
    local c = open(300)
    local k = disk_cache.key("http://a:9200")
    c:put(k, 1)
    clock = clock + 299
    assert.equal(1, c:get(k))
    clock = clock + 1
    assert.is_nil(c:get(k))
    clock = clock - 10000                -- the clock went back: the entry is from the future
    assert.is_nil(c:get(k))
  end)

  it("with a TTL of 0 keeps and finds nothing", function()
    local c = open(0)
    local k = disk_cache.key("http://a:9200")
    assert.is_nil((c:put(k, 1)))
    assert.is_nil(c:get(k))
    assert.same({}, listing(dir))
  end)

  it("reads a damaged, foreign or oversized file as absent, and rewrites it", function()
    local c = open()
    local k = disk_cache.key("http://a:9200")
    local path = c:path(k)
    c:put(k, "good")
    for _, junk in ipairs{ "", "{", "not json", "[1,2]", '{"at":1,"value":2}', '{"tinkr_cache":1,"at":"x","value":1}',
        '{"tinkr_cache":99,"at":1700000000,"value":1}', '{"tinkr_cache":1,"at":1700000000}',
        '{"tinkr_cache":1,"at":1700000000,"value":"' .. ("x"):rep(disk_cache.MAX_BYTES) .. '"}' } do
      write(path, junk)
      assert.is_nil(c:get(k), junk:sub(1, 40))
    end
    assert.is_true(c:put(k, "again"))
    assert.equal("again", c:get(k))
  end)

  it("keys by the URL without its credentials, and writes none", function()
    local c = open()
    local with = disk_cache.key("https://admin:s3cret-pw@search.example:9200", "logs-*")
    assert.equal(disk_cache.key("https://search.example:9200", "logs-*"), with)
    assert.not_equal(disk_cache.key("https://search.example:9200", "traces-*"), with)
    assert.matches("^%x+$", with)
    c:put(with, { pattern = "logs-*" })
    for _, name in ipairs(listing(dir)) do
      local text = helpers.read_file(dir .. "/" .. name)
      assert.is_nil(text:find("s3cret", 1, true))
      assert.is_nil(text:find("admin", 1, true))
      assert.is_nil(name:find("example", 1, true))
    end
    assert.has_error(function() c:get("../../etc/passwd") end)
  end)

  it("never creates a HOME that does not exist (Debian's /nonexistent), nor the REPL's history there", function()
    local home = tmpdir() .. "-nohome"
    local env = "env -u XDG_CACHE_HOME -u TINKR_CACHE_DIR -u XDG_STATE_HOME HOME=" .. q(home) .. " "
    local out, err, status = helpers.run(env .. q(helpers.tinkr_bin()) .. " -e " .. q([[
      local dc = require "tinkr.disk_cache"
      local c = dc.open("test", { ttl = 300 })
      print(tostring(dc.dir()), tostring(c:put(dc.key("http://a:9200"), 1)))
    ]]))
    assert.equal(0, status, err)
    assert.matches("^nil%s", out)
    -- the REPL on a terminal keeps its history under HOME when XDG_STATE_HOME is unset
    local r = require("support.pty").run({ { expect = "tinkr> " }, { send = "1+1\r" }, { expect = "2" },
      { expect = "tinkr> " }, { send = "\4" } }, { HOME = home, XDG_STATE_HOME = "", NO_COLOR = "1" })
    assert.is_nil(r.failed_expect, r.output)
    assert.is_nil(core.file_mode(home), home .. " was created")
  end)

  it("a concurrent writer never leaves a reader half a file", function()
    local c = open()
    local k = disk_cache.key("http://a:9200")
    assert.is_true(c:put(k, ("x"):rep(200000)))
    -- another process rewrites the entry 30 times while we read it
    local writer = assert(io.popen(table.concat({ "exec", q(helpers.tinkr_bin()), "-e", q(([[
      local c = require("tinkr.disk_cache").open("test", { dir = %q, ttl = 300, now = function() return 1700000000 end })
      for i = 1, 30 do assert(c:put(%q, string.rep(i %% 2 == 0 and "y" or "z", 200000))) end
    ]]):format(dir, k)) }, " "), "r"))
    for _ = 1, 200 do
      local v = c:get(k)
      assert.is_string(v, "the entry is always there, old or new")
      assert.equal(200000, #v)
    end
    writer:close()
    assert.equal(1, #listing(dir), "no temporary left behind")
  end)

  it("gives the same interface in memory, for a process that keeps its own", function()
    local c = disk_cache.open("mem", { memory = true, ttl = 10, now = function() return clock end })
    local k = disk_cache.key("http://a:9200")
    c:put(k, { 1 })
    assert.same({ 1 }, c:get(k))
    clock = clock + 10
    assert.is_nil(c:get(k))
    assert.is_nil(c.dir)
  end)
end)
