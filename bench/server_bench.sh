#!/usr/bin/env bash
# tinkr-server under wrk, beside OpenSearch itself:
#   /healthz               requests per second (target: >= 20,000 on 2 cores)
#   /v1/logs               p50 / p99 / req/s, against wrk POSTing the very DSL
#                          the server sends (taken from its meta.request) to
#                          OpenSearch's _search (targets, issue 13: adds
#                          <= 0.5 ms at p50; >= 0.9x OpenSearch's req/s at 8
#                          connections)
#   CPU per request        of tinkr-server and of OpenSearch (utime + stime
#                          from /proc over each run).  On a shared machine wall
#                          time is noise; and when both run on the same cores,
#                          req/s at 8 connections is bounded by the CPU the two
#                          spend per request together.
# The /v1/logs runs alternate tinkr / OpenSearch, BENCH_ROUNDS times (default
# 3); each line shows the median.  Prints "bench <name>: tinkr <x>, <peer> <y>,
# ratio <r>" lines.  Needs bin/tinkr-server (make), wrk, python3 and the local
# stack (scripts/stack up, started here if it is not running).
#
#   bench/server_bench.sh [seconds per run, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_PER_RUN=${1:-5}
ROUNDS=${BENCH_ROUNDS:-3}
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

# OpenSearch's pid (from scripts/stack status), for its CPU time; empty when
# the stack does not say (the CPU lines are then left out).
os_pid=$(scripts/stack status 2>/dev/null | sed -n 's/^opensearch: running.*, pid \([0-9]*\).*/\1/p' | head -n1)
TICK_MS=$(python3 -c "import os; print(1000 / os.sysconf('SC_CLK_TCK'))")

# utime + stime of a process in clock ticks (0 when unknown)
cpu_ticks() {
  if [[ -n $1 && -r /proc/$1/stat ]]; then
    sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
  else
    echo 0
  fi
}

# wrk --latency output -> "rps p50_ms p99_ms non2xx requests"
parse_wrk() {
  python3 -c '
import re, sys
text = sys.stdin.read()
def ms(v, unit):
    return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
n = int(re.search(r"(\d+) requests in", text).group(1))
p = {q: ms(*re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)" % q, text, re.M).groups()) for q in ("50", "99")}
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
print("%.1f %.3f %.3f %s %d" % (rps, p["50"], p["99"], bad.group(1) if bad else "0", n))
'
}

# One wrk run -> "rps p50 p99 tinkr_cpu_ms_per_req opensearch_cpu_ms_per_req"
run_wrk() {
  local t0 o0 t1 o1 out rps p50 p99 bad n
  t0=$(cpu_ticks "$server_pid"); o0=$(cpu_ticks "$os_pid")
  out=$(wrk --latency "$@" | parse_wrk)
  t1=$(cpu_ticks "$server_pid"); o1=$(cpu_ticks "$os_pid")
  read -r rps p50 p99 bad n <<<"$out"
  if [[ $bad != 0 ]]; then
    echo "server_bench: $bad non-2xx answers; see $work/err" >&2
    cat "$work/err" >&2
    return 1
  fi
  python3 -c 'import sys
rps, p50, p99, n, tick, t0, t1, o0, o1 = sys.argv[1:]
n = max(int(n), 1)
print(rps, p50, p99, "%.3f" % ((int(t1) - int(t0)) * float(tick) / n), "%.3f" % ((int(o1) - int(o0)) * float(tick) / n))' \
    "$rps" "$p50" "$p99" "$n" "$TICK_MS" "$t0" "$t1" "$o0" "$o1"
}

# Warm the connections and caches of every worker.
wrk -t2 -c8 -d1s "$base/v1/logs?$LOGS_QUERY" >/dev/null

healthz=$(run_wrk -t2 -c64 -d"${SECONDS_PER_RUN}s" "$base/healthz")
: >"$work/rounds"
round() {   # round KIND wrk-args...: one run, appended to the rounds file
  local kind=$1 line
  shift
  line=$(run_wrk "$@") || exit 1
  echo "$kind $line" >>"$work/rounds"
}
for _ in $(seq "$ROUNDS"); do
  round t1 -t1 -c1 -d"${SECONDS_PER_RUN}s" "$base/v1/logs?$LOGS_QUERY"
  round o1 -t1 -c1 -d"${SECONDS_PER_RUN}s" -s "$work/opensearch.lua" "$opensearch_url"
  round t8 -t2 -c8 -d"${SECONDS_PER_RUN}s" "$base/v1/logs?$LOGS_QUERY"
  round o8 -t2 -c8 -d"${SECONDS_PER_RUN}s" -s "$work/opensearch.lua" "$opensearch_url"
done

python3 - "$work/rounds" "$ROUNDS" "$healthz" "${os_pid:+yes}" <<'EOF'
import statistics, sys
path, rounds, healthz, have_os = sys.argv[1:5]
runs = {}
for line in open(path):
    kind, *v = line.split()
    runs.setdefault(kind, []).append([float(x) for x in v])
RPS, P50, P99, CPU_T, CPU_O = range(5)
def med(kind, i): return statistics.median(r[i] for r in runs[kind])
def ratio(a, b): return a / b if b else float("inf")

h = [float(x) for x in healthz.split()]
print("bench server_healthz: tinkr %.1f req/s (p50 %.3f ms, p99 %.3f ms), target 20000 req/s, ratio %.2f"
      % (h[RPS], h[P50], h[P99], ratio(h[RPS], 20000)))
t, o = med("t1", P50), med("o1", P50)
print("bench server_logs_p50: tinkr %.3f ms, opensearch %.3f ms, ratio %.2f (adds %.3f ms; target <= 0.5 ms; median of %s)"
      % (t, o, ratio(t, o), t - o, rounds))
t, o = med("t1", P99), med("o1", P99)
print("bench server_logs_p99: tinkr %.3f ms, opensearch %.3f ms, ratio %.2f" % (t, o, ratio(t, o)))
t, o = med("t1", RPS), med("o1", RPS)
print("bench server_logs_rps_1conn: tinkr %.1f req/s, opensearch %.1f req/s, ratio %.2f" % (t, o, ratio(t, o)))
t, o = med("t8", RPS), med("o8", RPS)
print("bench server_logs_rps_8conn: tinkr %.1f req/s, opensearch %.1f req/s, ratio %.2f (target >= 0.9)"
      % (t, o, ratio(t, o)))
if have_os:
    # At 8 connections (the most requests: the finest reading).  tinkr's
    # side costs tinkr-server's CPU plus OpenSearch's for the same search.
    tc, via, oc = med("t8", CPU_T), med("t8", CPU_O), med("o8", CPU_O)
    print("bench server_logs_cpu_per_req: tinkr %.3f ms, opensearch %.3f ms, ratio %.2f "
          "(CPU per request: tinkr-server's per /v1/logs, OpenSearch's per _search asked directly; "
          "OpenSearch's per search from tinkr: %.3f ms)" % (tc, oc, ratio(tc, oc), via))
    print("bench server_logs_rps_8conn_cpu_bound: tinkr %.3f ms, opensearch %.3f ms, ratio %.2f "
          "(CPU per answer, tinkr-server + OpenSearch vs OpenSearch alone: on saturated shared cores "
          "the req/s ratio is at most 1/ratio = %.2f)" % (tc + via, oc, ratio(tc + via, oc), ratio(oc, tc + via)))
EOF
