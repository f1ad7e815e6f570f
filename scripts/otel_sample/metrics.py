"""Prometheus series for the six services, named as the Collector's
prometheusremotewrite exporter names OTel metrics, sampled every 30 s.

Families (label `job` = service.name everywhere):
  http_server_request_duration_seconds  new HTTP semconv histogram (s)
  http_server_duration_milliseconds     old HTTP semconv histogram (ms); written by
                                        a Collector with resource_to_telemetry_conversion,
                                        so it also has service_name and other resource labels
  http_server_requests_total            the product document's counter (service_name too)
  rpc_server_duration_milliseconds      gRPC server histogram (ms)
  rpc_server_duration                   the product document's unit-less name (ms, service_name too)
  target_info                           resource attributes, value 1

All request families count the same requests: per service and 30 s step one
draw of requests and errors, so the request rate and 5xx share agree across
them. Counters start at a plausible non-zero value and only grow.
"""
import math

from .rng import Rng
from .timefmt import NS
from .world import BURSTS, NOW, SERVICES, START

STEP_S = 30
OFFSET_S = 15       # samples at :15/:45, never on a minute boundary, so a
                    # [5m] window at a whole minute holds exactly 10 samples
SECONDS_BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]
MS_BOUNDS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000]
SIGMA = 0.5
BASE_ERROR_SHARE = 0.005

# service, method, route, requests/s, ok median (s), error status, error median (s)
HTTP = [
    ("frontend", "GET", "/api/products/{id}", 14.0, 0.045, "502", 0.30),
    ("frontend", "POST", "/api/checkout", 3.0, 0.210, "502", 1.60),
    ("checkout", "POST", "/checkout", 3.0, 0.180, "500", 1.55),
    ("payments-api", "POST", "/v1/charges", 4.0, 0.120, "503", 1.50),
    ("inventory", "GET", "/stock/{sku}", 9.0, 0.008, "500", 0.26),
    ("shipping", "POST", "/quotes", 3.0, 0.025, "500", 0.02),
    ("email", "POST", "/send", 2.5, 0.015, "500", 0.02),
]
# service, rpc service, method, requests/s, ok median (s), error grpc code, error median (s)
RPC = [
    ("payments-api", "payments.PaymentService", "Charge", 3.0, 0.110, "14", 1.50),
    ("inventory", "inventory.InventoryService", "Reserve", 3.0, 0.006, "13", 0.25),
    ("shipping", "shipping.ShippingService", "Quote", 3.0, 0.020, "13", 0.02),
]
# During a burst of service X, these endpoints fail this often.
BURST_SHARE = {
    "payments-api": {("payments-api", "/v1/charges"): 0.45, ("frontend", "/api/checkout"): 0.40,
                     ("checkout", "/checkout"): 0.40, ("payments-api", "Charge"): 0.45},
    "inventory": {("inventory", "/stock/{sku}"): 0.50, ("frontend", "/api/products/{id}"): 0.35,
                  ("frontend", "/api/checkout"): 0.35, ("checkout", "/checkout"): 0.35,
                  ("inventory", "Reserve"): 0.50},
}


def sample_times_ms():
    first = START // 1_000_000 + OFFSET_S * 1000
    last = NOW // 1_000_000
    return list(range(first, last, STEP_S * 1000))


def error_share(service, route, t_ns):
    share = BASE_ERROR_SHARE
    for b in BURSTS:
        if b["start"] <= t_ns < b["end"]:
            share = max(share, BURST_SHARE[b["service"]].get((service, route), share))
    return share


def _phi(x):
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


class _Histogram:
    """Cumulative buckets + sum + count for one label set, in seconds."""

    def __init__(self, rng, median):
        self.rng, self.median = rng, median
        cdf = [_phi((math.log(b) - math.log(median)) / SIGMA) for b in SECONDS_BOUNDS]
        self.p = [c - p for c, p in zip(cdf + [1.0], [0.0] + cdf)]
        mids = [SECONDS_BOUNDS[0] / 2] + [math.sqrt(a * b) for a, b in
                                          zip(SECONDS_BOUNDS, SECONDS_BOUNDS[1:])]
        self.mids = mids + [SECONDS_BOUNDS[-1] * 1.5]
        self.buckets = [0] * (len(SECONDS_BOUNDS) + 1)    # per interval, not cumulative
        self.sum = 0.0

    def observe(self, n):
        """Spread n requests over the buckets (expected shares, remainder by draw)."""
        if n <= 0:
            return
        want = [n * p for p in self.p]
        got = [int(w) for w in want]
        frac = [(i, w - g) for i, (w, g) in enumerate(zip(want, got))]
        for _ in range(n - sum(got)):
            i = self.rng.weighted([(i, f + 1e-9) for i, f in frac])
            got[i] += 1
        for i, g in enumerate(got):
            self.buckets[i] += g
            self.sum += g * self.mids[i] * (1.0 + 0.05 * self.rng.normal() / math.sqrt(g + 1))
        self.sum = round(self.sum, 6)

    def cumulative(self):
        out, acc = [], 0
        for c in self.buckets:
            acc += c
            out.append(acc)
        return out


def _resource_labels(service):
    facts = SERVICES[service]
    return {"service_name": service, "service_version": facts["version"],
            "deployment_environment": "production",
            "telemetry_sdk_language": facts["language"]}


def _histogram_series(name, labels, bounds, scale, snapshots):
    """snapshots: per sample time (cumulative bucket counts, sum in seconds)."""
    les = [("%g" % b) if b != int(b) else str(int(b)) for b in bounds] + ["+Inf"]
    offset = 1 if bounds[0] == 0 else 0          # the ms "le=0" bucket is always empty
    out = []
    for j, le in enumerate(les):
        src = j - offset
        values = [cum[src] if src >= 0 else 0 for cum, _ in snapshots]
        out.append(dict(name=name + "_bucket", family=name, type="histogram",
                        labels=dict(labels, le=le), values=values))
    out.append(dict(name=name + "_sum", family=name, type="histogram", labels=dict(labels),
                    values=[round(s * scale, 6) for _, s in snapshots]))
    out.append(dict(name=name + "_count", family=name, type="histogram", labels=dict(labels),
                    values=[cum[-1] for cum, _ in snapshots]))
    return out


def build(seed):
    rng = Rng(seed + 1)
    times = sample_times_ms()
    series = []

    def stream(service, route, rate, ok_median, err_median):
        """Per sample time: (ok histogram snapshot, error histogram snapshot)."""
        ok, err = _Histogram(rng, ok_median), _Histogram(rng, err_median)
        ok.observe(int(rate * 1800))                 # half an hour of uptime before 06:00
        err.observe(int(rate * 1800 * BASE_ERROR_SHARE))
        snaps = []
        prev_ms = times[0] - STEP_S * 1000
        for t_ms in times:
            t_ns = t_ms * 1_000_000
            hours = (t_ns - START) / (3600 * NS)
            mean = rate * (t_ms - prev_ms) / 1000 * (1.0 + 0.2 * math.sin(hours / 6 * math.pi))
            n = max(0, int(round(mean + math.sqrt(mean) * rng.normal())))
            share = error_share(service, route, t_ns)
            e = int(round(n * share + math.sqrt(n * share * (1 - share)) * rng.normal()))
            e = min(n, max(0, e))
            ok.observe(n - e)
            err.observe(e)
            snaps.append(((ok.cumulative(), ok.sum), (err.cumulative(), err.sum)))
            prev_ms = t_ms
        return snaps

    for service, method, route, rate, ok_median, err_code, err_median in HTTP:
        snaps = stream(service, route, rate, ok_median, err_median)
        instance = SERVICES[service]["instance"]
        for which, code in ((0, "200"), (1, err_code)):
            part = [s[which] for s in snaps]
            new = {"job": service, "instance": instance, "http_request_method": method,
                   "http_route": route, "http_response_status_code": code}
            old = dict({"job": service, "instance": instance, "http_method": method,
                        "http_route": route, "http_status_code": code}, **_resource_labels(service))
            series += _histogram_series("http_server_request_duration_seconds", new,
                                        SECONDS_BOUNDS, 1, part)
            series += _histogram_series("http_server_duration_milliseconds", old,
                                        MS_BOUNDS, 1000, part)
            series.append(dict(name="http_server_requests_total", family="http_server_requests",
                               type="counter", labels=dict(old),
                               values=[cum[-1] for cum, _ in part]))

    for service, rpc_service, method, rate, ok_median, err_code, err_median in RPC:
        snaps = stream(service, method, rate, ok_median, err_median)
        instance = SERVICES[service]["instance"]
        for which, code in ((0, "0"), (1, err_code)):
            part = [s[which] for s in snaps]
            labels = {"job": service, "instance": instance, "rpc_system": "grpc",
                      "rpc_service": rpc_service, "rpc_method": method,
                      "rpc_grpc_status_code": code}
            series += _histogram_series("rpc_server_duration_milliseconds", labels,
                                        MS_BOUNDS, 1000, part)
            series += _histogram_series("rpc_server_duration", dict(labels, service_name=service),
                                        MS_BOUNDS, 1000, part)

    for service, facts in SERVICES.items():
        series.append(dict(name="target_info", family="target_info", type="gauge",
                           labels={"job": service, "instance": facts["instance"],
                                   "service_version": facts["version"],
                                   "deployment_environment": "production",
                                   "host_name": facts["host"],
                                   "telemetry_sdk_language": facts["language"],
                                   "telemetry_sdk_name": "opentelemetry",
                                   "telemetry_sdk_version": facts["sdk"]},
                           values=[1] * len(times)))
    return times, series


def _labels_text(labels):
    return ",".join('%s="%s"' % (k, v.replace("\\", "\\\\").replace('"', '\\"'))
                    for k, v in labels.items())


def write_openmetrics(path, times, series):
    """OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`:
    families grouped, each series in time order, seconds timestamps, # EOF."""
    stamps = ["%d" % (t // 1000) for t in times]
    families = list(dict.fromkeys(s["family"] for s in series))
    grouped = [s for fam in families for s in series if s["family"] == fam]
    with open(path, "w") as f:
        family = None
        for s in grouped:
            if s["family"] != family:
                family = s["family"]
                f.write("# TYPE %s %s\n" % (family, s["type"]))
            head = "%s{%s} " % (s["name"], _labels_text(s["labels"]))
            f.write("".join("%s%r %s\n" % (head, v, ts) for v, ts in zip(s["values"], stamps)))
        f.write("# EOF\n")
