-- --version says what was built, from which git revision, and the library
-- versions in use at run time (what a bug report needs).
local helpers = require "helpers"
local q = helpers.shell_quote

local server_bin = require("support.server").binary

-- The revision of the checkout the binaries were built from.
local function head()
  local out = helpers.run("git -C " .. q(helpers.root) .. " rev-parse --short=12 HEAD")
  return (out:gsub("%s+$", ""))
end

-- The installed libcurl's version, from its package (the soname's file
-- name, libcurl.so.4.8.0, does not carry it).
local function installed_curl()
  local out = helpers.run("dpkg-query -W -f='${Version}' libcurl4")
  return out:match("^(%d+%.%d+%.%d+)")
end

describe("--version", function()
  for _, prog in ipairs{ "tinkr", "tinkr-server" } do
    it(prog .. " names the version, the git revision, Lua and libcurl" ..
      (prog == "tinkr-server" and " and libmicrohttpd" or ""), function()
      local bin = prog == "tinkr" and helpers.tinkr_bin() or server_bin()
      local out, err, status = helpers.run(q(bin) .. " --version")
      assert.equal(0, status, err)
      local version, rev = out:match("^" .. prog:gsub("%-", "%%-") .. " (%d+%.%d+%.%d+) %(git ([%w.+-]+)%)\n")
      assert.equal(require("tinkr.core").version, version)
      assert.equal(head(), rev:sub(1, 12))
      assert.matches("\nLua 5%.4%.%d+\n", out)
      local curl = installed_curl()
      assert.truthy(out:find("\nlibcurl " .. curl:gsub("%.", "%%.") .. " %("), out)
      if prog == "tinkr-server" then
        local mhd = helpers.run("dpkg-query -W -f='${Version}' libmicrohttpd12"):match("^(%d+%.%d+%.%d+)")
        assert.truthy(out:find("\nlibmicrohttpd " .. mhd:gsub("%.", "%%.") .. "\n", 1), out)
      end
    end)
  end
end)
