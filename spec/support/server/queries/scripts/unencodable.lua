-- Returns something JSON cannot hold.
return { f = function() end }
