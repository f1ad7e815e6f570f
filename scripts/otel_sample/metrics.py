"""Prometheus series for the six services, named as the Collector's
prometheusremotewrite exporter names OTel metrics, sampled every 30 s.

They are the world's server spans counted: every HTTP or gRPC server span
is one request, observed (its exact duration, at its end) into the
histogram of its service, route and status.  So the request rate, the 5xx
share and the latency quantiles agree with the traces, within the
precision of the buckets.

Families (label `job` = service.name everywhere):
  http_server_request_duration_seconds  new HTTP semconv histogram (s)
  http_server_duration_milliseconds     old HTTP semconv histogram (ms); written by
                                        a Collector with resource_to_telemetry_conversion,
                                        so it also has service_name and other resource labels
  http_server_requests_total            the product document's counter (service_name too)
  rpc_server_duration_milliseconds      gRPC server histogram (ms)
  rpc_server_duration                   the product document's unit-less name (ms, service_name too)
  target_info                           resource attributes, value 1

Every route has an OK and an error series from the start.  Counters start
where the first half hour would have left them (the processes were up
before the window), so Prometheus never sees them start from zero.
"""
import bisect

from .timefmt import NS
from .world import ERROR_STATUS, NOW, SERVICES, START

STEP_S = 30
OFFSET_S = 15       # samples at :15/:45, never on a minute boundary, so a
                    # [5m] window at a whole minute holds exactly 10 samples
SECONDS_BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]
MS_BOUNDS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000]
PREFILL_NS = 1800 * NS


def sample_times_ms():
    first = START // 1_000_000 + OFFSET_S * 1000
    last = NOW // 1_000_000
    return list(range(first, last, STEP_S * 1000))


def bucket_index(seconds):
    """The index of the first seconds bound >= the value (len = +Inf)."""
    return bisect.bisect_left(SECONDS_BOUNDS, seconds)


def server_requests(world):
    """Every request the world served: (kind, service, key, status, end ns, seconds).
    kind "http": key = (method, route), status = HTTP status as text;
    kind "rpc":  key = (rpc service, method), status = gRPC code as text."""
    out = []
    for s in world.spans:
        if s["kind"] != "Server":
            continue
        a = s["attributes"]
        sec = (s["end"] - s["start"]) / 1e9
        if "http.route" in a:
            out.append(("http", s["service"], (a["http.request.method"], a["http.route"]),
                        str(a["http.response.status_code"]), s["end"], sec))
        else:
            out.append(("rpc", s["service"], (a["rpc.service"], a["rpc.method"]),
                        str(a["rpc.grpc.status_code"]), s["end"], sec))
    return out


class _Histogram:
    """Cumulative buckets + sum + count for one label set, in seconds."""

    def __init__(self):
        self.buckets = [0] * (len(SECONDS_BOUNDS) + 1)    # per interval, not cumulative
        self.sum = 0.0

    def observe(self, seconds):
        self.buckets[bucket_index(seconds)] += 1
        self.sum += seconds

    def snapshot(self):
        out, acc = [], 0
        for c in self.buckets:
            acc += c
            out.append(acc)
        return out, round(self.sum, 9)


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


def _streams(world):
    """{(kind, service, key, status): [(end ns, seconds), ...] in time order},
    with an OK and an error stream for every route."""
    streams = {}
    for kind, service, key, status, end, sec in server_requests(world):
        streams.setdefault((kind, service, key, status), []).append((end, sec))
    for kind, service, key, _ in list(streams):
        ok, bad = ("200", str(ERROR_STATUS[service])) if kind == "http" else ("0", "14")
        for status in (ok, bad):
            streams.setdefault((kind, service, key, status), [])
    for obs in streams.values():
        obs.sort()
    return dict(sorted(streams.items()))


def _snapshots(observations, times):
    """Cumulative histogram at each sample time (requests ended at or before it),
    starting from the counts of the first half hour (the uptime before START)."""
    h = _Histogram()
    for end, sec in observations:
        if end < START + PREFILL_NS:
            h.observe(sec)
    snaps, i = [], 0
    for t_ms in times:
        t_ns = t_ms * 1_000_000
        while i < len(observations) and observations[i][0] <= t_ns:
            h.observe(observations[i][1])
            i += 1
        snaps.append(h.snapshot())
    return snaps


def build(world):
    times = sample_times_ms()
    series = []
    for (kind, service, key, status), obs in _streams(world).items():
        snaps = _snapshots(obs, times)
        instance = SERVICES[service]["instance"]
        if kind == "http":
            method, route = key
            new = {"job": service, "instance": instance, "http_request_method": method,
                   "http_route": route, "http_response_status_code": status}
            old = dict({"job": service, "instance": instance, "http_method": method,
                        "http_route": route, "http_status_code": status}, **_resource_labels(service))
            series += _histogram_series("http_server_request_duration_seconds", new,
                                        SECONDS_BOUNDS, 1, snaps)
            series += _histogram_series("http_server_duration_milliseconds", old,
                                        MS_BOUNDS, 1000, snaps)
            series.append(dict(name="http_server_requests_total", family="http_server_requests",
                               type="counter", labels=dict(old),
                               values=[cum[-1] for cum, _ in snaps]))
        else:
            rpc_service, method = key
            labels = {"job": service, "instance": instance, "rpc_system": "grpc",
                      "rpc_service": rpc_service, "rpc_method": method,
                      "rpc_grpc_status_code": status}
            series += _histogram_series("rpc_server_duration_milliseconds", labels,
                                        MS_BOUNDS, 1000, snaps)
            series += _histogram_series("rpc_server_duration", dict(labels, service_name=service),
                                        MS_BOUNDS, 1000, snaps)

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
