-- Answers as JSON text: results encoded with tinkr.core.json, errors as
-- {"error":{"code","message"[,"detail"]}} with the HTTP status their code
-- calls for, and secrets kept out of every message.
local core = require "tinkr.core"
local errors = require "tinkr.errors"

local json = core.json
local _M = { _VERSION = "0.1.0" }

-- tinkr.errors code (plus the server's own) -> HTTP status
_M.STATUS = {
  usage = 400, bad_query = 400, too_large = 400, bad_request = 400,
  not_found = 404,
  method_not_allowed = 405,
  config = 500, internal = 500, script_error = 500, script_budget = 500,
  connect = 502, backend = 502, auth = 502, tls = 502,
  interrupted = 503, unavailable = 503,
  timeout = 504,
}

-- Failures of a backend, counted in tinkr_server_backend_errors_total.
local BACKEND_CODES = { connect = true, timeout = true, auth = true, tls = true, backend = true }

local secrets = {}

--- Values that must never appear in an answer (API keys ...), replaced by
--- <redacted> wherever they occur.  Set by tinkr.server.configure.
function _M.set_secrets(list)
  secrets = {}
  for _, s in ipairs(list) do
    if type(s) == "string" and #s >= 4 then secrets[#secrets + 1] = s end
  end
end

local function plain_pattern(s)
  return (s:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0"))
end

--- Removes known secrets and user:password@ from URLs in a message.
function _M.redact(text)
  if type(text) ~= "string" then return text end
  for _, s in ipairs(secrets) do
    text = text:gsub(plain_pattern(s), "<redacted>")
  end
  text = text:gsub("(%a[%w+.-]*://)[^%s/?#\"']*@", "%1")
  return text
end

--- The answer for a result table: 200 and its JSON, or an error answer
--- when it cannot be encoded or is over max_bytes.
function _M.ok(result, max_bytes)
  local ok, body = pcall(json.encode, result)
  if not ok then
    return _M.fail(errors.new("internal", "cannot encode the result as JSON: " .. tostring(body)))
  end
  if max_bytes and #body > max_bytes then
    return _M.fail(errors.new("too_large", ("the result is %d bytes, over the server's limit of %d: "
      .. "narrow the query (smaller limit or window, or fields=)"):format(#body, max_bytes)))
  end
  return 200, body
end

--- The answer {"rows": <rows_json>, "meta": <meta>} for rows already
--- encoded as a JSON array (api.logs' fast path); limits as ok().
function _M.ok_rows(rows_json, meta, max_bytes)
  local ok, meta_json = pcall(json.encode, meta)
  if not ok then
    return _M.fail(errors.new("internal", "cannot encode the result as JSON: " .. tostring(meta_json)))
  end
  local size = #'{"rows":,"meta":}' + #rows_json + #meta_json
  if max_bytes and size > max_bytes then
    return _M.fail(errors.new("too_large", ("the result is %d bytes, over the server's limit of %d: "
      .. "narrow the query (smaller limit or window, or fields=)"):format(size, max_bytes)))
  end
  return 200, '{"rows":' .. rows_json .. ',"meta":' .. meta_json .. "}"
end

--- Which backend label (for metrics) an error is blamed on, or nil.
function _M.backend_label(err, default_backend)
  if type(err) ~= "table" or not BACKEND_CODES[err.code] then return nil end
  local msg = tostring(err.message or "")
  local which = (msg:find("^OpenSearch") and "opensearch") or (msg:find("^Prometheus") and "prometheus")
    or default_backend or "other"
  return which .. ":" .. err.code
end

--- The answer for an error (a tinkr.errors value, or anything else, which
--- is treated as an internal error): status, body.
function _M.fail(err)
  if not errors.is_error(err) and not (type(err) == "table" and type(err.code) == "string") then
    err = errors.new("internal", tostring(err))
  end
  local status = _M.STATUS[err.code] or 500
  local e = { code = err.code, message = _M.redact(tostring(err.message)) }
  if type(err.detail) == "string" then e.detail = _M.redact(err.detail) end
  if err.allow then e.allow = err.allow end
  return status, json.encode({ error = e })
end

return _M
