-- Profiles: named sets of settings in a TOML file, so `--profile prod`
-- picks a deployment instead of a handful of exported variables.
--
--   default_profile = "otel-prod"            # optional
--   [profiles.otel-prod]
--   backend = "otel"
--   opensearch_url = "env:OTEL_OPENSEARCH_URL"
--   prometheus_url = "http://prometheus:9090"
--
-- The file is --config, else TINKR_CONFIG, else
-- $XDG_CONFIG_HOME/tinkr/config.toml (~/.config/tinkr/config.toml).  A
-- profile takes exactly the settings of tinkr.config (SETTINGS); anything
-- else is an error, so a typo cannot silently fall back to a default.
-- "env:VAR" values stay as written here: tinkr.config reads VAR when the
-- setting is used.  Which value wins (flag, profile, environment, default)
-- is tinkr.config's business; see docs/PROFILES.md.
local config = require "tinkr.config"
local errors = require "tinkr.errors"
local toml = require "tinkr.toml"

local _M = { _VERSION = "0.1.0" }

-- Top-level keys of the file besides the [profiles.*] tables.
_M.TOP_LEVEL_KEYS = { default_profile = "string", profiles = "table" }

_M.REDACTED = "<redacted>"

local MAX_FILE_BYTES = 1024 * 1024   -- a config file, not a data set (and not /dev/zero)
local ENOENT = 2

local function config_error(msg)
  return errors.new("config", msg)
end

-- A name from the file as it may appear in a message: control characters
-- (possible in quoted TOML keys) written as escapes.
local function shown(s)
  return (tostring(s):gsub("%c", function(c) return ("\\%d"):format(c:byte()) end))
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  return keys
end

local function known_list(names)
  if #names == 0 then return "(none)" end
  local parts = {}
  for i, n in ipairs(names) do parts[i] = shown(n) end
  return table.concat(parts, ", ")
end

---------------------------------------------------------------------------
-- Redaction: what a profile value may look like on screen.

--- A URL with whatever precedes the last '@' after the scheme (user,
--- password, token) replaced.  Greedy on purpose: a raw '@' or '/' inside a
--- password must not leave part of it visible.
function _M.redact_url(url)
  local public = require("tinkr.errors").public_url(url)
  if public == url then return url end
  local scheme = url:match("^(%a[%w+.-]*://)") or ""
  return scheme .. _M.REDACTED .. "@" .. public:sub(#scheme + 1)
end

--- A setting's value for display: secrets become <redacted>, credentials
--- in URLs too; "env:VAR" references are shown as written (no value).
function _M.redact(name, value)
  if type(value) == "string" and value:sub(1, 4) == "env:" then return value end
  local spec = config.SETTINGS[name]
  if spec and spec.secret and value ~= nil then return _M.REDACTED end   -- a headers table too
  if type(value) ~= "string" then return value end
  if value:find(",", 1, true) and name:match("_url$") then     -- a node list: each URL on its own
    local parts = {}
    for item in (value .. ","):gmatch("([^,]*),") do parts[#parts + 1] = _M.redact_url(item) end
    return table.concat(parts, ",")
  end
  return _M.redact_url(value)
end

---------------------------------------------------------------------------
-- Where the file is, and reading it.

--- The config file to read: path, how it was chosen ("--config",
--- "TINKR_CONFIG" or nil for the default location).  nil when there is no
--- default location (neither XDG_CONFIG_HOME nor HOME is set).
function _M.path(config_file, getenv)
  getenv = getenv or os.getenv
  if config_file ~= nil and config_file ~= "" then return config_file, "--config" end
  local env = getenv("TINKR_CONFIG")
  if env and env ~= "" then return env, "TINKR_CONFIG" end
  local xdg = getenv("XDG_CONFIG_HOME")
  if xdg and xdg ~= "" then return xdg .. "/tinkr/config.toml" end
  local home = getenv("HOME")
  if home and home ~= "" then return home .. "/.config/tinkr/config.toml" end
  return nil
end

-- The file's text; nil, nil when a default-location file does not exist.
local function read_text(path, how)
  local f, msg, errno = io.open(path, "rb")
  if not f then
    if errno == ENOENT and not how then return nil, nil end
    local why = errno == ENOENT and "does not exist" or ("cannot be opened (%s)"):format(msg:match(": ([^:]+)$") or msg)
    return nil, config_error(("config file %s %s%s"):format(path, why, how and (" (given by %s)"):format(how) or ""))
  end
  local text, rerr = f:read(MAX_FILE_BYTES + 1)
  f:close()
  if text == nil and rerr then
    return nil, config_error(("cannot read config file %s: %s"):format(path, rerr))
  end
  text = text or ""
  if #text > MAX_FILE_BYTES then
    return nil, config_error(("config file %s is larger than %d bytes; is it the right file?"):format(path, MAX_FILE_BYTES))
  end
  return text
end

-- The TOML parser quotes the offending text (`invalid value 'abc'`); on a
-- line that sets a secret that text may be the secret, and in any URL it
-- may carry a password.  Quoted fragments are scrubbed accordingly.
local function scrub_parse_error(msg, text)
  local prefix, line_no, rest = msg:match("^(.-:(%d+):%d+: )(.*)$")
  if not prefix then prefix, rest = "", msg end
  line_no = tonumber(line_no)
  local secret_value
  if line_no then
    local n = 0
    for line in (text .. "\n"):gmatch("([^\n]*)\n") do
      n = n + 1
      if n == line_no then
        for name, spec in pairs(config.SETTINGS) do
          local after = spec.secret and line:match(name .. "[\"']?%s*=(.*)$")
          if after then secret_value = after end
        end
        break
      end
    end
  end
  local function scrub(quote, fragment)
    -- a character or three of a secret (`found 'j'`) gives nothing away
    if secret_value and #fragment > 3 and secret_value:find(fragment, 1, true) then
      fragment = _M.REDACTED
    else
      fragment = _M.redact_url(fragment)
    end
    return quote .. fragment .. quote
  end
  return prefix .. rest:gsub("(')([^']*)'", scrub):gsub('(")([^"]*)"', scrub)
end

---------------------------------------------------------------------------
-- Checking what the file says.

-- Best-effort line of `key` inside [profiles.NAME] (or a dotted
-- profiles.NAME.key), so a semantic error points where a parse error would.
local function line_of_key(text, profile, key)
  local section, n = nil, 0
  -- a key path without quotes or the blanks TOML allows around dots
  local function bare(s) return (s:gsub("[\"']", ""):gsub("%s*%.%s*", "."):match("^%s*(.-)%s*$")) end
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    local header = line:match("^%s*%[([^%[%]]+)%]")
    if header then
      section = bare(header)
    else
      local lhs = line:match("^%s*([^=]+)=")
      if lhs then
        lhs = bare(lhs)
        if (section == "profiles." .. profile and lhs == key)
          or ((section == nil or section == "") and lhs == "profiles." .. profile .. "." .. key)
          or (section == "profiles" and lhs == profile .. "." .. key) then
          return n
        end
      end
    end
  end
end

-- How a TOML value is named in messages (never the value itself: it may be
-- a secret).
local function kind_of(v)
  if toml.is_datetime(v) then return "a date-time" end
  local t = math.type(v) or type(v)
  if t == "table" then return next(v) == nil and "an empty table or array" or (v[1] ~= nil and "an array" or "a table") end
  return (t == "integer" and "an " or "a ") .. t
end

-- Edit distance, to suggest the key that was meant.
local function distance(a, b)
  local prev = {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    local cur = { [0] = i }
    for j = 1, #b do
      local cost = a:byte(i) == b:byte(j) and 0 or 1
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
    end
    prev = cur
  end
  return prev[#b]
end

local function suggestion(key, known)
  local best, best_d
  for _, k in ipairs(known) do
    local d = distance(key, k)
    if not best_d or d < best_d then best, best_d = k, d end
  end
  if best_d and best_d <= math.max(2, #key // 4) then return (" (did you mean '%s'?)"):format(best) end
  return ""
end

-- What type a setting takes in a profile, from its default.
local function setting_type(name)
  if config.SETTINGS[name].type then return config.SETTINGS[name].type end
  local default = config.SETTINGS[name].default
  if type(default) == "number" or type(default) == "boolean" then return type(default) end
  return "string"
end

local TYPE_WORDS = {
  string = "a string", number = "a number", boolean = "true or false",
  headers = "a table of header names to string values",
}

-- A headers table: { ["X-Scope-OrgID"] = "tenant" }.  Returns a message or nil.
local function check_headers(name, v)
  for k, value in pairs(v) do
    if type(k) ~= "string" or not k:match("^[%w!#$%%&'*+.^_`|~-]+$") then
      return ("%s: header name %s is not a valid HTTP header name"):format(name, shown(k))
    end
    if type(value) ~= "string" or toml.is_datetime(value) then
      return ("%s: header '%s' must be a string, got %s"):format(name, shown(k), kind_of(value))
    end
    if value:find("[%z\r\n]") then
      return ("%s: header '%s' contains a line break or NUL"):format(name, shown(k))
    end
  end
end

-- Checks one setting's value; returns an error message (without location)
-- or nil.  Messages never include the value.
local function check_value(name, v)
  local want = setting_type(name)
  if type(v) == "string" and v:sub(1, 4) == "env:" then
    if not v:match("^env:[%a_][%w_]*$") then
      return ("%s: \"env:\" must be followed by an environment variable name, e.g. \"env:%s\""):format(
        name, config.SETTINGS[name].env or "MY_VAR")
    end
    return nil
  end
  if want == "headers" then
    if type(v) ~= "table" or toml.is_datetime(v) or v[1] ~= nil then
      return ("%s must be %s (or \"env:VAR\"), got %s"):format(name, TYPE_WORDS[want], kind_of(v))
    end
    return check_headers(name, v)
  end
  if type(v) ~= want or toml.is_datetime(v) then
    return ("%s must be %s (or \"env:VAR\"), got %s"):format(name, TYPE_WORDS[want], kind_of(v))
  end
  local own_check = config.SETTINGS[name] and config.SETTINGS[name].check
  if want == "number" and not (v > 0 and v < math.huge)
      and not (own_check and own_check(v) ~= nil) then   -- its own rule may take 0 (mapping_cache_ttl)
    return ("%s must be a positive number of seconds"):format(name)
  end
  if want == "string" then
    if v == "" then return ("%s is empty; leave it out to use the environment or the default"):format(name) end
    if name:match("_url$") and not v:match("^https?://[^/]") then
      return ("%s must start with http:// or https://, e.g. %s"):format(
        name, (config.SETTINGS[name].doc or ""):match("e%.g%. (%S+)") or "http://host:port")
    end
    if name == "backend" and not config.BACKENDS[v] then
      return ("backend '%s' is not known; known backends: %s"):format(shown(v), known_list(sorted_keys(config.BACKENDS)))
    end
  end
  return nil
end

-- Checks one [profiles.NAME] table; returns a clean copy or nil, message.
local function check_profile(name, tbl, path, text)
  local where = function(key)
    local line = key and line_of_key(text, name, key)
    return line and ("%s:%d"):format(path, line) or path
  end
  if type(tbl) ~= "table" or toml.is_datetime(tbl) or (next(tbl) ~= nil and tbl[1] ~= nil) then
    return nil, ("%s: profiles.%s must be a table ([profiles.%s]), got %s"):format(
      path, shown(name), shown(name), kind_of(tbl))
  end
  local known = sorted_keys(config.SETTINGS)
  local profile = {}
  for _, key in ipairs(sorted_keys(tbl)) do
    if type(key) ~= "string" or not config.SETTINGS[key] then
      return nil, ("%s: profile '%s': unknown key '%s'%s; known keys: %s"):format(
        where(type(key) == "string" and key or nil), shown(name), shown(key), suggestion(tostring(key), known),
        table.concat(known, ", "))
    end
    local msg = check_value(key, tbl[key])
    if msg then return nil, ("%s: profile '%s': %s"):format(where(key), shown(name), msg) end
    profile[key] = tbl[key]
  end
  return profile
end

-- Checks the whole document; returns { profiles =, names =, default = }.
local function check_document(doc, path, text)
  local top = sorted_keys(_M.TOP_LEVEL_KEYS)
  for _, key in ipairs(sorted_keys(doc)) do
    local want = _M.TOP_LEVEL_KEYS[key]
    if not want then
      return nil, ("%s: unknown top-level key '%s'%s; known: %s (profiles go in [profiles.NAME] tables)"):format(
        path, shown(key), suggestion(key, top), table.concat(top, ", "))
    end
    if type(doc[key]) ~= want or toml.is_datetime(doc[key]) then
      return nil, ("%s: %s must be %s, got %s"):format(path, key, want == "table" and "a table" or "a string", kind_of(doc[key]))
    end
  end
  local file = { profiles = {}, names = {} }
  for _, name in ipairs(sorted_keys(doc.profiles or {})) do
    local p, err = check_profile(name, doc.profiles[name], path, text)
    if not p then return nil, err end
    file.profiles[name] = p
    file.names[#file.names + 1] = name
  end
  if doc.default_profile ~= nil then
    if not file.profiles[doc.default_profile] then
      return nil, ("%s: default_profile is '%s', but there is no [profiles.%s]; known profiles: %s"):format(
        path, shown(doc.default_profile), shown(doc.default_profile), known_list(file.names))
    end
    file.default = doc.default_profile
  end
  return file
end

---------------------------------------------------------------------------
-- The API.

--- profiles.load(config_file [, getenv]) -> file | nil, err | nil, nil, path
--- file = { path =, given_by = "--config"|"TINKR_CONFIG"|nil,
---          profiles = { NAME = { setting = value } }, names = { sorted },
---          default = NAME | nil }
--- A missing file at the default location is not an error (nil, nil, path).
function _M.load(config_file, getenv)
  if config_file ~= nil and type(config_file) ~= "string" then
    error(("bad argument #1 to 'load' (string expected, got %s)"):format(type(config_file)), 2)
  end
  local path, given_by = _M.path(config_file, getenv)
  if not path then return nil, nil, nil end
  local text, err = read_text(path, given_by)
  if not text then return nil, err, path end
  local doc, perr = toml.parse(text, path)
  if not doc then return nil, config_error(scrub_parse_error(perr, text)) end
  local file, cerr = check_document(doc, path, text)
  if not file then return nil, config_error(cerr) end
  file.path, file.given_by = path, given_by
  return file
end

--- profiles.select(wanted, config_file [, getenv]) -> profile, name | nil, err | nil, nil
--- wanted: the --profile / TINKR_PROFILE value (nil or "" for none); else
--- the file's default_profile.  nil, nil: no profile in use.
function _M.select(wanted, config_file, getenv)
  if wanted ~= nil and type(wanted) ~= "string" then
    error(("bad argument #1 to 'select' (string expected, got %s)"):format(type(wanted)), 2)
  end
  if wanted == "" then wanted = nil end
  local file, err, path = _M.load(config_file, getenv)
  if err then return nil, err end
  if not file then
    if not wanted then return nil, nil end
    if not path then
      return nil, config_error(("profile '%s' was asked for, but there is no config file: set --config or TINKR_CONFIG (HOME is not set)"):format(shown(wanted)))
    end
    return nil, config_error(("profile '%s' was asked for, but there is no config file: %s does not exist (create it, or use --config / TINKR_CONFIG)"):format(
      shown(wanted), path))
  end
  local name = wanted or file.default
  if not name then return nil, nil end
  local profile = file.profiles[name]
  if not profile then
    return nil, config_error(("%s has no profile '%s'; known profiles: %s"):format(
      file.path, shown(name), known_list(file.names)))
  end
  local copy = {}
  for k, v in pairs(profile) do copy[k] = v end
  return copy, name
end

return _M
