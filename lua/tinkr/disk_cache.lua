-- Small keyed caches on disk, shared by everything that remembers what a
-- backend said (the index mappings, discovered index patterns, the metric
-- naming style, shell completion's service names).
--
--   local cache = disk_cache.open("mapping", { ttl = 300 })
--   local key = disk_cache.key(url, pattern)      -- userinfo stripped, hashed
--   local fields = cache:get(key)                 -- nil: absent, stale or unreadable
--   cache:put(key, fields)
--   cache:forget(key)
--
-- One file per entry, `<dir>/<namespace>-<hash>.json`, in a directory only
-- its owner may enter (0700, created without a shell), each file 0600 and
-- replaced atomically (temporary + rename): concurrent runs never see half
-- a file, and one entry's writer never loses another's.  A file that is not
-- ours (corrupt, truncated, another program's, too big) reads as absent and
-- is rewritten on the next put.  Keys are hashes of credential-free text,
-- and callers store only what the backend told everyone (field names,
-- index patterns), never a request's headers.
--
-- The directory: TINKR_CACHE_DIR, else $XDG_CACHE_HOME/tinkr, else
-- ~/.cache/tinkr; none of them (no HOME, or a HOME that does not exist)
-- means no cache.  `opts.memory`
-- gives the same interface in process memory (a server worker that wants
-- the TTL and key rules without touching the disk).
local core = require "tinkr.core"
local errors = require "tinkr.errors"

local json = core.json
local _M = { _VERSION = "0.1.0" }

_M.MAX_BYTES = 4 << 20         -- an entry file larger than this is not read (nor written)
_M.FUTURE_SLACK_S = 60         -- an entry stamped later than now + this is from a skewed clock: stale
local FORMAT = 1               -- bumped when the file shape changes: old files read as absent

--- The cache directory (nil when there is none: no HOME).
function _M.dir()
  local dir = os.getenv("TINKR_CACHE_DIR")
  if dir and dir ~= "" then return dir end
  local xdg, home = os.getenv("XDG_CACHE_HOME"), os.getenv("HOME")
  if xdg and xdg ~= "" then return xdg .. "/tinkr" end
  -- A HOME that does not exist (Debian's daemon users have /nonexistent)
  -- means no cache: mkdir -p would create it, as root even in /.
  if home and home ~= "" and core.file_mode(home) then return home .. "/.cache/tinkr" end
  return nil
end

-- FNV-1a, 64 bits: a file name that says nothing about what it caches.
local function fnv64(s)
  local h = 0xcbf29ce484222325            -- (wraps to a negative integer: fine)
  for i = 1, #s do h = (h ~ s:byte(i)) * 0x100000001b3 end
  return ("%016x"):format(h)
end

--- disk_cache.key(url, ...) -> 16 hex digits naming an entry: the URL with
--- any user:password@ removed, and the other parts (tostring'd), hashed.
function _M.key(url, ...)
  local parts = { tostring(errors.public_url(url)) }
  for i = 1, select("#", ...) do parts[#parts + 1] = tostring((select(i, ...))) end
  return fnv64(table.concat(parts, "\0"))
end

local Cache = {}
Cache.__index = Cache

--- disk_cache.open(namespace, opts) -> cache
--- opts.ttl: seconds an entry stays fresh (0 disables the cache: get finds
--- nothing, put keeps nothing); opts.dir: instead of _M.dir(); opts.memory:
--- keep entries in this process only; opts.now: a clock (tests).
function _M.open(namespace, opts)
  assert(type(namespace) == "string" and namespace:match("^[%w_%-]+$"),
    "bad argument #1 to 'open' (a name of letters, digits, - and _ expected)")
  opts = opts or {}
  local ttl = opts.ttl or 300
  assert(type(ttl) == "number" and ttl >= 0, "bad argument #2 to 'open' (ttl must be seconds >= 0)")
  return setmetatable({
    namespace = namespace, ttl = ttl, now = opts.now or os.time,
    dir = not opts.memory and (opts.dir or _M.dir()) or nil,
    memory = opts.memory and {} or nil,
  }, Cache)
end

function Cache:path(key)
  assert(type(key) == "string" and key:match("^[%w_%-]+$"), "bad cache key (use disk_cache.key)")
  return self.dir and (self.dir .. "/" .. self.namespace .. "-" .. key .. ".json")
end

local function fresh(entry, ttl, now)
  return type(entry) == "table" and entry.tinkr_cache == FORMAT and math.type(entry.at) == "integer"
    and entry.value ~= nil and now - entry.at < ttl and entry.at <= now + _M.FUTURE_SLACK_S
end

--- cache:get(key) -> value, stored_at | nil (absent, stale, unreadable or disabled)
function Cache:get(key)
  if self.ttl <= 0 then return nil end
  local now = self.now()
  local entry
  if self.memory then
    entry = self.memory[key]
  else
    local path = self:path(key)
    local f = path and io.open(path, "rb")
    if not f then return nil end
    local text = f:read(_M.MAX_BYTES + 1)
    f:close()
    if not text or #text > _M.MAX_BYTES then return nil end
    entry = json.decode(text)
  end
  if not fresh(entry, self.ttl, now) then return nil end
  return entry.value, entry.at
end

--- cache:put(key, value) -> true | nil, message
--- value: anything tinkr.core.json encodes.  Best effort by design: a cache
--- that cannot be written only costs round trips, so callers may ignore
--- the failure.
function Cache:put(key, value)
  if self.ttl <= 0 then return nil, "cache disabled" end
  local entry = { tinkr_cache = FORMAT, at = math.tointeger(self.now()) or os.time(), value = value }
  if self.memory then
    self.memory[key] = entry
    return true
  end
  local path = self:path(key)
  if not path then return nil, "no cache directory (set TINKR_CACHE_DIR or HOME)" end
  local ok, text = pcall(json.encode, entry)
  if not ok or type(text) ~= "string" then return nil, "cannot encode the entry: " .. tostring(text) end
  if #text > _M.MAX_BYTES then return nil, "entry too large to cache" end
  local made, merr = core.mkdir_p(self.dir, tonumber("700", 8))
  if not made then return nil, merr end
  return core.write_private(path, text)
end

--- cache:forget(key): the entry is gone (the next get finds nothing).
function Cache:forget(key)
  if self.memory then
    self.memory[key] = nil
    return true
  end
  local path = self:path(key)
  if path then os.remove(path) end
  return true
end

return _M
