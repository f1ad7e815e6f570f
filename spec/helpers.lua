-- Shared spec helpers: where the repo is, how to run bin/tinkr, temp files.
local helpers = {}

helpers.root = os.getenv("TINKR_ROOT") or assert(io.popen("pwd")):read("l")

-- The binary under test: bin/tinkr, or bin/tinkr-asan in the ASan pass.
function helpers.tinkr_bin()
  return os.getenv("TINKR_BIN") or (helpers.root .. "/bin/tinkr")
end

local function shell_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end
helpers.shell_quote = shell_quote

-- Runs a shell command line; returns stdout, stderr, exit status.
-- opts.stdin: text fed to the command; opts.env: { NAME = value } prefix.
function helpers.run(cmdline, opts)
  opts = opts or {}
  local out, errf = os.tmpname(), os.tmpname()
  local prefix = ""
  for k, v in pairs(opts.env or {}) do
    prefix = prefix .. k .. "=" .. shell_quote(v) .. " "
  end
  local input = ""
  if opts.stdin then
    local inf = os.tmpname()
    local f = assert(io.open(inf, "wb")); f:write(opts.stdin); f:close()
    input = " < " .. shell_quote(inf)
  else
    input = " < /dev/null"
  end
  -- Children never inherit the ASan pass's preload: the ASan binaries link
  -- it themselves, and uninstrumented programs using libcurl (curl, a plain
  -- bin/tinkr) can deadlock under it.
  local full = "unset LD_PRELOAD; " .. prefix .. cmdline .. input .. " > " .. shell_quote(out) .. " 2> " .. shell_quote(errf)
  local ok, how, code = os.execute(full)
  local function slurp(p) local f = io.open(p, "rb"); local s = f and f:read("a") or ""; if f then f:close() end; os.remove(p); return s end
  local status = (how == "exit") and code or (128 + (code or 0))
  if ok == true then status = 0 end
  return slurp(out), slurp(errf), status
end

-- Runs bin/tinkr with the given argument list (strings, quoted for you).
function helpers.tinkr(args, opts)
  local parts = { shell_quote(helpers.tinkr_bin()) }
  for _, a in ipairs(args) do parts[#parts + 1] = shell_quote(a) end
  return helpers.run(table.concat(parts, " "), opts)
end

--- The whole file, or nil when it cannot be read.
--- rand(k) -> 1..k from its own LCG started at seed: the same cases every run.
function helpers.lcg(seed)
  return function(k)
    seed = (seed * 1103515245 + 12345) % 2147483648
    return (seed >> 16) % k + 1
  end
end

--- A shallow copy of t with t[k] = v (a spec with one option changed).
function helpers.with(t, k, v)
  local copy = {}
  for key, value in pairs(t) do copy[key] = value end
  copy[k] = v
  return copy
end

function helpers.read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

function helpers.write_temp(content, suffix)
  local p = os.tmpname() .. (suffix or "")
  local f = assert(io.open(p, "wb")); f:write(content); f:close()
  return p
end

return helpers
