-- tinkr.core.text: the masks behind `tinkr errors` signatures (C,
-- src/log_mask.c) and the table that counts them (src/sig_table.c).
local text = require("tinkr.core").text

describe("text.mask", function()
  local cases = {
    { "charge failed for order ord-3fa2c1d4: payment gateway timeout after 1500 ms",
      "charge failed for order <*>: payment gateway timeout after <*> ms" },
    { 'feature flag "recs-v2" evaluation failed: timeout after 523ms',
      'feature flag "<*>" evaluation failed: timeout after <duration>' },
    { "delivery to anna.k@example.org failed: 451 4.7.1 greylisted by 203.0.113.24",
      "delivery to <email> failed: <*> <*> greylisted by <ip>" },
    { "upload to 10.1.2.3:22 failed after 12.5s", "upload to <ip> failed after <duration>" },
    { "callback https://api.gateway.example/v1/charges/ch_3fa8c1d2?x=1 returned 404",
      "callback https://api.gateway.example/<*>/charges/<*>?x=<*> returned <*>" },
    { "GET /api/products/1234 -> 502", "GET /api/products/<*> -> <*>" },
    { "key 3b6f0a2e-1c4d-4e5f-a6b7-8c9d0e1f2a3b reused", "key <uuid> reused" },
    { "lookup sku=SKU-0421 hit=true", "lookup sku=<*> hit=true" },
    { "(limit 512MiB); exiting", "(limit <*>); exiting" },
    { "it's 'quoted' and can't fail", "it's '<*>' and can't fail" },
    { "session deadbeefcafe refreshed", "session <*> refreshed" },
    { "plain words only, stay as they are.", "plain words only, stay as they are." },
    { "", "" },
    { '"unterminated quote 42', '"unterminated quote <*>' },
    { "nul\0byte 7", "nul\0byte <*>" },
  }
  for _, c in ipairs(cases) do
    it(("masks %q"):format(c[1]:sub(1, 50)), function()
      assert.equal(c[2], text.mask(c[1]))
    end)
  end

  it("switches masks off by flag", function()
    local F = text.FLAGS
    assert.equal("after 523ms", text.mask("after 523ms", 0))
    assert.equal("after <*>", text.mask("after 523ms", F.digits))
    assert.equal("hit=<*>", text.mask("hit=true", F.kv | F.kv_all))
    assert.equal(text.DEFAULT & F.kv_all, 0)
  end)

  it("never writes past its buffer, whatever the input (the worst case grows 3.7x)", function()
    local worst = string.rep("1s ", 20000) .. string.rep('"" ', 20000) .. string.rep("a@b.c ", 5000)
    local out = text.mask(worst)
    assert.equal(20000, select(2, out:gsub("<duration>", "")))
    assert.equal(20000, select(2, out:gsub('"<%*>"', "")))
    for _ = 1, 200 do
      local bytes = {}
      for i = 1, math.random(0, 300) do bytes[i] = string.char(math.random(0, 255)) end
      assert.is_string(text.mask(table.concat(bytes)))
    end
  end)

  it("refuses bad arguments", function()
    assert.has_error(function() text.mask(nil) end)
    assert.has_error(function() text.mask("x", -1) end)
    assert.has_error(function() text.mask("x", 1 << 20) end)
  end)
end)

describe("text.grouper", function()
  it("gives one id per signature and counts lines, one at a time or a whole text at once", function()
    local g = text.grouper()
    assert.same({ 1, true }, { g:add("order 12 failed") })
    assert.same({ 1, false }, { g:add("order 9913 failed") })
    assert.same({ 2, true }, { g:add("order 12 shipped") })
    assert.equal(4, g:add_lines("order 1 failed\r\norder 2 failed\n\norder 3 shipped\nnew one\n"))
    assert.equal(3, g:size())
    assert.equal("order <*> failed", g:signature(1))
    assert.equal(4, g:count(1))
    assert.equal(2, g:count(2))
    assert.equal("new one", g:example(3))
    assert.equal("order 12 failed", g:example(1))
    assert.has_error(function() g:count(4) end)
    assert.has_error(function() g:count(0) end)
  end)

  it("keeps many signatures apart (the table grows)", function()
    local g = text.grouper()
    for i = 1, 5000 do g:add("word" .. string.char(97 + i % 26) .. string.char(97 + i // 26 % 26)
      .. string.char(97 + i // 676 % 26) .. " 42") end
    assert.equal(5000, g:size())
  end)
end)
