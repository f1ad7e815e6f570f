-- Output formats by name.  Row formats (table, json, ndjson, csv) share one
-- shape: render(rows, opts) -> string, and writer(opts) with :row(r) and
-- :finish() for streaming to opts.out.  chart and waterfall draw one
-- Prometheus matrix / one trace: render(input, opts) -> string.
local _M = { _VERSION = "0.1.0" }

_M.ROW_FORMATS = { "table", "json", "ndjson", "csv" }
local KNOWN = { table = true, json = true, ndjson = true, csv = true, chart = true, waterfall = true }

--- The module for a format name, or nil and an error listing the names.
function _M.get(name)
  if type(name) ~= "string" or not KNOWN[name] then
    return nil, string.format("unknown format %q: use table, json, ndjson or csv", tostring(name))
  end
  return require("tinkr.format." .. name)
end

return _M
