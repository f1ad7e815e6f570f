-- Runs bin/tinkr on a pseudo-terminal through spec/support/pty_session.py.
local helpers = require "helpers"
local cjson = require "cjson"

local pty = {}

-- steps: list of { send = "..." } / { expect = "...", timeout = s } / { sleep = s }
-- Returns { output = text, status = exit status or "killed", failed_expect = text|nil }
function pty.run(steps, env, args)
  local steps_file = helpers.write_temp(cjson.encode(steps), ".json")
  local parts = { "python3", helpers.root .. "/spec/support/pty_session.py", steps_file, "--", helpers.tinkr_bin() }
  for _, a in ipairs(args or {}) do parts[#parts + 1] = a end
  for i, p in ipairs(parts) do parts[i] = helpers.shell_quote(p) end
  local out, err = helpers.run(table.concat(parts, " "), { env = env })
  os.remove(steps_file)
  local ok, result = pcall(cjson.decode, out)
  if not ok then error("pty_session failed: " .. err .. out) end
  if result.failed_expect == cjson.null then result.failed_expect = nil end
  return result
end

-- A private home for REPL sessions (history under XDG_STATE_HOME, config
-- under XDG_CONFIG_HOME), so nothing of whoever runs the specs leaks in.
-- Call it in before_each and :remove() in after_each.
function pty.home()
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p " .. helpers.shell_quote(dir)))
  return {
    dir = dir,
    env = function(self, extra)
      local e = { XDG_STATE_HOME = self.dir, XDG_CONFIG_HOME = self.dir .. "/config", NO_COLOR = "1" }
      for k, v in pairs(extra or {}) do e[k] = v end
      return e
    end,
    remove = function(self) os.execute("rm -rf " .. helpers.shell_quote(self.dir)) end,
  }
end

return pty
