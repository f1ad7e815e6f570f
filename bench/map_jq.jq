# jq's side of the map benchmark: the same projection, one row per line.
.hits.hits[]._source
| { service: .resource["service.name"], level: .severity.text,
    timestamp: .["@timestamp"], message: .body, trace_id: .traceId }
