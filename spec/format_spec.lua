-- Output formats: exact text for small inputs, quoting, colour only when
-- asked, and every drawn line within the width.
local format = require("tinkr.format")
local text = require("tinkr.format.text")
local tbl = require("tinkr.format.table")
local json_fmt = require("tinkr.format.json")
local ndjson = require("tinkr.format.ndjson")
local csv = require("tinkr.format.csv")
local chart = require("tinkr.format.chart")
local waterfall = require("tinkr.format.waterfall")
local core = require("tinkr.core")

local ESC = "\27"
local MS = 1000000
local T = 1795694399000000000        -- 2026-11-26T11:59:59Z

local function lines_of(s)
  local out = {}
  for line in s:gmatch("([^\n]*)\n") do out[#out + 1] = line end
  return out
end

local function plain(s) return (s:gsub(ESC .. "%[[%d;]*m", "")) end

-- Fails naming the first line wider than w cells (escape codes not counted).
local function assert_width(s, w, what)
  for i, line in ipairs(lines_of(s)) do
    local lw = text.width(plain(line))
    assert(lw <= w, ("%s: line %d is %d cells, more than %d: %q"):format(what, i, lw, w, line))
  end
end

local function temp_file()
  local path = os.tmpname()
  return path, assert(io.open(path, "w+b"))
end

local function slurp(f)
  f:seek("set", 0)
  local s = f:read("a")
  f:close()
  return s
end

local LOGS = {
  { timestamp = "2026-11-26T11:59:59.123Z", service = "payments-api", level = "ERROR",
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736", message = "card declined\nretry 1",
    attributes = { ["http.status_code"] = 402 }, time_ns = T + 123 * MS },
  { timestamp = "2026-11-26T11:59:59.200Z", service = "checkout", level = "INFO", message = "ok",
    time_ns = T + 200 * MS },
}

describe("tinkr.format", function()
  it("finds formats by name and lists them when the name is wrong", function()
    assert.equal(tbl, format.get("table"))
    assert.equal(waterfall, format.get("waterfall"))
    local f, err = format.get("yaml")
    assert.is_nil(f)
    assert.equal('unknown format "yaml": use table, json, ndjson or csv', err)
  end)

  describe("text", function()
    it("measures display width in cells", function()
      assert.equal(5, text.width("hello"))
      assert.equal(3, text.width("h\195\169!"))                -- é is one cell
      assert.equal(6, text.width("日本語"))
      assert.equal(1, text.width("e\204\129"))                  -- e + combining acute
      assert.equal(1, text.width("\255"))                       -- invalid byte: one replacement
    end)

    it("truncates by cells with an ellipsis, and says how wide the result is", function()
      assert.same({ "hello", 5 }, { text.truncate("hello", 5) })
      assert.same({ "hel…", 4 }, { text.truncate("hello", 4) })
      assert.same({ "h...", 4 }, { text.truncate("hello!", 4, true) })
      assert.same({ "日…", 3 }, { text.truncate("日本語", 4) })   -- a wide char does not fit in one cell
      assert.same({ "", 0 }, { text.truncate("hello", 0) })
      assert.same({ "h", 1 }, { text.truncate("hello", 1) })
    end)

    it("makes any string safe for one line", function()
      assert.equal("a⏎b⏎c", text.one_line("a\nb\r\nc"))
      assert.equal("a\\nb", text.one_line("a\nb", true))
      assert.equal("tab here", text.one_line("tab\there"))
      assert.equal("\239\191\189[31mred", text.one_line(ESC .. "[31mred"))
      assert.equal("x\239\191\189y", text.one_line("x\255y"))
      assert.equal("\239\191\189", text.one_line("\194\155"))  -- C1 CSI
      assert.equal("plain", text.one_line("plain"))
    end)

    it("writes numbers exactly and with SI prefixes", function()
      assert.equal("1795694399123456789", text.number_text(1795694399123456789))
      assert.equal("0.1", text.number_text(0.1))
      assert.equal("0.30000000000000004", text.number_text(0.1 + 0.2))
      assert.equal("1.5k", text.si(1500))
      assert.equal("250ms", text.si(0.25, "s"))
      assert.equal("0.25", text.si(0.25))
      assert.equal("1m40s", text.si(100, "s"))
      assert.equal("2.5MB", text.si(2.5e6, "B"))
      assert.equal("1k", text.si(999.96))
      assert.equal("0", text.si(0))
    end)
  end)

  describe("table", function()
    it("shows the usual columns in order and cuts the message to fit", function()
      local out = tbl.render(LOGS, { width = 100 })
      assert.equal(
        "TIMESTAMP                 SERVICE       LEVEL  TRACE_ID                          MESSAGE\n" ..
        "2026-11-26T11:59:59.123Z  payments-api  ERROR  4bf92f3577b34da6a3ce929d0e0e4736  card declined⏎retr…\n" ..
        "2026-11-26T11:59:59.200Z  checkout      INFO                                     ok\n", out)
      assert_width(out, 100, "table")
    end)

    it("keeps to the given columns", function()
      assert.equal(
        "LEVEL  SERVICE       MESSAGE\n" ..
        "ERROR  payments-api  card declined⏎retr…\n" ..
        "INFO   checkout      ok\n",
        tbl.render(LOGS, { width = 40, columns = { "level", "service", "message" } }))
    end)

    it("cuts every column to a common level when free text alone cannot give way", function()
      local out = tbl.render(LOGS, { width = 60 })
      assert_width(out, 60, "narrow table")
      assert.equal("TIMESTAMP     SERVICE       LEVEL  TRACE_ID      MESSAGE", lines_of(out)[1])
      -- level 11 fits (49 cells); the 3 cells left go to the first cut columns
      assert.same({ 12, 12, 5, 12, 11 }, tbl.fit({ 24, 12, 5, 32, 21 }, 52))
    end)

    it("fits by cutting free text first, keeping rigid columns whole", function()
      assert.same({ 24, 10, 30 }, tbl.fit({ 24, 10, 80 }, 64, { true, false, false }))
      assert.same({ 24, 10, 80 }, tbl.fit({ 24, 10, 80 }, 200, { true, false, false }))
      assert.same({ 4, 4, 3 }, tbl.fit({ 10, 10, 10 }, 11))
    end)

    it("prints no escape codes without color, and colours levels with it", function()
      local rows = {
        { level = "ERROR", message = "boom" }, { level = "WARN", message = "hmm" },
        { level = "DEBUG", message = "x" }, { level = "INFO", message = "fine" },
      }
      assert.is_nil(tbl.render(rows, { width = 40 }):find(ESC, 1, true))
      assert.equal(
        ESC .. "[1mLEVEL" .. ESC .. "[0m  " .. ESC .. "[1mMESSAGE" .. ESC .. "[0m\n" ..
        ESC .. "[31mERROR" .. ESC .. "[0m  boom\n" ..
        ESC .. "[33mWARN" .. ESC .. "[0m   hmm\n" ..
        ESC .. "[2mDEBUG" .. ESC .. "[0m  x\n" ..
        "INFO   fine\n",
        tbl.render(rows, { width = 40, color = true }))
    end)

    it("aligns numbers right and wide characters by cells", function()
      assert.equal(
        "COUNT  NAME  NOTE    OK\n" ..
        "    5  a     日本語  true\n" ..
        "12345  bbbb          false\n",
        tbl.render({ { name = "a", count = 5, ok = true, note = "日本語" },
          { name = "bbbb", count = 12345, ok = false, note = core.json.null } }, { width = 60 }))
    end)

    it("shows ns times and durations readably, in the asked zone", function()
      assert.equal(
        "TIMESTAMP                      TIME_NS                        DURATION_NS\n" ..
        "2026-11-26T12:59:59.123+01:00  2026-11-26T12:59:59.123+01:00       12.3ms\n",
        tbl.render({ { timestamp = "2026-11-26T11:59:59.123Z", time_ns = T + 123 * MS, duration_ns = 12345678 } },
          { width = 80, tz = "Europe/Berlin", precision = "ms", columns = { "timestamp", "time_ns", "duration_ns" } }))
    end)

    it("keeps escape sequences in data from reaching the terminal", function()
      local out = tbl.render({ { message = "evil " .. ESC .. "]0;title\7 text" } }, { width = 80 })
      assert.is_nil(out:find(ESC, 1, true))
      assert.equal("MESSAGE\nevil \239\191\189]0;title\239\191\189 text\n", out)
    end)

    it("says when there are no rows", function()
      assert.equal("(no rows)\n", tbl.render({}, { width = 80 }))
      assert.equal("LEVEL\n", tbl.render({}, { width = 80, columns = { "level" } }))
    end)

    it("streams to a file, fixing widths from the first rows", function()
      local path, f = temp_file()
      local w = tbl.writer({ out = f, width = 40, sample = 1, columns = { "service", "message" } })
      w:row({ service = "api", message = "short" })
      w:row({ service = "payments-api", message = "a much longer message than the first" })
      assert.is_true(w:finish())
      local out = slurp(f)
      os.remove(path)
      assert.equal("SERVICE  MESSAGE\napi      short\npaymen…  a much…\n", out)
    end)

    it("refuses bad options", function()
      assert.has_error(function() tbl.render(LOGS, { columns = "level" }) end,
        "bad option 'columns' (list of field names expected, got string)")
      assert.has_error(function() tbl.render(LOGS, { tz = "Mars/Base" }) end)
      assert.has_error(function() tbl.writer({ out = 42 }) end)
    end)

    it("stays within every width", function()
      for w = 10, 130, 7 do assert_width(tbl.render(LOGS, { width = w }), w, "width " .. w) end
    end)
  end)

  describe("json", function()
    it("writes one document with rows in column order and exact integers", function()
      assert.equal(
        '{"rows":[\n' ..
        '{"timestamp":"2026-11-26T11:59:59.123Z","service":"payments-api","level":"ERROR",' ..
        '"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","message":"card declined\\nretry 1",' ..
        '"attributes":{"http.status_code":402},"time_ns":1795694399123000000},\n' ..
        '{"timestamp":"2026-11-26T11:59:59.200Z","service":"checkout","level":"INFO","message":"ok",' ..
        '"time_ns":1795694399200000000}\n' ..
        '],"meta":{"total":2}}\n',
        json_fmt.render(LOGS, { meta = { total = 2 } }))
    end)

    it("writes an empty result as valid JSON", function()
      local out = json_fmt.render({})
      assert.equal('{"rows":[],"meta":{}}\n', out)
      assert.same({ rows = {}, meta = {} }, core.json.decode(out))
    end)

    it("decodes back to the same rows", function()
      local doc = core.json.decode(json_fmt.render(LOGS, { meta = { took_ms = 3 } }))
      assert.equal(2, #doc.rows)
      assert.equal(1795694399123000000, doc.rows[1].time_ns)
      assert.equal("card declined\nretry 1", doc.rows[1].message)
      assert.equal(402, doc.rows[1].attributes["http.status_code"])
      assert.equal(3, doc.meta.took_ms)
    end)

    it("streams rows and takes meta at the end", function()
      local path, f = temp_file()
      local w = json_fmt.writer({ out = f, columns = { "level" } })
      w:row({ level = "ERROR", message = "x" })
      w:row({ message = "no level" })
      assert.is_true(w:finish({ total = 2 }))
      local out = slurp(f)
      os.remove(path)
      assert.equal('{"rows":[\n{"level":"ERROR"},\n{}\n],"meta":{"total":2}}\n', out)
    end)
  end)

  describe("ndjson", function()
    it("writes one object per line", function()
      assert.equal(
        '{"time_ns":1795694399123000000,"level":"ERROR","message":"card declined\\nretry 1"}\n' ..
        '{"time_ns":1795694399200000000,"level":"INFO","message":"ok"}\n',
        ndjson.render(LOGS, { columns = { "time_ns", "level", "message" } }))
    end)

    it("writes null and nested values", function()
      assert.equal('{"service":null,"a":[1,2],"b":true}\n',
        ndjson.render({ { a = core.json.array({ 1, 2 }), b = true, service = core.json.null } }))
    end)

    it("streams to a file as rows come", function()
      local path, f = temp_file()
      local w = ndjson.writer({ out = f })
      w:row({ level = "INFO" })
      f:flush()
      local check = assert(io.open(path, "rb"))
      assert.equal('{"level":"INFO"}\n', check:read("a"))
      check:close()
      w:row({ level = "WARN" })
      w:finish()
      local out = slurp(f)
      os.remove(path)
      assert.equal('{"level":"INFO"}\n{"level":"WARN"}\n', out)
    end)
  end)

  describe("csv", function()
    it("quotes by RFC 4180", function()
      assert.equal("plain", csv.field("plain"))
      assert.equal('"a,b"', csv.field("a,b"))
      assert.equal('"say ""hi"""', csv.field('say "hi"'))
      assert.equal('"two\nlines"', csv.field("two\nlines"))
      assert.equal('"cr\rhere"', csv.field("cr\rhere"))
      assert.equal(" spaced ", csv.field(" spaced "))
      assert.equal("", csv.field(nil))
      assert.equal("", csv.field(core.json.null))
      assert.equal("1795694399123456789", csv.field(1795694399123456789))
      assert.equal("0.1", csv.field(0.1))
      assert.equal("true", csv.field(true))
      assert.equal('"{""a"":1}"', csv.field({ a = 1 }))
    end)

    it("writes a header and every row's fields", function()
      assert.equal(
        "timestamp,service,level,trace_id,message,attributes,time_ns\n" ..
        "2026-11-26T11:59:59.123Z,payments-api,ERROR,4bf92f3577b34da6a3ce929d0e0e4736," ..
        '"card declined\nretry 1","{""http.status_code"":402}",1795694399123000000\n' ..
        "2026-11-26T11:59:59.200Z,checkout,INFO,,ok,,1795694399200000000\n",
        csv.render(LOGS))
    end)

    it("ends lines in CRLF when asked", function()
      assert.equal("level,message\r\nINFO,ok\r\n",
        csv.render({ { level = "INFO", message = "ok" } }, { crlf = true }))
    end)

    it("writes nothing for no rows and no columns, a header with columns", function()
      assert.equal("", csv.render({}))
      assert.equal("level,message\n", csv.render({}, { columns = { "level", "message" } }))
    end)

    it("streams after a sample, leaving out fields first seen later", function()
      local path, f = temp_file()
      local w = csv.writer({ out = f, sample = 1 })
      w:row({ level = "INFO" })
      w:row({ level = "WARN", extra = "dropped" })
      w:finish()
      local out = slurp(f)
      os.remove(path)
      assert.equal("level\nINFO\nWARN\n", out)
    end)
  end)

  describe("chart", function()
    local BASE = 1795690800           -- 2026-11-26T11:00:00Z
    local RAMP = { { metric = { __name__ = "up", job = "api" },
      values = { { BASE, "0" }, { BASE + 60, "1" }, { BASE + 120, "2" }, { BASE + 180, "3" }, { BASE + 240, "4" } } } }

    it("draws an ASCII chart exactly", function()
      assert.equal(
        "4+                                 *****\n" ..
        "3+                        *********\n" ..
        "2+              **********\n" ..
        "1+     *********\n" ..
        "0+*****\n" ..
        " +--------------------------------------\n" ..
        "  11:00:00Z                    11:04:00Z\n" ..
        '* up{job="api"}  last 4  min 0  max 4\n',
        chart.render(RAMP, { width = 40, height = 5, ascii = true }))
    end)

    it("draws braille with the same frame", function()
      local out = chart.render(RAMP, { width = 40, height = 5 })
      local ls = lines_of(out)
      assert.equal(8, #ls)
      assert.equal("4┤                               ⣀⣀⠤⠤⠒⠒⠉", ls[1])
      assert.equal("0┤⣀⠤⠤⠒⠒⠉⠉", ls[5])
      assert.equal(" └" .. ("─"):rep(38), ls[6])
      assert.equal('● up{job="api"}  last 4  min 0  max 4', ls[8])
      assert.is_nil(out:find(ESC, 1, true))
    end)

    it("shows full times when they fit, in the asked zone", function()
      local ls = lines_of(chart.render(RAMP, { width = 60, height = 3, ascii = true, tz = "+02:00" }))
      assert.equal("  2026-11-26T13:00:00+02:00        2026-11-26T13:04:00+02:00", ls[5])
    end)

    it("leaves gaps for NaN and for missing samples", function()
      local gappy = { { metric = { job = "api" }, values = {
        { BASE, "1" }, { BASE + 60, "1" }, { BASE + 120, "NaN" }, { BASE + 180, "1" }, { BASE + 240, "1" },
        { BASE + 600, "1" }, { BASE + 660, "1" } } } }
      local ls = lines_of(chart.render(gappy, { width = 30, height = 3, ascii = true }))
      assert.equal("1.1+", ls[1])
      assert.equal("  1+***    ***             ***", ls[2])
      assert.equal("0.9+", ls[3])
    end)

    it("uses a unit from the metric name, SI prefixes, and accepts a whole response", function()
      local resp = { status = "success", data = { resultType = "matrix", result = {
        { metric = { __name__ = "http_server_request_duration_seconds", job = "api" },
          values = { { BASE, "0.05" }, { BASE + 60, "0.25" } } } } } }
      local out = chart.render(resp, { width = 50, height = 5, ascii = true })
      local ls = lines_of(out)
      assert.equal("250ms+                                      ******", ls[1])
      assert.equal(" 50ms+******", ls[5])
      assert.matches("last 250ms  min 50ms  max 250ms$", ls[8])
    end)

    it("colours each series only with color", function()
      local two = { RAMP[1], { metric = { job = "b" }, values = { { BASE, "4" }, { BASE + 240, "0" } } } }
      assert.is_nil(chart.render(two, { width = 50, height = 6 }):find(ESC, 1, true))
      local out = chart.render(two, { width = 50, height = 6, color = true })
      assert.truthy(out:find(ESC .. "[36m", 1, true))
      assert.truthy(out:find(ESC .. "[35m", 1, true))
      assert.truthy(out:find(ESC .. "[36m●" .. ESC .. "[0m up{", 1, true))
    end)

    it("keeps every line within the width at any size", function()
      local many = {}
      for i = 1, 14 do
        local vals = {}
        for k = 0, 200 do vals[#vals + 1] = { BASE + k * 15, tostring(i * 1000 * math.sin(k / 9 + i)) } end
        many[i] = { metric = { __name__ = "some_rather_long_metric_name_total", instance = "host-" .. i .. ".example.internal:9100" }, values = vals }
      end
      for _, w in ipairs({ 12, 20, 33, 47, 80, 121, 200 }) do
        for _, h in ipairs({ 2, 5, 17 }) do
          for _, o in ipairs({ { ascii = true }, {}, { color = true } }) do
            o.width, o.height = w, h
            local out = chart.render(many, o)
            assert_width(out, w, ("chart %dx%d"):format(w, h))
            local ls = lines_of(out)
            -- rows, axis, times, 10 legend lines and the "more" line
            assert.equal(h + 2 + 10 + 1, #ls)
          end
        end
      end
    end)

    it("says when there is nothing to draw", function()
      assert.equal("(no data)\n", chart.render({}, { width = 40 }))
      assert.equal("(no data)\n", chart.render({ { metric = {}, values = { { BASE, "NaN" } } } }, { width = 40 }))
      assert.has_error(function() chart.render("matrix") end,
        "bad argument #1 to 'render' (matrix result expected, got string)")
    end)
  end)

  describe("waterfall", function()
    local function span(id, parent, name, service, start_ms, end_ms, extra)
      local s = { trace_id = "4bf92f3577b34da6a3ce929d0e0e4736", span_id = id, parent_span_id = parent,
        name = name, service = service, start_ns = T + start_ms * MS, end_ns = end_ms and T + end_ms * MS }
      for k, v in pairs(extra or {}) do s[k] = v end
      return s
    end
    local SPANS = {
      span("b", "a", "charge", "payments", 30, 80, { status = "error" }),
      span("a", "", "GET /checkout", "web", 0, 100),
      span("c", "b", "SELECT cards", "postgres", 35, 40),
      span("d", "a", "render", "web", 90, 90),
    }
    local LOG_ROWS = {
      { timestamp_ns = T + 31 * MS, level = "ERROR", message = "card declined\nfor customer 42", span_id = "b" },
      { timestamp_ns = T + 1 * MS, level = "INFO", message = "start", span_id = "a" },
      { timestamp_ns = T + 50 * MS, level = "WARN", message = "lost", span_id = "zzz" },
    }

    it("draws the tree, bars, durations, errors and logs exactly", function()
      assert.equal(
        "trace 4bf92f3577b34da6a3ce929d0e0e4736 - 4 spans - 3 services - 100ms - 2026-11-26T11:59:59.000Z\n" ..
        "                              0                                                     100ms\n" ..
        "GET /checkout (web)           ===========================================================    100ms\n" ..
        "|  +1ms INFO start\n" ..
        "|- charge (payments)                           ===============================                50ms !\n" ..
        "|  |  +31ms ERROR card declined\\nfor customer 42\n" ..
        "|  `- SELECT cards (postgres)                     ====                                         5ms\n" ..
        "`- render (web)                                                                    |           0ns\n" ..
        "logs without a span in this trace:\n" ..
        "  +50ms WARN lost\n",
        waterfall.render(SPANS, { width = 100, ascii = true, logs = LOG_ROWS }))
    end)

    it("uses box drawing without ascii and accepts { spans, logs }", function()
      local ls = lines_of(waterfall.render({ spans = SPANS, logs = LOG_ROWS }, { width = 100 }))
      assert.equal("├─ charge (payments)", ls[5]:sub(1, #"├─ charge (payments)"))
      assert.equal("│  └─ SELECT cards (postgres)", ls[7]:sub(1, #"│  └─ SELECT cards (postgres)"))
      assert.equal("│  │  +31ms ERROR card declined⏎for customer 42", ls[6])
      assert.matches("50ms ✗$", ls[5])
      assert.truthy(ls[8]:find("▏", 1, true))
    end)

    it("takes tinkr.logs rows as logs (time_ns or RFC 3339 timestamp)", function()
      local rows = {
        { time_ns = T + 5 * MS, level = "INFO", message = "by ns", span_id = "a" },
        { timestamp = "2026-11-26T11:59:59.007Z", level = "WARN", message = "by text", span_id = "a" },
      }
      local ls = lines_of(waterfall.render({ span("a", "", "x", "s", 0, 10) }, { width = 60, ascii = true, logs = rows }))
      assert.equal("   +5ms INFO by ns", ls[4])
      assert.equal("   +7ms WARN by text", ls[5])
    end)

    it("puts orphans and several roots at the top level, in start order", function()
      local spans = {
        span("x", "", "second root", "b", 50, 60),
        span("y", "missing", "orphan", "c", 20, 30),
        span("z", "", "first root", "a", 0, 10),
        span("w", "x", "child", "b", 52, 58),
      }
      local ls = lines_of(waterfall.render(spans, { width = 80, ascii = true }))
      assert.matches("^first root %(a%)", ls[3])
      assert.matches("^%.%. orphan %(c%)", ls[4])
      assert.matches("^second root %(b%)", ls[5])
      assert.matches("^`%- child %(b%)", ls[6])
      assert.equal(6, #ls)
    end)

    it("places bars by start offset within the bar area", function()
      local out = waterfall.render(SPANS, { width = 100, ascii = true })
      local ls = lines_of(out)
      local root_from = ls[3]:find("=", 1, true)
      local child_from = ls[4]:find("=", 1, true)
      local grandchild_from = ls[5]:find("=", 1, true)
      assert.equal(31, root_from)                    -- label 29 cells + a space, 1-based
      assert.equal(root_from + 17, child_from)       -- 30ms of 100ms over 59 cells, floored
      assert.equal(root_from + 20, grandchild_from)  -- 35ms
      for i = 3, #ls do assert.is_true(#ls[i] <= 100) end
    end)

    it("draws a child that starts before its parent (clock skew) left of it", function()
      local spans = { span("p", "", "parent", "a", 10, 100), span("k", "p", "skewed", "b", 0, 20) }
      local ls = lines_of(waterfall.render(spans, { width = 80, ascii = true }))
      local parent_bar, child_bar = ls[3]:find("=", 1, true), ls[4]:find("=", 1, true)
      assert.is_true(child_bar < parent_bar)
      assert.matches("^`%- skewed %(b%)", ls[4])
    end)

    it("survives zero-length traces, missing ends and parent cycles", function()
      local flat = waterfall.render({ span("a", "", "instant", "s", 5, 5) }, { width = 40, ascii = true })
      assert.matches("instant %(s%)%s+|%s+0ns\n$", flat)
      local cyc = { span("a", "b", "one", "s", 0, 10), span("b", "a", "two", "s", 2, 8) }
      local out = waterfall.render(cyc, { width = 60, ascii = true })
      assert.matches("%.%. one %(s%)", out)
      assert.matches("`%- two %(s%)", out)
      local open = waterfall.render({ span("a", "", "no end", "s", 0, nil) }, { width = 40, ascii = true })
      assert.matches("no end %(s%)%s+|%s+%?\n$", open)
    end)

    it("prints colour only when asked", function()
      assert.is_nil(waterfall.render(SPANS, { width = 100, logs = LOG_ROWS }):find(ESC, 1, true))
      local out = waterfall.render(SPANS, { width = 100, logs = LOG_ROWS, color = true })
      assert.truthy(out:find(ESC .. "[31m✗" .. ESC .. "[0m", 1, true))
      assert.truthy(out:find(ESC .. "[31mERROR" .. ESC .. "[0m card declined", 1, true))
    end)

    it("keeps every line within the width", function()
      local deep, parent = {}, ""
      for i = 1, 40 do
        local id = "s" .. i
        deep[i] = span(id, parent, "operation number " .. i, "service-" .. i % 3, i, 200 - i)
        parent = id
      end
      local logs = { { timestamp_ns = T, level = "INFO", message = ("long "):rep(100), span_id = "s40" } }
      for _, w in ipairs({ 14, 20, 41, 80, 133 }) do
        assert_width(waterfall.render(deep, { width = w, logs = logs }), w, "waterfall " .. w)
        assert_width(waterfall.render(deep, { width = w, logs = logs, ascii = true }), w, "ascii waterfall " .. w)
        assert_width(waterfall.render(deep, { width = w, logs = logs, color = w >= 20 }), w, "colour waterfall " .. w)
      end
    end)

    it("says when there is nothing to draw, and refuses what is not spans", function()
      assert.equal("(no spans)\n", waterfall.render({}))
      assert.has_error(function() waterfall.render("abc") end,
        "bad argument #1 to 'render' (list of spans expected, got string)")
      assert.has_error(function() waterfall.render({ 42 }) end)
    end)
  end)
end)
