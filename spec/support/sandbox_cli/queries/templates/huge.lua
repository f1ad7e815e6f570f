-- A template that builds a string far over its memory budget.
return function() return { query = ("x"):rep(1 << 30) } end
