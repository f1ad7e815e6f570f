#!/usr/bin/env bash
# `tinkr services` runs its five queries (two OpenSearch aggregations, three
# grouped PromQL recipes) at once: its wall time should be about that of
# its slowest query run alone.  Against the local stack (ss4o layout),
# hyperfine medians of whole processes.  Prints
#   bench services: tinkr services <ms> ms, slowest query alone <ms> ms (<which>), ratio <x> (...)
# Each "alone" run is a whole process too (start-up and config included).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${BENCH_RUNS:-10}
exports=$(scripts/stack up)
eval "$exports"
export TINKR_NOW=$TINKR_SAMPLE_NOW OTEL_LOG_INDEX='ss4o_logs-*' OTEL_TRACE_INDEX='ss4o_traces-*'
out=build/bench
mkdir -p "$out"
json=$out/services-hyperfine.json
args=(-n services "bin/tinkr services --since 1h --format json")
for s in logs spans request_rate error_rate p99_s; do
    args+=(-n "$s" "bin/tinkr -e 'assert(require(\"tinkr.services\").query(\"$s\", { since = \"1h\" }))'")
done
hyperfine -N --style none --warmup 2 --runs "$RUNS" --export-json "$json" "${args[@]}" >/dev/null 2>&1
jq -r '
  (.results[] | select(.command == "services") | .median * 1000) as $all
  | ([.results[] | select(.command != "services")] | max_by(.median)) as $slow
  | ([.results[] | select(.command != "services") | .median] | add * 1000) as $sum
  | "bench services: tinkr services \($all * 10 | round / 10) ms, slowest query alone \($slow.median * 10000 | round / 10) ms (\($slow.command)), ratio \(($all / ($slow.median * 1000)) * 100 | round / 100) (the five alone one after another: \($sum * 10 | round / 10) ms)"' "$json"
