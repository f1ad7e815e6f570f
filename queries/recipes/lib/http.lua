-- Where HTTP server metrics live, by semantic-convention generation, most
-- recent first.  Names are as the Collector's prometheusremotewrite exporter
-- writes them (unit suffix, then _bucket/_sum/_count or _total).
return {
  -- histograms: name without _bucket/_count, and what divides a value into seconds
  histograms = {
    -- semconv >= 1.23 (stable HTTP): http.server.request.duration, seconds
    { name = "http_server_request_duration_seconds", per_second = 1,
      status_label = "http_response_status_code" },
    -- older semconv: http.server.duration, milliseconds
    { name = "http_server_duration_milliseconds", per_second = 1000,
      status_label = "http_status_code" },
  },
  -- plain request counters (the product document's example); no latency
  counters = {
    { name = "http_server_requests_total", status_label = "http_status_code" },
  },
}
