"""The on-call answers (expected.json "story"): what `tinkr services` and
`tinkr errors` must find in the sample world, computed from the records.

- services: per service and window, the log lines and error lines, the
  HTTP requests behind the metrics (rate, 5xx share, p99: the truth from the
  spans, and what PromQL answers from the histograms), the root spans;
- worst_first: the services ordered by trouble (5xx share, then error lines);
- incidents: each with its slowest trace and the direction of change a
  `--compare 1h` at NOW shows;
- signatures: the error/fatal lines grouped by the format string they came
  from (the true templates), with counts.
"""
import math
from collections import defaultdict

from . import promql
from .metrics import SECONDS_BOUNDS, bucket_index, sample_times_ms, server_requests
from .timefmt import NS, go_rfc3339nano, iso_seconds
from .world import INCIDENTS, NOW, SERVICES

HOUR = 3600 * NS
ERROR_LEVELS = ("ERROR", "FATAL")
SEC = "http_server_request_duration_seconds"


def _inside(t, lo, hi):
    return lo <= t <= hi


def _true_p99(durations):
    """The smallest duration with at least 99 % of requests at or below it
    (the rank PromQL's histogram_quantile interpolates within)."""
    if not durations:
        return None
    ds = sorted(durations)
    return ds[max(0, math.ceil(0.99 * len(ds)) - 1)]


def _bucket_bounds(seconds):
    i = bucket_index(seconds)
    lo = SECONDS_BOUNDS[i - 1] if i > 0 else 0.0
    hi = SECONDS_BOUNDS[i] if i < len(SECONDS_BOUNDS) else None
    return [lo, hi]


def _promql_figures(series, times, lo, hi):
    """What the grouped recipes answer at `hi` over the window [lo, hi]."""
    at_ms, range_s = hi // 1_000_000, (hi - lo) / NS
    rates, bad, buckets = defaultdict(float), defaultdict(float), defaultdict(list)
    for s in promql.select(series, SEC + "_count"):
        v = promql.extrapolated_rate(times, s["values"], at_ms, range_s)
        job = s["labels"]["job"]
        rates[job] += v
        if s["labels"]["http_response_status_code"].startswith("5"):
            bad[job] += v
    per_le = defaultdict(float)
    for s in promql.select(series, SEC + "_bucket"):
        v = promql.extrapolated_rate(times, s["values"], at_ms, range_s)
        per_le[(s["labels"]["job"], s["labels"]["le"])] += v
    for (job, le), v in per_le.items():
        buckets[job].append((promql.le_value(le), v))
    out = {}
    for job in rates:
        p99 = promql.bucket_quantile(0.99, buckets[job])
        out[job] = {"request_rate": rates[job],
                    "error_rate": bad[job] / rates[job] if rates[job] else None,
                    "p99_seconds": None if math.isnan(p99) else p99}
    return out


def _service_facts(world, requests, series, times, lo, hi):
    pq = _promql_figures(series, times, lo, hi)
    seconds = (hi - lo) / NS
    roots = [r for _, _, r, _ in world.traces if _inside(r["start"], lo, hi)]
    out = {}
    for svc in sorted(SERVICES):
        logs = [l for l in world.logs if l["service"] == svc and _inside(l["ts"], lo, hi)]
        errors = [l for l in logs if l["level"] in ERROR_LEVELS]
        http = [r for r in requests if r[0] == "http" and r[1] == svc and _inside(r[4], lo, hi)]
        bad = [r for r in http if r[3].startswith("5")]
        p99 = _true_p99([r[5] for r in http])
        mine = [r for r in roots if r["service"] == svc]
        slowest = max(mine, key=lambda r: r["end"] - r["start"]) if mine else None
        out[svc] = {
            "log_lines": len(logs),
            "error_lines": len(errors),
            "error_share": len(errors) / len(logs) if logs else None,
            "http_requests": len(http),
            "http_5xx": len(bad),
            "request_rate": len(http) / seconds,
            "error_rate": len(bad) / len(http) if http else None,
            "p99_seconds": p99,
            "p99_bucket": _bucket_bounds(p99) if p99 is not None else None,
            "promql": pq.get(svc),
            "root_spans": len(mine),
            "error_root_spans": sum(1 for r in mine if r["status"] == "Error"),
            "slowest_root": slowest and {"trace_id": slowest["trace_id"],
                                         "duration_ns": slowest["end"] - slowest["start"],
                                         "name": slowest["name"]},
        }
    return out


def _worst_first(facts):
    """Trouble first: the 5xx share (PromQL's), then error lines, then the name."""
    def key(svc):
        f = facts[svc]
        rate = (f["promql"] or {}).get("error_rate") or 0.0
        return (-rate, -f["error_lines"], svc)
    return sorted(facts, key=key)


def _direction(now, before):
    if now is None or before is None or now == before:
        return "same"
    return "up" if now > before else "down"


def _incident_facts(world, now_facts, prev_facts):
    out = []
    for inc in INCIDENTS:
        svc, lo, hi = inc["service"], inc["start"], inc["end"]
        # traces with a span of the incident's service inside the incident
        touched = {s["trace_id"] for s in world.spans if s["service"] == svc and lo <= s["start"] < hi}
        failed = {s["trace_id"] for s in world.spans if s["service"] == svc and s["status"] == "Error"
                  and lo <= s["start"] < hi}
        roots = [r for tid, _, r, _ in world.traces if tid in touched]
        slow = max(roots, key=lambda r: r["end"] - r["start"])
        figure = "error_rate" if inc["kind"] == "error" else "p99_seconds"
        in_last_hour = lo >= NOW - HOUR
        in_previous = lo >= NOW - 2 * HOUR and hi <= NOW - HOUR

        def fig(f):
            return (f[svc]["promql"] or {}).get(figure) if figure != "error_lines" else f[svc][figure]
        out.append({
            "name": inc["name"], "kind": inc["kind"], "service": svc, "cause": inc["cause"],
            "start": iso_seconds(lo), "end": iso_seconds(hi),
            "error_logs": sum(1 for l in world.logs if l["service"] == svc
                              and l["level"] in ERROR_LEVELS and lo <= l["ts"] < hi),
            "traces": len(touched),
            "failed_traces": len(failed),
            "slowest_trace": {"trace_id": slow["trace_id"], "root_service": slow["service"],
                              "root_name": slow["name"], "duration_ns": slow["end"] - slow["start"]},
            # what `--compare 1h` at NOW shows for this service
            "compare_1h": (in_last_hour or in_previous) and {
                "figure": figure if in_last_hour else "error_lines",
                "direction": _direction(fig(now_facts), fig(prev_facts)) if in_last_hour else
                _direction(now_facts[svc]["error_lines"], prev_facts[svc]["error_lines"]),
            } or None,
        })
    return out


def _signatures(world, lo, hi, service=None):
    groups = {}
    for l in world.logs:
        if l["level"] in ERROR_LEVELS and _inside(l["ts"], lo, hi) and service in (None, l["service"]):
            g = groups.get(l["template"])
            if not g:
                g = groups[l["template"]] = {"template": l["template"], "count": 0, "services": set(),
                                             "levels": set(), "first_ts": l["ts"], "last_ts": l["ts"],
                                             "example": l["body"], "trace_ids": []}
            g["count"] += 1
            g["services"].add(l["service"])
            g["levels"].add(l["level"])
            g["last_ts"] = max(g["last_ts"], l["ts"])
            if l["trace_id"]:
                g["trace_ids"].append(l["trace_id"])
                g["example_traced"] = l["body"]
    total = sum(g["count"] for g in groups.values())
    out = []
    for g in sorted(groups.values(), key=lambda g: (-g["count"], g["template"])):
        out.append({"template": g["template"], "count": g["count"], "share": g["count"] / total,
                    "services": sorted(g["services"]), "levels": sorted(g["levels"]),
                    "first_seen": go_rfc3339nano(g["first_ts"]),
                    "last_seen": go_rfc3339nano(g["last_ts"]),
                    "example": g["example"], "traced": bool(g["trace_ids"]),
                    # the newest line that names its trace: `tinkr errors --trace N` opens it
                    "example_trace_id": g["trace_ids"][-1] if g["trace_ids"] else None,
                    "example_traced": g.get("example_traced")})
    return {"from": iso_seconds(lo), "to": iso_seconds(hi), "service": service, "lines": total,
            "signatures": out}


def build(world, series):
    times = sample_times_ms()
    requests = server_requests(world)
    last = (NOW - HOUR, NOW)
    prev = (NOW - 2 * HOUR, NOW - HOUR)
    now_facts = _service_facts(world, requests, series, times, *last)
    prev_facts = _service_facts(world, requests, series, times, *prev)
    order = _worst_first(now_facts)
    return {
        "window": {"from": iso_seconds(last[0]), "to": iso_seconds(last[1])},
        "previous_window": {"from": iso_seconds(prev[0]), "to": iso_seconds(prev[1])},
        "services": now_facts,
        "previous": prev_facts,
        "worst_first": order,
        "worst_service": order[0],
        "incidents": _incident_facts(world, now_facts, prev_facts),
        "errors_last_hour": _signatures(world, *last),
        "errors_all": _signatures(world, NOW - 6 * HOUR, NOW),
        "errors_worst_service": _signatures(world, *last, service=order[0]),
    }
