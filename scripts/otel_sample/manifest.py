"""The exact answers a test may expect from the loaded stack (expected.json).

Everything here is computed from the generated records themselves, never
typed in by hand, so it cannot drift from the data.
"""
import math
from collections import Counter, defaultdict

from . import promql, story
from .metrics import STEP_S, sample_times_ms
from .timefmt import NS, go_rfc3339nano, iso_seconds
from .world import BURSTS, FATALS, LEVELS, NOW, SEED, SERVICES, START, at

HOUR = 3600 * NS


def _count_levels(logs):
    by = defaultdict(Counter)
    for log in logs:
        by[log["service"]][log["level"]] += 1
    return {svc: {lvl: by[svc][lvl] for lvl in LEVELS} for svc in SERVICES}


def _log_facts(world):
    logs = world.logs
    last_hour = [l for l in logs if l["ts"] >= NOW - HOUR]
    return {
        "total": len(logs),
        "with_trace_id": sum(1 for l in logs if l["trace_id"]),
        "by_level": {lvl: sum(1 for l in logs if l["level"] == lvl) for lvl in LEVELS},
        "by_service": {svc: sum(1 for l in logs if l["service"] == svc) for svc in SERVICES},
        "by_service_level": _count_levels(logs),
        "last_hour": {
            "from": iso_seconds(NOW - HOUR), "to": iso_seconds(NOW), "total": len(last_hour),
            "by_service_level": _count_levels(last_hour),
        },
        "first": go_rfc3339nano(logs[0]["ts"]),
        "last": go_rfc3339nano(logs[-1]["ts"]),
        "fatal": [{"service": s, "timestamp": go_rfc3339nano(t), "body": b} for t, s, b in FATALS],
    }


def _root_fact(span):
    dur = span["end"] - span["start"]
    return {
        "trace_id": span["trace_id"], "span_id": span["span_id"], "service": span["service"],
        "name": span["name"], "status": span["status"],
        "start": go_rfc3339nano(span["start"]), "end": go_rfc3339nano(span["end"]),
        "duration_ns": dur,
        # how each layout states it
        "seed_duration_ms": dur / 1e6,
        "data_prepper_duration_in_nanos": dur,
    }


def _shape(trace_spans):
    spans = sorted(trace_spans, key=lambda s: (s["start"], s["span_id"]))
    by_id = {s["span_id"]: s for s in spans}

    def depth(s):
        d = 0
        while s["parent_id"]:
            s, d = by_id[s["parent_id"]], d + 1
        return d

    return {
        "span_count": len(spans),
        "services": sorted({s["service"] for s in spans}),
        "max_depth": max(depth(s) for s in spans),
        "edges": [[s["parent_id"], s["span_id"]] for s in spans if s["parent_id"]],
        "spans": [{"span_id": s["span_id"], "parent_span_id": s["parent_id"],
                   "service": s["service"], "name": s["name"], "kind": s["kind"],
                   "status": s["status"], "start": go_rfc3339nano(s["start"]),
                   "duration_ns": s["end"] - s["start"]} for s in spans],
    }


def _trace_facts(world):
    roots = [r for _, _, r, _ in world.traces]
    spans_of = {tid: spans for tid, _, _, spans in world.traces}

    def slowest(candidates):
        best = max(candidates, key=lambda r: r["end"] - r["start"])
        runner_up = max((r for r in candidates if r is not best), key=lambda r: r["end"] - r["start"])
        assert best["end"] - best["start"] > runner_up["end"] - runner_up["start"], "tie"
        return _root_fact(best)

    slow = slowest(roots)
    recent = [r for r in roots if r["start"] >= NOW - HOUR]
    root_services = sorted({r["service"] for r in roots})
    errors = [r for r in roots if r["status"] == "Error"]
    return {
        "traces": len(world.traces),
        "spans": len(world.spans),
        "root_spans": len(roots),
        "error_traces": len(errors),
        "error_spans": sum(1 for s in world.spans if s["status"] == "Error"),
        "spans_by_service": {svc: sum(1 for s in world.spans if s["service"] == svc) for svc in SERVICES},
        "roots_by_service": {svc: sum(1 for r in roots if r["service"] == svc) for svc in root_services},
        "roots_last_hour_by_service": {svc: sum(1 for r in recent if r["service"] == svc)
                                       for svc in root_services},
        "flows": dict(Counter(flow for _, flow, _, _ in world.traces)),
        "slowest_root": slow,
        "slowest_root_last_hour": slowest(recent),
        "slowest_root_by_service": {svc: slowest([r for r in roots if r["service"] == svc])
                                    for svc in root_services},
        "slow_over_2s": [_root_fact(r) for r in sorted(roots, key=lambda r: r["start"])
                         if r["end"] - r["start"] > 2 * NS],
        "slowest_trace_shape": _shape(spans_of[slow["trace_id"]]),
    }


def _burst_facts(world):
    out = []
    for b in BURSTS:
        failed = {s["trace_id"] for s in world.spans
                  if s["service"] == b["service"] and s["status"] == "Error"
                  and b["start"] <= s["start"] < b["end"]}
        out.append({
            "service": b["service"], "cause": b["cause"],
            "start": iso_seconds(b["start"]), "end": iso_seconds(b["end"]),
            "error_logs": sum(1 for l in world.logs if l["service"] == b["service"]
                              and l["level"] == "ERROR" and b["start"] <= l["ts"] < b["end"]),
            "error_logs_all_services": sum(1 for l in world.logs if l["level"] == "ERROR"
                                           and b["start"] <= l["ts"] < b["end"]),
            "failed_traces": len(failed),
        })
    return out


# -- metrics ---------------------------------------------------------------------

def _rates(series, times, name, at_ms, range_s, by, is_rate=True, **matchers):
    out = defaultdict(float)
    for s in promql.select(series, name, **matchers):
        v = promql.extrapolated_rate(times, s["values"], at_ms, range_s, is_rate)
        if v is not None:
            out[tuple(s["labels"].get(b, "") for b in by)] += v
    return out


def _quantiles(series, times, q, name, at_ms, by):
    buckets = _rates(series, times, name, at_ms, 300, (by, "le"))
    grouped = defaultdict(list)
    for (key, le), v in buckets.items():
        grouped[key].append((promql.le_value(le), v))
    return {k: promql.bucket_quantile(q, b) for k, b in grouped.items()}


def _metric_facts(series):
    times = sample_times_ms()
    now_ms = NOW // 1_000_000
    burst_ms = at("11:33:00") // 1_000_000
    sec = "http_server_request_duration_seconds"
    queries = []

    def add(promql_text, t_ms, by, values):
        clean = {k: v for k, v in values.items() if not (isinstance(v, float) and math.isnan(v))}
        queries.append({"promql": promql_text, "time": iso_seconds(t_ms * 1_000_000), "by": by,
                        "values": dict(sorted(clean.items()))})
        return clean

    def flat(d):
        return {k[0]: v for k, v in d.items()}

    rate_q = "sum by (job) (rate(%s_count[5m]))" % sec
    share_q = ('sum by (job) (rate(%s_count{http_response_status_code=~"5.."}[5m])) / '
               "sum by (job) (rate(%s_count[5m]))" % (sec, sec))
    summary = {}
    for label, t_ms in (("at_now", now_ms), ("in_payments_burst", burst_ms)):
        rates = add(rate_q, t_ms, "job", flat(_rates(series, times, sec + "_count", t_ms, 300, ("job",))))
        bad = flat(_rates(series, times, sec + "_count", t_ms, 300, ("job",),
                          http_response_status_code="~5.."))
        share = add(share_q, t_ms, "job", {k: bad[k] / rates[k] for k in rates if rates[k]})
        lat = {}
        for q in (0.5, 0.9, 0.99):
            text = "histogram_quantile(%s, sum by (job, le) (rate(%s_bucket[5m])))" % (q, sec)
            lat["p%d" % round(q * 100)] = add(text, t_ms, "job",
                                              _quantiles(series, times, q, sec + "_bucket", t_ms, "job"))
        summary[label] = {
            "time": iso_seconds(t_ms * 1_000_000),
            "request_rate_per_s": rates,
            "error_share_5xx": share,
            "latency_seconds": {svc: {p: lat[p][svc] for p in lat} for svc in rates},
        }

    add("histogram_quantile(0.99, sum by (service_name, le) "
        "(rate(http_server_duration_milliseconds_bucket[5m])))", now_ms, "service_name",
        _quantiles(series, times, 0.99, "http_server_duration_milliseconds_bucket", now_ms,
                   "service_name"))
    add("histogram_quantile(0.9, sum by (job, le) (rate(rpc_server_duration_milliseconds_bucket[5m])))",
        now_ms, "job", _quantiles(series, times, 0.9, "rpc_server_duration_milliseconds_bucket",
                                  now_ms, "job"))
    add("sum by (job) (increase(%s_count[1h]))" % sec, now_ms, "job",
        flat(_rates(series, times, sec + "_count", now_ms, 3600, ("job",), is_rate=False)))
    # the product document's two examples, as written
    add('rate(http_server_requests_total{service_name="payments-api"}[5m])', now_ms,
        "http_status_code", flat(_rates(series, times, "http_server_requests_total", now_ms, 300,
                                        ("http_status_code",), service_name="payments-api")))
    doc_rpc = promql.select(series, "rpc_server_duration_bucket")

    names = Counter(s["name"] for s in series)
    return {
        "step_seconds": STEP_S,
        "first_sample": iso_seconds(times[0] * 1_000_000),
        "last_sample": iso_seconds(times[-1] * 1_000_000),
        "samples_per_series": len(times),
        "series": len(series),
        "series_by_name": dict(sorted(names.items())),
        "jobs": sorted(SERVICES),
        "rpc_jobs": sorted({s["labels"]["job"] for s in series if s["name"] == "rpc_server_duration_milliseconds_count"}),
        "rpc_server_duration_bucket_series": len(doc_rpc),
        "summary": summary,
        "queries": queries,
    }


def build(world, layouts, series, index_counts, files):
    return {
        "now": iso_seconds(NOW),
        "start": iso_seconds(START),
        "seed": SEED,
        "generator": "scripts/gen-otel-data.py",
        "services": sorted(SERVICES),
        "severity_numbers": LEVELS,
        "layouts": {l["name"]: {
            "logs_index": l["logs_index"], "logs_pattern": l["logs_pattern"],
            "traces_index": l["traces_index"], "traces_pattern": l["traces_pattern"],
            "logs_alias": l.get("logs_alias"), "traces_alias": l.get("traces_alias"),
            "templates": l["templates"], "fields": l["fields"],
        } for l in layouts},
        "index_counts": index_counts,
        "logs": _log_facts(world),
        "traces": _trace_facts(world),
        "error_bursts": _burst_facts(world),
        "metrics": _metric_facts(series),
        "story": story.build(world, series),
        "files": files,
        "timestamps": {
            "seed": "logs @timestamp ms; spans startTime/endTime us (date_nanos)",
            "ss4o": "RFC 3339 with ns, trailing zeros dropped (Go); span @timestamp 0001-01-01T00:00:00Z",
            "data_prepper": "java.time.Instant strings (ns)",
            "unique": "every log has its own millisecond, so sorting logs by time is total",
        },
    }
