-- The server's request parsing: the C checks on request text
-- (src/server/request_check.c) agree with Lua's strict UTF-8 decoder, and
-- the router and parameter checks (lua/tinkr/server/) answer any method,
-- path and query arguments with a route or an error, never a raise.
local router = require "tinkr.server.router"
local params = require "tinkr.server.params"

local LIMITS = { max_rows = 10000 }

return function(data)
  local c_says = request_utf8_valid(data)
  local lua_says = utf8.len(data) ~= nil
  assert(c_says == lua_says, ("UTF-8 check disagrees with Lua's on %q"):format(data))
  if data:find("%00", 1, true) and not data:find("\0", 1, true) then
    assert(request_has_encoded_nul(data), "a %00 went unnoticed")
  end

  -- method \n path \n name=value&name=value...
  local method, path, query = data:match("^([^\n]*)\n([^\n]*)\n?(.*)$")
  if not method then method, path, query = "GET", data, "" end
  if not c_says then return end       -- the front end answers 400 before Lua
  local route, capture = router.match(method, path)
  assert(route or (type(capture) == "table" and capture.code), "router answered nothing")
  if not route then return end
  local args = {}
  for pair in query:gmatch("[^&]+") do
    local name, value = pair:match("^([^=]*)=?(.*)$")
    args[#args + 1] = { name, pair:find("=", 1, true) and value or nil }
  end
  local p, err = params.collect(route.handler, args, LIMITS)
  assert(p ~= nil or (type(err) == "table" and err.code), "params answered nothing")
end
