-- `tinkr __complete SOURCE [--profile NAME] [--config FILE]`: the dynamic
-- values shell completion offers (the scripts from tools/completion.lua
-- call it), one per line.  Hidden: not in --help or the man pages.
--
--   recipes    recipe names (user directories included)
--   profiles   profile names of the configuration file
--   services   service names in the configured backend's logs and traces,
--              cached for CACHE_SECONDS (tinkr.disk_cache) so a Tab press
--              does not query the cluster each time
--
-- Completion must never get in the way: errors print nothing and exit 0,
-- and a backend gets TIMEOUT seconds at most.
local args = require "tinkr.cli.args"

local _M = {}

local CACHE_SECONDS = 300
local TIMEOUT = 2
local MAX_SERVICES = 500

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
  local cache = require("tinkr.disk_cache").open("services", { ttl = CACHE_SECONDS })
  local key = require("tinkr.disk_cache").key(cfg:get("opensearch_url"), opts.profile or os.getenv("TINKR_PROFILE") or "",
    cfg:get("log_index"), cfg:get("trace_index"))
  local cached = cache:get(key)
  if type(cached) == "table" then return cached end
  local backend = session.backend()
  local set = {}
  for _, kind in ipairs{ "logs", "spans" } do pcall(backend_services, backend, kind, set) end
  local names = {}
  for name in pairs(set) do names[#names + 1] = name end
  table.sort(names)
  -- An unreachable backend is not cached: the next Tab tries again.
  if #names > 0 then cache:put(key, names) end
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
