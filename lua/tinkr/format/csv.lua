-- CSV with a header row.  Quoting follows RFC 4180: a field holding a comma,
-- a double quote, CR or LF is quoted, with quotes doubled.  Lines end in
-- "\n" (opts.crlf = true gives RFC 4180's CRLF).  Nested tables are written
-- as JSON text; nil and JSON null as an empty field; floats as the shortest
-- text that reads back the same, integers exactly.
--
-- The header needs the columns before the first row is written: opts.columns,
-- else the union of the keys of the first opts.sample rows (default 200;
-- render uses all rows).  Fields first seen after the sample are left out.
local _M = { _VERSION = "0.1.0" }

local columns = require("tinkr.format.columns")
local sink = require("tinkr.format.sink")
local text = require("tinkr.format.text")

local type, tostring, find, gsub, concat = type, tostring, string.find, string.gsub, table.concat

local function field(v)
  local t = type(v)
  if t == "string" then
    -- leave the bytes alone: a CSV reader wants the data, not a display form
  elseif t == "number" then
    v = text.number_text(v)
  elseif t == "boolean" then
    v = tostring(v)
  elseif t == "table" then
    v = require("tinkr.format.json").encode_value(v)
  elseif v == nil or t == "userdata" then
    v = ""                                       -- nil or JSON null
  else
    v = tostring(v)
  end
  if find(v, '[,"\r\n]') then v = '"' .. gsub(v, '"', '""') .. '"' end
  return v
end
_M.field = field

local Writer = {}
Writer.__index = Writer

function Writer:line(values)
  self.sink:write(concat(values, ",") .. self.eol)
end

function Writer:emit(r)
  local cols, values = self.columns, {}
  for i = 1, #cols do values[i] = field(r[cols[i]]) end
  self:line(values)
end

function Writer:start()
  self.columns = self.columns or columns.from_rows(self.pending)
  local header = {}
  for i = 1, #self.columns do header[i] = field(self.columns[i]) end
  if #header > 0 then self:line(header) end    -- no rows and no columns: nothing
  for i = 1, #self.pending do self:emit(self.pending[i]) end
  self.pending = nil
end

function Writer:row(r)
  if not self.pending then return self:emit(r) end
  local p = self.pending
  p[#p + 1] = r
  if #p >= self.sample then self:start() end
end

--- Writes the header (if no row came) and returns the text for an in-memory
--- writer, true when writing to opts.out.
function Writer:finish()
  if self.pending then self:start() end
  return self.sink:finish()
end

function _M.writer(opts)
  opts = opts or {}
  return setmetatable({
    sink = sink.new(opts.out), columns = columns.option(opts), pending = {},
    sample = opts.sample or 200, eol = opts.crlf and "\r\n" or "\n",
  }, Writer)
end

function _M.render(rows, opts)
  local o = { sample = math.huge }
  for k, v in pairs(opts or {}) do if k ~= "sample" then o[k] = v end end
  local w = _M.writer(o)
  for i = 1, #rows do w:row(rows[i]) end
  return w:finish()
end

return _M
