-- One JSON object per line, written as rows arrive (jq-friendly streaming).
-- Field order as in tinkr.format.json: opts.columns, else each row's keys
-- in the tinkr.format.columns order.
local _M = { _VERSION = "0.1.0" }

local json = require("tinkr.format.json")
local columns = require("tinkr.format.columns")
local sink = require("tinkr.format.sink")

local Writer = {}
Writer.__index = Writer

function Writer:row(r)
  self.sink:write(json.encode_row(r, self.columns or self.track(r)) .. "\n")
end

--- Returns the text for an in-memory writer, true when writing to opts.out.
function Writer:finish()
  return self.sink:finish()
end

--- writer(opts): opts.out (file handle) streams; opts.columns picks fields.
function _M.writer(opts)
  opts = opts or {}
  return setmetatable({ sink = sink.new(opts.out), columns = columns.option(opts), track = columns.tracker() }, Writer)
end

function _M.render(rows, opts)
  local w = _M.writer(opts)
  for i = 1, #rows do w:row(rows[i]) end
  return w:finish()
end

return _M
