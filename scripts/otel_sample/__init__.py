"""Deterministic OpenTelemetry sample data for tinkr's specs and demo.

world    -- the story: services, traces, logs (plain records, no layout)
layouts  -- the same records as three real writers store them in OpenSearch
metrics  -- Prometheus series as the Collector's remote-write exporter names them
promql   -- what Prometheus 2.42 answers for rate()/histogram_quantile()
manifest -- the exact expected answers (expected.json)
"""
