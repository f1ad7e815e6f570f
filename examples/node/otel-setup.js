// OpenTelemetry Node SDK set-up for traces, metrics and logs.
//
// The product document's Node example starts a NodeSDK with a trace exporter
// only.  This one adds metrics (with a View giving second-scale histogram
// buckets: the SDK's default buckets 0, 5, 10 ... 10000 make every duration
// recorded in seconds fall in (0, 5]) and logs, over OTLP/HTTP (protobuf):
//
//   npm install @opentelemetry/sdk-node@0.301.0 @opentelemetry/api@1.10.0 \
//     @opentelemetry/exporter-trace-otlp-proto@0.301.0 \
//     @opentelemetry/exporter-metrics-otlp-proto@0.301.0 \
//     @opentelemetry/exporter-logs-otlp-proto@0.301.0
//
//   node otel-setup.js http://otel-collector:4318 payments-api
//
// Run as a script, it serves one request (a span, a log line carrying the
// span's ids, one histogram point), shuts the SDK down (which flushes
// everything), and prints the trace id.  (The document's example uses the
// gRPC exporter on :4317; swap in the -grpc packages for that.)
'use strict';

const { NodeSDK } = require('@opentelemetry/sdk-node');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-proto');
const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-proto');
const { PeriodicExportingMetricReader, AggregationType } = require('@opentelemetry/sdk-metrics');
const { BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { resourceFromAttributes } = require('@opentelemetry/resources');

// The HTTP semantic conventions' recommended boundaries, in seconds.
const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

function startOtel(serviceName, otlpUrl) {
  const base = otlpUrl.replace(/\/$/, '');
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    autoDetectResources: false,
    traceExporter: new OTLPTraceExporter({ url: base + '/v1/traces' }),
    metricReaders: [new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter({ url: base + '/v1/metrics' }),
      exportIntervalMillis: 60000,
    })],
    views: [{
      instrumentName: 'http.server.request.duration',
      aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: SECONDS_BUCKETS } },
    }],
    logRecordProcessors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: base + '/v1/logs' }) })],
  });
  sdk.start();
  return sdk;
}

module.exports = { startOtel, SECONDS_BUCKETS };

if (require.main === module) {
  const { trace, metrics, logs, SpanKind, SeverityNumber, context } = require('@opentelemetry/api');
  const [otlpUrl = 'http://localhost:4318', serviceName = 'payments-api'] = process.argv.slice(2);
  const sdk = startOtel(serviceName, otlpUrl);
  const tracer = trace.getTracer('example');
  const duration = metrics.getMeter('example').createHistogram('http.server.request.duration', { unit: 's' });
  const logger = logs.getLogger('example');
  const start = Date.now();
  const span = tracer.startSpan('GET /pay', {
    kind: SpanKind.SERVER, startTime: start,
    attributes: { 'http.request.method': 'GET', 'http.route': '/pay', 'http.response.status_code': 200 },
  });
  context.with(trace.setSpan(context.active(), span), () => {
    logger.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: 'paid in 42 ms' });
  });
  duration.record(0.042, { 'http.request.method': 'GET', 'http.route': '/pay', 'http.response.status_code': 200 });
  span.end(start + 42);
  const traceId = span.spanContext().traceId;
  sdk.shutdown().then(
    () => { console.log(traceId); },
    (err) => { console.error('otel shutdown failed: ' + err.message); if (process.env.DEBUG) console.error(err.stack); process.exit(1); },
  );
}
