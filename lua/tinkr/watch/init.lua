-- `tinkr watch RULES.lua...`: evaluates rules on their intervals and runs
-- their hooks when an alert changes state.  An alert's life follows
-- Prometheus: inactive -> pending (condition true, waiting out `for`) ->
-- firing -> resolved (condition false again; back to inactive).  A pending
-- alert whose condition turns false goes back to inactive without an event,
-- so a flapping value does not page.
--
-- A query that fails (backend down, timeout) puts the rule in `error`:
-- reported once, and `recovered` when a query works again.  The alert keeps
-- its state meanwhile: an outage never resolves a firing alert.
--
-- Events (what hooks get):
--   { rule, labels, state = pending|firing|resolved|error|recovered, previous,
--     value, since (RFC 3339: when the alert became active), at (now),
--     queries = { exact requests sent }, command = "tinkr ..." (to paste),
--     description, error = { code, message } (state error) }
--
-- SIGHUP reloads the rule files (a broken file keeps the rules running and
-- says why); SIGTERM stops after the hooks in flight.
local core = require "tinkr.core"
local errors = require "tinkr.errors"
local rules_mod = require "tinkr.watch.rules"
local evaluate = require "tinkr.watch.evaluate"
local hooks = require "tinkr.watch.hooks"

local _M = { _VERSION = "0.1.0" }

local function iso_now() return core.iso_format(core.now_ns()) end

-- The pinned "now" (TINKR_NOW, --now), for commands that reproduce a query.
local function pinned_now()
  local time = require "tinkr.time"
  local n = time.now()
  if math.abs(n - time.clock()) > 1000000000 then return core.iso_format(n) end
  return nil
end

local function new_alert() return { state = "inactive" } end

local function event(rule, alert, state, previous, value, info, err)
  local e = {
    rule = rule.name, labels = rule.labels, state = state, previous = previous,
    value = value, since = alert.since or iso_now(), at = iso_now(),
    queries = core.json.array(info and info.queries or alert.queries or {}),
    command = info and info.command or alert.command,
    description = rule.description,
  }
  if err then
    e.error = { code = err.code, message = tostring(err.message or err) }
  end
  return e
end

--- watch.step(rule, alert, value, info, err, opts) -> events (a list)
--- opts.now (monotonic seconds), opts.ignore_for (--once: no history).
function _M.step(rule, alert, value, info, err, opts)
  local events = {}
  local now = opts.now
  if err then
    if not alert.error then
      alert.error = err
      events[#events + 1] = event(rule, alert, "error", alert.state, nil, info, err)
    end
    return events
  end
  if alert.error then
    alert.error = nil
    events[#events + 1] = event(rule, alert, "recovered", "error", value, info)
  end
  alert.queries, alert.command, alert.value = info and info.queries, info and info.command, value
  local ok, active = pcall(rule.condition, value)
  if not ok then
    local cerr = errors.new("config", ("rule '%s': its condition failed: %s"):format(rule.name, tostring(active)))
    alert.error = cerr
    events[#events + 1] = event(rule, alert, "error", alert.state, value, info, cerr)
    return events
  end
  if active then
    if alert.state == "inactive" then
      alert.active_at, alert.since = now, iso_now()
      if rule.hold <= 0 or opts.ignore_for then
        alert.state = "firing"
        events[#events + 1] = event(rule, alert, "firing", "inactive", value, info)
      else
        alert.state = "pending"
        events[#events + 1] = event(rule, alert, "pending", "inactive", value, info)
      end
    elseif alert.state == "pending" and now - alert.active_at >= rule.hold then
      alert.state = "firing"
      events[#events + 1] = event(rule, alert, "firing", "pending", value, info)
    end
  else
    if alert.state == "firing" then
      events[#events + 1] = event(rule, alert, "resolved", "firing", value, info)
    end
    alert.state, alert.since, alert.active_at = "inactive", nil, nil
  end
  return events
end

local function log_to_stderr(text)
  io.stderr:write("tinkr watch: ", text, "\n")
  io.stderr:flush()
end

local function describe(e)
  local v = e.value ~= nil and (" (value %s)"):format(tostring(e.value)) or ""
  if e.state == "error" then return ("rule '%s' error: %s"):format(e.rule, e.error.message) end
  return ("rule '%s' %s%s"):format(e.rule, e.state, v)
end

local function check_once(rule, alert, log, opts)
  local value, info = evaluate.run(rule, opts.pinned)
  local err
  if value == nil and errors.is_error(info) then err, info = info, nil end
  local events = _M.step(rule, alert, value, info, err, opts)
  for _, e in ipairs(events) do
    log(describe(e))
    hooks.fire(rule, e, log)
  end
  return err
end

--- watch.once(paths, opts) -> exit status: 0 none firing, 1 some firing,
--- or the exit status of the first error when none fired.
function _M.once(paths, opts)
  opts = opts or {}
  local log = opts.log or log_to_stderr
  local rules, err = rules_mod.load(paths)
  if not rules then return nil, err end
  local firing, first_err = 0, nil
  local pinned = pinned_now()
  for _, rule in ipairs(rules) do
    local alert = new_alert()
    local rerr = check_once(rule, alert, log, { now = core.monotonic(), ignore_for = true, pinned = pinned })
    if alert.state == "firing" then firing = firing + 1 end
    first_err = first_err or rerr
  end
  if firing > 0 then return 1 end
  if first_err then return errors.exit_status(first_err) end
  return 0
end

--- watch.run(paths, opts) -> 0 when stopped by SIGTERM | nil, err
--- opts.log(text), opts.max_seconds (specs: stop after that long).
function _M.run(paths, opts)
  opts = opts or {}
  local log = opts.log or log_to_stderr
  core.signal_watch("HUP")
  core.signal_watch("TERM")
  local rules, err = rules_mod.load(paths)
  if not rules then return nil, err end
  log(("watching %d rule%s"):format(#rules, #rules == 1 and "" or "s"))
  local alerts, due = {}, {}
  local started = core.monotonic()
  local function adopt(list)
    local now = core.monotonic()
    local kept_alerts, kept_due = {}, {}
    for _, r in ipairs(list) do
      kept_alerts[r.name] = alerts[r.name] or new_alert()
      kept_due[r.name] = due[r.name] or now
    end
    alerts, due, rules = kept_alerts, kept_due, list
  end
  adopt(rules)
  local pinned = pinned_now()
  while true do
    if core.signal_take("TERM") > 0 then
      log("SIGTERM: stopped (after the hooks in flight)")
      return 0
    end
    if core.signal_take("HUP") > 0 then
      local fresh, rerr = rules_mod.load(paths)
      if fresh then
        adopt(fresh)
        log(("SIGHUP: reloaded %d rule%s"):format(#fresh, #fresh == 1 and "" or "s"))
      else
        log(("SIGHUP: reload failed, still running the %d previous rule%s: %s"):format(
          #rules, #rules == 1 and "" or "s", tostring(rerr.message or rerr)))
      end
    end
    if opts.max_seconds and core.monotonic() - started > opts.max_seconds then return 0 end
    local now = core.monotonic()
    local next_rule, next_due
    for _, r in ipairs(rules) do
      if not next_due or due[r.name] < next_due then next_rule, next_due = r, due[r.name] end
    end
    if next_due > now then
      core.sleep(math.min(next_due - now, 1))
    else
      check_once(next_rule, alerts[next_rule.name], log, { now = now, pinned = pinned })
      -- Keep the rhythm; after a slow evaluation, start again from now.
      local d = next_due + next_rule.interval
      due[next_rule.name] = d > core.monotonic() and d or core.monotonic() + next_rule.interval
    end
  end
end

return _M
