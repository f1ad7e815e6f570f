-- make deb: a .deb whose dependencies are the shared libraries it links,
-- that lintian passes without an error, and that installs into a scratch
-- root (dpkg --root, the host's package database copied in so dependencies
-- are checked for real), runs from there, and purges without a trace.
-- #plainonly: building and linting the package takes ~30 s and tests no
-- sanitizer-built code.
local helpers = require "helpers"
local q = helpers.shell_quote

local multiarch = helpers.run("dpkg-architecture -qDEB_HOST_MULTIARCH"):gsub("%s+$", "")

describe("make deb #plainonly", function()
  local deb, scratch

  setup(function()
    local out, err, status = helpers.run("TINKR_DEB_LINTIAN=no make -C " .. q(helpers.root) .. " --no-print-directory deb")
    assert(status == 0, "make deb failed: " .. err)
    deb = helpers.root .. "/" .. assert(out:match("(build/deb/tinkr_[^\n]+%.deb)"), out)
    scratch = os.tmpname(); os.remove(scratch)
  end)

  teardown(function()
    if scratch then os.execute("rm -rf " .. q(scratch)) end
  end)

  it("depends on the packages of the libraries it links", function()
    local control, err, status = helpers.run("dpkg-deb -f " .. q(deb) .. " Depends")
    assert.equal(0, status, err)
    for _, pkg in ipairs{ "libc6", "libcurl4", "liblua5.4%-0", "libmicrohttpd12", "libreadline8" } do
      assert.matches("%f[%w]" .. pkg .. "[ ,(\n]", control)
    end
    local contents = helpers.run("dpkg-deb -c " .. q(deb))
    for _, path in ipairs{ "./usr/bin/tinkr", "./usr/bin/tinkr-server", "./lib/systemd/system/tinkr-server.service",
        "./usr/lib/" .. multiarch .. "/lua/5.4/tinkr/core.so", "./usr/share/man/man8/tinkr-server.8.gz",
        "./usr/share/zsh/vendor-completions/_tinkr", "./etc/tinkr/config.toml" } do
      assert.truthy(contents:find(path, 1, true), path)
    end
  end)

  it("passes lintian with no error", function()
    local out, err, status = helpers.run("lintian --fail-on error " .. q(deb))
    assert.equal(0, status, out .. err)
    assert.is_nil(out:match("\nE: ") or out:match("^E: "), out)
  end)

  it("is built with Debian's hardening flags (lintian has no hardening tag, even as info)", function()
    local out, err = helpers.run("lintian -I --pedantic " .. q(deb))
    assert.is_nil(out:match("hardening%-[%w-]+[^\n]*"), out .. err)
  end)

  it("installs into a scratch root, runs there, and purges cleanly", function()
    local db = scratch .. "/var/lib/dpkg"
    assert(os.execute("mkdir -p " .. q(db .. "/info") .. " " .. q(db .. "/updates") .. " " .. q(db .. "/triggers") ..
      " && cp /var/lib/dpkg/status " .. q(db .. "/status") .. " && touch " .. q(db .. "/available")))
    local dpkg = "dpkg --root=" .. q(scratch) .. " --force-script-chrootless --force-not-root --log=/dev/null "
    local _, err, status = helpers.run(dpkg .. "-i " .. q(deb))
    assert.equal(0, status, err)
    local root = scratch
    local out
    out, err, status = helpers.run("cd / && env -u TINKR_PATH " .. q(root .. "/usr/bin/tinkr") .. " --version")
    assert.equal(0, status, err)
    assert.matches("^tinkr %d+%.%d+%.%d+ %(git ", out)
    out, err, status = helpers.run("cd / && " .. q(root .. "/usr/bin/tinkr") .. " metrics --recipe list")
    assert.equal(0, status, err)
    assert.matches("http_latency_p99", out)
    out, err, status = helpers.run(q(root .. "/usr/bin/tinkr-server") .. " --version")
    assert.equal(0, status, err)
    assert.matches("\nlibmicrohttpd %d", out)
    out, err, status = helpers.run("cd / && LUA_PATH=" .. q(root .. "/usr/share/lua/5.4/?.lua;" .. root .. "/usr/share/lua/5.4/?/init.lua") ..
      " LUA_CPATH=" .. q(root .. "/usr/lib/" .. multiarch .. "/lua/5.4/?.so") .. " lua5.4 -e " ..
      q("print(require('tinkr').core.version)"))
    assert.equal(0, status, err)
    assert.equal(require("tinkr.core").version .. "\n", out)
    -- postinst made a root-only token for the unit's LoadCredential=.
    out = helpers.run("{ stat -c '%a %U' " .. q(root .. "/etc/tinkr/token") .. " && cat " .. q(root .. "/etc/tinkr/token") .. "; }")
    local me = helpers.run("id -un"):gsub("%s+$", "")
    assert.matches("^600 " .. me .. "\n%x+$", out)
    assert.equal(64, #out:match("\n(%x+)$"))
    -- The unit is valid: systemd-analyze verify (which also checks that
    -- ExecStart= exists and Documentation= man pages open) says nothing.
    -- systemd looks for the binary and man pages under /, so point it at
    -- the scratch root's.
    local unit = helpers.read_file(root .. "/lib/systemd/system/tinkr-server.service")
    local dir = scratch .. "/verify"
    assert(os.execute("mkdir -p " .. q(dir)))
    local f = assert(io.open(dir .. "/tinkr-server.service", "w"))
    f:write((unit:gsub("/usr/bin/tinkr%-server", root .. "/usr/bin/tinkr-server"))); f:close()
    out, err, status = helpers.run("MANPATH=" .. q(root .. "/usr/share/man") .. " systemd-analyze verify " .. q(dir .. "/tinkr-server.service"))
    os.execute("rm -rf " .. q(dir))
    assert.equal(0, status, err)
    assert.equal("", out .. err)
    _, err, status = helpers.run(dpkg .. "--purge tinkr")
    assert.equal(0, status, err)
    local left = helpers.run("cd " .. q(root) .. " && find . -path ./var -prune -o \\( -type f -o -type l \\) -print")
    assert.equal("", left)
    out, err, status = helpers.run("dpkg --root=" .. q(scratch) .. " -s tinkr")
    assert.equal(1, status)
    assert.matches("not installed", out .. err)
  end)
end)
