-- Rule files for `tinkr watch`: loading and checking.  A rule file is Lua
-- that returns one rule or a list of them:
--
--   return {
--     name = "payments-api errors",
--     interval = "30s",                     -- how often it is evaluated (default 1m)
--     query = { logs = { service = "payments-api", level = "ERROR", since = "5m" } },
--     condition = "> 5",                    -- or function(value) return value > 5 end (default "> 0")
--     ["for"] = "2m",                       -- pending this long before firing (default 0)
--     labels = { severity = "page" },
--     hooks = { { webhook = "http://...", payload = "alertmanager" }, { ndjson = true } },
--   }
--
-- query is one tinkr call: { logs = params } or { traces = params } (value:
-- how many match), { metrics = "PromQL" } (value: the largest sample of the
-- instant query), { recipe = "name", params = {...} } (value: the largest
-- sample now), or a function(tinkr) returning a number (and optionally the
-- meta of the calls it made).  Files run in a sandbox with `tinkr`; an
-- undefined global is an error.
local errors = require "tinkr.errors"
local time = require "tinkr.time"
local resources = require "tinkr.resources"

local _M = { _VERSION = "0.1.0" }

local KEYS = { name = true, interval = true, query = true, condition = true, ["for"] = true,
  labels = true, hooks = true, description = true }
local QUERY_KINDS = { logs = true, traces = true, metrics = true, recipe = true }
local HOOK_KINDS = { exec = true, webhook = true, ndjson = true }
local HOOK_KEYS = { exec = true, webhook = true, ndjson = true, timeout = true, retries = true,
  backoff = true, payload = true, on = true, headers = true }
local STATES = { pending = true, firing = true, resolved = true, error = true, recovered = true }

local function seconds(v, what)
  if type(v) == "number" and v >= 0 then return v end
  if type(v) == "string" then
    local ns, err = time.duration(v)
    if ns then return ns / 1e9 end
    error(("%s: %s"):format(what, err), 0)
  end
  error(("%s must be a duration such as \"30s\" (or seconds), got %s"):format(what, type(v)), 0)
end

-- "> 5", ">= 1", "< 0.5", "== 0", "~= 0" -> function(v)
local OPS = {
  [">"] = function(a, b) return a > b end, [">="] = function(a, b) return a >= b end,
  ["<"] = function(a, b) return a < b end, ["<="] = function(a, b) return a <= b end,
  ["=="] = function(a, b) return a == b end, ["~="] = function(a, b) return a ~= b end,
  ["!="] = function(a, b) return a ~= b end,
}

local function condition_of(c)
  if c == nil then c = "> 0" end
  if type(c) == "function" then return c, "function" end
  if type(c) ~= "string" then error("condition must be a string such as \"> 5\" or a function(value)", 0) end
  local op, num = c:match("^%s*([<>=~!]=?)%s*(%S+)%s*$")
  local n = tonumber(num)
  if not (op and OPS[op] and n) then
    error(("condition %q: use an operator and a number, e.g. \"> 5\", \">= 0.5\", \"== 0\""):format(c), 0)
  end
  local f = OPS[op]
  return function(v) return type(v) == "number" and f(v, n) end, c
end

local function check_hook(h, i)
  if type(h) ~= "table" then error(("hooks[%d] must be a table such as { webhook = URL }"):format(i), 0) end
  local kind
  for k in pairs(h) do
    if not HOOK_KEYS[k] then error(("hooks[%d]: unknown key '%s'"):format(i, tostring(k)), 0) end
    if HOOK_KINDS[k] then
      if kind then error(("hooks[%d]: give one of exec, webhook, ndjson (got %s and %s)"):format(i, kind, k), 0) end
      kind = k
    end
  end
  if not kind then error(("hooks[%d]: give exec = {cmd, args...}, webhook = URL or ndjson = true"):format(i), 0) end
  local hook = { kind = kind, timeout = seconds(h.timeout or 10, ("hooks[%d].timeout"):format(i)) }
  if kind == "exec" then
    local argv = h.exec
    if type(argv) == "string" then argv = { "sh", "-c", argv } end
    if type(argv) ~= "table" or #argv == 0 then error(("hooks[%d].exec: a list {cmd, args...} or a shell command"):format(i), 0) end
    for j, a in ipairs(argv) do
      if type(a) ~= "string" then error(("hooks[%d].exec[%d] must be a string"):format(i, j), 0) end
    end
    hook.argv = argv
  elseif kind == "webhook" then
    if type(h.webhook) ~= "string" or not h.webhook:match("^https?://") then
      error(("hooks[%d].webhook must be an http(s):// URL"):format(i), 0)
    end
    hook.url = h.webhook
    hook.retries = math.tointeger(h.retries or 3)
    if not hook.retries or hook.retries < 0 or hook.retries > 20 then
      error(("hooks[%d].retries must be a whole number from 0 to 20"):format(i), 0)
    end
    hook.backoff = seconds(h.backoff or 1, ("hooks[%d].backoff"):format(i))
    local p = h.payload or "event"
    if type(p) == "string" and not require("tinkr.watch.payloads")[p] then
      error(("hooks[%d].payload: \"event\", \"alertmanager\", \"slack\" or a function(event)"):format(i), 0)
    elseif type(p) ~= "string" and type(p) ~= "function" then
      error(("hooks[%d].payload: a name or a function(event)"):format(i), 0)
    end
    hook.payload = p
    hook.headers = h.headers
  else
    if h.ndjson ~= true then error(("hooks[%d].ndjson must be true"):format(i), 0) end
  end
  local on = h.on or { "pending", "firing", "resolved", "error", "recovered" }
  if type(on) == "string" then on = { on } end
  hook.on = {}
  for _, s in ipairs(on) do
    if not STATES[s] then error(("hooks[%d].on: %q is not one of pending, firing, resolved, error, recovered"):format(i, tostring(s)), 0) end
    hook.on[s] = true
  end
  return hook
end

--- rules.check(raw, where) -> rule (raises a message naming the problem)
function _M.check(raw)
  if type(raw) ~= "table" then error("a rule is a table { name = ..., query = ... }", 0) end
  for k in pairs(raw) do
    if not KEYS[k] then error(("unknown key '%s' (known: name, interval, query, condition, for, labels, hooks, description)"):format(tostring(k)), 0) end
  end
  if type(raw.name) ~= "string" or raw.name == "" then error("name must be a non-empty string", 0) end
  local rule = { name = raw.name, description = raw.description }
  rule.interval = seconds(raw.interval or 60, "interval")
  if rule.interval < 0.05 then error("interval must be at least 50ms", 0) end
  rule.hold = seconds(raw["for"] or 0, "for")
  rule.condition, rule.condition_text = condition_of(raw.condition)
  local q = raw.query
  if type(q) == "function" then
    rule.query = { fn = q }
  elseif type(q) == "table" then
    local kind
    for k in pairs(q) do
      if QUERY_KINDS[k] then
        if kind then error(("query: give one of logs, traces, metrics, recipe (got %s and %s)"):format(kind, k), 0) end
        kind = k
      elseif k ~= "params" then
        error(("query: unknown key '%s' (use logs, traces, metrics, recipe or a function)"):format(tostring(k)), 0)
      end
    end
    if not kind then error("query: give { logs = {...} }, { traces = {...} }, { metrics = PROMQL }, { recipe = NAME } or a function", 0) end
    if (kind == "logs" or kind == "traces") and type(q[kind]) ~= "table" then error(("query.%s must be a table of parameters"):format(kind), 0) end
    if (kind == "metrics" or kind == "recipe") and type(q[kind]) ~= "string" then error(("query.%s must be a string"):format(kind), 0) end
    rule.query = { kind = kind, arg = q[kind], params = q.params or {} }
  else
    error("query is required: a table such as { logs = { level = \"ERROR\", since = \"5m\" } } or a function", 0)
  end
  rule.labels = {}
  for k, v in pairs(raw.labels or {}) do
    if type(k) ~= "string" or (type(v) ~= "string" and type(v) ~= "number") then
      error("labels must map names to strings", 0)
    end
    rule.labels[k] = tostring(v)
  end
  rule.hooks = {}
  for i, h in ipairs(raw.hooks or {}) do rule.hooks[i] = check_hook(h, i) end
  return rule
end

-- The sandbox a rule file runs in: the usual allow-list plus tinkr.
local function load_file(path)
  local f, oerr = io.open(path, "rb")
  if not f then return nil, ("cannot read %s: %s"):format(path, oerr) end
  local src = f:read("a")
  f:close()
  local env = resources.sandbox({ tinkr = require "tinkr" }, "@" .. path)
  local fn, cerr = load(src, "@" .. path, "t", env)
  if not fn then return nil, cerr end
  local ok, value = pcall(fn)
  if not ok then return nil, ("%s: %s"):format(path, tostring(value)) end
  local list = (type(value) == "table" and value[1] ~= nil) and value or { value }
  local out = {}
  for i, raw in ipairs(list) do
    local cok, rule = pcall(_M.check, raw)
    if not cok then
      return nil, ("%s: rule %s: %s"):format(path, type(raw) == "table" and raw.name and ("'" .. tostring(raw.name) .. "'") or ("#" .. i), tostring(rule))
    end
    rule.file = path
    out[#out + 1] = rule
  end
  return out
end

--- rules.load(paths) -> list of rules | nil, err (config: names file and rule)
--- A directory stands for its *.lua files.  Rule names must be unique.
function _M.load(paths)
  local files = {}
  for _, p in ipairs(paths) do
    local h = io.popen("test -d " .. ("'" .. p:gsub("'", "'\\''") .. "'") .. " && ls -1 '" .. p:gsub("'", "'\\''") .. "' 2>/dev/null")
    local listing = h and h:read("a") or ""
    if h then h:close() end
    if listing ~= "" then
      for name in listing:gmatch("[^\n]+") do
        if name:match("%.lua$") then files[#files + 1] = p:gsub("/$", "") .. "/" .. name end
      end
    else
      files[#files + 1] = p
    end
  end
  if #files == 0 then return nil, errors.new("usage", "no rule files: give RULES.lua files or a directory of them") end
  local all, names = {}, {}
  for _, path in ipairs(files) do
    local list, err = load_file(path)
    if not list then return nil, errors.new("config", err) end
    for _, r in ipairs(list) do
      if names[r.name] then
        return nil, errors.new("config", ("%s: rule name '%s' is also used in %s"):format(path, r.name, names[r.name]))
      end
      names[r.name] = path
      all[#all + 1] = r
    end
  end
  return all
end

return _M
