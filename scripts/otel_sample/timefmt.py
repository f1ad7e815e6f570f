"""Timestamps: integer nanoseconds since the epoch, printed as each writer does."""
import calendar
import time

NS = 1_000_000_000


def parse_utc(text):
    """'2026-11-26T12:00:00Z' -> ns"""
    date, clock = text.rstrip("Z").split("T")
    y, mo, d = (int(x) for x in date.split("-"))
    h, mi, s = (int(x) for x in clock.split(":"))
    return calendar.timegm((y, mo, d, h, mi, s)) * NS


def _base(ns):
    secs, frac = divmod(ns, NS)
    y, mo, d, h, mi, s = time.gmtime(secs)[:6]
    return "%04d-%02d-%02dT%02d:%02d:%02d" % (y, mo, d, h, mi, s), frac


def go_rfc3339nano(ns):
    """Go's time.RFC3339Nano: trailing zeros of the fraction dropped."""
    base, frac = _base(ns)
    if frac == 0:
        return base + "Z"
    return base + ("." + "%09d" % frac).rstrip("0") + "Z"


def java_instant(ns):
    """java.time.Instant.toString(): fraction in groups of 3 digits."""
    base, frac = _base(ns)
    if frac == 0:
        return base + "Z"
    if frac % 1_000_000 == 0:
        return base + ".%03dZ" % (frac // 1_000_000)
    if frac % 1_000 == 0:
        return base + ".%06dZ" % (frac // 1_000)
    return base + ".%09dZ" % frac


def iso_millis(ns):
    base, frac = _base(ns)
    return base + ".%03dZ" % (frac // 1_000_000)


def iso_micros(ns):
    base, frac = _base(ns)
    return base + ".%06dZ" % (frac // 1_000)


def iso_seconds(ns):
    return _base(ns)[0] + "Z"
