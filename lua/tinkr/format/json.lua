-- One JSON document: {"rows":[...],"meta":{...}}, one row per line.
--
-- Field order: Lua tables have no key order, so row objects are written here
-- key by key -- opts.columns in that order (absent fields left out), else
-- each row's own keys in the tinkr.format.columns order (timestamp, service,
-- level, trace_id, message, then by name).  Values, including nested tables
-- and meta, go through tinkr.core's json.encode: integers stay exact
-- (nanosecond timestamps), and key order inside those is the encoder's.
local _M = { _VERSION = "0.1.0" }

local columns = require("tinkr.format.columns")
local sink = require("tinkr.format.sink")

local type, tostring, concat = type, tostring, table.concat

local core_json
local function json()
  if not core_json then core_json = require("tinkr.core").json end
  return core_json
end

--- Any Lua value as JSON text (tinkr.core json.encode; raises on cycles).
function _M.encode_value(v)
  return json().encode(v)
end

--- One row as a JSON object, keys in column order (encoded in C).
function _M.encode_row(row, cols)
  return json().encode_object(row, cols or columns.of_row(row))
end

local Writer = {}
Writer.__index = Writer

function Writer:row(r)
  local text = _M.encode_row(r, self.columns or self.track(r))
  self.sink:write((self.count == 0 and '{"rows":[\n' or ",\n") .. text)
  self.count = self.count + 1
end

--- Ends the document; meta (or opts.meta) becomes "meta".  Returns the text
--- for an in-memory writer, true when writing to opts.out.
function Writer:finish(meta)
  meta = meta or self.meta
  local m = meta and _M.encode_value(meta) or "{}"
  self.sink:write((self.count == 0 and '{"rows":[' or "\n") .. '],"meta":' .. m .. "}\n")
  return self.sink:finish()
end

--- writer(opts): :row(r) per row, then :finish(meta).  opts.out streams to a
--- file handle; opts.columns picks and orders fields; opts.meta is the meta.
function _M.writer(opts)
  opts = opts or {}
  return setmetatable({ sink = sink.new(opts.out), columns = columns.option(opts),
    meta = opts.meta, count = 0, track = columns.tracker() }, Writer)
end

--- render(rows, opts) -> the whole document as a string (true with opts.out).
function _M.render(rows, opts)
  local w = _M.writer(opts)
  for i = 1, #rows do w:row(rows[i]) end
  return w:finish()
end

return _M
