-- scripts/stack when two stacks pick the same free port at once and the
-- other one binds it first: the loser's readiness check must not be
-- answered by the winner's server (it would then load its data into the
-- other stack's OpenSearch, or print the other's URL).  The race is made
-- deterministic with spec/support/port_taker.py, a fake server (installed
-- as `java` and `prometheus` on PATH) that hands its port to an impostor in
-- another process group and exits as a server that could not bind.  Runs
-- in a state directory of its own, with the real stack's built classpath
-- and manifest copied in, so nothing real is started.
local helpers = require "helpers"
local stack = require("support.stack").get()
local core = require "tinkr.core"

local q = helpers.shell_quote

local function sh(cmd)
  local _, err, status = helpers.run(cmd)
  assert(status == 0, cmd .. ": " .. err)
end

local function write(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text, "\n")
  f:close()
end

describe("scripts/stack losing the race for a port", function()
  local dir, holder

  before_each(function()
    dir = os.tmpname()
    os.remove(dir)
    local real = stack.state_dir
    sh(("mkdir -p %s/bin %s/data %s/opensearch %s/prometheus/data"):format(q(dir), q(dir), q(dir), q(dir)))
    for _, tool in ipairs{ "java", "prometheus" } do
      sh(("ln -s %s %s/bin/%s"):format(q(helpers.root .. "/spec/support/port_taker.py"), q(dir), tool))
    end
    -- What `stack up` would otherwise generate or build: the manifest, the
    -- runner's classpath, then its class (newer than the classpath).
    sh(("cp %s/data/expected.json %s/data/"):format(q(real), q(dir)))
    sh(("cp %s/opensearch/classpath.txt %s/opensearch/classpath.stamp %s/opensearch/"):format(q(real), q(real), q(dir)))
    sh(("cp -r %s/opensearch/classes %s/opensearch/"):format(q(real), q(dir)))
  end)

  after_each(function()
    local pid = helpers.read_file(dir .. "/impostor.pid")
    if pid and pid:match("^%d+$") then os.execute("kill " .. pid .. " 2>/dev/null") end
    if holder then os.execute("kill " .. holder .. " 2>/dev/null"); holder = nil end
    os.execute("rm -rf " .. q(dir))
  end)

  local function up()
    return helpers.run(("env -u LD_PRELOAD -u ASAN_OPTIONS -u UBSAN_OPTIONS PATH=%s/bin:\"$PATH\" "
      .. "TINKR_STACK_DIR=%s PORT_TAKER_DIR=%s TINKR_OPENSEARCH=2.19 timeout 120 %s up"):format(
      q(dir), q(dir), q(dir), q(helpers.root .. "/scripts/stack")))
  end

  local function impostor_requests()
    return helpers.read_file(dir .. "/requests") or ""
  end

  it("OpenSearch: stops with one line naming the port, never asking the server that took it", function()
    local out, err, status = up()
    assert.equal(1, status, err)
    assert.equal("", out)
    assert.matches("OpenSearch exited while starting %(port %d+ taken by another process meanwhile%?%)", err)
    assert.truthy(helpers.read_file(dir .. "/impostor.pid"), "the fake server never ran: " .. err)
    assert.equal("", impostor_requests())
  end)

  it("Prometheus: the same", function()
    -- An OpenSearch of this state directory "runs": a process naming it.
    local pid = helpers.run(("sh -c %s %s/opensearch-holder >/dev/null 2>&1 & echo $!"):format(
      q("sleep 120; :"), q(dir)))
    holder = assert(pid:match("%d+"))
    write(dir .. "/opensearch/pid", holder)
    -- Its blocks are "built" for this manifest.
    local manifest = core.json.decode(helpers.read_file(dir .. "/data/expected.json"))
    write(dir .. "/prometheus/data/.tinkr-metrics", manifest.files["metrics.om"])
    local out, err, status = up()
    assert.equal(1, status, err)
    assert.equal("", out)
    assert.matches("Prometheus exited while starting %(port %d+ taken by another process meanwhile%?%)", err)
    assert.truthy(helpers.read_file(dir .. "/impostor.pid"), "the fake server never ran: " .. err)
    assert.equal("", impostor_requests())
  end)
end)
