-- tinkr.time: one representation (int64 ns since the epoch), exact parsing,
-- formatting, windows and the pinned clock.
local time = require("tinkr.time")
local helpers = require("helpers")

local S = 1000000000
local NOON = 1795694400 * S          -- 2026-11-26T12:00:00Z (a Thursday)

describe("tinkr.time", function()
  after_each(function() time.pin(nil) end)

  describe("calendar", function()
    it("counts days from 1970-01-01 in both directions", function()
      assert.equal(0, time.days_from_civil(1970, 1, 1))
      assert.equal(-1, time.days_from_civil(1969, 12, 31))
      assert.equal(11017, time.days_from_civil(2000, 3, 1))
      assert.equal(20783, time.days_from_civil(2026, 11, 26))
      assert.equal(-719468, time.days_from_civil(0, 3, 1))
    end)

    it("round-trips civil dates across four centuries and more", function()
      for z = -110000, 110000, 37 do
        local y, m, d = time.civil_from_days(z)
        assert(d >= 1 and d <= time.days_in_month(y, m), "bad day for " .. z)
        assert.equal(z, time.days_from_civil(y, m, d))
      end
    end)

    it("knows leap years", function()
      assert.is_true(time.is_leap(2024))
      assert.is_true(time.is_leap(2000))
      assert.is_false(time.is_leap(1900))
      assert.is_false(time.is_leap(2026))
      assert.equal(29, time.days_in_month(2024, 2))
      assert.equal(28, time.days_in_month(2100, 2))
    end)
  end)

  describe("parse, RFC 3339 and ISO 8601", function()
    it("reads UTC times exactly", function()
      assert.equal(NOON, time.parse("2026-11-26T12:00:00Z"))
      assert.equal(NOON, time.parse("2026-11-26t12:00:00z"))
      assert.equal(NOON, time.parse("2026-11-26 12:00:00Z"))
      assert.equal(NOON, time.parse("2026-11-26 12:00:00 UTC"))
      assert.equal(NOON, time.parse("2026-11-26T12:00Z"))
      assert.equal(NOON, time.parse("  2026-11-26T12:00:00Z \n"))
    end)

    it("reads a time without a zone as UTC (as OpenSearch does)", function()
      assert.equal(NOON, time.parse("2026-11-26T12:00:00"))
    end)

    it("reads a date alone as midnight UTC", function()
      assert.equal(NOON - 12 * 3600 * S, time.parse("2026-11-26"))
      assert.equal(0, time.parse("1970-01-01"))
    end)

    it("keeps up to nine fractional digits exactly and truncates beyond", function()
      assert.equal(NOON + 123456789, time.parse("2026-11-26T12:00:00.123456789Z"))
      assert.equal(NOON + 100000000, time.parse("2026-11-26T12:00:00.1Z"))
      assert.equal(NOON + 120000, time.parse("2026-11-26T12:00:00.00012Z"))
      assert.equal(NOON + 123456789, time.parse("2026-11-26T12:00:00.1234567899Z"))
      assert.equal(NOON + 500000000, time.parse("2026-11-26T12:00:00,5Z"))
    end)

    it("applies positive and negative offsets", function()
      assert.equal(NOON, time.parse("2026-11-26T14:00:00+02:00"))
      assert.equal(NOON, time.parse("2026-11-26T07:00:00-05:00"))
      assert.equal(NOON, time.parse("2026-11-26T06:30:00-0530"))
      assert.equal(NOON, time.parse("2026-11-26T15:00:00+03"))
      -- an offset can move the instant to another day and year
      assert.equal(time.parse("2027-01-01T03:00:00Z"), time.parse("2026-12-31T22:00:00-05:00"))
      assert.equal(time.parse("2026-12-31T22:30:00Z"), time.parse("2027-01-01T00:00:00.000+01:30"))
    end)

    it("handles leap days and month ends", function()
      assert.equal(time.parse("2024-03-01") - 86400 * S, time.parse("2024-02-29"))
      assert.equal(time.parse("2000-03-01") - 86400 * S, time.parse("2000-02-29"))
      assert.equal(time.parse("2027-01-01"), time.parse("2026-12-31T23:59:59.999999999Z") + 1)
      assert.equal(time.parse("2026-05-01"), time.parse("2026-04-30T23:59:59Z") + S)
      -- a leap second reads as the first second of the next minute
      assert.equal(time.parse("2017-01-01T00:00:00Z"), time.parse("2016-12-31T23:59:60Z"))
    end)

    it("reads times before 1970", function()
      assert.equal(-86400 * S, time.parse("1969-12-31"))
      assert.equal(-1, time.parse("1969-12-31T23:59:59.999999999Z"))
    end)

    it("covers exactly the int64 range", function()
      assert.equal(math.mininteger, time.parse("1677-09-21T00:12:43.145224192Z"))
      assert.equal(math.maxinteger, time.parse("2262-04-11T23:47:16.854775807Z"))
      local ns, err = time.parse("2262-04-11T23:47:16.854775808Z")
      assert.is_nil(ns)
      assert.matches("out of range", err)
      assert.is_nil((time.parse("1677-09-21T00:12:43.145224191Z")))
      assert.is_nil((time.parse("9999-12-31")))
    end)

    it("says what is wrong with a bad date or time", function()
      local cases = {
        { "2026-02-29", 'bad time "2026-02-29": February 2026 has 28 days' },
        { "1900-02-29", 'bad time "1900-02-29": February 1900 has 28 days' },
        { "2026-04-31", 'bad time "2026-04-31": April 2026 has 30 days' },
        { "2026-13-01", 'bad time "2026-13-01": month must be 01..12' },
        { "2026-00-10", 'bad time "2026-00-10": month must be 01..12' },
        { "2026-11-26T24:00:00Z", 'bad time "2026-11-26T24:00:00Z": hour must be 00..23' },
        { "2026-11-26T12:60:00Z", 'bad time "2026-11-26T12:60:00Z": minute must be 00..59' },
        { "2026-11-26T12:00:61Z", 'bad time "2026-11-26T12:00:61Z": second must be 00..60' },
        { "2026-11-26T12:00:00+24:00",
          'bad time "2026-11-26T12:00:00+24:00": UTC offset +24:00 out of range (-23:59..+23:59)' },
        { "2026-11-26T12:00:00 CET",
          'bad time "2026-11-26T12:00:00 CET": bad UTC offset "CET" (use Z, +02:00 or -0530)' },
        { "2026-11-26X12:00", 'bad time "2026-11-26X12:00": expected a time after the date, like T12:00:00Z' },
      }
      for _, c in ipairs(cases) do
        local ns, err = time.parse(c[1])
        assert.is_nil(ns, c[1])
        assert.equal(c[2], err)
      end
    end)
  end)

  describe("parse, epoch numbers", function()
    it("reads seconds, with exact fractions from strings", function()
      assert.equal(NOON, time.parse("1795694400"))
      assert.equal(NOON + 500000000, time.parse("1795694400.5"))
      assert.equal(NOON + 123456789, time.parse("1795694400.123456789"))
      assert.equal(-1500000000, time.parse("-1.5"))
      assert.equal(0, time.parse("0"))
    end)

    it("picks ms, us and ns by magnitude", function()
      assert.equal(1e11, time.EPOCH_MS_FROM)
      assert.equal(1e14, time.EPOCH_US_FROM)
      assert.equal(1e17, time.EPOCH_NS_FROM)
      assert.equal(NOON + 123000000, time.parse("1795694400123"))
      assert.equal(NOON + 123500000, time.parse("1795694400123.5"))
      assert.equal(NOON + 123456000, time.parse("1795694400123456"))
      assert.equal(NOON + 123456789, time.parse("1795694400123456789"))
      -- just under the ms threshold is still seconds (the year 5138 is out of range)
      assert.is_nil((time.parse("99999999999")))
      assert.equal(1e11 * 1000000 // 1, time.parse("100000000000"))
    end)

    it("reads Lua integers and floats as epoch values", function()
      assert.equal(NOON, time.parse(1795694400))
      assert.equal(NOON + 500000000, time.parse(1795694400.5))
      assert.equal(NOON + 250000, time.parse(1795694400.00025))   -- floats keep microseconds
      assert.equal(NOON + 123000000, time.parse(1795694400123))
      assert.equal(NOON + 7, time.parse(NOON + 7))
    end)

    it("refuses numbers it cannot hold", function()
      local ns, err = time.parse("99999999999999999999")
      assert.is_nil(ns)
      assert.matches("out of range", err)
      ns, err = time.parse(0 / 0)
      assert.is_nil(ns)
      assert.matches("not a finite number", err)
      assert.is_nil((time.parse(math.huge)))
      assert.is_nil((time.parse("1.2.3")))
    end)
  end)

  describe("parse, relative to now", function()
    it("reads now and date math", function()
      assert.equal(NOON, time.parse("now", NOON))
      assert.equal(NOON, time.parse("NOW", NOON))
      assert.equal(NOON - 900 * S, time.parse("now-15m", NOON))
      assert.equal(NOON + 3600 * S, time.parse("now+1h", NOON))
      assert.equal(NOON - 5400 * S, time.parse("now-1h30m", NOON))
      assert.equal(NOON - 3600 * S + 300 * S, time.parse("now-1h+5m", NOON))
    end)

    it("rounds down to a unit with /", function()
      local odd = NOON + 1234 * S + 5
      assert.equal(time.parse("2026-11-25"), time.parse("now-1d/d", odd))
      assert.equal(NOON, time.parse("now/h", odd))
      assert.equal(NOON + 1200 * S, time.parse("now/m", odd))
      assert.equal(NOON + 1234 * S, time.parse("now/s", odd))
      assert.equal(time.parse("2026-11-23"), time.parse("now/w", odd))      -- Monday
      assert.equal(time.parse("2026-11-01"), time.parse("now/M", odd))
      assert.equal(time.parse("2026-01-01"), time.parse("now/y", odd))
      local ns, err = time.parse("now/q", odd)
      assert.is_nil(ns)
      assert.equal('bad time "now/q": cannot round to "q"; use /s, /m, /h, /d, /w, /M or /y', err)
    end)

    it("reads a bare duration as that long ago", function()
      assert.equal(NOON - 900 * S, time.parse("15m", NOON))
      assert.equal(NOON - 900 * S, time.parse("15m ago", NOON))
      assert.equal(NOON - 900 * S, time.parse("-15m", NOON))
      assert.equal(NOON + 900 * S, time.parse("+15m", NOON))
    end)

    it("uses the pinned now when none is passed", function()
      assert.equal(NOON, time.pin("2026-11-26T12:00:00Z"))
      assert.equal(NOON, time.now())
      assert.equal(NOON - 3600 * S, time.parse("now-1h"))
      assert.equal(NOON - 60 * S, time.parse("1m"))
    end)

    it("explains bad date math", function()
      local ns, err = time.parse("now-1x", NOON)
      assert.is_nil(ns)
      assert.equal('bad time "now-1x": bad duration "1x": unknown unit "x"; '
        .. "use a number with a unit: 500ms, 30s, 15m, 1h, 2d, 1w", err)
      ns, err = time.parse("now*2", NOON)
      assert.is_nil(ns)
      assert.equal('bad time "now*2": expected now, now-15m, now+1h or now-1d/d', err)
    end)
  end)

  describe("parse, anything else", function()
    it("names the accepted forms", function()
      local cases = { "yesterday", "12:00", "", "26/11/2026" }
      for _, c in ipairs(cases) do
        local ns, err = time.parse(c)
        assert.is_nil(ns, c)
        assert.matches("^bad time \"" .. c .. "\": .*use RFC 3339 %(2026%-11%-26T12:00:00Z%)", err)
      end
    end)

    it("raises on a value that is not a string or number", function()
      assert.has_error(function() time.parse({}) end,
        "bad argument #1 to 'parse' (string or number expected, got table)")
      assert.has_error(function() time.parse(nil) end,
        "bad argument #1 to 'parse' (string or number expected, got nil)")
      assert.has_error(function() time.parse("now", "soon") end)
    end)
  end)

  describe("from_iso_ns", function()
    it("is exact to the nanosecond", function()
      assert.equal(1795694399123456789, time.from_iso_ns("2026-11-26T11:59:59.123456789Z"))
      assert.equal(1795694399000000001, time.from_iso_ns("2026-11-26T13:59:59.000000001+02:00"))
    end)

    it("accepts only RFC 3339", function()
      local ns, err = time.from_iso_ns("now")
      assert.is_nil(ns)
      assert.equal('bad time "now": not RFC 3339 (2026-11-26T12:00:00Z)', err)
    end)
  end)

  describe("duration", function()
    it("reads every unit", function()
      local cases = {
        { "1h", 3600 * S }, { "15m", 900 * S }, { "30s", 30 * S }, { "500ms", 500000000 },
        { "2d", 172800 * S }, { "1w", 604800 * S }, { "250us", 250000 }, { "250µs", 250000 },
        { "100ns", 100 }, { "1h30m", 5400 * S }, { "1h 30m", 5400 * S }, { "1.5h", 5400 * S },
        { "0.5s", 500000000 }, { "1H", 3600 * S }, { "90", 90 * S }, { "1.25", 1250000000 },
        { " 2m ", 120 * S }, { "1.000000001s", 1000000001 }, { "0.000000001w", 604800 },
      }
      for _, c in ipairs(cases) do assert.equal(c[2], time.duration(c[1]), c[1]) end
    end)

    it("reads Lua numbers as seconds", function()
      assert.equal(90 * S, time.duration(90))
      assert.equal(1500000000, time.duration(1.5))
      assert.equal(9223372036 * S, time.duration(9223372036))
      assert.is_nil((time.duration(9223372037)))
    end)

    it("says what was wrong and what is accepted", function()
      local accepted = "use a number with a unit: 500ms, 30s, 15m, 1h, 2d, 1w"
      local cases = {
        { "1x", 'bad duration "1x": unknown unit "x"; ' .. accepted },
        { "1h30", 'bad duration "1h30": ' .. accepted },
        { "h", 'bad duration "h": ' .. accepted },
        { "", 'bad duration "": empty; ' .. accepted },
        { "-5m", 'bad duration "-5m": must not have a sign; ' .. accepted },
        { "1M", 'bad duration "1M": "M" could mean minutes or months; use m for minutes or d for days' },
        { "99999999999w", 'bad duration "99999999999w": too long (int64 nanoseconds hold about 292 years)' },
      }
      for _, c in ipairs(cases) do
        local d, err = time.duration(c[1])
        assert.is_nil(d, c[1])
        assert.equal(c[2], err)
      end
      local d, err = time.duration(-1)
      assert.is_nil(d)
      assert.equal('bad duration "-1": must not be negative', err)
      assert.has_error(function() time.duration({}) end,
        "bad argument #1 to 'duration' (string or number expected, got table)")
    end)
  end)

  describe("now and pin", function()
    it("reads the wall clock, finer than seconds with tinkr.core", function()
      local before = os.time() * S
      local now = time.clock()
      assert.is_true(math.type(now) == "integer")
      assert.is_true(now >= before - S and now <= (os.time() + 1) * S)
    end)

    it("pins and unpins", function()
      assert.equal(NOON, time.pin(NOON))
      assert.equal(NOON, time.now())
      assert.is_nil(time.pin(nil))
      assert.is_true(time.now() > NOON - 86400 * 365 * 100 * S)
      local ns, err = time.pin("whenever")
      assert.is_nil(ns)
      assert.matches("^bad time \"whenever\"", err)
    end)

    it("reads TINKR_NOW, and refuses a bad one", function()
      local script = "package.path = 'lua/?.lua;' .. package.path; "
        .. "local t = require('tinkr.time'); io.write(t.now(), ' ', t.parse('now-1h'))"
      local out, _, status = helpers.run("lua5.4 -e " .. helpers.shell_quote(script),
        { env = { TINKR_NOW = "2026-11-26T12:00:00Z" } })
      assert.equal(0, status)
      assert.equal(NOON .. " " .. (NOON - 3600 * S), out)
      local _, err, bad_status = helpers.run("lua5.4 -e " .. helpers.shell_quote(script),
        { env = { TINKR_NOW = "tomorrow" } })
      assert.is_not.equal(0, bad_status)
      assert.matches('TINKR_NOW: bad time "tomorrow"', err)
    end)
  end)

  describe("window", function()
    it("defaults to the last hour", function()
      local from, to = time.window{ now = NOON }
      assert.equal(NOON - 3600 * S, from)
      assert.equal(NOON, to)
    end)

    it("reads since as a duration before to", function()
      assert.same({ NOON - 900 * S, NOON }, { time.window{ since = "15m", now = NOON } })
      assert.same({ NOON - 4500 * S, NOON - 3600 * S },
        { time.window{ since = "15m", to = "now-1h", now = "2026-11-26T12:00:00Z" } })
    end)

    it("takes from and to in any form", function()
      assert.same({ NOON - 7200 * S, NOON + 1 },
        { time.window{ from = "2026-11-26T10:00:00Z", to = NOON + 1 } })
      assert.same({ NOON - 7200 * S, NOON },
        { time.window{ from = "now-2h", now = NOON } })
    end)

    it("uses the pinned now", function()
      time.pin(NOON)
      assert.same({ NOON - 86400 * S, NOON }, { time.window{ since = "1d" } })
    end)

    it("refuses windows that make no sense", function()
      local f, err = time.window{ from = "now-1h", to = "now-2h", now = NOON }
      assert.is_nil(f)
      assert.equal("from (2026-11-26T11:00:00.000Z) is after to (2026-11-26T10:00:00.000Z)", err)
      f, err = time.window{ since = "1h", from = "now-2h", now = NOON }
      assert.is_nil(f)
      assert.equal("give since or from, not both (since = 1h means from now-1h to now)", err)
      f, err = time.window{ since = "1x", now = NOON }
      assert.is_nil(f)
      assert.matches('^since: bad duration "1x"', err)
      f, err = time.window{ from = "soon", now = NOON }
      assert.is_nil(f)
      assert.matches('^from: bad time "soon"', err)
      f, err = time.window{ to = "2026-02-30", now = NOON }
      assert.is_nil(f)
      assert.equal('to: bad time "2026-02-30": February 2026 has 28 days', err)
    end)
  end)

  describe("format", function()
    local T = NOON - S + 123456789     -- 2026-11-26T11:59:59.123456789Z

    it("writes RFC 3339 UTC with milliseconds by default", function()
      assert.equal("2026-11-26T11:59:59.123Z", time.format(T))
      assert.equal("1970-01-01T00:00:00.000Z", time.format(0))
    end)

    it("truncates to the asked precision", function()
      assert.equal("2026-11-26T11:59:59Z", time.format(T, { precision = "s" }))
      assert.equal("2026-11-26T11:59:59.123456Z", time.format(T, { precision = "us" }))
      assert.equal("2026-11-26T11:59:59.123456789Z", time.format(T, { precision = "ns" }))
      assert.equal("1969-12-31T23:59:59.999Z", time.format(-1))
    end)

    it("formats the ends of the range", function()
      assert.equal("1677-09-21T00:12:43.145224192Z", time.format(math.mininteger, { precision = "ns" }))
      assert.equal("2262-04-11T23:47:16.854775807Z", time.format(math.maxinteger, { precision = "ns" }))
    end)

    it("round-trips through parse", function()
      for _, ns in ipairs({ 0, 1, -1, T, 951782400 * S - 1, 4102444800 * S + 999999999 }) do
        assert.equal(ns, time.parse(time.format(ns, { precision = "ns" })))
      end
    end)

    it("shows fixed offsets", function()
      assert.equal("2026-11-26T13:59:59.123+02:00", time.format(T, { tz = "+02:00" }))
      assert.equal("2026-11-26T06:29:59-05:30", time.format(T, { tz = "-0530", precision = "s" }))
      assert.equal("2026-11-26T11:59:59.123Z", time.format(T, { tz = "UTC" }))
    end)

    it("reads IANA zones from zoneinfo, with daylight saving", function()
      assert.equal("2026-11-26T13:00:00+01:00", time.format(NOON, { tz = "Europe/Berlin", precision = "s" }))
      assert.equal("2026-07-01T14:00:00+02:00",
        time.format(time.parse("2026-07-01T12:00:00Z"), { tz = "Europe/Berlin", precision = "s" }))
      assert.equal("2026-07-01T08:00:00-04:00",
        time.format(time.parse("2026-07-01T12:00:00Z"), { tz = "America/New_York", precision = "s" }))
      -- past 2037 the file's rule (POSIX TZ footer) decides
      assert.equal("2050-07-02T14:00:00+02:00",
        time.format(time.parse("2050-07-02T12:00:00Z"), { tz = "Europe/Berlin", precision = "s" }))
      assert.equal("2050-12-02T13:00:00+01:00",
        time.format(time.parse("2050-12-02T12:00:00Z"), { tz = "Europe/Berlin", precision = "s" }))
      -- southern hemisphere, half-hour daylight shift
      assert.equal("2050-01-10T23:00:00+11:00",
        time.format(time.parse("2050-01-10T12:00:00Z"), { tz = "Australia/Lord_Howe", precision = "s" }))
      assert.equal("2050-07-10T22:30:00+10:30",
        time.format(time.parse("2050-07-10T12:00:00Z"), { tz = "Australia/Lord_Howe", precision = "s" }))
    end)

    it("switches exactly at the transition", function()
      -- Berlin: 2026-03-29 01:00:00Z clocks go from 02:00 CET to 03:00 CEST
      local t = time.parse("2026-03-29T01:00:00Z")
      assert.equal("2026-03-29T01:59:59+01:00", time.format(t - S, { tz = "Europe/Berlin", precision = "s" }))
      assert.equal("2026-03-29T03:00:00+02:00", time.format(t, { tz = "Europe/Berlin", precision = "s" }))
      -- and in 2045, from the rule rather than the table: 2045-03-26
      t = time.parse("2045-03-26T01:00:00Z")
      assert.equal("2045-03-26T01:59:59+01:00", time.format(t - S, { tz = "Europe/Berlin", precision = "s" }))
      assert.equal("2045-03-26T03:00:00+02:00", time.format(t, { tz = "Europe/Berlin", precision = "s" }))
    end)

    it("uses the process time zone for local", function()
      local script = "package.path = 'lua/?.lua;' .. package.path; local t = require('tinkr.time'); "
        .. "io.write(t.format(1795694400 * 1000000000, { tz = 'local', precision = 's' }))"
      local out, err, status = helpers.run("lua5.4 -e " .. helpers.shell_quote(script),
        { env = { TZ = "America/New_York" } })
      assert.equal(0, status, err)
      assert.equal("2026-11-26T07:00:00-05:00", out)
    end)

    it("raises on bad options, and time.zone checks them without raising", function()
      assert.has_error(function() time.format(0, { precision = "cs" }) end, 'bad precision "cs" (use s, ms, us or ns)')
      assert.has_error(function() time.format(0, { tz = "Mars/Base" }) end,
        'unknown time zone "Mars/Base": use UTC, an offset like +02:00, local, '
        .. "or a name from /usr/share/zoneinfo such as Europe/Berlin")
      assert.has_error(function() time.format("now") end)
      local z, err = time.zone("../../etc/passwd")
      assert.is_nil(z)
      assert.matches("^unknown time zone", err)
      z, err = time.zone("+25:00")
      assert.is_nil(z)
      assert.equal("UTC offset +25:00 out of range (-23:59..+23:59)", err)
      assert.is_function(time.zone("Asia/Kolkata"))
      assert.equal(19800, time.zone("Asia/Kolkata")(1795694400))
    end)
  end)

  describe("query conversions", function()
    it("to_opensearch writes UTC RFC 3339 with ms, or ns for date_nanos", function()
      assert.equal("2026-11-26T11:59:59.123Z", time.to_opensearch(1795694399123456789))
      assert.equal("2026-11-26T11:59:59.123456789Z", time.to_opensearch(1795694399123456789, "ns"))
    end)

    it("to_prometheus writes decimal seconds with at most 3 decimals", function()
      assert.equal("1795694400", time.to_prometheus(NOON))
      assert.equal("1795694400.5", time.to_prometheus(NOON + 500000000))
      assert.equal("1795694400.123", time.to_prometheus(NOON + 123999999))
      assert.equal("1795694400.01", time.to_prometheus(NOON + 10000000))
      assert.equal("-0.5", time.to_prometheus(-500000000))
    end)

    it("to_seconds gives float seconds", function()
      assert.equal(1795694400.5, time.to_seconds(NOON + 500000000))
    end)
  end)

  describe("format_duration", function()
    it("picks a unit and three significant digits", function()
      local cases = {
        { 0, "0ns" }, { 850, "850ns" }, { 12345, "12.3µs" }, { 1500000, "1.5ms" },
        { 999600000, "1s" }, { 2345000000, "2.35s" }, { 59996000000, "1m00s" },
        { 150 * S, "2m30s" }, { 3900 * S, "1h05m" }, { 100000 * S, "1d03h" }, { -1500000, "-1.5ms" },
      }
      for _, c in ipairs(cases) do assert.equal(c[2], time.format_duration(c[1]), c[1]) end
      assert.equal("12.3us", time.format_duration(12345, { ascii = true }))
    end)
  end)
end)
