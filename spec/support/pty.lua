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

return pty
