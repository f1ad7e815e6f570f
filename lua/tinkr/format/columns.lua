-- Which fields a row format shows, and in what order.  Lua tables have no
-- key order, so every format orders keys here: the fields an on-call engineer
-- reads first, then the rest by name.
local _M = { _VERSION = "0.1.0" }

local type, pairs, tostring, sort = type, pairs, tostring, table.sort

_M.PREFERRED = { "timestamp", "service", "level", "trace_id", "message" }
local RANK = {}
for i, name in ipairs(_M.PREFERRED) do RANK[name] = i end

local function before(a, b)
  local ra, rb = RANK[a], RANK[b]
  if ra and rb then return ra < rb end
  if ra or rb then return ra ~= nil end
  return a < b
end

--- Ordered list of the names in `set` (a { name = true } table).
function _M.order(set)
  local list = {}
  for k in pairs(set) do list[#list + 1] = tostring(k) end
  sort(list, before)
  return list
end

--- Ordered keys of one row.
function _M.of_row(row)
  local set = {}
  for k in pairs(row) do set[k] = true end
  return _M.order(set)
end

--- Ordered union of the keys of rows[1..n].  skip_tables leaves out fields
--- whose value is a table (attributes, resource): too wide for a terminal.
function _M.from_rows(rows, n, skip_tables)
  local set = {}
  for i = 1, n or #rows do
    local row = rows[i]
    if row == nil then break end
    for k, v in pairs(row) do
      if not (skip_tables and type(v) == "table") then set[k] = true end
    end
  end
  return _M.order(set)
end

--- A per-writer column picker for rows without fixed columns: rows of one
--- result share their fields, so the order is computed once and only
--- recomputed (as a union) when a row brings a field not seen before.
function _M.tracker()
  local known, order = {}, {}
  return function(row)
    for k in pairs(row) do
      if not known[k] then
        known[k] = true
        order = _M.order(known)
      end
    end
    return order
  end
end

--- opts.columns checked: a list of field names, or nil.
function _M.option(opts)
  local cols = opts and opts.columns
  if cols == nil then return nil end
  if type(cols) ~= "table" then
    error("bad option 'columns' (list of field names expected, got " .. type(cols) .. ")", 3)
  end
  for i = 1, #cols do
    if type(cols[i]) ~= "string" then
      error("bad option 'columns' (entry " .. i .. " is a " .. type(cols[i]) .. ", not a field name)", 3)
    end
  end
  return cols
end

return _M
