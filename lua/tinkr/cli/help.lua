-- --help text, rendered from the surface (tinkr.cli.surface) so it always
-- says what the parser accepts.  tinkr-server's --help is this module's
-- server() too, compiled into the binary by tools/gen_cli.lua.
local surface = require "tinkr.cli.surface"

local _M = {}

local WIDTH = 79
local COLUMN = 28   -- where an option's help starts

-- Wraps text into lines of at most WIDTH, each starting with indent.
local function wrap(text, indent, first_indent)
  local lines, line = {}, first_indent or indent
  local empty = true
  for word in text:gmatch("%S+") do
    if not empty and #line + 1 + #word > WIDTH then
      lines[#lines + 1] = line
      line, empty = indent, true
    end
    line = line .. (empty and "" or " ") .. word
    empty = false
  end
  lines[#lines + 1] = line
  return table.concat(lines, "\n")
end
_M.wrap = wrap

--- "--service NAME" / "-v, --verbose" as shown in a list of options.
function _M.option_label(o)
  local label = o[1] .. (o.arg and (" " .. o.arg) or "")
  if o.short then label = o.short .. ", " .. label end
  return label
end

local function option_line(o, values)
  local label = "  " .. _M.option_label(o)
  local help = o.help
  if values then help = help .. ": " .. table.concat(values, ", ") end
  if o.default then help = help .. " (default " .. o.default .. ")" end
  if #label >= COLUMN - 1 then
    return label .. "\n" .. wrap(help, (" "):rep(COLUMN))
  end
  return wrap(help, (" "):rep(COLUMN), label .. (" "):rep(COLUMN - #label))
end

local function option_lines(options, values_of)
  local out = {}
  for _, o in ipairs(options) do
    local values = values_of and values_of(o)
    if o.type == "level" or o.type == "tz" then values = nil end
    out[#out + 1] = option_line(o, values)
  end
  return table.concat(out, "\n")
end

local function exit_summary()
  return "Exit status: 0 results, 1 no results, 2 usage, 3 and up errors (see man tinkr)."
end

--- The help of `tinkr NAME`.
function _M.command(name)
  local c = assert(surface.command(name), name)
  local parts = {}
  local prefix = "usage: tinkr " .. name .. " "
  for i, s in ipairs(c.synopsis or { "[options]" }) do
    local first = (i == 1 and prefix or ("       tinkr " .. name .. " "))
    parts[#parts + 1] = wrap(s, (" "):rep(#first + 2), first)
  end
  parts[#parts + 1] = wrap(c.description or c.summary, "")
  local function values_of(o) return surface.values(name, o) end
  if c.subcommands and #c.subcommands > 0 then
    parts[#parts + 1] = "\nSubcommands:"
    for _, s in ipairs(c.subcommands) do parts[#parts + 1] = option_line({ s[1], help = s.help }) end
  end
  if c.options and #c.options > 0 then
    parts[#parts + 1] = "\nOptions:\n" .. option_lines(c.options, values_of)
  end
  if c.common ~= false then
    parts[#parts + 1] = "\nCommon options:\n" .. option_lines(surface.COMMON, values_of)
  end
  parts[#parts + 1] = "\n" .. exit_summary()
  return table.concat(parts, "\n") .. "\n"
end

--- The help of `tinkr --help`.
function _M.program()
  local p = surface.PROGRAM
  local parts = {}
  for i, s in ipairs(p.synopsis) do
    local left = (i == 1 and "usage: tinkr " or "       tinkr ") .. s[1]
    parts[#parts + 1] = s[2] ~= "" and (left .. (" "):rep(math.max(1, 40 - #left)) .. s[2]) or left
  end
  parts[#parts + 1] = "\nCommands:"
  for _, c in ipairs(surface.list()) do
    parts[#parts + 1] = option_line({ c.name, help = c.summary })
  end
  parts[#parts + 1] = "\nOptions:\n" .. option_lines(p.options)
  local env = {}
  for _, e in ipairs(surface.ENVIRONMENT) do env[#env + 1] = e[1] end
  local settings = {}
  for _, s in pairs(require("tinkr.config").SETTINGS) do settings[#settings + 1] = s.env end
  table.sort(settings)
  parts[#parts + 1] = "\n" .. wrap("Environment: " .. table.concat(settings, ", ") .. ", " .. table.concat(env, ", ") .. ".", "")
  parts[#parts + 1] = exit_summary()
  return table.concat(parts, "\n") .. "\n"
end

--- The help of `tinkr-server --help`.
function _M.server()
  local s = surface.SERVER
  local parts = { "usage: tinkr-server " .. s.synopsis[1], "", wrap(s.summary:sub(1, 1):upper() .. s.summary:sub(2) .. ":", "") }
  for _, r in ipairs(s.routes) do parts[#parts + 1] = "  " .. r[1] end
  parts[#parts + 1] = "\n" .. option_lines(s.options)
  local env = {}
  for _, e in ipairs(s.environment) do env[#env + 1] = e[1] end
  parts[#parts + 1] = "\n" .. wrap("Environment: " .. table.concat(env, ", ") .. ", and tinkr's own (see tinkr-config(5)). Signals: SIGTERM drains, then exits 0. See tinkr-server(8).", "")
  return table.concat(parts, "\n") .. "\n"
end

return _M
