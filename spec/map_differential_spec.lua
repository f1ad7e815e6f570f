-- map.rows and map.ndjson against a reference written the slow, obvious way
-- (json.decode, then the path rule of src/l_map.c in plain Lua), on random
-- documents and specs built from a small alphabet of keys, so that dotted
-- and flat keys, fallbacks, nulls, escapes and near misses collide often.
-- Then the same documents broken at random places: every mapper must
-- refuse them with the error, byte offset included, that json.decode gives.
local helpers = require "helpers"
local core = require "tinkr.core"
local json, map = core.json, core.map

local rand = helpers.lcg(20251201)   -- 1..k: the same cases every run

-- Longer keys sharing prefixes (abc, abcde, abc.de) and hit_fields of one
-- path alone (a trie root with a single way on) are matched too.
local KEYS = { "a", "b", "a.b", "b.c", "a.b.c", "c", "ab", "a\\u002eb", "\\u0061", "",
  "abc", "abcde", "abc.de", "abd", "abcd" }
local PATHS = { "a", "b", "a.b", "b.c", "a.b.c", "c", "ab", "a.c", "c.a.b", ".", "a.", "b.c.a",
  "abc", "abc.de", "abcde", "abd.c" }
-- hit_fields: one path alone (a root with one way on), or several
local HIT_FIELDS = { { h = "x" }, { h = "_id" }, { h = "x.a" }, { h = { "x", "_source.a", "x.a" } } }

-- Strings short and long (the fast walk tests 16 bytes at a time), with
-- escapes and raw UTF-8 at different places; numbers of every shape.
local STRINGS = { '"s\\n\\u00e9"', '""', '"plain"', '"a fairly long value, past sixteen bytes"',
  '"caf\195\169 \228\184\173 \240\159\152\128"', '"tab\\there, then a long tail of plain text"',
  '"0123456789abcde\\""', '"0123456789abcdef\\\\"', '"\\ud83d\\ude00 and \\u0041"', '"slash \\/ b \\b f \\f"' }
local NUMBERS = { "1.5e3", "-0", "0", "0.25", "-12.5E-3", "1e+2", "123456789012345678901234567890", "-7" }

local object

-- A random JSON value (text) no deeper than depth.
local function value(depth)
  local r = rand(depth > 0 and 10 or 6)
  if r == 1 then return "null" end
  if r == 2 then return tostring(rand(1000) - 500) end
  if r == 3 then return STRINGS[rand(#STRINGS)] end
  if r == 4 then return rand(2) == 1 and "true" or "false" end
  if r == 5 then return "9223372036854775807" end
  if r == 6 then return NUMBERS[rand(#NUMBERS)] end
  if r <= 8 then
    local items = {}
    for i = 1, rand(3) - 1 do items[i] = value(depth - 1) end
    return "[" .. table.concat(items, ",") .. "]"
  end
  return object(depth)
end

-- A random object; no key twice (map.rows keeps the first of a repeated
-- key, json.decode the last).
function object(depth)
  local members, used = {}, {}
  for _ = 1, rand(5) - 1 do
    local k = KEYS[rand(#KEYS)]
    local plain = json.decode('"' .. k .. '"')
    if not used[plain] then
      used[plain] = true
      members[#members + 1] = '"' .. k .. '":' .. value(depth - 1)
    end
  end
  return "{" .. table.concat(members, ",") .. "}"
end

-- Every non-null value the path rule finds for path in a decoded object:
-- a key K matches when K == path, or descends when path starts with K ".".
local function matches(obj, path, out)
  if type(obj) ~= "table" or getmetatable(obj) == json.array_mt then return out end
  for k, v in pairs(obj) do
    if k == path then
      if v ~= json.null then out[#out + 1] = v end
    elseif path:sub(1, #k + 1) == k .. "." then
      matches(v, path:sub(#k + 2), out)
    end
  end
  return out
end

-- The reference row: per field, the first path with a value.  Returns
-- false when a path has two values (which one wins depends on key order,
-- which json.decode does not keep): such a field is not compared.
local function reference(source, hit, spec)
  local row, open = {}, {}
  for where, fields in pairs { source = spec.fields or {}, hit = spec.hit_fields or {} } do
    for name, paths in pairs(fields) do
      if type(paths) == "string" then paths = { paths } end
      for _, p in ipairs(paths) do
        local found = matches(where == "source" and source or hit, p, {})
        if #found > 1 then open[name] = true break end
        if #found == 1 then row[name] = found[1] break end
      end
    end
  end
  return row, open
end

local function random_spec()
  local spec = { fields = {} }
  for i = 1, rand(4) do
    local paths = {}
    for j = 1, rand(3) do paths[j] = PATHS[rand(#PATHS)] end
    spec.fields["f" .. i] = #paths == 1 and paths[1] or paths
  end
  if rand(2) == 1 then spec.hit_fields = HIT_FIELDS[rand(#HIT_FIELDS)] end
  return spec
end

-- The same JSON with whitespace (spaces, tabs, line breaks) put between
-- tokens at random: stored _source may be pretty-printed.
local function loosen(text)
  local out, i, n = {}, 1, #text
  local WS = { " ", "\n", "\t ", "\r\n  " }
  while i <= n do
    local c = text:sub(i, i)
    if c == '"' then                 -- a string, through its closing quote
      local j = i + 1
      while true do
        local q = text:find('[\\"]', j)
        if text:sub(q, q) == "\\" then j = q + 2 else j = q break end
      end
      out[#out + 1] = text:sub(i, j)
      i = j + 1
    else
      out[#out + 1] = c
      if c:find("[{}%[%],:]") and rand(3) == 1 then out[#out + 1] = WS[rand(#WS)] end
      i = i + 1
    end
  end
  return table.concat(out)
end

local function response(sources)
  local hits = {}
  for i, s in ipairs(sources) do
    hits[i] = '{"_id":"' .. i .. '","x":' .. value(2) .. ',"_source":' .. s .. ',"sort":[' .. i .. ']}'
  end
  return '{"took":1,"hits":{"total":{"value":' .. #hits .. ',"relation":"eq"},"hits":['
    .. table.concat(hits, ",") .. "]}}"
end

describe("map.rows and map.ndjson against the reference", function()
  it("find the same values on 400 random documents and specs", function()
    local compared = 0
    for _ = 1, 400 do
      local sources = {}
      for i = 1, rand(3) do sources[i] = object(4) end
      local body, spec = response(sources), random_spec()
      if rand(3) == 1 then body = loosen(body) end
      local rows, meta = map.rows(body, spec)
      assert.is_table(rows, meta)
      local lines = assert(map.ndjson(body, spec))
      local doc = json.decode(body)
      local n = 0
      for line in lines:gmatch("[^\n]+") do
        n = n + 1
        local want, open = reference(doc.hits.hits[n]._source, doc.hits.hits[n], spec)
        local from_ndjson = json.decode(line)
        for name in pairs(spec.fields) do
          if not open[name] then
            assert.same(want[name], rows[n][name], body .. " field " .. name)
            assert.same(want[name], from_ndjson[name], body .. " (ndjson) field " .. name)
            compared = compared + 1
          end
        end
        if spec.hit_fields and not open.h then
          assert.same(want.h, rows[n].h, body)
          assert.same(want.h, from_ndjson.h, body .. " (ndjson) hit field h")
        end
      end
      assert.equal(#doc.hits.hits, n)
      assert.equal(#doc.hits.hits, #rows)
    end
    assert.is_true(compared > 1000, "too few fields compared: " .. compared)
  end)

  it("map values nested deeper than the fast walk goes (64), and refuse nesting past 1000", function()
    for _, depth in ipairs{ 63, 64, 65, 200, 990 } do
      -- arrays and objects in turn, so that every level closes with its own bracket
      local open, close = {}, {}
      for i = 1, depth do
        open[i] = i % 2 == 1 and "[" or '{"k":'
        close[depth + 1 - i] = i % 2 == 1 and "]" or "}"
      end
      local deep = table.concat(open) .. "1" .. table.concat(close)
      local body = response { '{"a":' .. deep .. ',"b":{"c":' .. deep .. '},"c":1}' }
      local spec = { fields = { a = "a", c = "c", bc = "b.c" } }
      local lines, err = map.ndjson(body, spec)
      assert.is_string(lines, err)
      local row = json.decode(lines)
      assert.equal(1, row.c)
      assert.same(json.decode(deep), row.a)
      assert.same(json.decode(deep), row.bc)
    end
    local too_deep = response { '{"a":' .. ("["):rep(1000) .. ("]"):rep(1000) .. ',"c":1}' }
    local _, want = json.decode(too_deep)
    local lines, err = map.ndjson(too_deep, { fields = { c = "c" } })
    assert.is_nil(lines)
    assert.equal(want, err)
  end)

  it("refuse each kind of bad value with json.decode's error, wherever it stands", function()
    local BAD = { "nul", "tru", "fals", "nulL", "1.", "-", "01", "-01", "1e", "1e+", ".5", "+1", "0x1",
      '"a\31b"', '"\192\128"', '"\237\160\128"', '"\245\128\128\128"', '"\226\130"', '"a\\x"',
      '"\\u12G4"', '"\\u12"', "[1,]", '{"a":1,}', "[1 2]", '{"a" 1}', '{1:2}', "{", "[", '"open' }
    local spec = { fields = { taken = "taken", deep = "in.deep", also = "in.also" } }
    for _, bad in ipairs(BAD) do
      for _, where in ipairs{ '"skipped":%s,"taken":1', '"taken":%s', '"in":{"deep":%s}', '"in":{"other":%s,"deep":2}',
        '"in":{"deep":1,"also":2,"rest":%s}', '"in":[{"x":%s}]' } do
        local body = response { "{" .. where:format(bad) .. "}" }
        local _, want = json.decode(body)
        assert.is_string(want, body)
        local lines, err = map.ndjson(body, spec)
        assert.is_nil(lines, body)
        assert.equal(want, err, body)
      end
    end
  end)

  it("refuse broken documents with json.decode's error and byte offset", function()
    local breakers = { "\31", "}", "]", ",", '"', "\\", "x", "\255", "-", "0", ":", " " }
    local refused = 0
    for _ = 1, 400 do
      local body = response { object(3), object(3) }
      local at = rand(#body)
      local broken = rand(3) == 1 and body:sub(1, at)
        or body:sub(1, at - 1) .. breakers[rand(#breakers)] .. body:sub(at + 1)
      local _, want = json.decode(broken)
      local spec = random_spec()
      local rows, err = map.rows(broken, spec)
      local lines, nderr = map.ndjson(broken, spec)
      if want then
        refused = refused + 1
        assert.is_nil(rows)
        assert.equal(want, err)
        assert.is_nil(lines)
        assert.equal(want, nderr)
        assert.matches("^invalid JSON at byte %d+: ", err)
      end
    end
    assert.is_true(refused > 200, "too few broken documents: " .. refused)
  end)
end)
