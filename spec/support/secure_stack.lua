-- TLS, basic auth, client certificates, bearer tokens, a tenant header and
-- SigV4 in front of the sample stack, with real components (see
-- scripts/secure-stack).  Started once per busted run, left running.
--
--   local secure = require("support.secure_stack").get()
--   secure.TINKR_TLS_PROM_URL, secure.TINKR_TEST_PKI .. "/ca.pem", ...
local helpers = require "helpers"
local stack = require "support.stack"

local M = {}
local cached

function M.get()
  if cached then return cached end
  local base = stack.get()
  local out, err, status = helpers.run("env -u LD_PRELOAD -u ASAN_OPTIONS -u UBSAN_OPTIONS "
    .. helpers.shell_quote(helpers.root .. "/scripts/secure-stack") .. " up")
  if status ~= 0 then
    error(("scripts/secure-stack up failed (exit %d):\n%s\n%s"):format(status, out, err), 2)
  end
  local env = { stack = base }
  for name, value in out:gmatch("export ([%w_]+)=([^\n]*)") do
    env[name] = value:match("^'(.*)'$") or value
  end
  assert(env.TINKR_TLS_PROM_URL and env.TINKR_SIGV4_OS_URL, "scripts/secure-stack printed no URLs:\n" .. out)
  cached = env
  return cached
end

return M
