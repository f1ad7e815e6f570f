-- Errors a user can act on.  Failures of the world (backend down, auth,
-- bad data, bad query) are values: `nil, err` where err is one of these.
-- Misuse of the API raises with error().
--
--   err.code     short machine-readable name (see CODES)
--   err.message  one line: what happened, and what to try
--   err.detail   optional: the backend's own words (e.g. Prometheus's parse error)
--   tostring(err) == err.message
local _M = { _VERSION = "0.1.0" }

-- code -> process exit status for the CLI.  0 = data, 1 = no results
-- (only with --fail-on-empty style gates), 2 = usage; errors from 3 up.
_M.CODES = {
  usage = 2,
  config = 3,          -- missing/invalid configuration (env var, profile)
  connect = 4,         -- backend unreachable (refused, DNS, reset)
  timeout = 5,
  auth = 6,            -- 401/403
  not_found = 7,       -- index pattern matches nothing, unknown trace, unknown recipe
  bad_query = 8,       -- backend rejected the query (400, PromQL parse error)
  backend = 9,         -- backend failed (5xx, shard failures, garbage)
  tls = 10,
  too_large = 11,
  output = 12,         -- the output could not be written (a full disk)
  interrupted = 130,
}

local Error = {}
Error.__index = Error
Error.__tostring = function(e) return e.message end
_M.Error = Error

--- Text as an error may show it: one line (line breaks and tabs become
--- spaces), control characters a terminal would act on (ESC, CR, BEL ...)
--- written out as \x1b, so a backend's bytes can neither move the cursor
--- nor retitle the window.
local function one_line(s)
  if type(s) ~= "string" or not s:find("[%c\127]") then return s end
  s = s:gsub("[\r\n\t]+", " ")
  return (s:gsub("[%c\127]", function(c) return ("\\x%02x"):format(c:byte()) end))
end
_M.one_line = one_line

--- errors.new(code, message [, fields]) -> err
--- Every message (and detail) goes through one_line: errors are one line.
function _M.new(code, message, fields)
  local e = fields or {}
  e.code, e.message = code, one_line(message)
  if type(e.detail) == "string" then e.detail = one_line(e.detail) end
  return setmetatable(e, Error)
end

--- What an error may quote of a response body: an HTML page (a proxy's or
--- a load balancer's error page) only by its <title>; anything else as its
--- first 200 bytes, whitespace collapsed.  Always one line.
function _M.body_summary(body, content_type)
  body = type(body) == "string" and body or ""
  local head = body:sub(1, 512):lower()
  local is_html = (type(content_type) == "string" and content_type:lower():find("html", 1, true))
    or head:find("^%s*<!doctype html") or head:find("^%s*<html") or head:find("<head>", 1, true)
  if is_html then
    local title = body:match("<[Tt][Ii][Tt][Ll][Ee][^>]*>(.-)</[Tt][Ii][Tt][Ll][Ee]%s*>")
    title = title and title:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", "")
    if title and title ~= "" then
      if #title > 120 then title = title:sub(1, 120) .. "..." end
      return ('an HTML page titled "%s"'):format(one_line(title))
    end
    return "an HTML page without a title"
  end
  if not body:find("%S") then return "(empty body)" end
  local s = body:gsub("%s+", " "):gsub("^ ", "")
  if #s > 200 then s = s:sub(1, 200) .. "..." end
  return one_line(s)
end

function _M.is_error(v)
  return getmetatable(v) == Error
end

--- Exit status for an error (or 1 for anything that is not one of ours).
function _M.exit_status(err)
  return (type(err) == "table" and _M.CODES[err.code]) or 1
end

-- How the C http primitive's codes map to ours, with a hint to act on.
local HTTP_HINTS = {
  connect = { "connect", "is the server running, and is the URL right?" },
  dns = { "connect", "check the host name in the URL" },
  reset = { "connect", "the server closed the connection; check its logs" },
  -- hints name what a user can set: the environment variable and the
  -- profile key (tinkr.config.SETTINGS; spec/config_values_spec.lua checks)
  timeout = { "timeout", "the backend is slow or unreachable; try a smaller window, or raise "
    .. "TINKR_TIMEOUT / TINKR_CONNECT_TIMEOUT (profile keys timeout, connect_timeout)" },
  tls = { "tls", "set TINKR_CA_FILE (profile key ca_file) to the server's CA or, for a test server only, TINKR_INSECURE=1" },
  too_large = { "too_large", "narrow the query (a smaller --limit or window, or --fields), or raise "
    .. "TINKR_MAX_RESPONSE (profile key max_response)" },
  bad_url = { "config", "check the URL: http(s)://host:port, with special characters in user:password percent-encoded" },
  interrupted = { "interrupted", nil },
  protocol = { "backend", "the server did not answer with HTTP; is this the right port?" },
}

--- A URL as it may be shown: without user:password.  Cuts up to the last
--- '@' before any query or fragment, so a password holding '/' or '@'
--- cannot survive (a path with '@' in it loses its host: safe, not pretty).
function _M.public_url(url)
  if type(url) ~= "string" then return url end
  local scheme, rest = url:match("^(%a[%w+.-]*://)(.*)$")
  if not scheme then
    return (url:gsub("^[^/?#]*@", ""))
  end
  local head = rest:match("^[^?#]*")
  local at = head:match(".*()@")
  if not at then return url end
  return scheme .. rest:sub(at + 1)
end

--- Turns a transport error from tinkr.core.http into one of ours.
--- what: "OpenSearch" / "Prometheus"; envvar: the setting naming the URL.
function _M.from_http(herr, what, envvar)
  local map = HTTP_HINTS[herr.code] or { "backend", nil }
  local msg = ("%s: %s"):format(what, herr.message)
  local own_hint = herr.code == "tls" and msg:find("client certificate", 1, true)
  if map[2] and not own_hint and not msg:find(map[2], 1, true) then msg = msg .. " — " .. map[2] end
  if envvar and (map[1] == "connect" or map[1] == "config") then
    msg = msg .. (" (set by %s)"):format(envvar)
  end
  return _M.new(map[1], msg, { url = herr.url, transport = herr.code })
end

return _M
