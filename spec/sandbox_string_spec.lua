-- The sandbox's own string pattern functions (src/pattern.c,
-- src/l_sandbox_string.c) against Lua's: the same answers on thousands of
-- generated patterns and subjects, and a budget that stops them.
local core = require "tinkr.core"

local sandbox = core.sandbox
local S = sandbox.string

-- Pieces patterns are built from: every kind of item the language has,
-- malformed ones included.
local PIECES = {
  "a", "b", ".", "%a", "%d", "%s", "%w", "%W", "%p", "%x", "%u", "%l", "%c", "%g",
  "[ab]", "[^a]", "[a-c]", "[%d.]", "[]]", "[^]a]", "[a-]", "%%", "%.", "%]",
  "*", "+", "-", "?", "(", ")", "()", "%1", "%2", "%0", "%bab", "%b()", "%f[%w]", "%f[^a]",
  "^", "$", "[", "%", "%b", "%f", "%fa", "\0", "x", "é", "%z", "%Z",
}
local SUBJECT_CHARS = { "a", "b", "c", "1", "2", " ", ".", "(", ")", "]", "x", "\0", "A", "%" }

local function random_pattern(rand)
  local parts = {}
  for i = 1, rand(0, 6) do parts[i] = PIECES[rand(1, #PIECES)] end
  return table.concat(parts)
end

local function random_subject(rand)
  local parts = {}
  for i = 1, rand(0, 12) do parts[i] = SUBJECT_CHARS[rand(1, #SUBJECT_CHARS)] end
  return table.concat(parts)
end

-- Runs f and packs what it returned or raised (the message without the
-- "bad argument" prefix naming the function, which differs).
local function outcome(f, ...)
  local r = table.pack(pcall(f, ...))
  if not r[1] then
    return { "error", (tostring(r[2]):gsub("^bad argument #(%d) to '[^']*'", "bad argument #%1")) }
  end
  return r
end

local function same(a, b)
  if a.n ~= b.n or #a ~= #b then return false end
  for i = 1, math.max(a.n or 0, #a) do
    if a[i] ~= b[i] then return false end
  end
  return true
end

local function show(r)
  local parts = {}
  for i = 1, (r.n or #r) do parts[i] = ("%q"):format(r[i]) end
  return "{" .. table.concat(parts, ", ") .. "}"
end

local function gmatch_all(lib, s, p, init)
  local out = {}
  for a, b in lib.gmatch(s, p, init) do
    out[#out + 1] = tostring(a) .. "|" .. tostring(b)
    if #out > 50 then break end
  end
  return table.concat(out, ",")
end

local REPLACEMENTS = {
  "<%0>", "%1-%1", "%%", "x", "%2", "%", "%x",
  { a = "A", b = false }, function(c) return c == "a" and "!" or nil end,
  function(...) return select("#", ...) end,
}

describe("sandbox string patterns", function()
  it("answer exactly as Lua's string functions on generated patterns", function()
    local seed = 20261201
    local function rand(lo, hi)
      seed = (seed * 1103515245 + 12345) % 2147483648
      return lo + seed % (hi - lo + 1)
    end
    local compared = 0
    for _ = 1, 4000 do
      local s, p = random_subject(rand), random_pattern(rand)
      local init = ({ nil, 1, 2, -1, -3, 0, 20 })[rand(1, 7)]
      local cases = {
        { "find", s, p, init }, { "find", s, p, init, true }, { "match", s, p, init },
        { "gsub", s, p, REPLACEMENTS[rand(1, #REPLACEMENTS)], ({ nil, 1, 2 })[rand(1, 3)] },
      }
      for _, c in ipairs(cases) do
        local name = c[1]
        local want = outcome(string[name], table.unpack(c, 2, 5))
        local got = outcome(S[name], table.unpack(c, 2, 5))
        assert(same(want, got), ("%s(%q, %q, %s): Lua gives %s, sandbox gives %s"):format(
          name, s, p, tostring(c[4]), show(want), show(got)))
        compared = compared + 1
      end
      local want = outcome(gmatch_all, string, s, p, init)
      local got = outcome(gmatch_all, S, s, p, init)
      assert(same(want, got), ("gmatch(%q, %q, %s): Lua gives %s, sandbox gives %s"):format(
        s, p, tostring(init), show(want), show(got)))
    end
    assert.is_true(compared >= 16000)
  end)

  it("agree on the patterns tinkr itself uses", function()
    local cases = {
      { "2026-11-26T12:00:00.123Z", "^(%d%d%d%d)%-(%d%d)%-(%d%d)[Tt ](%d%d):(%d%d):(%d%d)(%.?%d*)(.*)$" },
      { "a=1, b=22", "(%w+)=(%w+)" }, { "  trim  ", "^%s*(.-)%s*$" }, { "THE (quick) fox", "%f[%a]%a+" },
      { "x = [[a]] y", "%b[]" }, { "hello", "()ll()" }, { "aaa", "a-b" }, { "", "" }, { "abc", "$" },
    }
    for _, c in ipairs(cases) do
      assert.same({ string.match(c[1], c[2]) }, { S.match(c[1], c[2]) })
      assert.same({ string.find(c[1], c[2]) }, { S.find(c[1], c[2]) })
      assert.same({ string.gsub(c[1], c[2], "<%0>") }, { S.gsub(c[1], c[2], "<%0>") })
    end
  end)

  it("rep and format build what Lua's build", function()
    assert.equal(("ab"):rep(3, ","), S.rep("ab", 3, ","))
    assert.equal("", S.rep("ab", 0))
    assert.equal("", S.rep("", 1e15))   -- Lua's own loops 1e15 times here
    assert.equal(string.format("%5.2f|%q|%s", 3.14159, "a\0b\n", {} and "x"), S.format("%5.2f|%q|%s", 3.14159, "a\0b\n", "x"))
    assert.has_error(function() S.rep("x", math.maxinteger) end, "resulting string too large")
  end)
end)

describe("sandbox.run", function()
  -- What a sandbox's environment holds (tinkr.resources.sandbox).
  local string, table, utf8 = sandbox.string, sandbox.table, sandbox.utf8
  local LIMITS = { instructions = 1000000000000, seconds = 0.5, memory = 16 * 1024 * 1024 }
  -- Wall-clock slack for a loaded machine (the specs share two cores);
  -- without the bound these calls run for minutes.
  local MARGIN = 1.5

  local function run(f, limits)
    local t0 = core.monotonic()
    local r = _G.table.pack(sandbox.run(f, limits or LIMITS))
    return r, core.monotonic() - t0
  end

  it("stops a catastrophic pattern inside one find, by its string method, within the time budget", function()
    local r, took = run(function()
      local s = ("a"):rep(4000)
      return s:find(".-.-.-.-.-b")
    end)
    assert.is_false(r[1])
    assert.equal("script stopped: time budget exceeded", r[2])
    assert.equal("time", r[3])
    assert.is_true(took < 0.5 + MARGIN, ("took %.3f s"):format(took))
  end)

  it("stops every pattern function (match, gmatch, gsub), and a pcall cannot swallow the stop", function()
    local hang = { "match", "gmatch", "gsub" }
    for _, name in ipairs(hang) do
      local r, took = run(function()
        local s = ("a"):rep(3000)
        local f = string[name]
        for _ = 1, 3 do
          pcall(function()
            if name == "gmatch" then for _ in f(s, ".-.-.-.-.-b") do end
            elseif name == "gsub" then f(s, ".-.-.-.-.-b", "") else f(s, ".-.-.-.-.-b") end
          end)
        end
        return "escaped"
      end)
      assert.is_false(r[1], name)
      assert.equal("time", r[3], name)
      assert.is_true(took < 0.5 + MARGIN, name .. (" took %.3f s"):format(took))
    end
  end)

  it("counts pattern steps against the instruction budget", function()
    local r = run(function() return ("a"):rep(3000):find(".-.-.-b") end,
      { instructions = 100000, seconds = 5, memory = 1024 * 1024 })
    assert.equal("instructions", r[3])
  end)

  it("bounds string.rep, table.concat and string.format by the memory budget before building", function()
    local cases = {
      function() return ("x"):rep(1e9) end,
      function() local t = {} for i = 1, 20 do t[i] = ("y"):rep(100000) end return table.concat(t, ("z"):rep(1000000)) end,
      function() local s = ("x"):rep(1000000) return string.format(("%s"):rep(40), table.unpack((function() local t = {} for i = 1, 40 do t[i] = s end return t end)())) end,
      function() return string.pack("c2000000000", "") end,
      function() local s = "x" for _ = 1, 40 do s = s .. s end return #s end,
    }
    -- time enough that only the memory budget can stop them (ASan is slow)
    local limits = { instructions = LIMITS.instructions, seconds = 10, memory = LIMITS.memory }
    for i, f in ipairs(cases) do
      local r, took = run(f, limits)
      assert.is_false(r[1], "case " .. i)
      assert.equal("memory", r[3], "case " .. i .. ": " .. tostring(r[2]))
      assert.is_true(took < 0.5 + MARGIN, ("case %d took %.3f s"):format(i, took))
    end
  end)

  it("bounds table.sort, table.move, table.insert and utf8 by time", function()
    local cases = {
      function() local t = {} for i = 1, 200000 do t[i] = -i end while true do table.sort(t) end end,
      function() table.move({}, 1, math.maxinteger - 1, 2) end,
      function() local t = {} for i = 1, 100000 do t[i] = i end while true do table.insert(t, 1, 0); table.remove(t, 1) end end,
      function() local s = ("é"):rep(1000000) while true do utf8.len(s) end end,
      function() local t = {} for i = 1, 100000 do t[i] = i end table.sort(t, function(a, b) return a > b end) while true do end end,
    }
    for i, f in ipairs(cases) do
      local r, took = run(f)
      assert.is_false(r[1], "case " .. i)
      assert.is_truthy(r[3] == "time" or r[3] == "instructions", "case " .. i .. ": " .. tostring(r[2]))
      assert.is_true(took < 0.5 + MARGIN, ("case %d took %.3f s"):format(i, took))
    end
  end)

  it("sorts as table.sort does, with and without a comparison", function()
    local seed = 7
    for n = 0, 60 do
      local t = {}
      for i = 1, n do seed = (seed * 69069 + 1) % 4294967296; t[i] = seed % 50 end
      local a, b = { table.unpack(t) }, { table.unpack(t) }
      _G.table.sort(a); sandbox.table.sort(b)
      assert.same(a, b)
      _G.table.sort(a, function(x, y) return x > y end); sandbox.table.sort(b, function(x, y) return x > y end)
      assert.same(a, b)
    end
    assert.equal("a,b,1", sandbox.table.concat({ "a", "b", 1 }, ","))
    assert.has_error(function() sandbox.table.concat({ "a", {} }) end, "invalid value (at index 2) in table for 'concat'")
  end)

  it("restores the string methods and the hook after the call, and nests under the outer budget", function()
    local find = ("").find
    local r = run(function()
      assert(("").find ~= find, "inside, strings' methods are the sandbox's")
      local inner = _G.table.pack(sandbox.run(function() return 42 end, { instructions = 1, seconds = 1, memory = 1 }))
      return inner[1], inner[2]
    end)
    assert.same({ true, true, 42, n = 3 }, r)
    assert.equal(find, ("").find)
    assert.is_nil(debug.gethook())
  end)

  it("keeps error values that are tables", function()
    local e = setmetatable({ code = "x" }, { __tostring = function() return "E" end })
    local r = run(function() error(e) end)
    assert.equal(e, r[2])
    assert.equal("error", r[3])
  end)
end)
