-- tinkr as an MCP server (Model Context Protocol, JSON-RPC 2.0), whatever
-- carries the messages: `tinkr mcp` (stdio, tinkr.mcp.stdio) and
-- tinkr-server's POST /mcp (Streamable HTTP, JSON answers).
--
-- Both eras of the protocol the current `mcp` Python SDK speaks are served:
-- the stateless 2026-07-28 revision (server/discover, the protocol version
-- in each request's _meta) and the initialize handshake (2024-11-05 to
-- 2025-11-25).  Nothing is kept between messages, so one state serves any
-- number of clients.
local core = require "tinkr.core"
local errors = require "tinkr.errors"
local tools = require "tinkr.mcp.tools"

local json = core.json
local _M = { _VERSION = "0.1.0" }

_M.MODERN_VERSIONS = { "2026-07-28" }
_M.HANDSHAKE_VERSIONS = { "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05" }
local VERSION_KEY = "io.modelcontextprotocol/protocolVersion"
local SERVER_INFO_KEY = "io.modelcontextprotocol/serverInfo"

_M.CODES = {
  parse_error = -32700, invalid_request = -32600, method_not_found = -32601,
  invalid_params = -32602, internal = -32603, unsupported_version = -32022,
}

local INSTRUCTIONS = "tinkr answers questions about OpenTelemetry data: services (each service's health, worst "
  .. "first), errors (what is failing: error lines grouped into signatures), logs (log lines), traces (the slowest "
  .. "or failing requests), trace (one request span by span), metrics_query / metrics_range (PromQL) and "
  .. "recipe (named metrics questions such as http_error_rate). Start narrow (a service, a short window); "
  .. "every result says what was asked of the backend (meta.requests) and whether it was cut (meta.truncated, note)."

local function server_info()
  return { name = "tinkr", title = "tinkr: OpenTelemetry logs, traces and metrics", version = core.version }
end

local function contains(list, v)
  for _, x in ipairs(list) do if x == v then return true end end
  return false
end

local function all_versions()
  local out = {}
  for _, v in ipairs(_M.MODERN_VERSIONS) do out[#out + 1] = v end
  for _, v in ipairs(_M.HANDSHAKE_VERSIONS) do out[#out + 1] = v end
  return json.array(out)
end

local function capabilities() return { tools = { listChanged = false } } end

--- mcp.error_response(id, code, message, data) -> a JSON-RPC error message
function _M.error_response(id, code, message, data)
  return { jsonrpc = "2.0", id = id == nil and json.null or id,
    error = { code = _M.CODES[code] or code, message = message, data = data } }
end

local function result(id, r) return { jsonrpc = "2.0", id = id, result = r } end

local function tool_list(tinkr)
  local out = {}
  for _, t in ipairs(tools.list) do
    out[#out + 1] = { name = t.name, title = t.title, description = t.description, inputSchema = t.schema() }
  end
  return out
end

local function text_result(structured, is_error, text)
  return {
    content = json.array{ { type = "text", text = text or json.encode(structured) } },
    structuredContent = structured, isError = is_error or false, resultType = "complete",
  }
end

local function call_tool(tinkr, params)
  local name = params.name
  if type(name) ~= "string" then return nil, "invalid_params", "tools/call needs params.name (a tool name)" end
  local tool
  local names = {}
  for _, t in ipairs(tools.list) do
    names[#names + 1] = t.name
    if t.name == name then tool = t end
  end
  if not tool then
    return nil, "invalid_params", ("unknown tool '%s'; the tools are: %s"):format(name, table.concat(names, ", "))
  end
  local args = params.arguments
  if args == nil or args == json.null then args = {} end
  if type(args) ~= "table" then return nil, "invalid_params", "tools/call: arguments must be an object" end
  -- A tool's own failures (bad arguments, a backend down) are results with
  -- isError, worded so the agent can change its call.
  local ok, out, err = pcall(tool.call, tinkr, args)
  if not ok then err, out = out, nil end
  if out == nil then
    local text = tools.error_text(err)
    return text_result({ error = { code = type(err) == "table" and err.code or "internal", message = text } }, true, text)
  end
  return text_result(out)
end

--- mcp.handle(msg, opts) -> the response message, or nil (notifications
--- and responses get none).  opts.tinkr: the API (default require "tinkr").
function _M.handle(msg, opts)
  opts = opts or {}
  local tinkr = opts.tinkr or require "tinkr"
  if type(msg) ~= "table" or msg[1] ~= nil then
    return _M.error_response(nil, "invalid_request", "send one JSON-RPC 2.0 object per message (batches are not supported)")
  end
  local id, method = msg.id, msg.method
  if msg.jsonrpc ~= "2.0" or (method == nil and msg.result == nil and msg.error == nil) then
    return _M.error_response(id, "invalid_request", 'not a JSON-RPC 2.0 message: it needs "jsonrpc": "2.0" and a method')
  end
  if method == nil then return nil end                      -- a response to us: we never ask
  if type(method) ~= "string" then return _M.error_response(id, "invalid_request", "method must be a string") end
  if id == nil then return nil end                          -- notifications (initialized, cancelled ...)
  local params = msg.params
  if params == nil or params == json.null then params = {} end
  if type(params) ~= "table" then return _M.error_response(id, "invalid_params", "params must be an object") end

  -- The 2026-07-28 envelope: the protocol version rides in each request.
  local meta = type(params._meta) == "table" and params._meta or nil
  local requested = meta and meta[VERSION_KEY]
  if requested ~= nil and not contains(_M.MODERN_VERSIONS, requested) then
    return _M.error_response(id, "unsupported_version", ("protocol version %s is not supported by tinkr"):format(tostring(requested)),
      { supported = all_versions(), requested = tostring(requested) })
  end

  if method == "initialize" then
    local v = params.protocolVersion
    if not contains(_M.HANDSHAKE_VERSIONS, v) then v = _M.HANDSHAKE_VERSIONS[1] end
    return result(id, { protocolVersion = v, capabilities = capabilities(), serverInfo = server_info(),
      instructions = INSTRUCTIONS })
  elseif method == "server/discover" then
    return result(id, { supportedVersions = all_versions(), capabilities = capabilities(), instructions = INSTRUCTIONS,
      resultType = "complete", ttlMs = 0, cacheScope = "private", _meta = { [SERVER_INFO_KEY] = server_info() } })
  elseif method == "ping" or method == "logging/setLevel" then
    return result(id, { resultType = "complete" })
  elseif method == "tools/list" then
    return result(id, { tools = json.array(tool_list(tinkr)), resultType = "complete", ttlMs = 0, cacheScope = "private" })
  elseif method == "tools/call" then
    local r, code, message = call_tool(tinkr, params)
    if not r then return _M.error_response(id, code, message) end
    return result(id, r)
  end
  return _M.error_response(id, "method_not_found", ("tinkr does not serve '%s' (it serves tools: tools/list, tools/call)"):format(method))
end

--- mcp.handle_text(text, opts) -> response text | nil, is_parse_error
--- One message as JSON text in, one out (nil for a notification).
function _M.handle_text(text, opts)
  local msg, jerr = json.decode(text)
  if msg == nil then
    return json.encode(_M.error_response(nil, "parse_error", "not JSON: " .. tostring(jerr))), true
  end
  local ok, resp = pcall(_M.handle, msg, opts)
  if not ok then
    local id = type(msg) == "table" and msg.id or nil
    resp = _M.error_response(id, "internal", "internal error: " .. tostring(errors.is_error(resp) and resp.message or resp):match("^[^\n]*"))
  end
  if resp == nil then return nil end
  return json.encode(resp)
end

return _M
