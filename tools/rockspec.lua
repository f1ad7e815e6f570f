-- Writes tinkr-scm-1.rockspec from the tree, so it lists every module.
-- Usage: lua5.4 tools/rockspec.lua > tinkr-scm-1.rockspec
-- (spec/rockspec_spec.lua fails when the committed file is out of date.)
local function list(cmd)
  local out = {}
  for line in assert(io.popen(cmd)):lines() do out[#out + 1] = line end
  table.sort(out)
  return out
end

local c_sources = list("ls src/*.c")
local lua_files = list("find lua -name '*.lua'")
local query_files = list("find queries -name '*.lua' 2>/dev/null")

local function module_name(path, prefix, base)
  local m = path:gsub("^" .. prefix, base):gsub("%.lua$", ""):gsub("/init$", ""):gsub("/", ".")
  return m
end

local lines = {
  'rockspec_format = "3.0"',
  'package = "tinkr"',
  'version = "scm-1"',
  'source = { url = "git+file:///tinkr" }',
  'description = {',
  '  summary = "Lua-scriptable query engine for OpenTelemetry data in OpenSearch and Prometheus",',
  '  license = "MIT",',
  '}',
  'dependencies = { "lua >= 5.4, < 5.5" }',
  'external_dependencies = { CURL = { library = "curl" } }',
  'build = {',
  '  type = "builtin",',
  '  modules = {',
  '    ["tinkr.core"] = {',
  '      sources = {',
}
for _, f in ipairs(c_sources) do lines[#lines + 1] = string.format('        %q,', f) end
lines[#lines + 1] = '      },'
lines[#lines + 1] = '      defines = { "_GNU_SOURCE" },'
lines[#lines + 1] = '      incdirs = { "src" },'
lines[#lines + 1] = '      libdirs = { "$(CURL_LIBDIR)" },'
lines[#lines + 1] = '      libraries = { "curl" },'
lines[#lines + 1] = '    },'
for _, f in ipairs(lua_files) do
  lines[#lines + 1] = string.format('    [%q] = %q,', module_name(f, "lua/", ""), f)
end
for _, f in ipairs(query_files) do
  lines[#lines + 1] = string.format('    [%q] = %q,', module_name(f, "queries/", "tinkr/queries/"), f)
end
lines[#lines + 1] = '  },'
lines[#lines + 1] = '}'
lines[#lines + 1] = 'test_dependencies = { "busted" }'
lines[#lines + 1] = 'test = { type = "busted" }'
io.write(table.concat(lines, "\n"), "\n")
