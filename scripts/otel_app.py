#!/usr/bin/env python3
"""An instrumented two-service shop that emits known telemetry through the
real OpenTelemetry Python SDK and records what it sent.

    otel_app.py --collector http://127.0.0.1:4318 \
        [--metrics-to http://127.0.0.1:9090/api/v1/otlp/v1/metrics ...] \
        --manifest run.json [--run-id abc123]

Services `shop-checkout-<run>` and `shop-inventory-<run>` (a run id keeps
runs apart in stores that keep everything).  Each of two identical rounds
serves the same requests (checkout: GET /cart x4, POST /checkout x3, one of
which fails because inventory answers 503), then flushes every signal, so
every metric series has two points and the second is twice the first.
Span durations are set explicitly (start/end times), so they are exact.

The manifest (JSON) lists every trace (ids, spans, durations, status),
every log line (service, level, body, trace/span id) and the request counts
per service/route/status, with the histogram buckets of the View.
Runs the SDK set-up of examples/python/otel_setup.py.
"""
import argparse
import json
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "examples", "python"))

from opentelemetry import context as otel_context  # noqa: E402
from opentelemetry import trace  # noqa: E402
from opentelemetry._logs import SeverityNumber  # noqa: E402
from opentelemetry.trace import SpanKind, Status, StatusCode  # noqa: E402

from otel_setup import SECONDS_BUCKETS, setup  # noqa: E402

MS = 1_000_000
ROUNDS = 2
# (route, method, status, server ms, inventory call: (status, ms) or None)
CHECKOUT_PLAN = [
    ("/cart", "GET", 200, 12, None),
    ("/cart", "GET", 200, 18, None),
    ("/cart", "GET", 200, 25, None),
    ("/cart", "GET", 200, 40, None),
    ("/checkout", "POST", 200, 120, (200, 60)),
    ("/checkout", "POST", 200, 180, (200, 90)),
    ("/checkout", "POST", 500, 260, (503, 200)),
]
SLOW_CART_MS = 40            # a WARN log for this one
STEP_MS = 400                # between request starts


class Shop:
    def __init__(self, args):
        self.run = args.run_id
        self.names = {"checkout": "shop-checkout-" + self.run, "inventory": "shop-inventory-" + self.run}
        self.otel, self.tracers, self.loggers, self.hist, self.count = {}, {}, {}, {}, {}
        for key, name in self.names.items():
            o = setup(name, args.collector, metrics_urls=args.metrics_to,
                      attributes={"service.instance.id": name + "-1", "service.version": "1.0.0",
                                  "deployment.environment.name": "spec"})
            self.otel[key] = o
            self.tracers[key] = o.tracer_provider.get_tracer("shop." + key, "1.0.0")
            self.loggers[key] = o.logger_provider.get_logger("shop." + key, "1.0.0")
            meter = o.meter_provider.get_meter("shop." + key, "1.0.0")
            self.hist[key] = meter.create_histogram(
                "http.server.request.duration", unit="s", description="HTTP server request duration")
            self.count[key] = meter.create_counter(
                "http.server.requests", unit="{request}", description="HTTP requests served")
        self.traces, self.logs, self.requests = [], [], []

    # -- recording ------------------------------------------------------------

    def log(self, key, span, level, number, body, ts):
        ctx = trace.set_span_in_context(span)
        self.loggers[key].emit(timestamp=ts, observed_timestamp=ts, context=ctx, severity_number=number,
                               severity_text=level, body=body,
                               attributes={"code.function.name": "serve"})
        sc = span.get_span_context()
        self.logs.append({"service": self.names[key], "level": level, "body": body, "time_ns": ts,
                          "trace_id": "%032x" % sc.trace_id, "span_id": "%016x" % sc.span_id})

    def served(self, key, method, route, status, ms):
        attrs = {"http.request.method": method, "http.route": route, "http.response.status_code": status}
        self.hist[key].record(ms / 1000, attrs)
        self.count[key].add(1, {"http.request.method": method, "http.route": route, "http.status_code": status})
        self.requests.append({"service": self.names[key], "method": method, "route": route,
                              "status": status, "duration_ms": ms})

    def span(self, key, name, kind, start, ms, parent_ctx, attrs, status=None, spans=None, error=None):
        s = self.tracers[key].start_span(name, context=parent_ctx, kind=kind, start_time=start,
                                         attributes=attrs)
        if error:
            s.record_exception(error, timestamp=start + ms * MS - MS)
            s.set_status(Status(StatusCode.ERROR, str(error)))
        elif status == "ok":
            s.set_status(Status(StatusCode.OK))
        sc = s.get_span_context()
        parent = trace.get_current_span(parent_ctx).get_span_context() if parent_ctx else None
        spans.append({"service": self.names[key], "name": name, "kind": kind.name.lower(),
                      "span_id": "%016x" % sc.span_id,
                      "parent_span_id": "%016x" % parent.span_id if parent and parent.is_valid else "",
                      "start_ns": start, "duration_ns": ms * MS,
                      "status": "error" if error else (status or "unset")})
        return s

    # -- one request ----------------------------------------------------------

    def checkout_request(self, start, route, method, status, ms, call):
        spans = []
        attrs = {"http.request.method": method, "http.route": route, "http.response.status_code": status}
        error = RuntimeError("inventory answered 503") if status >= 500 else None
        root = self.span("checkout", method + " " + route, SpanKind.SERVER, start, ms, None, attrs,
                         spans=spans, error=error)
        root_ctx = trace.set_span_in_context(root)
        end = start + ms * MS
        if call:
            inv_status, inv_ms = call
            inv_error = RuntimeError("stock service unavailable") if inv_status >= 500 else None
            c_start = start + 5 * MS
            client = self.span("checkout", "GET", SpanKind.CLIENT, c_start, inv_ms + 4, root_ctx,
                               {"http.request.method": "GET", "server.address": "inventory",
                                "http.response.status_code": inv_status}, spans=spans, error=inv_error)
            client_ctx = trace.set_span_in_context(client)
            s_start = c_start + 2 * MS
            inv_attrs = {"http.request.method": "GET", "http.route": "/stock/{sku}",
                         "http.response.status_code": inv_status}
            inv = self.span("inventory", "GET /stock/{sku}", SpanKind.SERVER, s_start, inv_ms, client_ctx,
                            inv_attrs, spans=spans, error=inv_error)
            inv_end = s_start + inv_ms * MS
            if inv_error:
                self.log("inventory", inv, "ERROR", SeverityNumber.ERROR,
                         "stock lookup failed: stock service unavailable", inv_end)
            else:
                self.log("inventory", inv, "INFO", SeverityNumber.INFO,
                         "GET /stock/{sku} %d in %d ms" % (inv_status, inv_ms), inv_end)
            self.served("inventory", "GET", "/stock/{sku}", inv_status, inv_ms)
            inv.end(end_time=inv_end)
            client.end(end_time=c_start + (inv_ms + 4) * MS)
        if route == "/cart" and ms == SLOW_CART_MS:
            self.log("checkout", root, "WARN", SeverityNumber.WARN, "slow cart lookup: %d ms" % ms, end - MS)
        if error:
            self.log("checkout", root, "ERROR", SeverityNumber.ERROR,
                     "checkout failed: inventory answered 503", end)
        else:
            self.log("checkout", root, "INFO", SeverityNumber.INFO,
                     "%s %s %d in %d ms" % (method, route, status, ms), end)
        self.served("checkout", method, route, status, ms)
        root.end(end_time=end)
        sc = root.get_span_context()
        self.traces.append({"trace_id": "%032x" % sc.trace_id, "root_span_id": "%016x" % sc.span_id,
                            "service": self.names["checkout"], "name": method + " " + route,
                            "status": "error" if error else "unset", "duration_ns": ms * MS,
                            "start_ns": start, "spans": spans})

    def round(self):
        base = time.time_ns() - len(CHECKOUT_PLAN) * STEP_MS * MS - 500 * MS
        base -= base % MS           # whole ms: every store keeps the exact instant
        for i, (route, method, status, ms, call) in enumerate(CHECKOUT_PLAN):
            self.checkout_request(base + i * STEP_MS * MS, route, method, status, ms, call)
        for o in self.otel.values():
            o.flush()

    def shutdown(self):
        for o in self.otel.values():
            o.shutdown()


def summary(shop, args, started):
    by = {}
    for r in shop.requests:
        key = "%s %s %s %d" % (r["service"], r["method"], r["route"], r["status"])
        by[key] = by.get(key, 0) + 1
    services = {}
    for key, name in shop.names.items():
        reqs = [r for r in shop.requests if r["service"] == name]
        logs = [lg for lg in shop.logs if lg["service"] == name]
        levels = {}
        for lg in logs:
            levels[lg["level"]] = levels.get(lg["level"], 0) + 1
        services[key] = {
            "name": name, "requests": len(reqs), "errors_5xx": sum(1 for r in reqs if r["status"] >= 500),
            "durations_ms": sorted(r["duration_ms"] for r in reqs),
            "logs": len(logs), "log_levels": levels,
            "root_traces": sum(1 for t in shop.traces if t["service"] == name),
        }
    return {
        "run_id": shop.run, "started_ns": started, "ended_ns": time.time_ns(), "rounds": ROUNDS,
        "sdk": "opentelemetry-sdk (Python), OTLP/HTTP protobuf",
        "sent_to": {"collector": args.collector, "metrics": args.metrics_to},
        "services": services, "requests_by": by,
        "metrics": {"histogram": "http.server.request.duration", "unit": "s",
                    "buckets": list(SECONDS_BUCKETS), "counter": "http.server.requests"},
        "traces": shop.traces, "logs": shop.logs,
    }


def main():
    ap = argparse.ArgumentParser(description="instrumented sample shop (OTel Python SDK)")
    ap.add_argument("--collector", help="OTLP/HTTP base URL for traces, logs and metrics")
    ap.add_argument("--metrics-to", action="append", default=[], help="another OTLP metrics URL")
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--run-id", default="%06x" % random.randrange(1 << 24))
    ap.add_argument("--pause", type=float, default=1.5, help="seconds between rounds")
    args = ap.parse_args()
    if not args.collector and not args.metrics_to:
        ap.error("nothing to send to: give --collector and/or --metrics-to")
    started = time.time_ns()
    shop = Shop(args)
    otel_context.attach(otel_context.Context())
    for r in range(ROUNDS):
        if r:
            time.sleep(args.pause)          # metric points of the two rounds >= 1 s apart
        shop.round()
    shop.shutdown()
    with open(args.manifest, "w") as f:
        json.dump(summary(shop, args, started), f, indent=1)
    s = summary(shop, args, started)["services"]
    print("otel_app: run %s: %s" % (shop.run, ", ".join(
        "%s %d requests, %d logs" % (v["name"], v["requests"], v["logs"]) for v in s.values())), file=sys.stderr)


if __name__ == "__main__":
    main()
