-- `tinkr mcp`: MCP over stdio, one JSON-RPC message per line (stdin in,
-- stdout out; anything else goes to stderr).  Ends at end of input.
local mcp = require "tinkr.mcp"

local _M = { _VERSION = "0.1.0" }

--- stdio.run(input, output) -> 0 at end of input
function _M.run(input, output)
  input, output = input or io.stdin, output or io.stdout
  for line in input:lines() do
    if line:match("%S") then
      local reply = mcp.handle_text(line)
      if reply then
        output:write(reply, "\n")
        output:flush()
      end
    end
  end
  return 0
end

return _M
