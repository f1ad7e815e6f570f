-- Hands its parameters to tinkr.logs as they came (what a careless
-- script does): the API's checks must turn a bad one into a 400.
local rows, meta = tinkr.logs(params)
if not rows then error(meta, 0) end
return { total = meta.total, returned = #rows }
