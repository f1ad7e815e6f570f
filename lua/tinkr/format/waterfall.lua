-- A trace as a waterfall: the span tree on the left, each span's bar placed
-- by its start offset and scaled to the whole trace across the rest of the
-- line, its duration on the right, and its log lines under it.
--
--   trace 4bf92f… · 3 spans · 2 services · 120ms · 2026-11-26T11:59:59.000Z
--                          0                                   120ms
--   GET /checkout (web)    ████████████████████████████████████  120ms
--   │  +1ms INFO start
--   └─ charge (payments)          ████████████████             50ms ✗
--        +30ms ERROR card declined
--
-- Input: a list of spans { trace_id, span_id, parent_span_id, name, service,
-- start_ns, end_ns, duration_ns, status, kind } (times as ns integers or
-- RFC 3339 strings; kind is not drawn), with logs { timestamp_ns, level,
-- message, span_id, service } in opts.logs (tinkr.logs rows work too: their
-- time_ns or timestamp is used) -- or one table { spans = ..., logs = ... }.
--
-- Odd traces are drawn, not refused: spans whose parent is missing become
-- top-level entries marked "⋯" (ascii ".."); several roots are listed in
-- start order; a zero-length span is a thin mark; a child that starts before
-- its parent (clock skew) is drawn where its own clock says; a parent cycle
-- is broken where it is found.  Logs with no span in the trace come last.
local _M = { _VERSION = "0.1.0" }

local text = require("tinkr.format.text")
local ansi = require("tinkr.format.ansi")
local time = require("tinkr.time")

local type, tostring, tonumber, ipairs, pairs = type, tostring, tonumber, ipairs, pairs
local floor, ceil, max, min = math.floor, math.ceil, math.max, math.min
local math_type, rep, format, gsub, upper = math.type, string.rep, string.format, string.gsub, string.upper
local concat, sort = table.concat, table.sort
local width, truncate, pad, one_line = text.width, text.truncate, text.pad, text.one_line

local UNICODE = {
  branch = "\226\148\156\226\148\128 ", last = "\226\148\148\226\148\128 ",   -- "├─ " "└─ "
  pipe = "\226\148\130  ", blank = "   ", orphan = "\226\139\175 ",           -- "│  " "⋯ "
  bar = "\226\150\136", mark = "\226\150\143", error = "\226\156\151",        -- "█" "▏" "✗"
  sep = " \194\183 ",                                                            -- " · "
}
local ASCII = {
  branch = "|- ", last = "`- ", pipe = "|  ", blank = "   ", orphan = ".. ",
  bar = "=", mark = "|", error = "!", sep = " - ",
}

-- Any time value (ns integer, float, RFC 3339 or epoch text) -> ns or nil.
local function ns_of(v)
  if math_type(v) == "integer" then return v end
  if type(v) == "number" then return v == v and floor(v) or nil end
  if type(v) == "string" then return (time.parse(v, 0)) end
  return nil
end

local function is_error(status)
  if status == 2 or status == true then return true end
  if type(status) ~= "string" then return false end
  local s = upper(status)
  return s == "ERROR" or s == "STATUS_CODE_ERROR"
end

-- Spans with numbers filled in: start, stop (>= start for the bar), duration.
local function normalize(spans)
  local out = {}
  for i, s in ipairs(spans) do
    if type(s) ~= "table" then
      error(format("bad argument #1 to 'render' (span %d is a %s, not a table)", i, type(s)), 3)
    end
    local start, stop, dur = ns_of(s.start_ns), ns_of(s.end_ns), ns_of(s.duration_ns)
    if start and not stop and dur then stop = start + dur end
    if start and stop and not dur then dur = stop - start end
    if stop and not start and dur then start = stop - dur end
    out[i] = {
      span = s, index = i, id = s.span_id ~= nil and tostring(s.span_id) or nil,
      parent = (s.parent_span_id ~= nil and s.parent_span_id ~= "") and tostring(s.parent_span_id) or nil,
      start = start, stop = stop, dur = dur, error = is_error(s.status), children = {},
    }
  end
  return out
end

local function by_start(a, b)
  local sa, sb = a.start or math.maxinteger, b.start or math.maxinteger
  if sa ~= sb then return sa < sb end
  local na, nb = tostring(a.span.name or ""), tostring(b.span.name or "")
  if na ~= nb then return na < nb end
  return a.index < b.index
end

-- Links children to parents; returns the top-level entries in start order.
local function build_tree(nodes)
  local by_id = {}
  for _, n in ipairs(nodes) do
    if n.id and not by_id[n.id] then by_id[n.id] = n end
  end
  local tops = {}
  for _, n in ipairs(nodes) do
    local p = n.parent and by_id[n.parent]
    if p and p ~= n then
      p.children[#p.children + 1] = n
    else
      n.orphan = n.parent ~= nil
      tops[#tops + 1] = n
    end
  end
  for _, n in ipairs(nodes) do sort(n.children, by_start) end
  sort(tops, by_start)
  return tops
end

-- Depth-first order with the tree prefix of each line.  An explicit stack
-- keeps deep traces off the C stack; `seen` breaks parent cycles.
local function walk(tops, nodes, glyphs)
  local order, seen, stack = {}, {}, {}
  local function push_all(list, cont, top)
    for i = #list, 1, -1 do
      stack[#stack + 1] = { node = list[i], cont = cont, last = i == #list, top = top }
    end
  end
  local function drain()
    while #stack > 0 do
      local item = stack[#stack]
      stack[#stack] = nil
      local n = item.node
      if not seen[n] then
        seen[n] = true
        local lead, cont = "", item.cont
        if not item.top then
          lead = item.cont .. (item.last and glyphs.last or glyphs.branch)
          cont = item.cont .. (item.last and glyphs.blank or glyphs.pipe)
        end
        if n.orphan or n.cycle then lead = lead .. glyphs.orphan end
        n.lead, n.cont = lead, cont
        order[#order + 1] = n
        push_all(n.children, cont, false)
      end
    end
  end
  push_all(tops, "", true)
  drain()
  -- spans only reachable through a cycle: list them at the top level
  for _, n in ipairs(nodes) do
    if not seen[n] then
      n.cycle = true
      push_all({ n }, "", true)
      drain()
    end
  end
  return order
end

-- Column of an instant on a bar `bar_w` cells wide.
local function column(t, t0, total, bar_w)
  if total <= 0 then return 0 end
  return (t - t0) * bar_w / total
end

local function bar_text(n, t0, total, bar_w, glyphs)
  if not n.start then return rep(" ", bar_w), "", "" end
  local from = floor(column(n.start, t0, total, bar_w))
  local to = ceil(column(max(n.stop or n.start, n.start), t0, total, bar_w))
  from = min(max(from, 0), bar_w - 1)
  local glyph = glyphs.bar
  if (n.stop or n.start) <= n.start then
    to, glyph = from + 1, glyphs.mark                -- zero length: a thin mark
  end
  to = min(max(to, from + 1), bar_w)
  return rep(" ", from), rep(glyph, to - from), rep(" ", bar_w - to)
end

-- "+12.3ms ERROR message" for one log row.
local function log_text(log, t0, opts)
  local parts = {}
  local ts = ns_of(log.timestamp_ns or log.time_ns or log.timestamp)
  if ts and t0 then parts[#parts + 1] = "+" .. time.format_duration(ts - t0, opts) end
  local level = log.level ~= nil and one_line(tostring(log.level)) or nil
  if level and level ~= "" then parts[#parts + 1] = level end
  parts[#parts + 1] = one_line(tostring(log.message or ""), opts.ascii)
  return concat(parts, " "), level
end

-- Paints the level word inside a log line (after truncation, so widths hold).
local function paint_level(line, level, opts)
  if not (opts.color and level) then return line end
  local style = ansi.level_style(level)
  if not style then return line end
  local at = line:find(" " .. level, 1, true)
  if not at then return line end
  return line:sub(1, at) .. ansi.paint(level, style) .. line:sub(at + 1 + #level)
end

--- render(spans_or_trace, opts) -> string.
--- opts: width (default $COLUMNS or 120), color, ascii, tz (header time),
--- logs (when the first argument is a span list), max_logs (per span;
--- default all).
function _M.render(input, opts)
  opts = opts or {}
  if type(input) ~= "table" then
    error("bad argument #1 to 'render' (list of spans expected, got " .. type(input) .. ")", 2)
  end
  local spans, logs = input, opts.logs
  if type(input.spans) == "table" then spans, logs = input.spans, input.logs or logs end
  if #spans == 0 then return "(no spans)\n" end
  local glyphs = opts.ascii and ASCII or UNICODE
  local W = text.terminal_width(opts)

  local nodes = normalize(spans)
  local order = walk(build_tree(nodes), nodes, glyphs)

  -- the trace's extent: every span counts, so skewed children stay on the bar
  local t0, t1 = nil, nil
  local services = {}
  for _, n in ipairs(nodes) do
    if n.start then
      t0 = (t0 == nil or n.start < t0) and n.start or t0
      local e = max(n.stop or n.start, n.start)
      t1 = (t1 == nil or e > t1) and e or t1
    end
    if n.span.service ~= nil then services[tostring(n.span.service)] = true end
  end
  local total = t0 and (t1 - t0) or 0
  local nservices = 0
  for _ in pairs(services) do nservices = nservices + 1 end

  -- columns: label | bar | duration + error mark
  local DUR_W, MARK_W = 8, 2
  local labels, natural = {}, 0
  for i, n in ipairs(order) do
    local s = n.span
    local label = one_line(tostring(s.name or s.span_id or "?"), opts.ascii)
    if s.service ~= nil and s.service ~= "" then label = label .. " (" .. one_line(tostring(s.service)) .. ")" end
    labels[i] = n.lead .. label
    natural = max(natural, width(labels[i]))
  end
  local room = W - DUR_W - MARK_W - 2                -- two separating spaces
  local label_w = min(natural, max(room // 2, room - 60))
  if room - label_w < 10 then label_w = max(0, room - 10) end
  local bar_w = max(1, room - label_w)

  local out = {}
  local trace_id
  for _, n in ipairs(nodes) do
    if n.span.trace_id ~= nil then trace_id = n.span.trace_id; break end
  end
  local head = { "trace " .. (trace_id and tostring(trace_id) or "?"),
    #spans .. (#spans == 1 and " span" or " spans"),
    nservices .. (nservices == 1 and " service" or " services") }
  if t0 then
    head[#head + 1] = time.format_duration(total, opts)
    head[#head + 1] = time.format(t0, { tz = opts.tz })
  end
  out[#out + 1] = truncate(one_line(concat(head, glyphs.sep)), W, opts.ascii)

  -- a scale: 0 at the bar's left edge, the trace length at its right
  local total_text = time.format_duration(total, opts)
  if bar_w >= #total_text + 2 then
    out[#out + 1] = rep(" ", label_w + 1) .. "0" .. rep(" ", bar_w - 1 - width(total_text)) .. total_text
  end

  local logs_by_span, loose = {}, {}
  local known = {}
  for _, n in ipairs(nodes) do if n.id then known[n.id] = true end end
  for i, log in ipairs(type(logs) == "table" and logs or {}) do
    local sid = log.span_id ~= nil and tostring(log.span_id) or nil
    local entry = { log = log, index = i, ts = ns_of(log.timestamp_ns or log.time_ns or log.timestamp) }
    if sid and known[sid] then
      logs_by_span[sid] = logs_by_span[sid] or {}
      local list = logs_by_span[sid]
      list[#list + 1] = entry
    else
      loose[#loose + 1] = entry
    end
  end
  local function by_time(a, b)
    local ta, tb = a.ts or math.maxinteger, b.ts or math.maxinteger
    if ta ~= tb then return ta < tb end
    return a.index < b.index
  end

  local function log_lines(list, prefix)
    sort(list, by_time)
    local limit = opts.max_logs or #list
    for i = 1, min(#list, limit) do
      local body, level = log_text(list[i].log, t0, opts)
      local line = truncate(prefix .. body, W, opts.ascii)
      out[#out + 1] = paint_level(line, level, opts)
    end
    if #list > limit then
      out[#out + 1] = truncate(prefix .. format("... %d more log lines", #list - limit), W, opts.ascii)
    end
  end

  for i, n in ipairs(order) do
    local label = pad(truncate(labels[i], label_w, opts.ascii), label_w)
    local before, bar, after = bar_text(n, t0 or 0, total, bar_w, glyphs)
    local dur = n.dur and time.format_duration(n.dur, opts) or "?"
    local mark = n.error and glyphs.error or ""
    if opts.color then
      bar = ansi.paint(bar, n.error and "red" or "cyan")
      mark = ansi.paint(mark, "red")
    end
    local line = label .. " " .. before .. bar .. after .. " " .. pad(truncate(dur, DUR_W), DUR_W, true)
    out[#out + 1] = (gsub(line .. (mark ~= "" and " " .. mark or ""), " +$", ""))
    local own = n.id and logs_by_span[n.id]
    if own then
      logs_by_span[n.id] = nil                     -- a duplicated span id shows its logs once
      log_lines(own, n.cont .. (#n.children > 0 and glyphs.pipe or glyphs.blank))
    end
  end
  if #loose > 0 then
    out[#out + 1] = truncate("logs without a span in this trace:", W)
    log_lines(loose, "  ")
  end
  if not opts.color then
    -- only a width below the fixed columns (about 14 cells) needs this
    for i = 1, #out do out[i] = truncate(out[i], W, opts.ascii) end
  end
  return concat(out, "\n") .. "\n"
end

return _M
