-- A list of node URLs for one backend, as the official OpenSearch clients
-- take it: requests go to the node that answered last; a node that fails
-- to answer is skipped for a while (1 s, doubling per failure in a row, at
-- most 60 s) and tried again after that.  When every node is resting, the
-- one that rests least is tried anyway: a dead cluster fails fast with
-- the real error rather than "no node left".
local core = require "tinkr.core"

local _M = { _VERSION = "0.1.0" }

_M.FIRST_BACKOFF_S = 1
_M.MAX_BACKOFF_S = 60

local Nodes = {}
Nodes.__index = Nodes

--- nodes.new(urls [, clock]) -> nodes.  clock() -> seconds (tests pass one).
function _M.new(urls, clock)
  return setmetatable({
    urls = urls, current = 1, failures = {}, resting_until = {},
    clock = clock or core.monotonic,
  }, Nodes)
end

--- The node indices in the order to try them: live nodes from the current
--- one on, then resting nodes, soonest back first.
function Nodes:order()
  local now, live, resting = self.clock(), {}, {}
  local n = #self.urls
  for k = 0, n - 1 do
    local i = (self.current - 1 + k) % n + 1
    if (self.resting_until[i] or 0) <= now then live[#live + 1] = i else resting[#resting + 1] = i end
  end
  table.sort(resting, function(a, b) return self.resting_until[a] < self.resting_until[b] end)
  for _, i in ipairs(resting) do live[#live + 1] = i end
  return live
end

function Nodes:failed(i)
  local f = (self.failures[i] or 0) + 1
  self.failures[i] = f
  local wait = math.min(_M.MAX_BACKOFF_S, _M.FIRST_BACKOFF_S * 2 ^ (f - 1))
  self.resting_until[i] = self.clock() + wait
  if self.current == i then self.current = i % #self.urls + 1 end
end

function Nodes:succeeded(i)
  self.failures[i], self.resting_until[i] = nil, nil
  self.current = i
end

return _M
