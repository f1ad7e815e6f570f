-- `tinkr __complete SOURCE [--profile NAME] [--config FILE]`: the dynamic
-- values shell completion offers (the scripts from tools/completion.lua
-- call it), one per line.  Hidden: not in --help or the man pages.
--
--   recipes    recipe names (user directories included)
--   profiles   profile names of the configuration file
--   services   service names in the configured backend's logs and traces,
--              cached for CACHE_SECONDS under $XDG_CACHE_HOME/tinkr/ so a
--              Tab press does not query the cluster each time
--
-- Completion must never get in the way: errors print nothing and exit 0,
-- and a backend gets TIMEOUT seconds at most.
local args = require "tinkr.cli.args"

local _M = {}

local CACHE_SECONDS = 300
local TIMEOUT = 2
local MAX_SERVICES = 500

local function cache_dir()
  local xdg, home = os.getenv("XDG_CACHE_HOME"), os.getenv("HOME")
  if xdg and xdg ~= "" then return xdg .. "/tinkr" end
  if home and home ~= "" then return home .. "/.cache/tinkr" end
  return nil
end

-- FNV-1a, so the cache file name says nothing about the URL it caches.
local function hash(s)
  local h = 0x811c9dc5
  for i = 1, #s do h = ((h ~ s:byte(i)) * 0x01000193) & 0xffffffff end
  return ("%08x"):format(h)
end

local function read_cache(path, now)
  local f = io.open(path, "r")
  if not f then return nil end
  local stamp = tonumber(f:read("l") or "")
  local names = {}
  if stamp and now - stamp >= 0 and now - stamp < CACHE_SECONDS then
    for line in f:lines() do names[#names + 1] = line end
  else
    names = nil
  end
  f:close()
  return names
end

local function write_cache(path, now, names)
  local dir = path:match("^(.*)/[^/]*$")
  os.execute("mkdir -p '" .. dir:gsub("'", "'\\''") .. "' 2>/dev/null")
  local tmp = path .. ".tmp"
  local f = io.open(tmp, "w")
  if not f then return end
  f:write(now, "\n", table.concat(names, "\n"), #names > 0 and "\n" or "")
  f:close()
  os.rename(tmp, path)
end

-- Distinct service names of one kind ("logs" or "spans") of the backend.
local function backend_services(backend, kind, into)
  local layout = backend:layout_for(kind)
  if not layout then return end
  local ok, field = pcall(layout.resolve.field, "service")
  if not ok or type(field) ~= "string" then return end
  local doc = layout.client:json("POST", "/" .. require("tinkr.index_pattern").path(layout.pattern) .. "/_search", {
    size = 0, aggs = { s = { terms = { field = field, size = MAX_SERVICES } } },
  }, layout.pattern)
  local buckets = doc and doc.aggregations and doc.aggregations.s and doc.aggregations.s.buckets
  for _, b in ipairs(type(buckets) == "table" and buckets or {}) do
    if type(b.key) == "string" then into[b.key] = true end
  end
end

local function services(opts)
  local session = require "tinkr.session"
  local ok = session.configure{ profile = opts.profile, config_file = opts.config,
    overrides = { timeout = TIMEOUT, connect_timeout = 1 } }
  if not ok then return {} end
  local cfg = require("tinkr.config").get()
  local key = table.concat({ tostring(opts.profile or os.getenv("TINKR_PROFILE") or ""),
    tostring(cfg:get("opensearch_url")), tostring(cfg:get("log_index")), tostring(cfg:get("trace_index")) }, "\n")
  local dir = cache_dir()
  local path = dir and (dir .. "/services-" .. hash(key))
  local now = os.time()
  local cached = path and read_cache(path, now)
  if cached then return cached end
  local backend = session.backend()
  local set = {}
  for _, kind in ipairs{ "logs", "spans" } do pcall(backend_services, backend, kind, set) end
  local names = {}
  for name in pairs(set) do names[#names + 1] = name end
  table.sort(names)
  -- An unreachable backend is not cached: the next Tab tries again.
  if path and #names > 0 then write_cache(path, now, names) end
  return names
end

local SOURCES = {
  recipes = function() return require("tinkr.recipes").list() end,
  profiles = function(opts)
    local file = require("tinkr.profiles").load(opts.config)
    return file and file.names or {}
  end,
  services = services,
}

--- argv = { "__complete", SOURCE, options... } -> exit status (always 0
--- for a known source).
function _M.main(argv)
  local source = SOURCES[argv[2] or ""]
  if not source then
    io.stderr:write("tinkr: __complete wants one of: recipes, profiles, services\n")
    return 2
  end
  local opts = args.parse(argv, { profile = "value", config = "value" }, 3) or {}
  local ok, names = pcall(source, opts)
  if ok and type(names) == "table" then
    for _, n in ipairs(names) do
      -- One per line, nothing a shell would take for more than one word.
      if type(n) == "string" and not n:find("[%s%c]") then io.stdout:write(n, "\n") end
    end
  end
  return 0
end

return _M
