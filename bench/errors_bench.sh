#!/usr/bin/env bash
# `tinkr errors`' grouping beside drain3 (Drain, He et al. ICWS 2017; the
# Python library from PyPI) on the same 100,000 error lines read from a
# file (bench/error_lines.py: the sample world's error messages with their
# digits redrawn), whole process each, CPU time (user + system, the median
# of hyperfine's runs; wall time on a shared machine is noise).  Prints
#   bench errors: tinkr <ms> ms, drain3 <ms> ms, ratio <x> (signatures: tinkr N, drain3 M, true T)
# drain3 lives in a venv cached outside the tree (~/.cache/tinkr), made with
# Debian's /usr/bin/python3.  Goal: 20x, with tinkr's signatures = the true templates.
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${BENCH_ERROR_LINES:-100000}
RUNS=${BENCH_RUNS:-5}
DRAIN3_VERSION=0.9.11
VENV=${XDG_CACHE_HOME:-$HOME/.cache}/tinkr/drain3-venv-$DRAIN3_VERSION
out=build/bench
mkdir -p "$out"

if [[ ! -x $VENV/bin/python ]] || ! "$VENV/bin/python" -c 'import drain3' 2>/dev/null; then
    echo "bench errors: installing drain3 $DRAIN3_VERSION into $VENV" >&2
    rm -rf "$VENV"
    /usr/bin/python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "drain3==$DRAIN3_VERSION" >&2
fi

lines=$out/error-lines.txt truth=$out/error-lines-truth.json
[[ -s $lines && -s $truth ]] || /usr/bin/python3 bench/error_lines.py --lines "$LINES" --out "$lines" --truth "$truth" >&2

tinkr_says=$(bin/tinkr bench/errors_group.lua "$lines")
drain_says=$("$VENV/bin/python" bench/errors_drain3.py "$lines" 2>/dev/null)
true_n=$(jq '.templates | length' "$truth")

json=$out/errors-hyperfine.json
hyperfine -N --style none --warmup 1 --runs "$RUNS" --export-json "$json" \
    -n tinkr "bin/tinkr bench/errors_group.lua $lines" \
    -n drain3 "$VENV/bin/python bench/errors_drain3.py $lines" >/dev/null 2>&1
cpu_ms() { jq -r --arg n "$1" '.results[] | select(.command == $n) | (.user + .system) * 1000' "$json"; }
t=$(cpu_ms tinkr) d=$(cpu_ms drain3)
awk -v t="$t" -v d="$d" -v ts="${tinkr_says%% *}" -v ds="${drain_says%% *}" -v tn="$true_n" 'BEGIN {
    printf "bench errors: tinkr %.1f ms, drain3 %.1f ms, ratio %.1f (signatures: tinkr %d, drain3 %d, true %d; %s lines, CPU time)\n",
        t, d, d / t, ts, ds, tn, "'"$LINES"'" }'
