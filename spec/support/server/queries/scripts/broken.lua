-- Fails the way a buggy script does.
local t = nil
return t.field
