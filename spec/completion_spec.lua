-- Shell completion, generated from the command-line surface
-- (tools/completion.lua).  bash's is driven the way bash drives it: source
-- the script, set COMP_WORDS and COMP_CWORD, call the function, read
-- COMPREPLY.  fish's through `complete -C`; zsh's in a pseudo-terminal
-- (spec/support/zsh_complete.zsh).
local helpers = require "helpers"
local surface = require "tinkr.cli.surface"
local q = helpers.shell_quote

local dir

setup(function()
  dir = os.tmpname(); os.remove(dir)
  assert(os.execute("mkdir -p " .. q(dir)))
  local _, err, status = helpers.run("cd " .. q(helpers.root) .. " && lua5.4 tools/completion.lua " .. q(dir))
  assert(status == 0, err)
end)

teardown(function()
  if dir then os.execute("rm -rf " .. q(dir)) end
end)

-- What bash's completion offers for the words typed (the last one is the
-- word being completed); words[1] is the program.  opts.env, opts.cwd.
local function bash_complete(words, opts)
  opts = opts or {}
  local quoted = {}
  for _, w in ipairs(words) do quoted[#quoted + 1] = q(w) end
  local script = table.concat({
    "source " .. q(dir .. "/tinkr.bash"),
    "COMP_WORDS=(" .. table.concat(quoted, " ") .. ")",
    "COMP_CWORD=" .. (#words - 1),
    (words[1]:find("tinkr%-server$") and "_tinkr_server" or "_tinkr"),   -- the program name, not a directory on its path
    'printf "%s\\n" "${COMPREPLY[@]}"',
  }, "\n")
  local env = {}
  for k, v in pairs(opts.env or {}) do env[#env + 1] = k .. "=" .. q(v) end
  local out, err, status = helpers.run("cd " .. q(opts.cwd or helpers.root) .. " && env " .. table.concat(env, " ")
    .. " bash --norc --noprofile -c " .. q(script))
  assert.equal(0, status, err)
  local offered = {}
  for line in out:gmatch("[^\n]+") do offered[#offered + 1] = line end
  table.sort(offered)
  return offered
end

local function sorted(t)
  local c = {}
  for i, v in ipairs(t) do c[i] = v end
  table.sort(c)
  return c
end

local function tinkr_bin() return helpers.tinkr_bin() end

describe("bash completion", function()
  it("offers the commands first, and the program's options", function()
    local names = {}
    for _, c in ipairs(surface.list()) do names[#names + 1] = c.name end
    assert.same(sorted(names), bash_complete({ "tinkr", "" }, { cwd = "/" }))
    assert.same({ "trace", "traces" }, bash_complete({ "tinkr", "tra" }))
    assert.same({ "--help", "--version" }, bash_complete({ "tinkr", "--" }))
  end)

  it("offers exactly the options each command takes", function()
    for _, c in ipairs(surface.list()) do
      local want = {}
      for _, o in ipairs(surface.options(c.name)) do want[#want + 1] = o[1] end
      assert.same(sorted(want), bash_complete({ "tinkr", c.name, "--" }), c.name)
    end
    assert.same({ "--service" }, bash_complete({ "tinkr", "logs", "--level", "ERROR", "--se" }))
  end)

  it("offers each command's --format values, also after --format=", function()
    for _, c in ipairs(surface.list()) do
      local takes_format = false
      for _, o in ipairs(surface.options(c.name)) do takes_format = takes_format or o[1] == "--format" end
      if takes_format then   -- watch and mcp take no --format
        assert.same(sorted(c.formats), bash_complete({ "tinkr", c.name, "--format", "" }), c.name)
      end
    end
    assert.same({ "json" }, bash_complete({ "tinkr", "trace", "--format=j" }))
    assert.same({ "ERROR" }, bash_complete({ "tinkr", "logs", "--level", "ER" }))
    assert.same({ "dataprepper" }, bash_complete({ "tinkr", "traces", "--layout", "d" }))
  end)

  it("offers recipe names from the tinkr being completed, user recipes included", function()
    local user = os.tmpname(); os.remove(user)
    assert(os.execute("mkdir -p " .. q(user .. "/queries/recipes")))
    local f = assert(io.open(user .. "/queries/recipes/my_own_rate.lua", "w"))
    f:write("return { description = 'x', params = {}, unit = '1', expr = function() return 'up' end }\n"); f:close()
    local offered = bash_complete({ tinkr_bin(), "metrics", "--recipe", "" }, { env = { TINKR_PATH = user } })
    os.execute("rm -rf " .. q(user))
    local want = require("tinkr.recipes").list()
    want[#want + 1] = "my_own_rate"
    assert.same(sorted(want), offered)
  end)

  it("offers profile names of the --config on the line, and `check` first", function()
    local cfg = helpers.write_temp('[profiles.alpha]\nbackend = "otel"\n[profiles.beta]\n', ".toml")
    assert.same({ "check" }, bash_complete({ tinkr_bin(), "profiles", "" }))
    assert.same({ "alpha", "beta" }, bash_complete({ tinkr_bin(), "profiles", "--config", cfg, "check", "" }))
    assert.same({ "beta" }, bash_complete({ tinkr_bin(), "logs", "--config", cfg, "--profile", "b" }))
    os.remove(cfg)
  end)

  it("offers files for --config and nothing for free text", function()
    local d = os.tmpname(); os.remove(d)
    assert(os.execute("mkdir -p " .. q(d) .. " && touch " .. q(d .. "/prod.toml")))
    assert.same({ "prod.toml" }, bash_complete({ "tinkr", "logs", "--config", "pr" }, { cwd = d }))
    assert.same({}, bash_complete({ "tinkr", "logs", "--grep", "pr" }, { cwd = d }))
    os.execute("rm -rf " .. q(d))
  end)

  it("completes tinkr-server's profiles through the tinkr beside it", function()
    local cfg = helpers.write_temp('[profiles.alpha]\n[profiles.beta]\n', ".toml")
    assert.same({ "alpha", "beta" }, bash_complete({ helpers.root .. "/bin/tinkr-server", "--profile", "" },
      { env = { TINKR_CONFIG = cfg } }))
    os.remove(cfg)
  end)

  it("completes tinkr-server's options", function()
    local want = {}
    for _, o in ipairs(surface.SERVER.options) do
      if o[1]:find("^%-%-script") then want[#want + 1] = o[1] end
    end
    assert.same(sorted(want), bash_complete({ "tinkr-server", "--script" }))
  end)
end)

describe("bash completion of service names (the sample stack)", function()
  local stack = require("support.stack").get()

  it("asks the configured backend, then answers from its cache", function()
    local cache = os.tmpname(); os.remove(cache)
    local env = { OTEL_OPENSEARCH_URL = stack.opensearch, OTEL_LOG_INDEX = "ss4o_logs-*",
                  OTEL_TRACE_INDEX = "ss4o_traces-*", XDG_CACHE_HOME = cache }
    local offered = bash_complete({ tinkr_bin(), "logs", "--service", "pay" }, { env = env })
    assert.same({ "payments-api" }, offered)
    local all = bash_complete({ tinkr_bin(), "traces", "--service", "" }, { env = env })
    assert.is_true(#all >= 3, table.concat(all, " "))
    -- The cache answers now: replace its names and see them offered.
    local files = assert(io.popen("ls " .. q(cache .. "/tinkr"))):read("a")
    local file = cache .. "/tinkr/" .. assert(files:match("(services%-%x+%.json)"), files)
    local function entry(at) return ('{"tinkr_cache":1,"at":%d,"value":["payments-from-cache"]}'):format(at) end
    local f = assert(io.open(file, "w")); f:write(entry(os.time())); f:close()
    assert.same({ "payments-from-cache" }, bash_complete({ tinkr_bin(), "logs", "--service", "pay" }, { env = env }))
    -- An old cache is asked again.
    f = assert(io.open(file, "w")); f:write(entry(os.time() - 3600)); f:close()
    assert.same({ "payments-api" }, bash_complete({ tinkr_bin(), "logs", "--service", "pay" }, { env = env }))
    -- A dead backend offers nothing, says nothing, and is not cached.
    local dead = { OTEL_OPENSEARCH_URL = "http://127.0.0.1:9", XDG_CACHE_HOME = cache .. "/dead" }
    local out, err, status = helpers.tinkr({ "__complete", "services" }, { env = dead })
    os.execute("rm -rf " .. q(cache))
    assert.equal(0, status)
    assert.equal("", out)
    assert.equal("", err)
  end)
end)

describe("zsh and fish completion", function()
  it("zsh's parses and registers for tinkr and tinkr-server", function()
    local script = "autoload -U compinit; compinit -u -d " .. q(dir .. "/zcompdump") ..
      "; source " .. q(dir .. "/_tinkr") .. "; print $_comps[tinkr] $_comps[tinkr-server] ${+functions[_tinkr_cmd_metrics]}"
    local out, err, status = helpers.run("zsh -f -c " .. q(script))
    assert.equal(0, status, err)
    assert.equal("_tinkr _tinkr 1\n", out)
    local text = helpers.read_file(dir .. "/_tinkr")
    for _, c in ipairs(surface.list()) do
      for _, o in ipairs(surface.options(c.name)) do assert.truthy(text:find("'%*?" .. o[1]:gsub("%-", "%%-") .. "[=%[]"), o[1]) end
    end
  end)

  it("zsh's offers options, formats, values and recipes (driven in a pseudo-terminal)", function()
    local bin = os.tmpname(); os.remove(bin)
    assert(os.execute("mkdir -p " .. q(bin) .. " && ln -s " .. q(tinkr_bin()) .. " " .. q(bin .. "/tinkr")))
    local function zsh(line)
      local out, err, status = helpers.run("cd / && PATH=" .. q(bin) .. ":$PATH timeout 60 zsh -f " ..
        q(helpers.root .. "/spec/support/zsh_complete.zsh") .. " " .. q(dir) .. " " .. q(line))
      assert.equal(0, status, err)
      local seen, words = {}, {}
      for w in out:gmatch("[^\n]+") do
        if not seen[w] then seen[w] = true; words[#words + 1] = w end
      end
      table.sort(words)
      return words
    end
    assert.same({ "--service" }, zsh("tinkr logs --se"))
    assert.same({ "json", "table" }, zsh("tinkr trace --format "))
    assert.same({ "ERROR" }, zsh("tinkr logs --level E"))
    assert.same({ "http_latency_p50", "http_latency_p90", "http_latency_p99" }, zsh("tinkr metrics --recipe http_latency_p"))
    assert.same({ "--script-instructions", "--script-memory", "--script-seconds" }, zsh("tinkr-server --script"))
    local cfg = helpers.write_temp('[profiles.alpha]\n[profiles.beta]\n', ".toml")
    assert.same({ "alpha", "beta" }, zsh("tinkr logs --config " .. cfg .. " --profile "))
    assert.same({ "alpha", "beta" }, zsh("tinkr profiles --config " .. cfg .. " check "))
    os.remove(cfg)
    os.execute("rm -rf " .. q(bin))
  end)

  it("fish's offers options, formats and recipes (complete -C)", function()
    local bin = os.tmpname(); os.remove(bin)
    assert(os.execute("mkdir -p " .. q(bin) .. " && ln -s " .. q(tinkr_bin()) .. " " .. q(bin .. "/tinkr")))
    local function fish(line)
      local out, err, status = helpers.run("PATH=" .. q(bin) .. ":$PATH fish --no-config -c " ..
        q("source " .. q(dir .. "/tinkr.fish") .. "; complete -C " .. q(line)))
      assert.equal(0, status, err)
      local words = {}
      for w in out:gmatch("([^\t\n]+)[^\n]*\n") do words[#words + 1] = w end
      table.sort(words)
      return words
    end
    assert.same({ "--service" }, fish("tinkr logs --ser"))
    assert.same({ "json", "table" }, fish("tinkr trace --format "))
    assert.same({ "http_latency_p50", "http_latency_p90", "http_latency_p99" }, fish("tinkr metrics --recipe http_latency_p"))
    os.execute("rm -rf " .. q(bin))
  end)
end)
