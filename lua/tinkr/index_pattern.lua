-- Index patterns (OTEL_LOG_INDEX, OTEL_TRACE_INDEX, profile keys): checked
-- against OpenSearch's own rules for index names, plus what a pattern may
-- add -- `*` wildcards, `,` between names and `-name` exclusions -- and
-- percent-encoded wherever they go into a URL path, so a pattern can never
-- add a path segment or a query string to a request.
local _M = { _VERSION = "0.1.0" }

local MAX_NAME = 255     -- bytes, OpenSearch's limit for an index name

-- Characters OpenSearch refuses in index names (`,` separates names, `*`
-- is the wildcard; `:` is refused since OpenSearch 1.0).
local FORBIDDEN = '[\\/?"<>| #:]'

--- index_pattern.check(pattern) -> pattern | nil, why
function _M.check(pattern)
  if type(pattern) ~= "string" or pattern == "" then return nil, "an index pattern must not be empty" end
  if pattern:find("[%c\127]") then return nil, "an index pattern must not contain control characters" end
  local n = 0
  for item in (pattern .. ","):gmatch("([^,]*),") do
    n = n + 1
    local name = item
    if name:sub(1, 1) == "-" and n > 1 then name = name:sub(2) end   -- an exclusion
    if name == "" then
      return nil, ("empty name in %q (names are separated by single commas)"):format(pattern)
    end
    local bad = name:match(FORBIDDEN)
    if bad then
      return nil, ("%q: index names cannot contain %q (OpenSearch's rule; * and , are the pattern's own)"):format(
        pattern, bad)
    end
    if name:find("%u") then return nil, ("%q: index names are lowercase"):format(pattern) end
    if name:match("^[-_+]") then
      return nil, ("%q: an index name cannot start with '-', '_' or '+' (a '-name' exclusion must follow a name)"):format(pattern)
    end
    if name == "." or name == ".." then return nil, ("%q: '.' and '..' are not index names"):format(pattern) end
    if #name > MAX_NAME then return nil, ("%q: an index name is at most %d bytes"):format(pattern, MAX_NAME) end
  end
  return pattern
end

--- index_pattern.path(pattern) -> the pattern as one URL path segment:
--- every byte but letters, digits, - . _ ~ * and , percent-encoded.
function _M.path(pattern)
  return (pattern:gsub("[^%w%-%._~%*,]", function(c) return ("%%%02X"):format(c:byte()) end))
end

return _M
