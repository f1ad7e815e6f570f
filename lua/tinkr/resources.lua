-- Editable resource files (queries/...: PromQL recipes, DSL templates,
-- field mappings): finding them — the user's directories first — and
-- running them in an allow-listed environment.
--
-- Lookup order for a relative path such as "queries/recipes/x.lua":
--   1. each directory of TINKR_PATH, then $XDG_CONFIG_HOME/tinkr or
--      ~/.config/tinkr (bin/tinkr: tinkr.embedded.find does this itself);
--   2. the copy embedded in bin/tinkr;
--   3. without bin/tinkr (plain lua5.4, specs): the repository the tinkr
--      modules were loaded from, then a luarocks tree
--      (module tinkr.queries.recipes.x).
local _M = { _VERSION = "0.1.0" }

local errors = require "tinkr.errors"
local core = require "tinkr.core"

local sandbox = core.sandbox

--- The budget of every call into a resource file (running it, and each
--- function it returns): a template, mapping or recipe that loops, or
--- matches a pattern that backtracks forever, is stopped.  Server scripts
--- have their own (tinkr.server, --script-*).
_M.LIMITS = { instructions = 100000000, seconds = 5, memory = 64 * 1024 * 1024 }

-- Only bin/tinkr has it (in package.preload); plain lua5.4 does not.
local embedded = package.preload["tinkr.embedded"] and require("tinkr.embedded") or nil

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

--- The user's directories, searched before anything shipped with tinkr.
function _M.user_dirs()
  if embedded then return embedded.user_dirs end
  local dirs = {}
  for dir in (os.getenv("TINKR_PATH") or ""):gmatch("[^:]+") do dirs[#dirs + 1] = dir end
  local xdg, home = os.getenv("XDG_CONFIG_HOME"), os.getenv("HOME")
  if xdg and xdg ~= "" then
    dirs[#dirs + 1] = xdg .. "/tinkr"
  elseif home and home ~= "" then
    dirs[#dirs + 1] = home .. "/.config/tinkr"
  end
  return dirs
end

-- The repository root when running from a checkout: lua/tinkr/init.lua -> ../..
local function repo_root()
  local init = package.searchpath("tinkr", package.path)
  if not init then return nil end
  local root = init:gsub("/?[^/]*/tinkr/init%.lua$", "")
  if root == init then return nil end
  return root == "" and "." or root
end

-- "queries/recipes/x.lua" -> "tinkr.queries.recipes.x" (the luarocks module name)
local function rock_module(relpath)
  if not relpath:match("^queries/.*%.lua$") then return nil end
  return "tinkr." .. relpath:gsub("%.lua$", ""):gsub("/", ".")
end

--- resources.find(relpath) -> source, chunkname | nil
function _M.find(relpath)
  if type(relpath) ~= "string" or relpath == "" or relpath:find("%.%.") or relpath:sub(1, 1) == "/" then
    error(("bad argument #1 to 'find' (relative resource path expected, got %q)"):format(tostring(relpath)), 2)
  end
  if embedded then
    return embedded.find(relpath)
  end
  for _, dir in ipairs(_M.user_dirs()) do
    local path = dir .. "/" .. relpath
    local src = read_file(path)
    if src then return src, "@" .. path end
  end
  local root = repo_root()
  if root then
    local path = root .. "/" .. relpath
    local src = read_file(path)
    if src then return src, "@" .. path end
  end
  local mod = rock_module(relpath)
  local path = mod and package.searchpath(mod, package.path)
  if path then return read_file(path), "@" .. path end
  return nil
end

local function shell_quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

-- File names directly inside dir (none if it does not exist).
local function list_dir(dir)
  local names = {}
  local p = io.popen("ls -1 -- " .. shell_quote(dir) .. " 2>/dev/null")
  if not p then return names end
  for line in p:lines() do names[#names + 1] = line end
  p:close()
  return names
end

--- resources.list(reldir, suffix) -> sorted names (suffix removed) of the
--- files in reldir, from every place find() looks, each name once.
function _M.list(reldir, suffix)
  suffix = suffix or ".lua"
  local seen, out = {}, {}
  local function add(name)
    if name:sub(-#suffix) == suffix then
      local base = name:sub(1, -#suffix - 1)
      if base ~= "" and not base:find("/") and not seen[base] then
        seen[base] = true
        out[#out + 1] = base
      end
    end
  end
  for _, dir in ipairs(_M.user_dirs()) do
    for _, name in ipairs(list_dir(dir .. "/" .. reldir)) do add(name) end
  end
  if embedded then
    local prefix = reldir .. "/"
    for _, path in ipairs(embedded.list()) do
      if path:sub(1, #prefix) == prefix then add(path:sub(#prefix + 1)) end
    end
  else
    local root = repo_root()
    if root then
      for _, name in ipairs(list_dir(root .. "/" .. reldir)) do add(name) end
    end
    for template in package.path:gmatch("[^;]+") do
      local dir = template:match("^(.*)/%?%.lua$")
      if dir then
        for _, name in ipairs(list_dir(dir .. "/tinkr/" .. reldir)) do add(name) end
      end
    end
  end
  table.sort(out)
  return out
end

-- Copies, so a resource cannot change the libraries everyone else uses.
local function copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

--- An environment for resource files: an allow-list, plus extras; reading
--- or assigning an undefined global is an error.  string, table and utf8
--- are tinkr.core.sandbox's bounded copies: inside a budget, no single call
--- of theirs runs past it.
function _M.sandbox(extras, chunkname)
  local env = {
    string = copy(sandbox.string), table = copy(sandbox.table), math = copy(math), utf8 = copy(sandbox.utf8),
    tostring = tostring, tonumber = tonumber, pairs = pairs, ipairs = ipairs,
    next = next, select = select, type = type, error = error, assert = assert,
    pcall = pcall, rawequal = rawequal, rawlen = rawlen,
    format = sandbox.string.format, concat = sandbox.table.concat,
  }
  for k, v in pairs(extras or {}) do env[k] = v end
  local where = chunkname and (" in " .. chunkname:gsub("^[@=]", "")) or ""
  return setmetatable(env, {
    __index = function(_, k)
      error(("undefined global '%s'%s"):format(tostring(k), where), 2)
    end,
    __newindex = function(_, k)
      error(("assignment to global '%s'%s (use local)"):format(tostring(k), where), 2)
    end,
  })
end

local function first_line(msg)
  if type(msg) ~= "string" then return msg end
  return (msg:gsub("\nstack traceback:.*$", ""))
end

--- resources.call(what, fn, ...) -> the results of fn(...), run under
--- LIMITS.  Errors are raised again as they were (without a traceback);
--- a stop is a "config" error naming what was stopped.
function _M.call(what, fn, ...)
  local r = table.pack(sandbox.run(fn, _M.LIMITS, ...))
  if r[1] then return table.unpack(r, 2, r.n) end
  if r[3] == "error" then error(first_line(r[2]), 0) end
  local limit = { instructions = ("%d instructions"):format(_M.LIMITS.instructions),
    time = ("%g s"):format(_M.LIMITS.seconds), memory = ("%d bytes"):format(_M.LIMITS.memory) }
  error(errors.new("config", ("%s was stopped: it exceeded its %s budget (%s)"):format(
    what, r[3], limit[r[3]] or "?")), 0)
end

-- Every function a resource file returns (itself, or in its table, a few
-- levels down) is called under the budget too.  Tables the file was given
-- (shared libraries such as promql) are left alone.
local function guard(value, what, given, depth)
  if type(value) == "function" then
    local fn = value
    return function(...) return _M.call(what, fn, ...) end
  end
  if type(value) == "table" and not given[value] and depth < 4 then
    given[value] = true
    for k, v in pairs(value) do
      local g = guard(v, what, given, depth + 1)
      if g ~= v then value[k] = g end
    end
  end
  return value
end

--- resources.load(relpath, env_extras) -> value | nil, err
--- Runs the file in a sandbox and returns what it returns.  A missing file
--- is "not_found"; a file that does not compile or raises is "config"
--- (the message names the file and line).
function _M.load(relpath, env_extras)
  local src, chunkname = _M.find(relpath)
  if not src then
    return nil, errors.new("not_found", ("no resource '%s' (looked in: %s)"):format(
      relpath, table.concat(_M.user_dirs(), ", ") .. (embedded and ", bin/tinkr" or ", the tinkr tree")))
  end
  local env = _M.sandbox(env_extras, chunkname)
  local fn, cerr = load(src, chunkname, "t", env)
  if not fn then
    return nil, errors.new("config", ("cannot load %s: %s"):format(relpath, cerr), { path = chunkname:sub(2) })
  end
  local ok, value = pcall(_M.call, relpath, fn)
  if not ok then
    if errors.is_error(value) then
      value.path = chunkname:sub(2)
      return nil, value
    end
    return nil, errors.new("config", ("error running %s: %s"):format(relpath, tostring(value)), { path = chunkname:sub(2) })
  end
  local given = {}
  for _, v in pairs(env_extras or {}) do
    if type(v) == "table" then given[v] = true end
  end
  return guard(value, relpath, given, 0), chunkname:sub(2)
end

return _M
