-- `tinkr logs --follow`: matching log lines as they arrive, oldest first,
-- like tail -f.
--
-- Each poll asks for every match with a timestamp at or after
-- (newest timestamp seen - lag), oldest first, and drops the documents it
-- has already shown (by _id).  So lines that share a timestamp with the
-- last one shown are neither lost nor repeated, and a document stored late
-- still appears if its timestamp is within `lag` of the newest one seen.
-- The ids remembered are only those inside the lag window: memory stays
-- bounded however long it runs.  A row older than that window is dropped
-- even when a poll returns it (OpenSearch rounds a range's bounds to the
-- field's resolution): its id may have been forgotten after it was shown.
-- "Newest seen" is capped by the wall clock, so one document stamped in
-- the future (a writer with a fast clock) does not hide the present ones.
local core = require "tinkr.core"

local _M = { _VERSION = "0.1.0" }

_M.DEFAULTS = { interval = 2, lag = 10, backlog = 10 }

local FAR = 10 * 365 * 86400 * 1000000000   -- "no upper bound": ten years ahead

local function copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

--- follow.run{ query = <tinkr.logs params (no since/from/to/limit)>,
---   since =, from =, to =   the first window (default: now - lag .. now),
---   backlog = N             newest lines of it shown first (0: none),
---   interval = s, lag = s,
---   emit = function(row),   each new row, oldest first
---   on_error = function(err) polls started failing (each next one retries),
---   on_recover = function()  they work again,
---   logs = tinkr.logs,      (for specs)
---   sleep = core.sleep,     returns true when cut short (a signal)
---   clock = core.now_ns,    the wall clock (caps "newest seen")
---   polls = n }             stop after n polls (specs); default: until Ctrl-C
--- -> true | nil, err (a bad query: no poll is retried then)
function _M.run(o)
  local logs = o.logs or require("tinkr").logs
  local sleep = o.sleep or core.sleep
  local lag_ns = math.floor((o.lag or _M.DEFAULTS.lag) * 1e9)
  local interval = o.interval or _M.DEFAULTS.interval
  local clock = o.clock or core.now_ns
  local seen, high = {}, nil          -- _id -> time_ns; newest time_ns shown
  local floor = math.mininteger       -- nothing older than the backlog is shown
  local forgotten = math.mininteger   -- ids of rows older than this are no longer kept

  local function take(r)
    local id = r._id
    if id == nil or seen[id] then return end
    local t = r.time_ns or 0
    if t < floor or t < forgotten then return end
    seen[id] = t
    if not high or t > high then high = t end
    o.emit(r)
  end

  -- The backlog: the newest lines of the first window, shown oldest first.
  local q = copy(o.query or {})
  q.since, q.from, q.to = o.since, o.from, o.to
  if not (q.since or q.from) then q.since = ("%ds"):format(math.max(1, math.ceil(lag_ns / 1e9))) end
  q.limit = o.backlog or _M.DEFAULTS.backlog
  q.order = "desc"
  local window_end
  if q.limit > 0 then
    local rows, meta = logs(q)
    if not rows then return nil, meta end
    for i = #rows, 1, -1 do take(rows[i]) end
    window_end = meta.window and core.iso_ns(meta.window.to)
    -- Lines of the window older than the backlog's oldest stay unshown:
    -- showing them later would break "oldest first".
    if #rows > 0 and rows[#rows].time_ns then floor = rows[#rows].time_ns end
  end
  local cursor = high or window_end or (require("tinkr.time").now())

  local polls, failing = 0, false
  while not o.polls or polls < o.polls do
    if polls > 0 or q.limit > 0 then
      if sleep(interval) and o.stop and o.stop() then break end
    end
    polls = polls + 1
    local p = copy(o.query or {})
    local edge = high or cursor
    local now = clock()
    if edge > now then edge = now end
    local from = edge - lag_ns
    p.from, p.to = core.iso_format(from), core.iso_format(from + FAR)
    p.limit, p.order = 0, "asc"
    p.each = take
    local rows, err = logs(p)
    if not rows then
      if err and (err.code == "usage" or err.code == "bad_query" or err.code == "config") then return nil, err end
      -- Said once per outage, not at every poll.
      if not failing and o.on_error then o.on_error(err) end
      failing = true
    elseif failing then
      failing = false
      if o.on_recover then o.on_recover() end
    end
    -- Forget what fell out of the lag window (the next poll starts there
    -- or later).
    if from > forgotten then
      forgotten = from
      for id, t in pairs(seen) do
        if t < from then seen[id] = nil end
      end
    end
  end
  return true
end

return _M
