-- Tries what the sandbox forbids; reports what it found.
local found = {}
for _, name in ipairs{ "io", "os", "package", "load", "require", "dofile", "debug", "setmetatable", "getmetatable", "collectgarbage" } do
  local ok = pcall(function() return _ENV[name] end)
  found[name] = ok
end
local ok_set = pcall(function() tinkr.logs = nil end)
found.replace_tinkr_logs = ok_set
return found
