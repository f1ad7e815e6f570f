-- Where a format writer's output goes: an open file (anything with :write,
-- written as rows arrive, so large results stream) or a string built in memory.
local _M = { _VERSION = "0.1.0" }

local concat = table.concat

local File = {}
File.__index = File
function File:write(s) self.out:write(s) end
function File:finish() return true end

local Buffer = {}
Buffer.__index = Buffer
function Buffer:write(s) local p = self.parts; p[#p + 1] = s end
function Buffer:finish() return concat(self.parts) end

--- A sink for `out` (a file handle), or an in-memory one when out is nil.
--- :finish() returns the text for the in-memory sink, true for a file.
function _M.new(out)
  if out ~= nil then
    if type(out) ~= "userdata" and type(out) ~= "table" or not out.write then
      error("bad option 'out' (a file handle with :write expected, got " .. type(out) .. ")", 3)
    end
    return setmetatable({ out = out }, File)
  end
  return setmetatable({ parts = {} }, Buffer)
end

return _M
