-- The audit's case: one find that backtracks for hours inside C.
local s = ("a"):rep(4000) return s:find(".-.-.-.-.-b")
