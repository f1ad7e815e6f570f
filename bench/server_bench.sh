#!/usr/bin/env bash
# tinkr-server under wrk, beside OpenSearch itself:
#   /healthz               requests per second (target: >= 20,000 on 2 cores)
#   /v1/logs               p50 / p99 / req/s, against wrk POSTing the very DSL
#                          the server sends (taken from its meta.request) to
#                          OpenSearch's _search (target: adds <= 1 ms at p50)
# Prints "bench <name>: tinkr <x>, <peer> <y>, ratio <r>" lines.
# Needs bin/tinkr-server (make), wrk, python3 and the local stack
# (scripts/stack up, started here if it is not running).
#
#   bench/server_bench.sh [seconds per run, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_PER_RUN=${1:-5}
SERVER=${TINKR_SERVER_BIN:-$ROOT/bin/tinkr-server}
LOGS_QUERY="service=payments-api&level=ERROR&limit=100"

for tool in wrk python3 curl; do
  command -v "$tool" >/dev/null || { echo "server_bench: $tool not found (scripts/install-deps)" >&2; exit 1; }
done
[[ -x $SERVER ]] || { echo "server_bench: $SERVER not built (make)" >&2; exit 1; }

eval "$(scripts/stack up)"
work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

TINKR_NOW=$TINKR_SAMPLE_NOW "$SERVER" --listen 127.0.0.1:0 --workers 4 >"$work/out" 2>"$work/err" &
server_pid=$!
for _ in $(seq 100); do
  port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/out")
  [[ -n $port ]] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/err" >&2; exit 1; }
  sleep 0.05
done
[[ -n $port ]] || { echo "server_bench: tinkr-server did not start" >&2; cat "$work/err" >&2; exit 1; }
base=http://127.0.0.1:$port

# The exact request the server sends for the logs query, as a wrk script.
curl -sf "$base/v1/logs?$LOGS_QUERY" >"$work/logs.json"
python3 - "$work/logs.json" "$work/opensearch.lua" "$work/opensearch.url" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
req = doc["meta"]["request"]
with open(sys.argv[2], "w") as f:
    f.write('wrk.method = "POST"\n')
    f.write('wrk.headers["Content-Type"] = "application/json"\n')
    f.write("wrk.body = %s\n" % json.dumps(req["body"]))
with open(sys.argv[3], "w") as f:
    f.write(req["url"])
EOF
opensearch_url=$(cat "$work/opensearch.url")

# wrk --latency output -> "rps p50_ms p99_ms non2xx"
run_wrk() {
  wrk --latency "$@" | python3 -c '
import re, sys
text = sys.stdin.read()
def ms(v, unit):
    return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p = {q: ms(*re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)" % q, text, re.M).groups()) for q in ("50", "99")}
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
print("%.1f %.3f %.3f %s" % (rps, p["50"], p["99"], bad.group(1) if bad else "0"))
'
}

ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print('%.2f' % (a / b if b else float('inf')))" "$1" "$2"; }

# Warm the connections and caches of every worker.
wrk -t2 -c8 -d1s "$base/v1/logs?$LOGS_QUERY" >/dev/null

read -r h_rps h_p50 h_p99 h_bad < <(run_wrk -t2 -c64 -d"${SECONDS_PER_RUN}s" "$base/healthz")
read -r t_rps t_p50 t_p99 t_bad < <(run_wrk -t1 -c1 -d"${SECONDS_PER_RUN}s" "$base/v1/logs?$LOGS_QUERY")
read -r o_rps o_p50 o_p99 o_bad < <(run_wrk -t1 -c1 -d"${SECONDS_PER_RUN}s" -s "$work/opensearch.lua" "$opensearch_url")
read -r tc_rps _ _ tc_bad < <(run_wrk -t2 -c8 -d"${SECONDS_PER_RUN}s" "$base/v1/logs?$LOGS_QUERY")
read -r oc_rps _ _ oc_bad < <(run_wrk -t2 -c8 -d"${SECONDS_PER_RUN}s" -s "$work/opensearch.lua" "$opensearch_url")

for bad in "$h_bad" "$t_bad" "$o_bad" "$tc_bad" "$oc_bad"; do
  [[ $bad == 0 ]] || { echo "server_bench: $bad non-2xx answers; see $work/err" >&2; cat "$work/err" >&2; exit 1; }
done

added=$(python3 -c "import sys; print('%.3f' % (float(sys.argv[1]) - float(sys.argv[2])))" "$t_p50" "$o_p50")
echo "bench server_healthz: tinkr $h_rps req/s (p50 $h_p50 ms, p99 $h_p99 ms), target 20000 req/s, ratio $(ratio "$h_rps" 20000)"
echo "bench server_logs_p50: tinkr $t_p50 ms, opensearch $o_p50 ms, ratio $(ratio "$t_p50" "$o_p50") (adds $added ms; target <= 1 ms)"
echo "bench server_logs_p99: tinkr $t_p99 ms, opensearch $o_p99 ms, ratio $(ratio "$t_p99" "$o_p99")"
echo "bench server_logs_rps_1conn: tinkr $t_rps req/s, opensearch $o_rps req/s, ratio $(ratio "$t_rps" "$o_rps")"
echo "bench server_logs_rps_8conn: tinkr $tc_rps req/s, opensearch $oc_rps req/s, ratio $(ratio "$tc_rps" "$oc_rps")"
