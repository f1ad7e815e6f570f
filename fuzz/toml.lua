-- The TOML parser (lua/tinkr/toml.lua, config files): any bytes give a
-- document or nil, err, never a raise.
local toml = require "tinkr.toml"

return function(data)
  local doc, err = toml.parse(data, "fuzz.toml")
  assert(doc ~= nil or err ~= nil, "parse answered nothing")
  if doc then assert(type(doc) == "table") end
end
