-- TOML 1.0 parser: valid documents with the values they must give, invalid
-- documents with the line:column the error must point at, and hostile input.
local toml = require "tinkr.toml"

-- Expected-value markers the comparison understands.
local NAN = setmetatable({}, { __tostring = function() return "nan" end })
local function dt(kind, text) return { expected_datetime = true, kind = kind, text = text } end

-- Returns nil when actual equals expected (integers and floats kept apart,
-- -0.0 apart from 0.0), otherwise a description of the first difference.
local function difference(expected, actual, path)
  if expected == NAN then
    if math.type(actual) == "float" and actual ~= actual then return nil end
    return path .. ": expected nan, got " .. tostring(actual)
  end
  if type(expected) == "table" and expected.expected_datetime then
    if not toml.is_datetime(actual) then return path .. ": expected a date/time, got " .. type(actual) end
    if actual.kind ~= expected.kind or tostring(actual) ~= expected.text then
      return string.format("%s: expected %s %s, got %s %s", path, expected.kind, expected.text,
                           actual.kind, tostring(actual))
    end
    return nil
  end
  if type(expected) ~= type(actual) then
    return string.format("%s: expected %s, got %s (%s)", path, type(expected), type(actual), tostring(actual))
  end
  if type(expected) == "number" then
    local same = math.type(expected) == math.type(actual) and expected == actual
    if same and math.type(expected) == "float" and expected == 0 then same = 1 / expected == 1 / actual end
    if same then return nil end
    return string.format("%s: expected %s %s, got %s %s", path, math.type(expected), tostring(expected),
                         math.type(actual), tostring(actual))
  end
  if type(expected) == "table" then
    for k, v in pairs(expected) do
      local d = difference(v, actual[k], path .. "." .. tostring(k))
      if d then return d end
    end
    for k in pairs(actual) do
      if expected[k] == nil then return path .. "." .. tostring(k) .. ": unexpected key" end
    end
    return nil
  end
  if expected ~= actual then
    return string.format("%s: expected %q, got %q", path, tostring(expected), tostring(actual))
  end
  return nil
end

local function assert_parses_to(text, expected)
  local doc, err = toml.parse(text, "case.toml")
  assert(doc, err)
  local d = difference(expected, doc, "$")
  assert(d == nil, d)
end

local function assert_rejects(text, where, fragment)
  local doc, err = toml.parse(text, "case.toml")
  assert(doc == nil, "expected an error, got a document")
  assert.is_string(err)
  local prefix = "case.toml:" .. where .. ": "
  assert(err:sub(1, #prefix) == prefix, "expected error at " .. where .. ", got: " .. err)
  assert(err:find(fragment, 1, true), "expected '" .. fragment .. "' in: " .. err)
  assert(not err:find("internal error", 1, true), err)
end

local PROFILE_EXAMPLE = [=[
[profiles.otel-prod]
backend = "otel"
opensearch_url = "env:OTEL_OPENSEARCH_URL"
prometheus_url = "env:OTEL_PROMETHEUS_URL"
log_index = "otel-logs-*"
trace_index = "otel-traces-*"
]=]

local VALID = {
  -- The product document's profile example.
  { "profile example", PROFILE_EXAMPLE, { profiles = { ["otel-prod"] = {
      backend = "otel", opensearch_url = "env:OTEL_OPENSEARCH_URL",
      prometheus_url = "env:OTEL_PROMETHEUS_URL", log_index = "otel-logs-*",
      trace_index = "otel-traces-*" } } } },

  -- Whitespace, comments, line endings
  { "empty document", "", {} },
  { "only blank lines and comments", "\n   \n# a comment\n\t# indented comment\n", {} },
  { "comment after a value", 'key = "value" # note', { key = "value" } },
  { "comment right after a value", "key = 1#note", { key = 1 } },
  { "hash inside a string is not a comment", 'a = "# not a comment" # comment', { a = "# not a comment" } },
  { "comment with unicode and tab", "# é ∑ 😀\there\na = 1", { a = 1 } },
  { "no spaces around equals", "a=1", { a = 1 } },
  { "tabs around key and equals", "\ta\t=\t1\t", { a = 1 } },
  { "CRLF line endings", "a = 1\r\nb = 2\r\n# c\r\n[t]\r\nc = 3\r\n", { a = 1, b = 2, t = { c = 3 } } },
  { "no final newline", "a = 1", { a = 1 } },
  { "byte order mark", "\239\187\191a = 1", { a = 1 } },

  -- Keys
  { "bare keys", "key = 1\nbare_key = 2\nbare-key = 3\n1234 = 4\n-_- = 5",
    { key = 1, bare_key = 2, ["bare-key"] = 3, ["1234"] = 4, ["-_-"] = 5 } },
  { "keys that look like values", "true = 1\ninf = 2\nnan = 3\n0x10 = 4\n2021-01-01 = 5",
    { ["true"] = 1, inf = 2, nan = 3, ["0x10"] = 4, ["2021-01-01"] = 5 } },
  { "quoted keys", [=[
"127.0.0.1" = "value"
"character encoding" = "value"
"ʎǝʞ" = "value"
'key2' = "value"
'quoted "value"' = "value"
"tab\there" = 1
"\u0041" = 2
]=], { ["127.0.0.1"] = "value", ["character encoding"] = "value", ["ʎǝʞ"] = "value",
       key2 = "value", ['quoted "value"'] = "value", ["tab\there"] = 1, A = 2 } },
  { "empty quoted key", '"" = "blank"', { [""] = "blank" } },
  { "empty literal key", "'' = 'blank'", { [""] = "blank" } },
  { "dotted keys", [=[
name = "Orange"
physical.color = "orange"
physical.shape = "round"
site."google.com" = true
]=], { name = "Orange", physical = { color = "orange", shape = "round" }, site = { ["google.com"] = true } } },
  { "whitespace around dots", 'fruit.name = "banana"\nfruit. color = "yellow"\nfruit . flavor = "banana"',
    { fruit = { name = "banana", color = "yellow", flavor = "banana" } } },
  { "digits as dotted key", '3.14159 = "pi"', { ["3"] = { ["14159"] = "pi" } } },
  { "dotted keys out of order", [=[
apple.type = "fruit"
orange.type = "fruit"
apple.skin = "thin"
orange.skin = "thick"
]=], { apple = { type = "fruit", skin = "thin" }, orange = { type = "fruit", skin = "thick" } } },
  { "deep dotted key", "a.b.c.d = 1\na.b.e = 2", { a = { b = { c = { d = 1 }, e = 2 } } } },

  -- Basic strings
  { "all simple escapes", [=[s = "\b\t\n\f\r\"\\"]=], { s = "\b\t\n\f\r\"\\" } },
  { "unicode escapes", [=[s = "\u00E9 \u00e9 \U0001F600 \u0000 \uFFFF \U0010FFFF"]=],
    { s = "é é 😀 \0 \u{FFFF} \u{10FFFF}" } },
  { "raw unicode and tab in strings", 's = "é\t😀"\nl = \'é\t😀\'', { s = "é\t😀", l = "é\t😀" } },
  { "empty strings", "a = \"\"\nb = ''\nc = \"\"\"\"\"\"\nd = ''''''", { a = "", b = "", c = "", d = "" } },
  { "escaped quote and path", [=[str = "I'm a string. \"You can quote me\". Name\tJos\u00E9\nLocation\tSF."]=],
    { str = "I'm a string. \"You can quote me\". Name\tJosé\nLocation\tSF." } },

  -- Literal strings
  { "literal strings", [=[
winpath  = 'C:\Users\nodejs\templates'
winpath2 = '\\ServerX\admin$\system32\'
quoted   = 'Tom "Dubs" Preston-Werner'
regex    = '<\i\c*\s*>'
]=], { winpath = [[C:\Users\nodejs\templates]], winpath2 = [[\\ServerX\admin$\system32\]],
       quoted = 'Tom "Dubs" Preston-Werner', regex = [[<\i\c*\s*>]] } },

  -- Multi-line basic strings
  { "first newline is trimmed", 's = """\nRoses are red\nViolets are blue"""',
    { s = "Roses are red\nViolets are blue" } },
  { "CRLF inside becomes LF", 's = """\r\none\r\ntwo"""', { s = "one\ntwo" } },
  { "only the first newline is trimmed", 's = """\n\nx"""', { s = "\nx" } },
  { "line-ending backslash", 's = """\nThe quick brown \\\n\n\n  fox jumps over \\\n    the lazy dog."""',
    { s = "The quick brown fox jumps over the lazy dog." } },
  { "line-ending backslash with trailing spaces", 's = """a \\   \n   b"""', { s = "a b" } },
  { "line-ending backslash with CRLF", 's = """a\\\r\n\r\n  b"""', { s = "ab" } },
  { "line-ending backslash before the closing delimiter", 's = """\\\n  """', { s = "" } },
  { "escaped backslash at line end is kept", 's = """a\\\\\nb"""', { s = "a\\\nb" } },
  { "quotes inside and next to the delimiters", [=[
a = """Here are two quotation marks: "". Simple enough."""
b = """Here are three quotation marks: ""\"."""
c = """Here are fifteen quotation marks: ""\"""\"""\"""\"""\"."""
d = """"This," she said, "is just a pointless statement.""""
e = """"""""
]=], { a = 'Here are two quotation marks: "". Simple enough.',
       b = 'Here are three quotation marks: """.',
       c = 'Here are fifteen quotation marks: """"""""""""""".',
       d = '"This," she said, "is just a pointless statement."',
       e = '""' } },
  { "escapes in multi-line strings", 's = """tab\\there\\u00e9 "quoted" \\""""', { s = 'tab\there\u{e9} "quoted" "' } },

  -- Multi-line literal strings
  { "multi-line literal strings", [=[
regex2 = '''I [dw]on't need \d{2} apples'''
lines  = '''
The first newline is
trimmed in raw strings.
   All other whitespace
   is preserved.
'''
quot15 = '''Here are fifteen quotation marks: """""""""""""""'''
apos15 = "Here are fifteen apostrophes: '''''''''''''''"
str = ''''That,' she said, 'is still pointless.''''
]=], { regex2 = [[I [dw]on't need \d{2} apples]],
       lines = "The first newline is\ntrimmed in raw strings.\n   All other whitespace\n   is preserved.\n",
       quot15 = 'Here are fifteen quotation marks: """""""""""""""',
       apos15 = "Here are fifteen apostrophes: '''''''''''''''",
       str = "'That,' she said, 'is still pointless.'" } },
  { "multi-line literal keeps backslashes", "s = '''a\\\nb\\n'''", { s = "a\\\nb\\n" } },

  -- Integers
  { "decimal integers", "a = +99\nb = 42\nc = 0\nd = -17\ne = -0\nf = +0",
    { a = 99, b = 42, c = 0, d = -17, e = 0, f = 0 } },
  { "underscores in integers", "a = 1_000\nb = 5_349_221\nc = 53_49_221\nd = 1_2_3_4_5",
    { a = 1000, b = 5349221, c = 5349221, d = 12345 } },
  { "hex, octal and binary", [=[
hex1 = 0xDEADBEEF
hex2 = 0xdeadbeef
hex3 = 0xdead_beef
hex4 = 0x00000001
oct1 = 0o01234567
oct2 = 0o755
bin1 = 0b11010110
zero = [0x0, 0o0, 0b0]
]=], { hex1 = 3735928559, hex2 = 3735928559, hex3 = 3735928559, hex4 = 1,
       oct1 = 342391, oct2 = 493, bin1 = 214, zero = { 0, 0, 0 } } },
  { "64-bit limits", [=[
max = 9223372036854775807
min = -9223372036854775808
hexmax = 0x7FFFFFFFFFFFFFFF
octmax = 0o777777777777777777777
binmax = 0b111111111111111111111111111111111111111111111111111111111111111
]=], { max = math.maxinteger, min = math.mininteger, hexmax = math.maxinteger,
       octmax = math.maxinteger, binmax = math.maxinteger } },

  -- Floats
  { "fractional floats", "a = +1.0\nb = 3.1415\nc = -0.01\nd = 0.0\ne = 224_617.445_991_228",
    { a = 1.0, b = 3.1415, c = -0.01, d = 0.0, e = 224617.445991228 } },
  { "exponent floats", "a = 5e+22\nb = 1e06\nc = -2E-2\nd = 6.626e-34\ne = 1e1_0\nf = 0e0\ng = 1E5",
    { a = 5e22, b = 1e6, c = -0.02, d = 6.626e-34, e = 1e10, f = 0.0, g = 1e5 } },
  { "signed zero floats", "a = -0.0\nb = +0.0", { a = -0.0, b = 0.0 } },
  { "special floats", "a = inf\nb = +inf\nc = -inf\nd = nan\ne = +nan\nf = -nan",
    { a = math.huge, b = math.huge, c = -math.huge, d = NAN, e = NAN, f = NAN } },

  -- Booleans
  { "booleans", "t = true\nf = false", { t = true, f = false } },

  -- Dates and times
  { "offset date-times", [=[
odt1 = 1979-05-27T07:32:00Z
odt2 = 1979-05-27T00:32:00-07:00
odt3 = 1979-05-27T00:32:00.999999-07:00
odt4 = 1979-05-27 07:32:00Z
odt5 = 1979-05-27t07:32:00z
odt6 = 1979-05-27T07:32:00+05:30
]=], { odt1 = dt("offset-datetime", "1979-05-27T07:32:00Z"),
       odt2 = dt("offset-datetime", "1979-05-27T00:32:00-07:00"),
       odt3 = dt("offset-datetime", "1979-05-27T00:32:00.999999-07:00"),
       odt4 = dt("offset-datetime", "1979-05-27T07:32:00Z"),
       odt5 = dt("offset-datetime", "1979-05-27T07:32:00Z"),
       odt6 = dt("offset-datetime", "1979-05-27T07:32:00+05:30") } },
  { "local date-times, dates and times", [=[
ldt1 = 1979-05-27T07:32:00
ldt2 = 1979-05-27 00:32:00.999999
ld1 = 1979-05-27
lt1 = 07:32:00
lt2 = 00:32:00.999999
]=], { ldt1 = dt("local-datetime", "1979-05-27T07:32:00"),
       ldt2 = dt("local-datetime", "1979-05-27T00:32:00.999999"),
       ld1 = dt("local-date", "1979-05-27"),
       lt1 = dt("local-time", "07:32:00"),
       lt2 = dt("local-time", "00:32:00.999999") } },
  { "leap days and a leap second", "a = 2000-02-29\nb = 2024-02-29\nc = 1990-12-31T23:59:60Z",
    { a = dt("local-date", "2000-02-29"), b = dt("local-date", "2024-02-29"),
      c = dt("offset-datetime", "1990-12-31T23:59:60Z") } },
  { "date followed by a comment", "d = 1979-05-27 # birthday", { d = dt("local-date", "1979-05-27") } },
  { "dates in an array", "d = [1979-05-27, 1979-05-27 07:32:00, 07:32:00]",
    { d = { dt("local-date", "1979-05-27"), dt("local-datetime", "1979-05-27T07:32:00"),
            dt("local-time", "07:32:00") } } },

  -- Arrays
  { "arrays", [=[
integers = [ 1, 2, 3 ]
colors = [ "red", "yellow", "green" ]
nested_arrays_of_ints = [ [ 1, 2 ], [3, 4, 5] ]
nested_mixed_array = [ [ 1, 2 ], ["a", "b", "c"] ]
string_array = [ "all", 'strings', """are the same""", '''type''' ]
numbers = [ 0.1, 0.2, 0.5, 1, 2, 5 ]
contributors = [
  "Foo Bar <foo@example.com>",
  { name = "Baz Qux", email = "bazqux@example.com", url = "https://example.com/bazqux" }
]
]=], { integers = { 1, 2, 3 }, colors = { "red", "yellow", "green" },
       nested_arrays_of_ints = { { 1, 2 }, { 3, 4, 5 } },
       nested_mixed_array = { { 1, 2 }, { "a", "b", "c" } },
       string_array = { "all", "strings", "are the same", "type" },
       numbers = { 0.1, 0.2, 0.5, 1, 2, 5 },
       contributors = { "Foo Bar <foo@example.com>",
                        { name = "Baz Qux", email = "bazqux@example.com", url = "https://example.com/bazqux" } } } },
  { "multi-line arrays with comments and a trailing comma", [=[
integers2 = [
  1, 2, 3
]
integers3 = [
  1, # first
  2, # second, followed by a trailing comma
]
spaced = [ # before anything
  # a comment line

  "a"  # after a value
  ,    # comma on its own
  "b"
  ]
]=], { integers2 = { 1, 2, 3 }, integers3 = { 1, 2 }, spaced = { "a", "b" } } },
  { "empty arrays", "a = []\nb = [ ]\nc = [\n]\nd = [ # c\n]\ne = [[]]",
    { a = {}, b = {}, c = {}, d = {}, e = { {} } } },
  { "arrays with CRLF inside", "a = [\r\n  1,\r\n  2,\r\n]", { a = { 1, 2 } } },

  -- Tables
  { "tables", [=[
[table-1]
key1 = "some string"
key2 = 123

[table-2]
key1 = "another string"
key2 = 456
]=], { ["table-1"] = { key1 = "some string", key2 = 123 },
       ["table-2"] = { key1 = "another string", key2 = 456 } } },
  { "quoted and spaced table names", [=[
[dog."tater.man"]
type.name = "pug"
[ j . "ʞ" . 'l' ]
x = 1
[a.b.c]            # this is best practice
[ d.e.f ]          # same as [d.e.f]
[ g .  h  . i ]    # same as [g.h.i]
]=], { dog = { ["tater.man"] = { type = { name = "pug" } } }, j = { ["ʞ"] = { l = { x = 1 } } },
       a = { b = { c = {} } }, d = { e = { f = {} } }, g = { h = { i = {} } } } },
  { "super-tables are implicit and may be defined later, once", "[x.y.z.w]\n[x]\nk = 1",
    { x = { k = 1, y = { z = { w = {} } } } } },
  { "implicit table defined after its child", "[a.b.c]\nz = 1\n[a.b]\ny = 2\n[a]\nx = 3",
    { a = { x = 3, b = { y = 2, c = { z = 1 } } } } },
  { "tables out of order", "[fruit.apple]\n[animal]\n[fruit.orange]",
    { fruit = { apple = {}, orange = {} }, animal = {} } },
  { "empty table and root keys first", 'name = "Fido"\nbreed = "pug"\n[owner]\n[empty]',
    { name = "Fido", breed = "pug", owner = {}, empty = {} } },
  { "dotted keys under a header define sub-tables", [=[
[fruit]
apple.color = "red"
apple.taste.sweet = true

[fruit.apple.texture]  # sub-tables of dotted-key tables are fine
smooth = true
]=], { fruit = { apple = { color = "red", taste = { sweet = true }, texture = { smooth = true } } } } },
  { "header below a dotted table from the root", "a.b = 1\n[a.c]\nd = 2", { a = { b = 1, c = { d = 2 } } } },
  { "dotted keys in separate sections", "[x]\na.b = 1\n[y]\na.b = 2",
    { x = { a = { b = 1 } }, y = { a = { b = 2 } } } },

  -- Inline tables
  { "inline tables", [=[
name = { first = "Tom", last = "Preston-Werner" }
point = { x = 1, y = 2 }
animal = { type.name = "pug" }
empty = {}
spaced = {   }
nested = { a = { b = { c = 1 } }, list = [1, 2] }
]=], { name = { first = "Tom", last = "Preston-Werner" }, point = { x = 1, y = 2 },
       animal = { type = { name = "pug" } }, empty = {}, spaced = {},
       nested = { a = { b = { c = 1 } }, list = { 1, 2 } } } },
  { "inline table with dotted keys sharing a table", "t = { a.b = 1, a.c = 2 }", { t = { a = { b = 1, c = 2 } } } },
  { "inline table holding a multi-line array", "t = { list = [\n  1,\n  2,\n] }", { t = { list = { 1, 2 } } } },

  -- Arrays of tables
  { "arrays of tables", [=[
[[products]]
name = "Hammer"
sku = 738594937

[[products]]  # empty table within the array

[[products]]
name = "Nail"
sku = 284758393

color = "gray"
]=], { products = { { name = "Hammer", sku = 738594937 }, {},
                    { name = "Nail", sku = 284758393, color = "gray" } } } },
  { "nested arrays of tables and sub-tables", [=[
[[fruits]]
name = "apple"

[fruits.physical]  # subtable
color = "red"
shape = "round"

[[fruits.varieties]]  # nested array of tables
name = "red delicious"

[[fruits.varieties]]
name = "granny smith"

[[fruits]]
name = "banana"

[[fruits.varieties]]
name = "plantain"
]=], { fruits = {
      { name = "apple", physical = { color = "red", shape = "round" },
        varieties = { { name = "red delicious" }, { name = "granny smith" } } },
      { name = "banana", varieties = { { name = "plantain" } } } } } },
  { "array of inline tables", "points = [ { x = 1, y = 2, z = 3 },\n           { x = 7, y = 8, z = 9 } ]",
    { points = { { x = 1, y = 2, z = 3 }, { x = 7, y = 8, z = 9 } } } },
  { "dotted keys in each array element", "[[a]]\nb.c = 1\n[[a]]\nb.c = 2",
    { a = { { b = { c = 1 } }, { b = { c = 2 } } } } },
  { "array of tables inside a table", "[a]\nx = 1\n[[a.list]]\ny = 2\n[[a.list]]\ny = 3",
    { a = { x = 1, list = { { y = 2 }, { y = 3 } } } } },
}

local INVALID = {
  -- Duplicates and redefinitions
  { "duplicate key", "a = 1\na = 2", "2:1", "duplicate key 'a' (first defined at line 1)" },
  { "duplicate key in the profile section", PROFILE_EXAMPLE .. 'opensearch_url = "http://x"\n', "7:1",
    "duplicate key 'opensearch_url' in [profiles.otel-prod] (first defined at line 3)" },
  { "duplicate key, bare and quoted", 'spelling = "favorite"\n"spelling" = "favourite"', "2:1", "duplicate key 'spelling'" },
  { "duplicate key through an escape", 'A = 1\n"\\u0041" = 2', "2:1", "duplicate key 'A'" },
  { "duplicate dotted key", "a.b = 1\na.b = 2", "2:3", "duplicate key 'a.b'" },
  { "key duplicates a table from a header", "[a.b]\n[a]\nb = 1", "3:1", "duplicate key 'b' in [a]" },
  { "table defined twice", "[a]\nx = 1\n[a]\ny = 2", "3:2", "table [a] is defined twice (first at line 1)" },
  { "table defined twice after being implicit", "[a.b]\n[a]\n[a]", "3:2", "table [a] is defined twice (first at line 2)" },
  { "table over an existing value", "[a]\nb = 1\n[a.b]", "3:4", "'a.b' is already an integer (line 2)" },
  { "header reopening a dotted-key table", '[fruit]\napple.color = "red"\n[fruit.apple]', "3:8",
    "table [fruit.apple] was already created by a dotted key" },
  { "header reopening a nested dotted-key table", "[fruit]\napple.taste.sweet = true\n[fruit.apple.taste]", "3:14",
    "was already created by a dotted key" },
  { "dotted key over a non-table", "a = 1\na.b = 2", "2:1", "'a' is already an integer (line 1), so it cannot hold keys" },
  { "dotted key into a header table", "[a.b.c]\nz = 9\n[a]\nb.c.t = 9", "4:1",
    "cannot add to table 'b' in [a] with a dotted key: it was created by a [table] header" },
  { "dotted key into an implicit header table", "[a.b.c]\n[a]\nb.d = 1", "3:1", "created by a [table] header" },
  { "dotted key into an array of tables", "[[a.b]]\n[a]\nb.c = 1", "3:1", "'b' in [a] is already an array of tables" },

  -- Inline tables are complete when written
  { "dotted key extending an inline table", "a = {b = 1}\na.c = 2", "2:1", "cannot add to inline table 'a'" },
  { "header reopening an inline table", "a = {b = 1}\n[a]", "2:2", "cannot add to inline table 'a'" },
  { "header extending an inline table", "a = {b = 1}\n[a.c]", "2:2", "cannot add to inline table 'a'" },
  { "header extending a nested inline table", "a.b = {}\n[a.b.c]", "2:4", "cannot add to inline table 'a.b'" },
  { "inline table extended inside another", "a = {b = {c = 1}, b.d = 2}", "1:19", "cannot add to inline table 'b'" },
  { "duplicate key in an inline table", "a = {b = 1, b = 2}", "1:13", "duplicate key 'b' in inline table" },
  { "newline inside an inline table", "a = {b = 1,\nc = 2}", "1:12", "newline inside an inline table" },
  { "newline after an inline table brace", "a = {\nb = 1}", "1:6", "newline inside an inline table" },
  { "trailing comma in an inline table", "a = {b = 1,}", "1:12", "trailing comma" },
  { "missing comma in an inline table", "a = {b = 1 c = 2}", "1:12", "expected ',' or '}'" },
  { "comment inside an inline table", "a = {b = 1 # c\n}", "1:12", "expected ',' or '}'" },
  { "lone comma in an inline table", "a = {,}", "1:6", "expected a key, found ','" },
  { "unterminated inline table", "a = {b = 1", "1:11", "unterminated inline table" },

  -- Arrays of tables
  { "[[x]] after a static array", "x = [1]\n[[x]]", "2:3", "'x' is an array written with [ ]" },
  { "[[x]] after an empty static array", "x = []\n[[x]]", "2:3", "'x' is an array written with [ ]" },
  { "header into a static array of tables", "x = [{a = 1}]\n[x.y]", "2:2", "'x' is already an array (line 1)" },
  { "[a] after [[a]]", "[[a]]\n[a]", "2:2", "[a] is an array of tables (line 1); use [[a]]" },
  { "[[a]] after [a]", "[a]\n[[a]]", "2:3", "cannot use [[a]]: 'a' is already a table" },
  { "[[a]] over a value", "a = 1\n[[a]]", "2:3", "'a' is already an integer" },
  { "[[a]] over an implicit table", "[a.b]\n[[a]]", "2:3", "'a' is already a table" },
  { "[[fruit]] after [fruit.physical]", '[fruit.physical]\ncolor = "red"\n[[fruit]]\nname = "apple"', "3:3",
    "cannot use [[fruit]]: 'fruit' is already a table (line 1)" },
  { "[table] conflicting with an array of tables", [=[
[[fruits]]
name = "apple"
[[fruits.varieties]]
name = "red delicious"
[fruits.varieties]
name = "granny smith"
]=], "5:9", "[fruits.varieties] is an array of tables (line 3)" },
  { "array of tables conflicting with a table", [=[
[[fruits]]
[fruits.physical]
color = "red"
[[fruits.physical]]
color = "green"
]=], "4:10", "cannot use [[fruits.physical]]: 'fruits.physical' is already a table (line 2)" },
  { "[table] over a string key", '[fruit]\napple = "red"\n[fruit.apple]', "3:8", "'fruit.apple' is already a string (line 2)" },
  { "dotted key into an inline table under a header", '[product]\ntype = { name = "Nail" }\ntype.edible = false', "3:1",
    "cannot add to inline table 'type' in [product]" },
  { "inline table over a dotted-key table", '[product]\ntype.name = "Nail"\ntype = { edible = false }', "3:1",
    "duplicate key 'type' in [product] (first defined at line 2)" },

  -- Lines and key/value syntax
  { "two key/values on one line", "a = 1 b = 2", "1:7", "expected end of line after value, found 'b'" },
  { "key/value after a header", "[a] b = 1", "1:5", "expected end of line after table header" },
  { "value followed by another value", 'a = "x" "y"', "1:9", "expected end of line after value" },
  { "missing value at end of file", "a = ", "1:5", "missing value after '=' for key 'a'" },
  { "missing value at end of line", "a =\nb = 1", "1:4", "missing value" },
  { "missing value before a comment", "a = # c", "1:5", "missing value" },
  { "missing equals", "a 1", "1:3", "expected '=' after key 'a', found '1'" },
  { "key alone", "a\n", "1:2", "expected '=' after key 'a', found end of line" },
  { "key with a space", "a b = 1", "1:3", "expected '='" },
  { "missing key", "= 1", "1:1", "expected a key, found '='" },
  { "empty dotted key part", "a..b = 1", "1:3", "expected a key, found '.'" },
  { "trailing dot in key", "a. = 1", "1:4", "expected a key, found '='" },
  { "leading dot in key", ".a = 1", "1:1", "expected a key, found '.'" },
  { "non-ASCII bare key", "é = 1", "1:1", "must be quoted" },
  { "multi-line string as key", '"""a""" = 1', "1:1", "a multi-line string cannot be a key" },
  { "unquoted string value", "a = hello", "1:5", "strings must be quoted: \"hello\"" },
  { "unquoted url value", "url = http://x", "1:7", "invalid value 'http://x'" },
  { "capitalised boolean", "a = True", "1:5", "write it in lower case: true" },
  { "truncated boolean", "a = tru", "1:5", "invalid value 'tru'" },
  { "boolean with extra letters", "a = truee", "1:5", "invalid value 'truee'" },
  { "equals in a value", "a = 1 = 2", "1:7", "expected end of line after value, found '='" },

  -- Basic strings
  { "invalid escape", [=[a = "\x41"]=], "1:6", "invalid escape sequence: backslash followed by 'x'" },
  { "escape from TOML 1.1", [=[a = "\e"]=], "1:6", "invalid escape sequence" },
  { "backslash then space in a single-line string", [=[a = "a\ b"]=], "1:7", "invalid escape sequence" },
  { "short \\u escape", [=[a = "\u12"]=], "1:6", "\\u must be followed by exactly 4 hex digits" },
  { "short \\U escape", [=[a = "\U1234567"]=], "1:6", "\\U must be followed by exactly 8 hex digits" },
  { "surrogate escape", [=[a = "\uD800"]=], "1:6", "\\uD800 is not a Unicode scalar value" },
  { "escape beyond U+10FFFF", [=[a = "\U00110000"]=], "1:6", "not a Unicode scalar value" },
  { "control character in a string", 'a = "x\1y"', "1:7", "control character U+0001 must be escaped" },
  { "DEL in a string", 'a = "x\127"', "1:7", "U+007F must be escaped" },
  { "NUL in a string", 'a = "\0"', "1:6", "U+0000 must be escaped" },
  { "newline in a single-line string", 'a = "abc\n"', "1:9", 'a "..." string must end on its line' },
  { "unterminated string", 'a = "abc', "1:5", "unterminated string" },
  { "unterminated string on a later line", 'x = 1\na = "abc', "2:5", "unterminated string" },

  -- Literal strings
  { "control character in a literal string", "a = '\1'", "1:6", "U+0001 is not allowed in a literal string" },
  { "newline in a literal string", "a = 'abc\nd'", "1:9", "a '...' string must end on its line" },
  { "unterminated literal string", "a = 'abc", "1:5", "unterminated literal string" },

  -- Multi-line strings
  { "unterminated multi-line string", 'a = """abc\n', "1:5", 'unterminated multi-line string (missing closing """)' },
  { "unterminated multi-line literal", "a = '''abc\n", "1:5", "missing closing '''" },
  { "six quotes closing a multi-line string", 'a = """x""""""', "1:14", "too many quotes" },
  { "six apostrophes closing a multi-line literal", "a = '''x''''''", "1:14", "too many quotes" },
  { "control character in a multi-line string", 'a = """\n\7"""', "2:1", "U+0007 must be escaped" },
  { "control character in a multi-line literal", "a = '''\n\27'''", "2:1", "U+001B is not allowed in a literal string" },
  { "invalid escape in a multi-line string", 'a = """\\q"""', "1:8", "invalid escape sequence" },
  { "bare CR in a multi-line string", 'a = """x\ry"""', "1:9", "carriage return not followed by a line feed" },

  -- Line endings, comments and encoding
  { "bare CR between lines", "a = 1\rb = 2", "1:6", "carriage return not followed by a line feed" },
  { "bare CR after a comment", "# x\r", "1:4", "carriage return not followed by a line feed" },
  { "control character in a comment", "# a\1", "1:4", "control character U+0001 is not allowed in a comment" },
  { "DEL in a comment", "a = 1 # \127", "1:9", "U+007F is not allowed in a comment" },
  { "invalid UTF-8 byte", 'a = "\255"', "1:6", "invalid UTF-8 (byte 0xFF)" },
  { "invalid UTF-8 in a comment", "a = 1\n# ok\n# \192\128", "3:3", "invalid UTF-8" },
  { "UTF-8 encoded surrogate", 'a = "\237\160\128"', "1:6", "invalid UTF-8" },
  { "truncated UTF-8 sequence", 'a = "\226\130"', "1:6", "invalid UTF-8" },
  { "column counts characters", 'é = 1', "1:1", "must be quoted" },
  { "column after multi-byte characters", 'a = "éé" x', "1:10", "expected end of line after value, found 'x'" },

  -- Integers
  { "leading zero", "a = 012", "1:5", "leading zeros are not allowed in '012'" },
  { "leading zero with sign", "a = -012", "1:5", "leading zeros are not allowed" },
  { "leading zeros with underscore", "a = 0_0", "1:5", "leading zeros are not allowed" },
  { "double underscore", "a = 1__2", "1:5", "invalid number '1__2'" },
  { "leading underscore", "a = _1", "1:5", "invalid number '_1'" },
  { "trailing underscore", "a = 1_", "1:5", "invalid number '1_'" },
  { "underscore after sign", "a = +_1", "1:5", "invalid number" },
  { "bare sign", "a = +", "1:5", "invalid number '+'" },
  { "double sign", "a = --1", "1:5", "invalid number" },
  { "empty hex", "a = 0x", "1:5", "invalid hex integer '0x'" },
  { "underscore after hex prefix", "a = 0x_1", "1:5", "invalid hex integer" },
  { "capital hex prefix", "a = 0X1F", "1:5", "invalid number '0X1F'" },
  { "bad hex digit", "a = 0xG1", "1:5", "invalid hex integer" },
  { "bad octal digit", "a = 0o8", "1:5", "invalid octal integer" },
  { "bad binary digit", "a = 0b102", "1:5", "invalid binary integer" },
  { "sign on hex", "a = +0x1", "1:5", "a sign is not allowed on hex, octal or binary integers" },
  { "sign on binary", "a = -0b1", "1:5", "a sign is not allowed" },
  { "integer just above the maximum", "a = 9223372036854775808", "1:5", "is out of range" },
  { "integer just below the minimum", "a = -9223372036854775809", "1:5", "is out of range" },
  { "huge integer", "a = 123456789012345678901234567890", "1:5", "is out of range" },
  { "hex above the maximum", "a = 0x8000000000000000", "1:5", "is out of range" },
  { "octal above the maximum", "a = 0o1000000000000000000000", "1:5", "is out of range" },
  { "binary above the maximum", "a = 0b1" .. string.rep("0", 63), "1:5", "is out of range" },
  { "integer with trailing letters", "a = 12abc", "1:5", "invalid number '12abc'" },

  -- Floats
  { "dot without fraction", "a = 1.", "1:5", "a decimal point needs digits on both sides" },
  { "dot without integer part", "a = .5", "1:5", "a decimal point needs digits on both sides" },
  { "dot before exponent", "a = 1.e5", "1:5", "a decimal point needs digits on both sides" },
  { "empty exponent", "a = 1e", "1:5", "invalid exponent in '1e'" },
  { "underscore starting exponent", "a = 1e_5", "1:5", "invalid exponent" },
  { "underscore before dot", "a = 1_.5", "1:5", "invalid number '1_.5'" },
  { "underscore after dot", "a = 1._5", "1:5", "a decimal point needs digits on both sides" },
  { "leading zero float", "a = 01.5", "1:5", "leading zeros are not allowed" },
  { "leading zeros float", "a = -00.0", "1:5", "leading zeros are not allowed" },
  { "two dots", "a = 1.5.5", "1:5", "invalid number '1.5.5'" },
  { "fractional exponent", "a = 1e5.5", "1:5", "invalid number" },
  { "infinity spelled out", "a = infinity", "1:5", "invalid value 'infinity'" },
  { "capitalised inf", "a = Inf", "1:5", "write it in lower case: inf" },
  { "capitalised nan", "a = NaN", "1:5", "write it in lower case: nan" },
  { "float overflowing to infinity", "a = 1e400", "1:5", "float 1e400 is out of range" },

  -- Dates and times
  { "month 13", "a = 1979-13-01", "1:10", "month 13 is out of range (01-12)" },
  { "month 00", "a = 1979-00-01", "1:10", "month 00 is out of range" },
  { "day 00", "a = 1979-01-00", "1:13", "day 00 is out of range" },
  { "February 29 outside a leap year", "a = 2023-02-29", "1:13", "day 29 is out of range for 2023-02 (01-28)" },
  { "February 29 in a century year", "a = 1900-02-29", "1:13", "day 29 is out of range for 1900-02" },
  { "April 31", "a = 2024-04-31", "1:13", "day 31 is out of range for 2024-04 (01-30)" },
  { "hour 24", "a = 1979-05-27T24:00:00", "1:16", "hour 24 is out of range (00-23)" },
  { "minute 60", "a = 07:60:00", "1:8", "minute 60 is out of range" },
  { "second 61", "a = 07:00:61", "1:11", "second 61 is out of range (00-60)" },
  { "offset hour 24", "a = 1979-05-27T07:32:00+24:00", "1:25", "offset hour 24 is out of range" },
  { "offset minute 60", "a = 1979-05-27T07:32:00+05:60", "1:28", "offset minute 60 is out of range" },
  { "offset without colon", "a = 1979-05-27T07:32:00+0700", "1:24", "invalid UTC offset" },
  { "time without seconds", "a = 07:32", "1:5", "TOML 1.0 requires the seconds" },
  { "date-time without seconds", "a = 1979-05-27T07:32Z", "1:16", "TOML 1.0 requires the seconds" },
  { "T without a time", "a = 1979-05-27T", "1:16", "expected a time HH:MM:SS, found end of file" },
  { "fraction without digits", "a = 07:32:00.", "1:13", "expected digits after '.'" },
  { "local time with an offset", "a = 07:32:00Z", "1:13", "a time without a date cannot have a UTC offset" },
  { "date with Z", "a = 1979-05-27Z", "1:15", "expected end of line after value, found 'Z'" },
  { "one-digit month", "a = 1979-5-27", "1:5", "invalid date '1979-5-27'" },
  { "two-digit year", "a = 79-05-27", "1:5", "invalid date '79-05-27'" },
  { "one-digit hour", "a = 1979-05-27T7:32:00", "1:16", "invalid time" },

  -- Arrays
  { "missing comma in an array", "a = [1 2]", "1:8", "expected ',' or ']' in array, found '2'" },
  { "leading comma in an array", "a = [,1]", "1:6", "expected a value, found ','" },
  { "double comma in an array", "a = [1,,2]", "1:8", "expected a value, found ','" },
  { "unterminated array", "a = [1, 2", "1:5", "unterminated array (missing ']')" },
  { "unterminated multi-line array", "a = [\n1,\n2,\n", "1:5", "unterminated array" },
  { "extra closing bracket", "a = [1]]", "1:8", "expected end of line after value, found ']'" },
  { "bad value inside an array", "a = [1, 2, three]", "1:12", "invalid value 'three'" },

  -- Table headers
  { "empty table name", "[]", "1:2", "expected a key, found ']'" },
  { "unclosed table header", "[a", "1:3", "expected ']' to close the table header, found end of file" },
  { "unclosed array-of-tables header", "[[a]", "1:4", "expected ']]' to close the table header, found ']'" },
  { "extra bracket after header", "[a]]", "1:4", "expected end of line after table header" },
  { "space between array-of-tables brackets", "[[a] ]", "1:4", "expected ']]'" },
  { "trailing dot in header", "[a.]", "1:4", "expected a key, found ']'" },
  { "space in header name", "[a b]", "1:4", "expected ']'" },
  { "newline inside a header", "[a\n]", "1:3", "expected ']' to close the table header, found end of line" },
}

describe("toml.parse", function()
  describe("valid documents", function()
    for _, case in ipairs(VALID) do
      it(case[1], function() assert_parses_to(case[2], case[3]) end)
    end
  end)

  describe("invalid documents report line:column and the problem", function()
    for _, case in ipairs(INVALID) do
      it(case[1], function() assert_rejects(case[2], case[3], case[4]) end)
    end
  end)

  describe("values", function()
    it("keeps integers as Lua integers and floats as floats", function()
      local doc = assert(toml.parse("i = 1\nf = 1.0\nbig = 9007199254740993"))
      assert.equal("integer", math.type(doc.i))
      assert.equal("float", math.type(doc.f))
      -- 2^53 + 1 cannot be represented as a double; it must survive exactly.
      assert.equal(9007199254740993, doc.big)
      assert.equal("integer", math.type(doc.big))
    end)

    it("gives date/time fields and canonical text", function()
      local doc = assert(toml.parse("t = 1979-05-27 00:32:00.999999-07:00"))
      local t = doc.t
      assert.is_true(toml.is_datetime(t))
      assert.equal("1979-05-27T00:32:00.999999-07:00", tostring(t))
      assert.equal("offset-datetime", t.kind)
      assert.same({ 1979, 5, 27, 0, 32, 0, 999999000, -420 },
                  { t.year, t.month, t.day, t.hour, t.minute, t.second, t.nanosecond, t.offset_minutes })
    end)

    it("leaves fields a kind does not have unset", function()
      local doc = assert(toml.parse("d = 2024-02-29\nt = 23:59:59.5\nl = 2024-01-02T03:04:05"))
      assert.same({ 2024, 2, 29 }, { doc.d.year, doc.d.month, doc.d.day })
      assert.is_nil(doc.d.hour)
      assert.is_nil(doc.t.year)
      assert.equal(500000000, doc.t.nanosecond)
      assert.is_nil(doc.l.offset_minutes)
      assert.equal("local-datetime", doc.l.kind)
    end)

    it("truncates fractions beyond nanoseconds but keeps them in the text", function()
      local doc = assert(toml.parse("t = 00:00:00.1234567891234"))
      assert.equal(123456789, doc.t.nanosecond)
      assert.equal("00:00:00.1234567891234", tostring(doc.t))
    end)

    it("compares date/times by kind and canonical text", function()
      local doc = assert(toml.parse("a = 1979-05-27 07:32:00z\nb = 1979-05-27T07:32:00Z\nc = 1979-05-27T07:32:00"))
      assert.is_true(doc.a == doc.b)
      assert.is_false(doc.a == doc.c)
      assert.is_false(toml.is_datetime("1979-05-27"))
    end)

    it("gives separate tables for separate inline tables and arrays", function()
      local doc = assert(toml.parse("a = {}\nb = {}\nc = []\nd = []"))
      assert.are_not.equal(doc.a, doc.b)
      assert.are_not.equal(doc.c, doc.d)
    end)
  end)

  describe("errors", function()
    it("name the source given", function()
      local doc, err = toml.parse("a = 1\na = 2\n", "config.toml")
      assert.is_nil(doc)
      assert.equal("config.toml:2:1: duplicate key 'a' (first defined at line 1)", err)
    end)

    it("default the source name", function()
      local _, err = toml.parse("a = ")
      assert.equal("toml:1:5: missing value after '=' for key 'a'", err)
    end)

    it("count lines after a byte order mark correctly", function()
      local _, err = toml.parse("\239\187\191a = 1\na = 2", "bom.toml")
      assert.equal("bom.toml:2:1: duplicate key 'a' (first defined at line 1)", err)
    end)

    it("raise for misuse rather than bad TOML", function()
      assert.has_error(function() toml.parse(nil) end, "bad argument #1 to 'parse' (string expected, got nil)")
      assert.has_error(function() toml.parse("a = 1", 42) end, "bad argument #2 to 'parse' (string expected, got number)")
    end)
  end)

  describe("pathological input", function()
    local function assert_clean_failure(text, fragment)
      local ok, doc, err = pcall(toml.parse, text, "evil.toml")
      assert(ok, "parse threw: " .. tostring(doc))
      assert.is_nil(doc)
      assert.is_string(err)
      assert(not err:find("internal error", 1, true), err)
      if fragment then assert(err:find(fragment, 1, true), err) end
    end

    it("parses 100 KB of [[a]] headers", function()
      local count = 100 * 1024 // #"[[a]]\n" + 1
      local text = string.rep("[[a]]\n", count)
      local started = os.clock()
      local doc = assert(toml.parse(text))
      assert.equal(count, #doc.a)
      assert(os.clock() - started < 5, "took too long")
    end)

    it("rejects 10000 nested arrays with a clean error", function()
      assert_clean_failure("a = " .. string.rep("[", 10000) .. string.rep("]", 10000), "nested more than 128 deep")
    end)

    it("rejects 10000 nested inline tables with a clean error", function()
      assert_clean_failure("a = " .. string.rep("{b=", 10000) .. "1" .. string.rep("}", 10000),
                           "nested more than 128 deep")
    end)

    it("accepts nesting up to the limit", function()
      local depth = toml.MAX_DEPTH
      local doc = assert(toml.parse("a = " .. string.rep("[", depth) .. "1" .. string.rep("]", depth)))
      local v = doc.a
      for _ = 1, depth - 1 do v = v[1] end
      assert.same({ 1 }, v)
      assert_clean_failure("a = " .. string.rep("[", depth + 1) .. "1" .. string.rep("]", depth + 1), "nested more than")
    end)

    it("rejects a line of 10000 opening brackets", function()
      assert_clean_failure(string.rep("[", 10000), "expected a key")
    end)

    it("handles very long dotted keys and headers without recursion", function()
      local doc = assert(toml.parse(string.rep("k.", 5000) .. "k = 1\n[" .. string.rep("h.", 5000) .. "h]"))
      local v = doc
      for _ = 1, 5000 do v = v.k end
      assert.equal(1, v.k)
    end)

    it("handles a 1 MB string value", function()
      local doc = assert(toml.parse('s = "' .. string.rep("x", 1024 * 1024) .. '"'))
      assert.equal(1024 * 1024, #doc.s)
    end)

    it("never throws on random bytes", function()
      math.randomseed(20240601)
      for _ = 1, 300 do
        local bytes = {}
        for i = 1, math.random(1, 400) do bytes[i] = string.char(math.random(0, 255)) end
        local ok, doc, err = pcall(toml.parse, table.concat(bytes))
        assert(ok, "parse threw: " .. tostring(doc))
        assert(doc or (type(err) == "string" and not err:find("internal error", 1, true)), err)
      end
    end)

    it("never throws on mutations of a valid document", function()
      math.randomseed(7)
      local base = PROFILE_EXAMPLE .. [=[
[[servers]]
ip = "10.0.0.1"  # c
ports = [ 8000, 8001, 0x1F, 1e3, -inf ]
when = 1979-05-27T07:32:00-08:00
opts = { a.b = 'x', c = """y""", d = [ {}, [] ] }
]=]
      local alphabet = "[]{}=,.\"'#\\ \n\r\t-_+:01eExzT"
      for _ = 1, 1500 do
        local text = base
        for _ = 1, math.random(1, 4) do
          local at = math.random(1, #text)
          local action = math.random(3)
          local c = alphabet:sub(math.random(#alphabet), math.random(#alphabet))
          if action == 1 then text = text:sub(1, at - 1) .. text:sub(at + 1)
          elseif action == 2 then text = text:sub(1, at - 1) .. c .. text:sub(at)
          else text = text:sub(1, at - 1) .. c .. text:sub(at + 1) end
        end
        local ok, doc, err = pcall(toml.parse, text)
        assert(ok, "parse threw: " .. tostring(doc))
        if not doc then
          assert(type(err) == "string" and err:match("^toml:%d+:%d+: "), err)
          assert(not err:find("internal error", 1, true), err)
        end
      end
    end)
  end)
end)
