-- Writes the man pages from the command-line surface (lua/tinkr/cli/surface/),
-- the settings of tinkr.config and the files under queries/, so they say what
-- the programs do.  Usage (from the repository root):
--   lua5.4 tools/manpage.lua OUTDIR     -> OUTDIR/tinkr.1, tinkr-server.8, tinkr-config.5
-- The date is SOURCE_DATE_EPOCH's when set (reproducible builds).
package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
local outdir = assert(arg[1], "usage: manpage.lua OUTDIR")
local surface = require "tinkr.cli.surface"
local config = require "tinkr.config"
local help = require "tinkr.cli.help"

local VERSION = "tinkr " .. surface._VERSION
local DATE = os.date("!%Y-%m-%d", tonumber(os.getenv("SOURCE_DATE_EPOCH") or "") or os.time())

-- Text for roff: backslashes and minus signs escaped, one line (roff fills
-- it), and no line starting with a control character.
local function esc(s)
  s = tostring(s):gsub("%s+", " "):gsub("^ ", ""):gsub(" $", "")
  s = s:gsub("\\", "\\e"):gsub("%-", "\\-")
  if s:match("^[.']") then s = "\\&" .. s end
  return s
end

-- Verbatim lines (examples, a TOML file) inside .EX/.EE.
local function verbatim(text)
  local out = {}
  for line in (text .. "\n"):gmatch("(.-)\n") do
    line = line:gsub("\\", "\\e"):gsub("%-", "\\-")
    if line:match("^[.']") then line = "\\&" .. line end
    out[#out + 1] = line
  end
  return table.concat(out, "\n")
end

local Page = {}
Page.__index = Page

local function page(name, section, title)
  local p = setmetatable({ lines = {} }, Page)
  p:raw(('.TH %s %s "%s" "%s" "%s"'):format(name:upper(), section, DATE, VERSION, title))
  return p
end
function Page:raw(s) self.lines[#self.lines + 1] = s end
function Page:sh(s) self:raw(".SH " .. s) end
function Page:ss(s) self:raw('.SS "' .. esc(s) .. '"') end
function Page:para(s) self:raw(".PP"); self:raw(esc(s)) end
function Page:tp(tag, text) self:raw(".TP"); self:raw(tag); self:raw(esc(text)) end
-- A definition list: one .TP per entry, the term (entry[1]) in font "B"
-- (bold) or "I" (italic), the text text_of(entry) or entry[2].
function Page:terms(entries, font, text_of)
  for _, e in ipairs(entries) do
    self:tp("\\f" .. font .. esc(tostring(e[1])) .. "\\fR", text_of and text_of(e) or e[2])
  end
end
function Page:example(cmd, what)
  self:raw(".PP"); self:raw(esc(what) .. ":"); self:raw(".PP"); self:raw(".RS 4")
  self:raw(".EX"); self:raw(verbatim(cmd)); self:raw(".EE"); self:raw(".RE")
end
function Page:examples(entries)
  for _, e in ipairs(entries) do self:example(e[1], e[2]) end
end
function Page:write(path)
  local f = assert(io.open(path, "w"))
  f:write(table.concat(self.lines, "\n"), "\n")
  f:close()
end

-- ".B \-\-service \fINAME\fR" for an option (and its short alias).
local function option_tag(o)
  local tag = "\\fB" .. esc(o[1]) .. "\\fR"
  if o.short then tag = "\\fB" .. esc(o.short) .. "\\fR, " .. tag end
  if o.arg then tag = tag .. " \\fI" .. esc(o.arg) .. "\\fR" end
  return tag
end

local function option_text(o, values)
  local t = o.help
  if values and #values > 0 then t = t .. ": " .. table.concat(values, ", ") end
  if o.default then t = t .. " (default " .. o.default .. ")" end
  return t
end

local function options(p, list, values_of)
  for _, o in ipairs(list) do
    local values = values_of and values_of(o)
    p:tp(option_tag(o), option_text(o, values))
  end
end

local function synopsis(p, program, lines)
  for i, s in ipairs(lines) do
    if i > 1 then p:raw(".br") end
    p:raw("\\fB" .. esc(program) .. "\\fR " .. esc(s))
  end
end

-- Files under queries/DIR in the tree (what is built in).
local function built_in(dir)
  local names = {}
  for line in assert(io.popen("ls -1 " .. dir .. " 2>/dev/null")):lines() do
    local n = line:match("^(.+)%.lua$")
    if n then names[#names + 1] = n end
  end
  table.sort(names)
  return names
end

local function settings_sorted()
  local names = {}
  for k in pairs(config.SETTINGS) do names[#names + 1] = k end
  table.sort(names)
  return names
end

---------------------------------------------------------------------------
-- tinkr(1)
local function tinkr_page()
  local P = surface.PROGRAM
  local p = page("tinkr", 1, "User Commands")
  p:sh("NAME"); p:raw("tinkr \\- " .. esc(P.summary))
  p:sh("SYNOPSIS")
  local lines = {}
  for _, s in ipairs(P.synopsis) do lines[#lines + 1] = s[1] end
  synopsis(p, "tinkr", lines)
  p:sh("DESCRIPTION"); p:raw(esc(P.description))
  p:para("Without arguments on a terminal, tinkr starts a Lua REPL with the tinkr module loaded as the global tinkr. A script gets its arguments in arg and as ...; tinkr exits 1 when it raises.")
  p:sh("OPTIONS")
  options(p, P.options)
  p:sh("COMMANDS")
  for _, c in ipairs(surface.list()) do
    p:ss("tinkr " .. c.name)
    synopsis(p, "tinkr " .. c.name, c.synopsis or { "[options]" })
    p:para(c.description or c.summary)
    p:terms(c.subcommands or {}, "B", function(s) return s.help end)
    p:terms(c.args or {}, "I", function(a) return a.help end)
    options(p, c.options or {}, function(o) return surface.values(c.name, o) end)
    if #c.formats > 0 then p:para("Formats: " .. table.concat(c.formats, ", ") .. ".") end
  end
  p:sh("COMMON OPTIONS")
  p:para("Every command takes these.")
  options(p, surface.COMMON, function(o)
    if o.type == "format" then return nil end
    return surface.values(surface.list()[1].name, o)
  end)
  p:sh("ENVIRONMENT")
  p:para("Settings (a profile's key of the same name wins over the variable; see tinkr-config(5)):")
  for _, name in ipairs(settings_sorted()) do
    local s = config.SETTINGS[name]
    p:tp("\\fB" .. esc(s.env) .. "\\fR", s.doc .. (s.default ~= nil and (" (default " .. tostring(s.default) .. ")") or "")
      .. (s.secret and "; never printed" or ""))
  end
  p:para("Other variables:")
  p:terms(surface.ENVIRONMENT, "B")
  p:sh("EXIT STATUS")
  p:terms(surface.EXIT, "B", function(e) return e[2] and (e[3] .. " (" .. e[2] .. ")") or e[3] end)
  p:para("Every error is one line on standard error that says what happened and what to try.")
  p:sh("FILES")
  p:terms(surface.FILES, "I")
  p:sh("EXAMPLES")
  p:examples(surface.EXAMPLES)
  p:sh("SEE ALSO")
  p:raw("\\fBtinkr\\-server\\fR(8), \\fBtinkr\\-config\\fR(5), \\fBlua\\fR(1)")
  return p
end

---------------------------------------------------------------------------
-- tinkr-server(8)
local function server_page()
  local S = surface.SERVER
  local p = page("tinkr-server", 8, "System Administration")
  p:sh("NAME"); p:raw("tinkr\\-server \\- " .. esc(S.summary))
  p:sh("SYNOPSIS"); synopsis(p, "tinkr-server", S.synopsis)
  p:sh("DESCRIPTION"); p:raw(esc(S.description))
  p:sh("OPTIONS"); options(p, S.options)
  p:sh("ROUTES")
  p:terms(S.routes, "B")
  p:para("The /v1/ routes take the parameters of the Lua API as a query string and return its rows and meta as JSON; every route takes now= to pin \"now\".")
  p:sh("AUTHENTICATION"); p:raw(esc(S.auth))
  p:sh("BUDGETS"); p:raw(esc(S.budgets))
  p:sh("ERRORS"); p:raw(esc(S.errors))
  p:sh("SIGNALS")
  p:terms(S.signals, "B")
  p:sh("EXIT STATUS")
  p:terms(S.exit, "B")
  p:sh("LOGGING"); p:raw(esc(S.logging))
  p:sh("ENVIRONMENT")
  p:terms(S.environment, "B")
  p:para("and the settings of tinkr(1) and tinkr-config(5): " ..
    (function() local v = {}; for _, n in ipairs(settings_sorted()) do v[#v + 1] = config.SETTINGS[n].env end; return table.concat(v, ", ") end)()
    .. ", TINKR_PROFILE, TINKR_CONFIG, TINKR_PATH.")
  p:sh("FILES")
  p:terms(S.files, "I")
  p:sh("EXAMPLES")
  p:examples(S.examples)
  p:sh("SEE ALSO")
  p:raw("\\fBtinkr\\fR(1), \\fBtinkr\\-config\\fR(5), \\fBsystemd.exec\\fR(5), \\fBsystemd\\-creds\\fR(1)")
  return p
end

---------------------------------------------------------------------------
-- tinkr-config(5)
local function config_page()
  local C = surface.CONFIG
  local p = page("tinkr-config", 5, "File Formats")
  p:sh("NAME"); p:raw("tinkr\\-config \\- " .. esc(C.summary))
  p:sh("SYNOPSIS")
  p:raw("\\fI~/.config/tinkr/config.toml\\fR"); p:raw(".br")
  p:raw("\\fI~/.config/tinkr/queries/\\fR{\\fItemplates\\fR,\\fImappings\\fR,\\fIrecipes\\fR,\\fIscripts\\fR}\\fI/NAME.lua\\fR")
  p:sh("DESCRIPTION"); p:raw(esc(C.description))
  p:sh("THE CONFIGURATION FILE")
  p:para("Which file is read, the first of:")
  for i, l in ipairs(C.location) do p:tp(tostring(i) .. ".", l) end
  p:para(C.location_note)
  p:para("The file is TOML. default_profile names the profile used when none is asked for; each [profiles.NAME] table is a profile and takes these keys:")
  for _, name in ipairs(settings_sorted()) do
    local s = config.SETTINGS[name]
    local kind = type(s.default) == "number" and "number" or type(s.default) == "boolean" and "boolean" or "string"
    p:tp("\\fB" .. esc(name) .. "\\fR (" .. kind .. ")", s.doc .. "; environment variable " .. s.env
      .. (s.default ~= nil and (", default " .. tostring(s.default)) or "") .. (s.secret and "; a secret, never printed" or ""))
  end
  p:para(C.env_reference)
  p:para(C.selection)
  p:sh("EXAMPLE")
  p:raw(".EX"); p:raw(verbatim(C.example)); p:raw(".EE")
  p:sh("EDITABLE QUERIES")
  p:raw(esc(C.queries_intro))
  for _, q in ipairs(C.queries) do
    local names = built_in(q[1])
    p:tp("\\fI" .. esc(q[1]) .. "/\\fR", q[2] .. (#names > 0 and (". Built in: " .. table.concat(names, ", ") .. ".") or "."))
  end
  p:para("Lookup order for a file such as queries/recipes/NAME.lua: each directory of TINKR_PATH, then $XDG_CONFIG_HOME/tinkr (~/.config/tinkr), then the copy built into tinkr (or, for the Lua module, the installed tree).")
  p:sh("FILES")
  p:terms(surface.FILES, "I")
  p:sh("SEE ALSO")
  p:raw("\\fBtinkr\\fR(1), \\fBtinkr\\-server\\fR(8); " .. esc(C.docs))
  return p
end

tinkr_page():write(outdir .. "/tinkr.1")
server_page():write(outdir .. "/tinkr-server.8")
config_page():write(outdir .. "/tinkr-config.5")
-- help is required so a syntax error there fails the build here too.
assert(help.command)
