-- The string scanner's fast paths (16 and 8 bytes at a time, see
-- src/json_scan.c) against the byte-at-a-time rules: every length around
-- the block sizes, with the byte that needs a closer look at every place,
-- and the buffer ending right after (or inside) the string.
local json = require("tinkr.core").json

describe("json string scanning at every block boundary", function()
  it("finds quotes, escapes, UTF-8 and control characters wherever they are", function()
    for len = 0, 40 do
      for pos = 1, len do
        local function at(byte) return string.rep("a", pos - 1) .. byte .. string.rep("b", len - pos) end
        -- a raw control character: refused at its own offset
        local v, err = json.decode('"' .. at("\31") .. '"')
        assert.is_nil(v)
        assert.equal("invalid JSON at byte " .. (pos + 1) .. ": control character in string (must be escaped)", err)
        -- an escape and a two-byte UTF-8 sequence: decoded
        assert.equal(at("\n"), json.decode('"' .. at("\\n") .. '"'))
        assert.equal(at("é"), json.decode('"' .. at("é") .. '"'))
        assert.equal(at('"'), json.decode('"' .. at('\\"') .. '"'))
        -- a bad UTF-8 byte, and a quote ending the string early
        _, err = json.decode('"' .. at("\255") .. '"')
        assert.equal("invalid JSON at byte " .. (pos + 1) .. ": invalid UTF-8 in string", err)
        _, err = json.decode('"' .. at('"') .. '"')
        assert.matches("^invalid JSON at byte %d+: unexpected data after the top%-level value", err)
      end
      local plain = string.rep("c", len)
      assert.equal(plain, json.decode('"' .. plain .. '"'))
      assert.same({ plain, 1 }, json.decode('["' .. plain .. '",1]'))
      -- the buffer ends inside the string, or inside an escape
      local _, err = json.decode('"' .. plain)
      assert.equal("invalid JSON at byte " .. (len + 2) .. ": unterminated string", err)
      _, err = json.decode('"' .. plain .. "\\")
      assert.equal("invalid JSON at byte " .. (len + 3) .. ": unterminated string", err)
    end
  end)

  it("reads keys the same way as values", function()
    for len = 0, 40 do
      local k = string.rep("k", len)
      assert.same({ [k] = 1, [k .. "é"] = 2 }, json.decode('{"' .. k .. '":1,"' .. k .. 'é":2}'))
      local rows = assert(require("tinkr.core").map.rows(
        '{"hits":{"hits":[{"_source":{"' .. k .. '":1,"x' .. k .. '\\u00e9":2}}]}}',
        { fields = { a = k == "" and "." or k, b = "x" .. k .. "é" } }))
      if k ~= "" then assert.equal(1, rows[1].a) end
      assert.equal(2, rows[1].b)
    end
  end)
end)
