-- The module graph, read from the sources: no require cycles anywhere in
-- lua/ and queries/, and the library never depends on a front end (the
-- CLI in tinkr.cli*, the server in tinkr.server*).  Any `require "x"` /
-- `require("x")` with a literal name counts, lazy ones inside functions
-- included: a lazy require is still a dependency.
local helpers = require "helpers"

local function lua_files()
  local p = assert(io.popen("cd " .. helpers.shell_quote(helpers.root) .. " && find lua -name '*.lua' | sort"))
  local files = {}
  for line in p:lines() do files[#files + 1] = line end
  p:close()
  return files
end

-- lua/tinkr/cli/profiles.lua -> tinkr.cli.profiles; lua/tinkr/init.lua -> tinkr
local function module_of(path)
  return (path:gsub("^lua/", ""):gsub("%.lua$", ""):gsub("/init$", ""):gsub("/", "."))
end

local function strip_comments(src)
  src = src:gsub("%-%-%[(=*)%[.-%]%1%]", "")
  return (src:gsub("%-%-[^\n]*", ""))
end

local function requires_of(src)
  local out, seen = {}, {}
  for _, pat in ipairs{ "require%s*%(?%s*\"([%w_.]+)\"", "require%s*%(?%s*'([%w_.]+)'" } do
    for name in src:gmatch(pat) do
      if not seen[name] then seen[name] = true; out[#out + 1] = name end
    end
  end
  table.sort(out)
  return out
end

local function graph()
  local g = {}
  for _, path in ipairs(lua_files()) do
    local src = assert(helpers.read_file(helpers.root .. "/" .. path))
    g[module_of(path)] = { path = path, deps = requires_of(strip_comments(src)) }
  end
  return g
end

local function is_front_end(m, front)
  return m == front or m:sub(1, #front + 1) == front .. "."
end

describe("the module graph", function()
  local g = graph()

  it("finds the modules and their requires", function()
    assert.is_table(g["tinkr"])
    assert.is_table(g["tinkr.cli"])
    local deps = table.concat(g["tinkr.cli"].deps, " ")
    assert.matches("tinkr.errors", deps, 1, true)
  end)

  it("has no require cycle", function()
    local state, stack, cycles = {}, {}, {}
    local function visit(m)
      state[m] = "open"
      stack[#stack + 1] = m
      for _, d in ipairs(g[m].deps) do
        if g[d] then
          if state[d] == "open" then
            local from
            for i, s in ipairs(stack) do if s == d then from = i end end
            cycles[#cycles + 1] = table.concat(stack, " -> ", from) .. " -> " .. d
          elseif not state[d] then
            visit(d)
          end
        end
      end
      stack[#stack] = nil
      state[m] = "done"
    end
    local names = {}
    for m in pairs(g) do names[#names + 1] = m end
    table.sort(names)
    for _, m in ipairs(names) do if not state[m] then visit(m) end end
    assert.same({}, cycles)
  end)

  it("keeps the library free of the CLI and the server, and the server free of the CLI", function()
    local bad = {}
    for m, node in pairs(g) do
      local cli, server = is_front_end(m, "tinkr.cli"), is_front_end(m, "tinkr.server")
      for _, d in ipairs(node.deps) do
        local wrong = (not cli and is_front_end(d, "tinkr.cli"))
          or (not cli and not server and is_front_end(d, "tinkr.server"))
        if wrong then bad[#bad + 1] = ("%s (%s) requires %s"):format(m, node.path, d) end
      end
    end
    table.sort(bad)
    assert.same({}, bad)
  end)
end)

-- The same rule for C: what both programs use lives in src/host/, so the
-- server is built without a file of src/cli/ and includes none of its
-- headers.
describe("the C sources", function()
  local q = helpers.shell_quote

  it("build tinkr-server without src/cli/", function()
    local out, err, status = helpers.run("cd " .. q(helpers.root) .. " && make -n -B bin/tinkr-server")
    assert.equal(0, status, err)
    assert.matches("src/host/runtime%.c", out)
    assert.matches("src/server/main%.c", out)
    assert.is_nil(out:find("src/cli/", 1, true), "the server build uses src/cli/")
  end)

  it("include no CLI header from the server, the host or the primitives", function()
    local out = helpers.run("cd " .. q(helpers.root) .. " && ls src/cli/*.h")
    local cli_headers = {}
    for h in out:gmatch("src/cli/([%w_]+%.h)") do cli_headers[h] = true end
    assert.is_true(next(cli_headers) ~= nil)
    local files = helpers.run("cd " .. q(helpers.root) .. " && ls src/*.[ch] src/host/*.[ch] src/server/*.[ch]")
    local bad = {}
    for path in files:gmatch("[^\n]+") do
      local src = helpers.read_file(helpers.root .. "/" .. path)
      for inc in src:gmatch('#include%s+"([^"]+)"') do
        if cli_headers[inc] then bad[#bad + 1] = path .. " includes " .. inc end
      end
    end
    assert.same({}, bad)
  end)
end)
