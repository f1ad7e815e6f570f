-- tinkr.core.json: strict decoding, exact integers, encoding rules, and bad
-- input that must give nil, err (decode) or raise (encode) without crashing.
local core = require "tinkr.core"
local helpers = require "helpers"
local json = core.json

local ERR = "^invalid JSON at byte %d+: "

-- Asserts decode fails; returns the byte offset and the reason.
local function decode_fails(text)
  local v, err = json.decode(text)
  assert.is_nil(v, "expected failure for " .. string.format("%q", text:sub(1, 80)))
  assert.is_string(err)
  assert.matches(ERR, err)
  local at, why = err:match("at byte (%d+): (.*)$")
  return tonumber(at), why
end

local function roundtrip(v)
  return json.decode(json.encode(v))
end

-- A document with every kind of value, used for truncation tests.
local SAMPLE = [[{"took":5,"s":"a\"b\\c\/\n\u00e9\ud83d\ude00 x","n":[0,-0,1.5e3,-2E-2,]]
  .. [[1764172800000000123,-9223372036854775808],"t":true,"f":false,"z":null,]]
  .. [[ "nested" : { "a" : [ { } , [ ] , "" ] } }]]

describe("json.decode", function()
  it("decodes scalars", function()
    assert.equal("abc", json.decode([["abc"]]))
    assert.equal(true, json.decode("true"))
    assert.equal(false, json.decode(" false "))
    assert.equal(json.null, json.decode("null"))
    assert.equal(12, json.decode("12"))
  end)

  it("keeps integers that fit int64 exact and makes the rest floats", function()
    local v = json.decode("1764172800000000123")
    assert.equal("integer", math.type(v))
    assert.equal(1764172800000000123, v)
    assert.equal(math.maxinteger, json.decode("9223372036854775807"))
    assert.equal(math.mininteger, json.decode("-9223372036854775808"))
    assert.equal("float", math.type(json.decode("9223372036854775808")))
    assert.equal(9223372036854775808.0, json.decode("9223372036854775808"))
    assert.equal("float", math.type(json.decode("-9223372036854775809")))
    assert.equal("float", math.type(json.decode("1.0")))
    assert.equal("float", math.type(json.decode("1e2")))
  end)

  it("reads exponents and fractions", function()
    assert.equal(100.0, json.decode("1e2"))
    assert.equal(100.0, json.decode("1E+2"))
    assert.equal(0.015, json.decode("1.5e-2"))
    assert.equal(-0.25, json.decode("-0.25"))
    assert.equal(1e300, json.decode("1e300"))
    assert.equal(math.huge, json.decode("1e400"))   -- documented: overflows to inf
    assert.equal(0.1, json.decode("0.1"))
  end)

  it("keeps the sign of negative zero (as a float)", function()
    local z = json.decode("-0")
    assert.equal("float", math.type(z))
    assert.equal(-math.huge, 1 / z)
    assert.equal(-math.huge, 1 / json.decode("-0.0"))
    assert.equal("integer", math.type(json.decode("0")))
  end)

  it("unescapes every escape", function()
    assert.equal("\"\\/\b\f\n\r\t", json.decode([["\"\\\/\b\f\n\r\t"]]))
    assert.equal("é", json.decode([["\u00e9"]]))
    assert.equal("é", json.decode([["\u00E9"]]))
    assert.equal("\0", json.decode([["\u0000"]]))
    assert.equal("€", json.decode([["\u20ac"]]))
  end)

  it("joins surrogate pairs into one UTF-8 character", function()
    assert.equal("😀", json.decode([["\ud83d\ude00"]]))
    assert.equal("\u{1F600}", json.decode([["\uD83D\uDE00"]]))
    assert.equal("\u{10FFFF}", json.decode([["\udbff\udfff"]]))
    assert.equal("a😀b", json.decode([["a\ud83d\ude00b"]]))
  end)

  it("replaces lone surrogates with U+FFFD", function()
    assert.equal("\u{FFFD}", json.decode([["\ud83d"]]))
    assert.equal("\u{FFFD}", json.decode([["\ude00"]]))
    assert.equal("\u{FFFD}x", json.decode([["\ud83dx"]]))
    assert.equal("\u{FFFD}\u{FFFD}", json.decode([["\ude00\ud83d"]]))
    assert.equal("\u{FFFD}A", json.decode([["\ud83d\u0041"]]))
  end)

  it("passes valid UTF-8 through and rejects invalid UTF-8", function()
    assert.equal("héllo wörld ✓ 😀", json.decode('"héllo wörld ✓ 😀"'))
    for _, bad in ipairs { "\xff", "\xc3", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80",
                           "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "\x80", "\xe2\x82a", "\xe2\x82" } do
      local at, why = decode_fails('"' .. bad .. '"')
      assert.equal(2, at)
      assert.matches("UTF%-8", why)
    end
  end)

  it("rejects raw control characters in strings", function()
    local at, why = decode_fails('"ab\ncd"')
    assert.equal(4, at)
    assert.matches("control character", why)
    decode_fails('"\t"')
    decode_fails('"\0"')
  end)

  it("marks arrays with json.array_mt and leaves objects plain", function()
    local a = json.decode("[1,2]")
    assert.equal(json.array_mt, getmetatable(a))
    assert.equal(json.array_mt, getmetatable(json.decode("[]")))
    assert.is_nil(getmetatable(json.decode("{}")))
    assert.equal(json.array_mt, getmetatable(json.decode('{"a":[]}').a))
  end)

  it("keeps nulls as json.null so arrays keep their length", function()
    local a = json.decode("[null,1,null]")
    assert.equal(3, #a)
    assert.equal(json.null, a[1])
    assert.equal(json.null, a[3])
    local o = json.decode('{"a":null}')
    assert.equal(json.null, o.a)
    assert.equal("userdata", type(json.null))
  end)

  it("uses the same null sentinel as lua-cjson", function()
    local cjson = require "cjson"
    assert.equal(cjson.null, json.null)
  end)

  it("lets the last of repeated keys win", function()
    assert.equal(2, json.decode('{"a":1,"a":2}').a)
  end)

  it("accepts nesting up to 1000 levels", function()
    local v = json.decode(string.rep("[", 1000) .. string.rep("]", 1000))
    local depth = 0
    while type(v) == "table" do depth = depth + 1; v = v[1] end
    assert.equal(1000, depth)
    assert.is_table(json.decode(string.rep('{"a":', 1000) .. "1" .. string.rep("}", 1000)))
  end)

  it("rejects deeper nesting cleanly", function()
    local at, why = decode_fails(string.rep("[", 1001) .. string.rep("]", 1001))
    assert.equal(1001, at)
    assert.matches("nesting deeper than 1000", why)
    at, why = decode_fails(string.rep("[", 100000))
    assert.equal(1001, at)
    assert.matches("nesting", why)
    at = decode_fails(string.rep('{"a":', 100000))
    assert.equal(5001, at)
  end)

  it("reports where and why malformed input fails", function()
    local cases = {
      { "", 1, "unexpected end of input" },
      { "   ", 4, "unexpected end of input" },
      { "[1,]", 4, "trailing comma" },
      { '{"a":1,}', 8, "trailing comma" },
      { "[1 2]", 4, "expected ',' or ']'" },
      { '{"a":1 "b":2}', 8, "expected ',' or '}'" },
      { '{"a" 1}', 6, "expected ':'" },
      { '{a:1}', 2, "expected a string key" },
      { '{"a":}', 6, "unexpected character '}'" },
      { "01", 2, "leading zeros" },
      { "-01", 3, "leading zeros" },
      { "1.", 3, "digit after '.'" },
      { ".5", 1, "unexpected character '.'" },
      { "+1", 1, "unexpected character '+'" },
      { "1e", 3, "digit in exponent" },
      { "1e+", 4, "digit in exponent" },
      { "-", 2, "end of input" },
      { "NaN", 1, "unexpected character 'N'" },
      { "Infinity", 1, "unexpected character 'I'" },
      { "-Infinity", 2, "invalid number" },
      { "nan", 1, "invalid literal" },
      { "tru", 4, "unexpected end of input" },
      { "trUe", 1, "invalid literal" },
      { "'a'", 1, "unexpected character" },
      { '"abc', 5, "unterminated string" },
      { '"a\\x"', 3, "invalid escape" },
      { '"\\u12"', 6, "\\u escape" },
      { '"\\u12G4"', 6, "\\u escape" },
      { "1 2", 3, "unexpected data after the top-level value" },
      { "{} x", 4, "unexpected data after" },
      { "[]]", 3, "unexpected data after" },
      { "\239\187\191{}", 1, "byte order mark" },
      { "\0", 1, "unexpected character 0x00" },
    }
    for _, c in ipairs(cases) do
      local at, why = decode_fails(c[1])
      assert.equal(c[2], at, "offset for " .. c[1])
      assert.is_truthy(why:find(c[3], 1, true), "reason for " .. c[1] .. ": " .. why)
    end
  end)

  it("fails cleanly on every truncation of a document", function()
    assert.is_table(json.decode(SAMPLE))
    for n = 0, #SAMPLE - 1 do
      local at = decode_fails(SAMPLE:sub(1, n))
      assert.is_true(at >= 1 and at <= n + 1, "offset inside the prefix of length " .. n)
    end
  end)

  it("survives random garbage and mutated documents", function()
    math.randomseed(20251126)
    for _ = 1, 500 do
      local bytes = {}
      for i = 1, math.random(0, 64) do bytes[i] = string.char(math.random(0, 255)) end
      local v, err = json.decode(table.concat(bytes))
      if v == nil then assert.matches(ERR, err) end
    end
    local alphabet = '{}[]":,\\ 0123456789-+.eEtrufalsn\x80\xc3\xff'
    for _ = 1, 2000 do
      local i = math.random(1, #SAMPLE)
      local c = math.random(1, #alphabet)
      local text = SAMPLE:sub(1, i - 1) .. alphabet:sub(c, c) .. SAMPLE:sub(i + 1)
      local v, err = json.decode(text)
      if v == nil then assert.matches(ERR, err) else assert.is_not_nil(v) end
    end
  end)

  it("handles a 50 MB document, valid and invalid", function()
    local item = '{"ts":1764172800000000123,"msg":"' .. string.rep("log line with \\\"quotes\\\" ", 100)
      .. '","ok":[true,null,1.5]}'
    local count = math.ceil(50 * 1024 * 1024 / (#item + 1))
    local body = "[" .. string.rep(item, count, ",") .. "]"
    assert.is_true(#body >= 50 * 1024 * 1024)
    local v = json.decode(body)
    assert.equal(count, #v)
    assert.equal(1764172800000000123, v[count].ts)
    assert.equal(json.null, v[count].ok[2])

    -- one bad byte near the end: the offset is exact
    local pos = #body - 10
    local bad = body:sub(1, pos - 1) .. "\1" .. body:sub(pos + 1)
    local at = decode_fails(bad)
    assert.equal(pos, at)
    -- cut short
    at = decode_fails(body:sub(1, #body - 1))
    assert.equal(#body, at)
  end)

  it("raises for a non-string argument", function()
    assert.has_error(function() json.decode(nil) end)
    assert.has_error(function() json.decode(12) end)
    assert.has_error(function() json.decode({}) end)
  end)
end)

describe("json.encode", function()
  it("writes integers exactly", function()
    assert.equal("1764172800000000123", json.encode(1764172800000000123))
    assert.equal("-9223372036854775808", json.encode(math.mininteger))
    assert.equal("9223372036854775807", json.encode(math.maxinteger))
    assert.equal("[0,-1]", json.encode({ 0, -1 }))
  end)

  it("writes floats so that they read back as the same float", function()
    assert.equal("0.1", json.encode(0.1))
    assert.equal("1.0", json.encode(1.0))
    assert.equal("-0.0", json.encode(-0.0))
    assert.equal("9007199254740992.0", json.encode(2.0 ^ 53))
    assert.equal("1e+300", json.encode(1e300))
    assert.equal("0.30000000000000004", json.encode(0.1 + 0.2))
    math.randomseed(7)
    for _ = 1, 2000 do
      local x = (math.random() - 0.5) * 10.0 ^ math.random(-300, 300)
      local back = roundtrip(x)
      assert.equal("float", math.type(back))
      assert.equal(x, back)
    end
    local back = roundtrip(3.0)
    assert.equal("float", math.type(back))
  end)

  it("round-trips big integers in both directions", function()
    local t = { ts = 1764172800000000123, sort = json.array { 1764172800000000124, "x" } }
    local back = roundtrip(t)
    assert.equal(1764172800000000123, back.ts)
    assert.equal("integer", math.type(back.ts))
    assert.equal(1764172800000000124, back.sort[1])
  end)

  it("escapes strings", function()
    assert.equal([["a\"b\\c"]], json.encode('a"b\\c'))
    assert.equal([["\b\f\n\r\t"]], json.encode("\b\f\n\r\t"))
    assert.equal([["\u0001\u001f\u0000"]], json.encode("\1\31\0"))
    assert.equal('"/ é 😀 \127"', json.encode("/ é 😀 \127"))
    for _, s in ipairs { "", "plain", "\0\1\2", "é😀", string.rep("\\\"", 300) } do
      assert.equal(s, roundtrip(s))
    end
  end)

  it("raises on invalid UTF-8", function()
    assert.has_error(function() json.encode("\xff") end)
    assert.has_error(function() json.encode({ k = "ok\xc3" }) end)
    assert.has_error(function() json.encode({ ["\xc0\xaf"] = 1 }) end)
  end)

  it("tells arrays from objects", function()
    assert.equal("{}", json.encode({}))
    assert.equal("[]", json.encode(json.array()))
    assert.equal("[]", json.encode(json.array({})))
    assert.equal("[1,2,3]", json.encode({ 1, 2, 3 }))
    assert.equal('{"a":1}', json.encode({ a = 1 }))
    assert.equal("[[],{}]", json.encode({ json.array(), {} }))
    assert.equal("[]", json.encode(json.decode("[]")))
    assert.equal("{}", json.encode(json.decode("{}")))
    local obj = json.decode(json.encode({ a = 1, b = { c = "d" }, e = { 1, 2 } }))
    assert.same({ a = 1, b = { c = "d" }, e = json.array { 1, 2 } }, obj)
  end)

  it("returns the table from json.array and marks it", function()
    local t = { 1 }
    assert.equal(t, json.array(t))
    assert.equal(json.array_mt, getmetatable(t))
    assert.has_error(function() json.array("x") end)
  end)

  it("encodes null and nil", function()
    assert.equal("null", json.encode(json.null))
    assert.equal("null", json.encode(nil))
    assert.equal("[1,null,3]", json.encode({ 1, json.null, 3 }))
    assert.equal('{"a":null}', json.encode({ a = json.null }))
  end)

  it("raises for what JSON cannot hold, naming where", function()
    local function raises(v, pattern)
      local ok, err = pcall(json.encode, v)
      assert.is_false(ok)
      assert.matches("^bad argument #1 to '[^']*' %(", err)
      assert.matches(pattern, err)
    end
    raises(0 / 0, "NaN or infinity")
    raises(math.huge, "NaN or infinity")
    raises({ a = { b = { -math.huge } } }, "at %$%.a%.b%[1%]")
    raises({ f = print }, "cannot encode a function at %$%.f")
    raises(coroutine.create(print), "cannot encode a thread")
    raises({ io.stdout }, "cannot encode a userdata at %$%[1%]")
    raises({ 1, 2, nil, 4 }, "sparse array")
    raises({ [2] = 1 }, "sparse array")
    raises({ 1, a = 2 }, "mixes array indices and string keys")
    raises({ [true] = 1 }, "not a string or array index")
    raises({ [1.5] = 1 }, "not a string or array index")
    raises({ [0] = 1 }, "not a string or array index")
    local cyc = { a = {} }
    cyc.a.back = cyc
    raises(cyc, "cycle .* at %$%.a%.back")
  end)

  it("allows a table twice when it is not a cycle", function()
    local shared = { 1 }
    local back = roundtrip({ a = shared, b = { shared, shared } })
    assert.equal(1, back.a[1])
    assert.equal(1, back.b[2][1])
  end)

  it("encodes 1000 levels and refuses more", function()
    local function nest(n)
      local v = {}
      for _ = 2, n do v = { v } end
      return v
    end
    local s = json.encode(nest(1000))
    assert.equal(string.rep("[", 999) .. "{}" .. string.rep("]", 999), s)
    local ok, err = pcall(json.encode, nest(1001))
    assert.is_false(ok)
    assert.matches("nesting deeper than 1000", err)
    ok = pcall(json.encode, nest(100000))
    assert.is_false(ok)
  end)

  it("reads and writes numbers the same under a comma-decimal locale", function()
    -- strtod/snprintf follow LC_NUMERIC; JSON never does.  Builds de_DE into
    -- a temp dir (localedef: Debian packages libc-bin + locales).
    local dir = os.tmpname()
    os.remove(dir)
    assert.is_true(os.execute("mkdir -p " .. helpers.shell_quote(dir)) == true)
    assert.is_true(os.execute("localedef -i de_DE -f UTF-8 " .. helpers.shell_quote(dir .. "/de_DE.UTF-8")
      .. " >/dev/null 2>&1") == true, "localedef failed")
    local script = [[
      assert(os.setlocale("de_DE.UTF-8", "numeric"))
      assert(string.format("%.1f", 1.5) == "1,5", "the locale is not in effect")
      local json = require("tinkr.core").json
      io.write(json.encode({ 1.5, 0.1, 2.0, 1e-7 }), " ", json.encode(json.decode("[2.25e1,-0.125]")))
    ]]
    local out, err, status = helpers.tinkr({ "-e", script }, { env = { LOCPATH = dir } })
    os.execute("rm -rf " .. helpers.shell_quote(dir))
    assert.equal(0, status, err)
    assert.equal("[1.5,0.1,2.0,1e-07] [22.5,-0.125]", out)
  end)

  it("builds large output", function()
    local big = {}
    for i = 1, 100000 do big[i] = { id = i, msg = "line " .. i } end
    local s = json.encode(big)
    local back = json.decode(s)
    assert.equal(100000, #back)
    assert.equal("line 99999", back[99999].msg)
  end)
end)
