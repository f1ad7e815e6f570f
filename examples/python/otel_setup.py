"""OpenTelemetry Python SDK set-up for traces, metrics and logs.

The product document's Python example configures traces only.  This one
adds metrics and logs, over OTLP/HTTP (protobuf) so the same code can feed a
Collector, Jaeger v2, Prometheus 3's OTLP receiver and VictoriaMetrics:

    pip install opentelemetry-sdk==1.45.2 opentelemetry-exporter-otlp-proto-http==1.45.2

    from otel_setup import setup
    otel = setup("payments-api", "http://otel-collector:4318")
    tracer = otel.tracer_provider.get_tracer("payments")
    ...
    otel.shutdown()

The View matters: without it the SDK's default histogram buckets are
0, 5, 10, 25 ... 10000 whatever the unit, so a duration recorded in seconds
lands in (0, 5] and every quantile is a guess inside that bucket.
SECONDS_BUCKETS are the HTTP semantic conventions' recommended boundaries.

(The document uses the gRPC exporter on :4317; Prometheus 3 and
VictoriaMetrics take OTLP over HTTP only, hence proto-http here.  Swap in
opentelemetry.exporter.otlp.proto.grpc for a Collector if you prefer.)
"""
from dataclasses import dataclass, field

from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.metrics.view import ExplicitBucketHistogramAggregation, View
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10)

# Every histogram whose unit is seconds gets second-scale buckets.
DURATION_VIEWS = [
    View(instrument_name="http.server.request.duration",
         aggregation=ExplicitBucketHistogramAggregation(SECONDS_BUCKETS)),
    View(instrument_name="rpc.server.call.duration",
         aggregation=ExplicitBucketHistogramAggregation(SECONDS_BUCKETS)),
]


@dataclass
class Otel:
    tracer_provider: TracerProvider
    meter_provider: MeterProvider
    logger_provider: LoggerProvider
    metric_readers: list = field(default_factory=list)

    def flush(self):
        """Exports everything recorded so far (spans, logs, one metric point per series)."""
        self.tracer_provider.force_flush()
        self.logger_provider.force_flush()
        self.meter_provider.force_flush()

    def shutdown(self):
        self.tracer_provider.shutdown()
        self.logger_provider.shutdown()
        self.meter_provider.shutdown()


def setup(service_name, otlp_url=None, *, traces_url=None, logs_url=None, metrics_urls=(),
          attributes=None, export_interval_ms=60_000):
    """Providers for one service.

    otlp_url: an OTLP/HTTP base URL (a Collector: http://host:4318) for all
    three signals.  traces_url / logs_url: full URLs overriding it per signal.
    metrics_urls: more full metric endpoints, each with its own reader, e.g.
    http://prometheus:9090/api/v1/otlp/v1/metrics (Prometheus 3) or
    http://victoria:8428/opentelemetry/v1/metrics (VictoriaMetrics).
    """
    resource = Resource.create({"service.name": service_name, **(attributes or {})})

    tracer_provider = TracerProvider(resource=resource)
    span_url = traces_url or (otlp_url and otlp_url.rstrip("/") + "/v1/traces")
    if span_url:
        tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=span_url)))

    logger_provider = LoggerProvider(resource=resource)
    log_url = logs_url or (otlp_url and otlp_url.rstrip("/") + "/v1/logs")
    if log_url:
        logger_provider.add_log_record_processor(BatchLogRecordProcessor(OTLPLogExporter(endpoint=log_url)))

    urls = list(metrics_urls)
    if otlp_url:
        urls.insert(0, otlp_url.rstrip("/") + "/v1/metrics")
    readers = [PeriodicExportingMetricReader(OTLPMetricExporter(endpoint=u),
                                             export_interval_millis=export_interval_ms)
               for u in urls]
    meter_provider = MeterProvider(resource=resource, metric_readers=readers, views=DURATION_VIEWS)
    return Otel(tracer_provider, meter_provider, logger_provider, readers)


if __name__ == "__main__":
    import sys
    import time

    from opentelemetry._logs import SeverityNumber
    from opentelemetry.trace import SpanKind

    otel = setup("payments-api", sys.argv[1] if len(sys.argv) > 1 else "http://localhost:4318")
    tracer = otel.tracer_provider.get_tracer("payments")
    meter = otel.meter_provider.get_meter("payments")
    logger = otel.logger_provider.get_logger("payments")
    duration = meter.create_histogram("http.server.request.duration", unit="s")
    with tracer.start_as_current_span("GET /pay", kind=SpanKind.SERVER) as span:
        t0 = time.perf_counter()
        span.set_attribute("http.route", "/pay")
        logger.emit(severity_number=SeverityNumber.INFO, severity_text="INFO", body="paid")
        duration.record(time.perf_counter() - t0, {"http.route": "/pay", "http.request.method": "GET",
                                                   "http.response.status_code": 200})
    otel.shutdown()
