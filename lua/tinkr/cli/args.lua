-- Command-line options: --name value, --name=value, repeated options,
-- flags, and positional arguments.  Errors are usage errors (exit 2).
local _M = {}

--- args.parse(argv, spec, first) -> opts, positional | nil, message
--- spec = { service = "value", where = "list", errors = "flag", ... }
--- Aliases: spec.aliases = { s = "service" } (single dash, one letter).
function _M.parse(argv, spec, first)
  local opts, positional = {}, {}
  local i = first or 1
  while i <= #argv do
    local a = argv[i]
    if a == "--" then
      for j = i + 1, #argv do positional[#positional + 1] = argv[j] end
      break
    end
    local name, inline = a:match("^%-%-([%w%-]+)=(.*)$")
    if not name then name = a:match("^%-%-([%w%-]+)$") end
    if not name and a:match("^%-%a$") and spec.aliases then name = spec.aliases[a:sub(2)] end
    if name then
      local key = name:gsub("%-", "_")
      local kind = spec[key]
      if not kind or key == "aliases" then
        return nil, ("unknown option '--%s'"):format(name)
      end
      if kind == "flag" then
        if inline then return nil, ("option '--%s' takes no value"):format(name) end
        opts[key] = true
      else
        local value = inline
        if value == nil then
          i = i + 1
          value = argv[i]
          if value == nil then return nil, ("option '--%s' needs a value"):format(name) end
        end
        if kind == "list" then
          opts[key] = opts[key] or {}
          table.insert(opts[key], value)
        else
          opts[key] = value
        end
      end
    elseif a:sub(1, 1) == "-" and a ~= "-" and not a:match("^%-%d") then
      return nil, ("unknown option '%s'"):format(a)
    else
      positional[#positional + 1] = a
    end
    i = i + 1
  end
  return opts, positional
end

return _M
