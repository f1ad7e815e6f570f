-- The REPL, driven on a real pseudo-terminal.
local pty = require "support.pty"

local home

local function env() return home:env() end

describe("the REPL", function()
  before_each(function() home = pty.home() end)
  after_each(function() home:remove() end)

  it("evaluates an expression and prints its value", function()
    local r = pty.run({
      { expect = "tinkr> " }, { send = "1+1\r" }, { expect = "2\r\n" },
      { expect = "tinkr> " }, { send = "\4" },
    }, env())
    assert.is_nil(r.failed_expect, r.output)
    assert.equal(0, r.status)
  end)

  it("keeps reading while the chunk is incomplete", function()
    local r = pty.run({
      { expect = "tinkr> " }, { send = "function sq(x)\r" }, { expect = "...> " },
      { send = "return x * x\r" }, { expect = "...> " }, { send = "end\r" },
      { expect = "tinkr> " }, { send = "sq(12)\r" }, { expect = "144" },
      { expect = "tinkr> " }, { send = "\4" },
    }, env())
    assert.is_nil(r.failed_expect, r.output)
  end)

  it("pretty-prints tables with sorted keys, cycles and elided arrays", function()
    local r = pty.run({
      { expect = "tinkr> " }, { send = "t = {b=1, a={2,3}}; t.self = t; return t\r" },
      { expect = "tinkr> " }, { send = "local a = {} for i = 1, 100 do a[i] = i end return a\r" },
      { expect = "tinkr> " }, { send = "\4" },
    }, env())
    assert.is_nil(r.failed_expect, r.output)
    assert.truthy(r.output:find("{ a = { 2, 3 }, b = 1, self = <cycle: table: 0x", 1, true), r.output)
    assert.truthy(r.output:find("... 80 more (100 in all)", 1, true), r.output)
  end)

  it("prints an error and goes on", function()
    local r = pty.run({
      { expect = "tinkr> " }, { send = "error('kaboom')\r" }, { expect = "kaboom" },
      { expect = "tinkr> " }, { send = "40+2\r" }, { expect = "42" },
      { expect = "tinkr> " }, { send = "\4" },
    }, env())
    assert.is_nil(r.failed_expect, r.output)
    assert.equal(0, r.status)
  end)

  it("interrupts a running loop with Ctrl-C and returns to the prompt", function()
    local r = pty.run({
      { expect = "tinkr> " }, { send = "while true do end\r" }, { sleep = 0.3 },
      { send = "\3" }, { expect = "interrupted" }, { expect = "tinkr> " },
      { send = "'still here'\r" }, { expect = '"still here"' },
      { expect = "tinkr> " }, { send = "\4" },
    }, env())
    assert.is_nil(r.failed_expect, r.output)
    assert.equal(0, r.status)
  end)

  it("clears the line on Ctrl-C at the prompt instead of exiting", function()
    local r = pty.run({
      { expect = "tinkr> " }, { send = "this is not lua" },
      -- Ctrl-C only after readline has echoed the text: sent earlier, the text
      -- still sits unread in the terminal and lands on the next line.
      { expect = "this is not lua" }, { send = "\3" },
      { expect = "tinkr> " }, { send = "7*6\r" }, { expect = "42" },
      { expect = "tinkr> " }, { send = "\4" },
    }, env())
    assert.is_nil(r.failed_expect, r.output)
    assert.falsy(r.output:find("syntax error", 1, true), r.output)
  end)

  it("has tinkr as a global", function()
    local r = pty.run({
      { expect = "tinkr> " }, { send = "type(tinkr.json.encode)\r" }, { expect = '"function"' },
      { expect = "tinkr> " }, { send = "\4" },
    }, env())
    assert.is_nil(r.failed_expect, r.output)
  end)

  it("keeps history across sessions in the state directory", function()
    pty.run({ { expect = "tinkr> " }, { send = "answer = 6 * 7\r" }, { expect = "tinkr> " }, { send = "\4" } }, env())
    local f = io.open(home.dir .. "/tinkr/history")
    assert.truthy(f, "no history file")
    local text = f:read("a"); f:close()
    assert.truthy(text:find("answer = 6 * 7", 1, true))
    -- Up arrow in a new session brings the line back.
    local r = pty.run({
      { expect = "tinkr> " }, { send = "\27[A\r" }, { expect = "tinkr> " },
      { send = "answer\r" }, { expect = "42" }, { expect = "tinkr> " }, { send = "\4" },
    }, env())
    assert.is_nil(r.failed_expect, r.output)
  end)
end)
