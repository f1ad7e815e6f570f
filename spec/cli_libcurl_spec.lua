-- bin/tinkr loads libcurl itself (src/cli/curl_lazy.c): never for what makes
-- no request; for a command that will, on a thread started with the
-- process, which its first request waits for.  Without a usable libcurl:
-- one line and exit status 1, however far the run got.
local helpers = require "helpers"
local tinkr, q = helpers.tinkr, helpers.shell_quote

-- ld.so names every library it loads when LD_DEBUG=files.
local function loads_libcurl(stderr)
  return stderr:find("file=libcurl.so.4", 1, true) ~= nil
end

-- A directory whose libcurl.so.4 is `kind`: "garbage" (not a library) or
-- "other" (a library without curl's functions); LD_LIBRARY_PATH finds it
-- before the system's.
local function fake_libcurl_dir(kind)
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p " .. q(dir)))
  local lib = dir .. "/libcurl.so.4"
  if kind == "garbage" then
    local f = assert(io.open(lib, "wb")); f:write("not a shared library\n"); f:close()
  else
    local _, err, status = helpers.run("cc -shared -fPIC -o " .. q(lib) .. " -x c -",
      { stdin = "int tinkr_spec_not_curl;\n" })
    assert(status == 0, err)
  end
  return dir
end

-- A backend nobody answers at: a run that got that far would say "connect".
local DEAD = { OTEL_OPENSEARCH_URL = "http://127.0.0.1:9", OTEL_PROMETHEUS_URL = "http://127.0.0.1:9",
  OTEL_LOG_INDEX = "logs-*", TINKR_CACHE_DIR = os.tmpname() .. "-cache" }

local function with(env, extra)
  local t = {}
  for k, v in pairs(env) do t[k] = v end
  for k, v in pairs(extra or {}) do t[k] = v end
  return t
end

describe("bin/tinkr and libcurl", function()
  it("a run that makes no request never loads it", function()
    local script = helpers.write_temp("print(1 + 1)\n", ".lua")
    for _, argv in ipairs{ { "-e", "" }, { script }, { "--help" }, { "logs", "--help" }, { "trace", "-h" },
                           { "__complete", "recipes" } } do
      local _, err, status = tinkr(argv, { env = with(DEAD, { LD_DEBUG = "files" }) })
      assert.equal(0, status, table.concat(argv, " ") .. ": " .. err)
      assert.is_false(loads_libcurl(err), table.concat(argv, " ") .. " loaded libcurl")
    end
    os.remove(script)
  end)

  it("a command that makes requests loads it from the start, even if it ends before any (usage error)", function()
    -- the loader writes to stderr (LD_DEBUG) on its own thread while the
    -- usage line is written: the line must still arrive whole (stderr is
    -- line-buffered; unbuffered, about 1 run in 6 had it split)
    for _ = 1, 15 do
      local _, err, status = tinkr({ "logs", "--no-such-option" }, { env = with(DEAD, { LD_DEBUG = "files" }) })
      assert.equal(2, status, err)
      assert.is_true(loads_libcurl(err), "tinkr logs did not load libcurl")
      assert.truthy(err:find("tinkr: unknown option '--no-such-option'\n", 1, true), err)
    end
  end)

  it("is loaded before the first request: tinkr mcp waiting for its client already has it", function()
    -- stdin stays open (sleep), so the MCP server sends nothing yet
    local out = helpers.run("sh -c " .. q(table.concat({
      "sleep 5 | " .. q(helpers.tinkr_bin()) .. " mcp >/dev/null 2>&1 &",
      "pid=$!",
      "i=0; while [ $i -lt 100 ] && ! grep -q 'libcurl\\.so' /proc/$pid/maps 2>/dev/null; do i=$((i+1)); sleep 0.05; done",
      "if grep -q 'libcurl\\.so' /proc/$pid/maps 2>/dev/null; then echo loaded; else echo not-loaded; fi",
      "kill $pid; wait $pid 2>/dev/null; true",
    }, "\n")), { env = DEAD })
    assert.equal("loaded\n", out)
  end)

  it("exits cleanly while the load may still run: usage and configuration errors, again and again", function()
    for _ = 1, 8 do
      local _, err, status = tinkr({ "logs", "--no-such-option" }, { env = DEAD })
      assert.equal(2, status, err)
      assert.equal("tinkr: unknown option '--no-such-option'\nRun 'tinkr logs --help' for usage.\n", err)
      local env = with(DEAD)
      _, err, status = helpers.run("unset OTEL_OPENSEARCH_URL; " .. q(helpers.tinkr_bin()) .. " traces --since 1h",
        { env = { OTEL_PROMETHEUS_URL = env.OTEL_PROMETHEUS_URL, TINKR_CACHE_DIR = env.TINKR_CACHE_DIR } })
      assert.equal(3, status, err)
      assert.truthy(err:find("^tinkr: OTEL_OPENSEARCH_URL is not set[^\n]*\n$"), err)
    end
  end)

  for _, case in ipairs{
    { kind = "garbage", line = "^tinkr: cannot load libcurl %(.*libcurl%.so%.4.*%); install libcurl4\n$" },
    { kind = "other", line = "^tinkr: libcurl%.so%.4 lacks a function tinkr needs %(.*curl_[a-z_]+.*%)\n$" },
  } do
    describe("when libcurl.so.4 is " .. (case.kind == "garbage" and "not a library" or "another library"), function()
      local dir
      setup(function() dir = fake_libcurl_dir(case.kind) end)
      teardown(function() os.execute("rm -rf " .. q(dir)) end)

      it("a command prints one line and exits 1", function()
        for _, argv in ipairs{ { "logs", "--since", "1h" }, { "metrics", "up", "--instant" }, { "doctor" } } do
          local out, err, status = tinkr(argv, { env = with(DEAD, { LD_LIBRARY_PATH = dir }) })
          assert.equal(1, status, argv[1] .. ": " .. err)
          assert.truthy(err:find(case.line), argv[1] .. ": " .. err)
          assert.equal("", out)
        end
      end)

      it("a script's request prints the same line and exits 1", function()
        local out, err, status = tinkr({ "-e", "io.write('before ') local r = tinkr.logs{ since = '1h' } print('after')" },
          { env = with(DEAD, { LD_LIBRARY_PATH = dir }) })
        assert.equal(1, status, err)
        assert.truthy(err:find(case.line), err)
        assert.equal("before ", out)   -- written before the request, flushed at exit
      end)

      it("what needs no request still works: --version says so, help prints", function()
        local out, err, status = tinkr({ "--version" }, { env = { LD_LIBRARY_PATH = dir } })
        assert.equal(0, status, err)
        assert.truthy(out:find("\nlibcurl: not loaded (install libcurl4)\n", 1, true), out)
        out, err, status = tinkr({ "logs", "--help" }, { env = { LD_LIBRARY_PATH = dir } })
        assert.equal(0, status, err)
        assert.truthy(out:find("usage: tinkr logs", 1, true), out)
      end)
    end)
  end
end)
