-- A recipe whose helper loops while it is loaded.
local helper = include("spin")
return { description = "x", unit = "1", expr = function() return helper end }
