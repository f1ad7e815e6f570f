-- What happens on a transition: exec (the event as JSON on stdin), webhook
-- (POST, retried with backoff), ndjson (a line on stdout).  A hook never
-- stops the watcher: its failures are logged (exit status, stderr, HTTP
-- status) and the next event is tried afresh.
local core = require "tinkr.core"
local payloads = require "tinkr.watch.payloads"

local json = core.json
local _M = { _VERSION = "0.1.0" }

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function slurp(path)
  local f = io.open(path, "rb")
  if not f then return "" end
  local s = f:read("a")
  f:close()
  return s
end

local function first_line(s)
  s = (s or ""):gsub("%s+$", "")
  local line = s:match("([^\n]*)$") or ""       -- the last line says most
  if #line > 300 then line = line:sub(1, 300) .. "..." end
  return line
end

local function exec(hook, event_json, log, label)
  local input, errf = os.tmpname(), os.tmpname()
  local f = assert(io.open(input, "wb"))
  f:write(event_json, "\n")
  f:close()
  local argv = {}
  for i, a in ipairs(hook.argv) do argv[i] = q(a) end
  -- timeout(1) sends TERM at the deadline, KILL a second later.
  local cmd = ("timeout -k 1 %.3f %s < %s > /dev/null 2> %s"):format(hook.timeout, table.concat(argv, " "), q(input), q(errf))
  local ok, how, code = os.execute(cmd)
  local stderr_text = slurp(errf)
  os.remove(input)
  os.remove(errf)
  local status = ok and 0 or code
  if how == "signal" then status = 128 + code end
  if status == 0 then
    log(("%s: exec %s: ok"):format(label, hook.argv[1]))
  elseif status == 124 or status == 137 then
    log(("%s: exec %s: timed out after %gs%s"):format(label, hook.argv[1], hook.timeout,
      stderr_text ~= "" and (": " .. first_line(stderr_text)) or ""))
  else
    log(("%s: exec %s: exit %d%s"):format(label, hook.argv[1], status,
      stderr_text ~= "" and (": " .. first_line(stderr_text)) or ""))
  end
  return status == 0
end

local function webhook(hook, event, log, label)
  local make = type(hook.payload) == "function" and hook.payload or payloads[hook.payload]
  local ok_make, body = pcall(make, event)
  if not ok_make then
    log(("%s: webhook payload function failed: %s"):format(label, tostring(body)))
    return false
  end
  local headers = { ["Content-Type"] = "application/json" }
  for k, v in pairs(hook.headers or {}) do headers[k] = v end
  local text = json.encode(body)
  local wait = hook.backoff
  for attempt = 1, hook.retries + 1 do
    local res, err = core.http.request{ method = "POST", url = hook.url, headers = headers, body = text,
      timeout = hook.timeout, connect_timeout = math.min(hook.timeout, 5) }
    local why
    if res and res.status >= 200 and res.status < 300 then
      log(("%s: webhook %s: %d"):format(label, require("tinkr.errors").public_url(hook.url), res.status))
      return true
    elseif res then
      why = ("HTTP %d %s"):format(res.status, first_line(res.body))
    else
      why = type(err) == "table" and (err.message or err.code) or tostring(err)
    end
    local last = attempt == hook.retries + 1
    log(("%s: webhook %s: attempt %d of %d failed: %s%s"):format(label,
      require("tinkr.errors").public_url(hook.url), attempt, hook.retries + 1, why,
      last and "; giving up" or (" (retry in %gs)"):format(wait)))
    if last then return false end
    core.sleep(wait)
    wait = wait * 2
  end
  return false
end

--- hooks.fire(rule, event, log) -> runs every hook of the rule that wants
--- this event's state, in order; never raises.
function _M.fire(rule, event, log)
  local event_json = json.encode(event)
  for i, hook in ipairs(rule.hooks) do
    if hook.on[event.state] then
      local label = ("rule '%s' hook %d (%s)"):format(rule.name, i, event.state)
      local ok, err = pcall(function()
        if hook.kind == "ndjson" then
          io.stdout:write(event_json, "\n")
          io.stdout:flush()
        elseif hook.kind == "exec" then
          exec(hook, event_json, log, label)
        else
          webhook(hook, event, log, label)
        end
      end)
      if not ok then log(("%s failed: %s"):format(label, tostring(err))) end
    end
  end
end

return _M
