"""Pushes known HTTP server metrics through the OTel Python SDK's OTLP/HTTP
exporter to every endpoint given, as an instrumented app would:

  shop-api   http.server.request.duration (s) with a View giving second-scale
             buckets: 100 requests per export, 10 of them status 500, taking
             0.05 + 0.02 * (i % 10) s
  sdk-shop   the same histogram with the SDK's default buckets (0, 5, 10, 25 ...)
  payments-api  the product document's counter http.server.requests: 60 per export

Three exports one second apart (cumulative), so rate() has points to work on.

  otlp_push.py URL...
"""
import sys
import time

from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.metrics.view import ExplicitBucketHistogramAggregation, View
from opentelemetry.sdk.resources import Resource

SECONDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]


def provider(service, views):
    reader = InMemoryMetricReader()
    mp = MeterProvider(resource=Resource.create({"service.name": service, "service.instance.id": service + "-1"}),
                       metric_readers=[reader], views=views)
    hist = mp.get_meter("tinkr.spec").create_histogram("http.server.request.duration", unit="s")
    return mp, reader, hist


def main():
    exporters = [OTLPMetricExporter(endpoint=url, timeout=10) for url in sys.argv[1:]]
    apps = [provider("shop-api", [View(instrument_name="http.server.request.duration",
                                       aggregation=ExplicitBucketHistogramAggregation(SECONDS))]),
            provider("sdk-shop", [])]
    payments, preader, _ = provider("payments-api", [])
    requests = payments.get_meter("tinkr.spec").create_counter("http.server.requests")
    for step in range(3):
        requests.add(60, {"http.route": "/charge", "http.status_code": 200})
        data = preader.get_metrics_data()
        for e in exporters:
            e.export(data)
        for _, reader, hist in apps:
            for i in range(100):
                status = 500 if i % 10 == 0 else 200
                hist.record(0.05 + 0.02 * (i % 10), {"http.route": "/cart", "http.request.method": "GET",
                                                     "http.response.status_code": status})
            data = reader.get_metrics_data()
            for e in exporters:
                result = e.export(data)
                if result.name != "SUCCESS":
                    sys.exit("export to %s failed: %s" % (e._endpoint, result))
        time.sleep(1)
    for mp, _, _ in apps + [(payments, None, None)]:
        mp.shutdown()


if __name__ == "__main__":
    main()
