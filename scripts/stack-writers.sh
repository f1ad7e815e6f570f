# Real OTel writers for scripts/stack (sourced by it; not run on its own).
#
#   scripts/stack up --writers          all of the below
#   scripts/stack up --collector        Collector v0.165.0 + the Prometheus it remote-writes
#                                       to + the ss4o bridge (logs/traces into OpenSearch)
#   scripts/stack up --jaeger           Jaeger v2 writing spans into the stack's OpenSearch
#   scripts/stack up --prom3[=S,S]      Prometheus 3.16 OTLP receivers, one per translation
#                                       strategy (default: all four)
#   scripts/stack up --victoria         VictoriaMetrics v1.151.0 with OTLP ingestion
#
# The binaries come from scripts/build-writers (built on first use, cached
# outside the tree).  Every writer listens on 127.0.0.1 on a free port, runs
# with a small Go memory limit, and is stopped by `scripts/stack down`.
# `--collector` with `--jaeger` also forwards the Collector's traces to Jaeger
# (and its logs to a second ss4o bridge beside Jaeger's spans).
#
# The writers do not write into the stack's OpenSearch: there the sample
# data occupies tinkr's default patterns (otel-logs-*, otel-traces-*), so a
# user's zero-configuration start could never be reproduced.  Each writer
# pipeline gets a small OpenSearch node of its own, empty when it starts:
#   writers/opensearch-ss4o     the product document's pipeline: the ss4o
#                               bridge's `otel-logs` and `otel-traces`
#                               (TINKR_WRITERS_OPENSEARCH_URL)
#   writers/opensearch-jaeger   Jaeger v2's `jaeger-span-*` (and, with the
#                               Collector, its logs in `otel-logs`)
#                               (TINKR_JAEGER_OPENSEARCH_URL)

WR_DIR=$STACK_DIR/writers
WR_GOMEMLIMIT=${TINKR_WRITER_GOMEMLIMIT:-192MiB}
WR_START_TIMEOUT=60
WR_OS_HEAP=${TINKR_WRITER_OS_HEAP:-320m}
PROM3_STRATEGIES=(UnderscoreEscapingWithSuffixes UnderscoreEscapingWithoutSuffixes
    NoUTF8EscapingWithSuffixes NoTranslation)
# Export names per strategy: TINKR_PROM3_<KEY>_URL (the default strategy also as TINKR_PROM3_URL).
declare -A PROM3_KEY=(
    [UnderscoreEscapingWithSuffixes]=UNDERSCORE [UnderscoreEscapingWithoutSuffixes]=NO_SUFFIX
    [NoUTF8EscapingWithSuffixes]=UTF8 [NoTranslation]=NO_TRANSLATION
)

WRITERS_WANTED=()       # filled by writers_parse_flags

# Parses `up` flags; returns 1 on an unknown one.
writers_parse_flags() {
    local arg s
    for arg in "$@"; do
        case $arg in
        --writers) WRITERS_WANTED+=(collector jaeger victoria)
            for s in "${PROM3_STRATEGIES[@]}"; do WRITERS_WANTED+=("prom3:$s"); done ;;
        --collector) WRITERS_WANTED+=(collector) ;;
        --jaeger) WRITERS_WANTED+=(jaeger) ;;
        --victoria) WRITERS_WANTED+=(victoria) ;;
        --prom3) for s in "${PROM3_STRATEGIES[@]}"; do WRITERS_WANTED+=("prom3:$s"); done ;;
        --prom3=*)
            IFS=, read -ra list <<<"${arg#--prom3=}"
            for s in "${list[@]}"; do
                [[ -n ${PROM3_KEY[$s]:-} ]] ||
                    die "unknown translation strategy '$s' (one of: ${PROM3_STRATEGIES[*]})"
                WRITERS_WANTED+=("prom3:$s")
            done ;;
        *) return 1 ;;
        esac
    done
}

writer_bin() {
    local path
    path=$("$ROOT/scripts/build-writers" --path "$1" 2>/dev/null) && { echo "$path"; return; }
    say "building $1 from Go modules (first time on this machine; a few minutes)"
    "$ROOT/scripts/build-writers" "$1" >&2 || die "could not build $1 (see the line above)"
    "$ROOT/scripts/build-writers" --path "$1"
}

wr_url() { echo "http://127.0.0.1:$(<"$WR_DIR/$1/port")"; }
wr_running() { our_pid "$WR_DIR/$1" >/dev/null; }

# A writer pipeline's own OpenSearch ($1: its dir name), small heap, same
# version and runner as the stack's (start_opensearch has resolved and
# compiled it).  Launched without waiting (wr_os_wait), so two start together;
# a fresh start has no indices, so what tinkr finds there is the writer's.
wr_os_launch() {
    local name=$1 dir=$WR_DIR/$1 port tport props=()
    wr_running "$name" && return 0
    rm -rf "$dir/home"
    mkdir -p "$dir/home"
    port=$(pick_port "$2")
    tport=$(pick_port "$3")
    echo "$port" >"$dir/port"
    echo "$tport" >"$dir/transport_port"
    date +%s%3N >"$dir/started"
    [[ $OS_VERSION == 1.* ]] && props+=(-Dtinkr.default.replicas=false)
    launch "$dir" "$dir/log" "$JAVA" -Xms$WR_OS_HEAP -Xmx$WR_OS_HEAP -XX:+UseG1GC -XX:TieredStopAtLevel=1 \
        -Djava.awt.headless=true -Dfile.encoding=UTF-8 "${props[@]}" \
        -cp "$OS_DIR/classes:$(<"$OS_DIR/classpath.txt")" TinkrOpenSearchNode "$dir/home" "$port" "$tport"
}

wr_os_wait() {
    local name=$1 dir=$WR_DIR/$1 pid deadline url
    [[ -f $dir/started ]] || return 0            # already running before this `up`
    pid=$(<"$dir/pid")
    url=$(wr_url "$name")
    deadline=$(( $(now_ms) + OS_START_TIMEOUT * 1000 ))
    # listener_is_ours (scripts/stack): another stack may have taken the port.
    until listener_is_ours "$pid" "$(<"$dir/port")" &&
        curl -fsS -m 3 "$url/_cluster/health?wait_for_status=yellow&timeout=2s" >/dev/null 2>&1; do
        kill -0 "$pid" 2>/dev/null || die "$name exited while starting (port taken by another process meanwhile?); log: $dir/log"
        if (( $(now_ms) > deadline )); then
            stop_service "$name" "$dir"
            die "$name not ready after ${OS_START_TIMEOUT}s; log: $dir/log"
        fi
        sleep 0.3
    done
    # One node never places replicas: without this the bridge's indices are yellow.
    if [[ $OS_VERSION != 1.* ]]; then
        curl -fsS -m 10 -X PUT -H 'Content-Type: application/json' "$url/_cluster/settings" \
            -d '{"persistent":{"cluster.default_number_of_replicas":0}}' >/dev/null ||
            die "could not set cluster.default_number_of_replicas on $name; log: $dir/log"
    fi
    say "$name (OpenSearch $OS_VERSION, heap $WR_OS_HEAP) ready at $url ($(since "$(<"$dir/started")"))"
    rm -f "$dir/started"
}

# Waits until our process listens on port $3 and GET $2 answers 2xx, or
# dies with the log's last line.
wr_wait() {
    local name=$1 url=$2 port=$3 dir=$WR_DIR/$1 pid deadline
    pid=$(<"$dir/pid")
    deadline=$(( $(now_ms) + WR_START_TIMEOUT * 1000 ))
    until listener_is_ours "$pid" "$port" && curl -fsS -m 2 "$url" >/dev/null 2>&1; do
        if ! kill -0 "$pid" 2>/dev/null; then
            die "$name exited while starting: $(grep -m1 -iE 'error|fatal|panic' "$dir/log" | cut -c1-300) (log: $dir/log)"
        fi
        if (( $(now_ms) > deadline )); then
            stop_service "$name" "$dir"
            die "$name not ready after ${WR_START_TIMEOUT}s; log: $dir/log"
        fi
        sleep 0.2
    done
}

# Prometheus 3: $1 = service dir name, then extra flags.
start_prom3_like() {
    local name=$1 base=$2 bin port t0 dir=$WR_DIR/$1
    shift 2
    wr_running "$name" && return 0
    bin=$(writer_bin prometheus)
    mkdir -p "$dir/data"
    port=$(pick_port "$base")
    echo "$port" >"$dir/port"
    t0=$(now_ms)
    GOMEMLIMIT=$WR_GOMEMLIMIT launch "$dir" "$dir/log" "$bin" --config.file="$dir/prometheus.yml" \
        --storage.tsdb.path="$dir/data" --web.listen-address="127.0.0.1:$port" "$@"
    wr_wait "$name" "$(wr_url "$name")/-/ready" "$port"
    say "$name ready at $(wr_url "$name") ($(since "$t0"))"
}

start_prom3() {
    local strategy=$1 name=prom3-$1
    mkdir -p "$WR_DIR/$name"
    # examples/prometheus/otlp.yml with this instance's strategy
    sed "s/^\(  translation_strategy:\).*/\1 $strategy/" "$ROOT/examples/prometheus/otlp.yml" \
        >"$WR_DIR/$name/prometheus.yml"
    grep -q "translation_strategy: $strategy\$" "$WR_DIR/$name/prometheus.yml" ||
        die "examples/prometheus/otlp.yml has no translation_strategy line to set"
    start_prom3_like "$name" 19290 --web.enable-otlp-receiver
}

start_promrw() {
    mkdir -p "$WR_DIR/promrw"
    cp "$ROOT/examples/prometheus/remote-write.yml" "$WR_DIR/promrw/prometheus.yml"
    start_prom3_like promrw 19190 --web.enable-remote-write-receiver
}

start_victoria() {
    local dir=$WR_DIR/victoria bin port t0
    wr_running victoria && return 0
    bin=$(writer_bin victoria-metrics)
    mkdir -p "$dir/data"
    port=$(pick_port 18428)
    echo "$port" >"$dir/port"
    t0=$(now_ms)
    # latencyOffset: by default the newest 30 s are hidden from queries.
    GOMEMLIMIT=$WR_GOMEMLIMIT launch "$dir" "$dir/log" "$bin" -storageDataPath="$dir/data" \
        -httpListenAddr="127.0.0.1:$port" -retentionPeriod=100y -memory.allowedBytes=128MiB \
        -search.latencyOffset=0s -loggerLevel=WARN
    wr_wait victoria "$(wr_url victoria)/health" "$port"
    say "victoria-metrics ready at $(wr_url victoria) ($(since "$t0"))"
}

# $1: the bridge's dir name, $2: the writers' OpenSearch it writes into.
start_bridge() {
    local name=$1 dir=$WR_DIR/$1 port
    wr_running "$name" && return 0
    mkdir -p "$dir"
    port=$(pick_port 14340)
    echo "$port" >"$dir/port"
    launch "$dir" "$dir/log" python3 "$ROOT/scripts/ss4o_bridge.py" --listen "127.0.0.1:$port" \
        --opensearch "$(wr_url "$2")" --logs-index otel-logs --traces-index otel-traces --state "$dir"
    # the bridge answers 404 on GET /: wait for the socket instead
    local deadline=$(( $(now_ms) + WR_START_TIMEOUT * 1000 ))
    until listener_is_ours "$(<"$dir/pid")" "$port" && curl -sS -m 2 -o /dev/null "$(wr_url "$name")/" 2>/dev/null; do
        kill -0 "$(<"$dir/pid")" 2>/dev/null || die "ss4o bridge $name exited; log: $dir/log"
        (( $(now_ms) < deadline )) || die "ss4o bridge $name not listening; log: $dir/log"
        sleep 0.1
    done
}

start_jaeger() {
    local dir=$WR_DIR/jaeger bin grpc http query qgrpc t0
    wr_running jaeger && return 0
    bin=$(writer_bin jaeger)
    mkdir -p "$dir"
    grpc=$(pick_port 14417); http=$(pick_port $((grpc + 1)))
    query=$(pick_port 16686); qgrpc=$(pick_port $((query + 1)))
    echo "$http" >"$dir/port"
    echo "$grpc" >"$dir/grpc_port"
    echo "$query" >"$dir/query_port"
    cp "$ROOT/examples/jaeger/config-opensearch.yaml" "$dir/config.yaml"
    t0=$(now_ms)
    # OTEL_TRACES_SAMPLER=always_off: Jaeger's query service would otherwise
    # trace itself to localhost:4317, which may be someone else's Collector.
    OTEL_TRACES_SAMPLER=always_off OPENSEARCH_URL=$(wr_url opensearch-jaeger) JAEGER_OTLP_GRPC=127.0.0.1:$grpc JAEGER_OTLP_HTTP=127.0.0.1:$http \
    JAEGER_QUERY_HTTP=127.0.0.1:$query JAEGER_QUERY_GRPC=127.0.0.1:$qgrpc GOMEMLIMIT=$WR_GOMEMLIMIT \
        launch "$dir" "$dir/log" "$bin" --config "$dir/config.yaml"
    wr_wait jaeger "http://127.0.0.1:$query/api/services" "$query"
    say "jaeger ready: OTLP $(wr_url jaeger), query http://127.0.0.1:$query ($(since "$t0"))"
}

start_collector() {
    local dir=$WR_DIR/collector bin grpc http t0 configs traces_to=ss4o beside_jaeger=
    wr_running collector && return 0
    bin=$(writer_bin otelcol)
    mkdir -p "$dir"
    grpc=$(pick_port 14317); http=$(pick_port $((grpc + 1)))
    echo "$http" >"$dir/port"
    echo "$grpc" >"$dir/grpc_port"
    cp "$ROOT/examples/collector/stack.yaml" "$dir/stack.yaml"
    configs=(--config "$dir/stack.yaml")
    if wr_running jaeger; then
        start_bridge bridge-jaeger opensearch-jaeger
        beside_jaeger=$(wr_url bridge-jaeger)
        cp "$ROOT/examples/collector/to-jaeger.yaml" "$dir/to-jaeger.yaml"
        configs+=(--config "$dir/to-jaeger.yaml")
        traces_to="ss4o + jaeger"
    fi
    t0=$(now_ms)
    COLLECTOR_OTLP_GRPC=127.0.0.1:$grpc COLLECTOR_OTLP_HTTP=127.0.0.1:$http \
    SS4O_BRIDGE_URL=$(wr_url bridge) SS4O_JAEGER_BRIDGE_URL=$beside_jaeger PROMETHEUS_REMOTE_WRITE_URL=$(wr_url promrw)/api/v1/write \
    JAEGER_OTLP_GRPC=127.0.0.1:$(cat "$WR_DIR/jaeger/grpc_port" 2>/dev/null || echo 1) \
    GOMEMLIMIT=$WR_GOMEMLIMIT launch "$dir" "$dir/log" "$bin" "${configs[@]}"
    # the OTLP/HTTP receiver answers 405 to GET: any HTTP answer means it is up
    local deadline=$(( $(now_ms) + WR_START_TIMEOUT * 1000 ))
    until listener_is_ours "$(<"$dir/pid")" "$http" && curl -sS -m 2 -o /dev/null "http://127.0.0.1:$http/v1/logs" 2>/dev/null; do
        kill -0 "$(<"$dir/pid")" 2>/dev/null ||
            die "collector exited while starting: $(grep -m1 -iE 'error' "$dir/log" | cut -c1-300) (log: $dir/log)"
        (( $(now_ms) < deadline )) || { stop_service collector "$dir"; die "collector not ready; log: $dir/log"; }
        sleep 0.2
    done
    say "collector ready: OTLP $(wr_url collector); logs -> ss4o bridge, traces -> $traces_to, metrics -> $(wr_url promrw) ($(since "$t0"))"
}

writers_up() {
    local w
    [[ ${#WRITERS_WANTED[@]} -gt 0 ]] || return 0
    mkdir -p "$WR_DIR"
    # The writers' OpenSearch nodes start side by side, then the writers.
    local os_nodes=()
    for w in "${WRITERS_WANTED[@]}"; do
        case $w in
        collector) os_nodes+=(opensearch-ss4o) ;;
        jaeger) os_nodes+=(opensearch-jaeger) ;;
        esac
    done
    local port=19220 tport=19320
    for w in "${os_nodes[@]}"; do
        wr_os_launch "$w" "$port" "$tport"
        # the next node's search starts past this one's ports (not yet bound)
        port=$(( $(<"$WR_DIR/$w/port") + 1 )); tport=$(( $(<"$WR_DIR/$w/transport_port") + 1 ))
    done
    for w in "${os_nodes[@]}"; do wr_os_wait "$w"; done
    # Jaeger first: the Collector forwards traces to it when it runs.
    for w in "${WRITERS_WANTED[@]}"; do [[ $w == jaeger ]] && start_jaeger; done
    for w in "${WRITERS_WANTED[@]}"; do
        case $w in
        collector) start_promrw; start_bridge bridge opensearch-ss4o; start_collector ;;
        victoria) start_victoria ;;
        prom3:*) start_prom3 "${w#prom3:}" ;;
        esac
    done
    return 0
}

writers_env() {
    local s
    if wr_running collector; then
        echo "export TINKR_COLLECTOR_OTLP_URL=$(wr_url collector)"
        echo "export TINKR_COLLECTOR_PROMETHEUS_URL=$(wr_url promrw)"
    fi
    wr_running opensearch-ss4o && echo "export TINKR_WRITERS_OPENSEARCH_URL=$(wr_url opensearch-ss4o)"
    wr_running opensearch-jaeger && echo "export TINKR_JAEGER_OPENSEARCH_URL=$(wr_url opensearch-jaeger)"
    if wr_running jaeger; then
        echo "export TINKR_JAEGER_OTLP_URL=$(wr_url jaeger)"
        echo "export TINKR_JAEGER_QUERY_URL=http://127.0.0.1:$(<"$WR_DIR/jaeger/query_port")"
    fi
    for s in "${PROM3_STRATEGIES[@]}"; do
        wr_running "prom3-$s" || continue
        echo "export TINKR_PROM3_${PROM3_KEY[$s]}_URL=$(wr_url "prom3-$s")"
        [[ $s == UnderscoreEscapingWithSuffixes ]] && echo "export TINKR_PROM3_URL=$(wr_url "prom3-$s")"
    done
    wr_running victoria && echo "export TINKR_VICTORIA_URL=$(wr_url victoria)"
    return 0
}

writers_names() {
    local d
    [[ -d $WR_DIR ]] || return 0
    for d in "$WR_DIR"/*/; do [[ -f $d/pid ]] && basename "$d"; done
    return 0
}

writers_status() {
    local name pid
    for name in $(writers_names); do
        if pid=$(our_pid "$WR_DIR/$name"); then
            echo "$name: running, $(wr_url "$name"), pid $pid, RSS $(rss_mib "$pid")"
        else
            echo "$name: stopped"
        fi
    done
}

writers_down() {
    local name
    # The Collector first, so it flushes into writers that still run.
    wr_running collector && stop_service collector "$WR_DIR/collector"
    for name in $(writers_names); do stop_service "$name" "$WR_DIR/$name"; done
    return 0
}
