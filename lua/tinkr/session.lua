-- The process-wide setup behind `tinkr.*`: which configuration (profile,
-- overrides, environment) and which backend object serve the calls.
local config = require "tinkr.config"
local errors = require "tinkr.errors"

local _M = {}

local backend_cache = setmetatable({}, { __mode = "k" })

--- session.configure{ profile =, config_file =, overrides = {} } -> true | nil, err
--- Picks the profile (flag, else TINKR_PROFILE, else the file's default),
--- pins "now" if configured, and checks the backend name.
function _M.configure(opts)
  opts = opts or {}
  local profile, profile_name = {}, nil
  local wanted = opts.profile or os.getenv("TINKR_PROFILE")
  local has_profiles, profiles = pcall(require, "tinkr.profiles")
  if has_profiles then
    local p, name_or_err = profiles.select(wanted, opts.config_file)
    if p == nil and name_or_err then return nil, name_or_err end
    profile, profile_name = p or {}, name_or_err
  elseif wanted then
    return nil, errors.new("config", "profiles are not available in this build")
  end
  local overrides = {}
  for k, v in pairs(opts.overrides or {}) do overrides[k] = v end
  local cfg = config.new{ overrides = overrides, profile = profile, profile_name = profile_name }
  local ok, err = cfg:backend()
  if not ok then return nil, err end
  ok, err = cfg:validate()
  if not ok then return nil, err end
  local now
  now, err = cfg:get("now")
  if err then return nil, err end
  if now then
    local pinned, perr = require("tinkr.time").pin(now)
    if not pinned then return nil, errors.new("usage", "--now / TINKR_NOW: " .. perr) end
  end
  config.set(cfg)
  return true
end

--- The backend for the current configuration (created on first use).
function _M.backend()
  local cfg = config.get()
  local b = backend_cache[cfg]
  if b then return b end
  local name, err = cfg:backend()
  if not name then error(err, 0) end
  b = require("tinkr." .. name).new(cfg)
  backend_cache[cfg] = b
  return b
end

return _M
