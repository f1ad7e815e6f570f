-- tinkr: the public Lua API.  Submodules load on first use so that
-- `tinkr -e ''` and scripts that need one area stay fast to start.
local _M = { _VERSION = "0.1.0" }

local core_areas = { http = true, json = true, map = true }
local submodules = {
  pretty = "tinkr.pretty",
}

setmetatable(_M, {
  __index = function(t, k)
    local v
    if k == "core" then
      v = require("tinkr.core")
    elseif core_areas[k] then
      v = require("tinkr.core")[k]
    elseif submodules[k] then
      v = require(submodules[k])
    else
      return nil
    end
    rawset(t, k, v)
    return v
  end,
})

return _M
