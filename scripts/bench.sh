#!/usr/bin/env bash
# make bench / make bench-quick: build the bus and the load generator in release mode, set up a
# throw-away platform (PKI, departments, a bench catalog) in a temp folder, start `sharebus serve`,
# RabbitMQ and nginx on 127.0.0.1 (free ports), run the workloads with time bounds, stop everything,
# and write the report.
#
#   scripts/bench.sh           full run (about 12 minutes once built): W1-W6 on SQLite, then W1 and W3 on
#                              PostgreSQL with one and with three nodes; docs/benchmarks.md + .json
#   scripts/bench.sh --quick   W1, W4 and a 50,000-record W5, briefly (under two minutes once built);
#                              report in .build-bench/quick/ (docs/ is left alone)
#
# One workload alone, shortly: BENCH_ONLY (comma-separated: ceiling, w1, w2, w3, w4, w5, w6, pg) runs only
# those (with the RabbitMQ references they are compared with) and writes the report to .build-bench/only/;
# BENCH_SECONDS sets the measured seconds of W1, W2, W4 and each W6 phase, BENCH_W3_COUNT the W3 round
# trips, BENCH_W5_RECORDS the W5 backlog. E.g. `BENCH_ONLY=w6 BENCH_SECONDS=5 scripts/bench.sh --quick`.
#
# Environment: SHAREBUS_BIN (use this bus binary, skip its build; BENCH_BUS_LABEL and BENCH_BUS_COMMIT
# say in the report what it is and which commit it was built from), BENCH_BUS_CONFIG (release|debug),
# BENCH_BUS_SOURCE=head (build the committed HEAD, exported with `git archive` into .build-release-head/,
# instead of the work tree, e.g. while others' edits are half done), BENCH_KEEP=1 (keep the temp
# folder), BENCH_OUT (folder of the report).
set -euo pipefail

MODE=full
[[ "${1:-}" == "--quick" ]] && MODE=quick
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SUPPORT="python3 $ROOT/scripts/bench_support.py"
CONFIG=${BENCH_BUS_CONFIG:-release}

if [[ $MODE == quick ]]; then
    W1_WARMUP=1 W1_SECONDS=5 CEILING_SECONDS=1 W4_WARMUP=1 W4_SECONDS=5 W5_RECORDS=50000 W5_MAX_SECONDS=40 FSYNC_SECONDS=1
    W2_SECONDS=5 W3_COUNT=100 W6_SECONDS=5
    ONLY=${BENCH_ONLY:-ceiling,w1,w4,w5}
    OUT_DIR=${BENCH_OUT:-$ROOT/.build-bench/quick}
else
    W1_WARMUP=3 W1_SECONDS=20 CEILING_SECONDS=4 W4_WARMUP=2 W4_SECONDS=20 W5_RECORDS=1000000 W5_MAX_SECONDS=420 FSYNC_SECONDS=3
    W2_SECONDS=15 W3_COUNT=500 W6_SECONDS=15
    ONLY=${BENCH_ONLY:-ceiling,w1,w2,w3,w4,w5,w6,pg}
    OUT_DIR=${BENCH_OUT:-$ROOT/docs}
fi
if [[ -n "${BENCH_SECONDS:-}" ]]; then
    W1_SECONDS=$BENCH_SECONDS W2_SECONDS=$BENCH_SECONDS W4_SECONDS=$BENCH_SECONDS W6_SECONDS=$BENCH_SECONDS
fi
W3_COUNT=${BENCH_W3_COUNT:-$W3_COUNT}
W5_RECORDS=${BENCH_W5_RECORDS:-$W5_RECORDS}
# W6's steady phase: envelopes a second, well below what one provider can push (W1).
W6_RATE=${BENCH_W6_RATE:-100}
# A partial run never overwrites the report of a whole one.
[[ -n "${BENCH_ONLY:-}" && -z "${BENCH_OUT:-}" ]] && OUT_DIR=$ROOT/.build-bench/only
wants() { [[ ",$ONLY," == *",$1,"* ]]; }
# RabbitMQ is the reference of W1, W3 and W6, and the PostgreSQL rows reuse W1's and W3's.
needs_rabbit() { wants w1 || wants w3 || wants w6 || wants pg; }
PROVIDERS=8
CONSUMERS=10

say() { printf 'bench: %s\n' "$*" >&2; }

# ---- what the comparison needs, from Debian's packages ----
missing=""
for pkg in rabbitmq-server librabbitmq-dev nginx libsqlite3-dev openssl curl; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
if [[ -n "$missing" ]]; then
    say "installing$missing"
    SUDO=""; [[ $(id -u) == 0 ]] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

if wants pg && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    say "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin (make deps installs them); the PostgreSQL rows are skipped"
    ONLY=${ONLY//pg/}
fi

# ---- builds ----
if [[ -n "${SHAREBUS_BIN:-}" ]]; then
    BUS=$SHAREBUS_BIN
    CONFIG=${BENCH_BUS_LABEL:-"prebuilt ($SHAREBUS_BIN)"}
elif [[ "${BENCH_BUS_SOURCE:-}" == head ]]; then
    say "building sharebus $(git rev-parse --short HEAD) (release, .build-release-head)"
    rm -rf .build-release-head/src && mkdir -p .build-release-head/src
    git archive HEAD | tar -x -C .build-release-head/src
    swift build -c release --package-path .build-release-head/src --scratch-path .build-release-head/build --product sharebus >&2
    BUS=$ROOT/.build-release-head/build/release/sharebus
    CONFIG="release, committed HEAD $(git rev-parse --short HEAD)"
elif [[ $CONFIG == release ]]; then
    say "building sharebus (release, .build-release)"
    swift build -c release --scratch-path .build-release --product sharebus >&2
    BUS=$ROOT/.build-release/release/sharebus
else
    say "building sharebus (debug)"
    swift build --product sharebus >&2
    BUS=$ROOT/.build/debug/sharebus
fi
say "building sharebus-bench (release, .build-bench)"
swift build -c release --package-path Benchmarks --scratch-path .build-bench >&2
BENCH=$ROOT/.build-bench/release/sharebus-bench
cc -O2 -Wall -o .build-bench/amqp-bench Benchmarks/amqp/amqp-bench.c -lrabbitmq -lpthread
AMQP=$ROOT/.build-bench/amqp-bench

# ---- a temp folder for everything, removed on exit; every started process stopped ----
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sharebus-bench.XXXXXX")
RESULTS=$WORK/results
mkdir -p "$RESULTS"
BUS_PID="" NGINX_CONF="" RABBIT_STARTED=""
stop_bus() {
    if [[ -n "$BUS_PID" ]] && kill -0 "$BUS_PID" 2>/dev/null; then
        kill -TERM "$BUS_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$BUS_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$BUS_PID" 2>/dev/null || true
        wait "$BUS_PID" 2>/dev/null || true
    fi
    BUS_PID=""
}
stop_rabbit() {
    [[ -n "$RABBIT_STARTED" ]] || return 0
    local pid="" p
    [[ -f "$WORK/rabbit/rabbit.pid" ]] && pid=$(cat "$WORK/rabbit/rabbit.pid" 2>/dev/null || true)
    rabbit_env /usr/lib/rabbitmq/bin/rabbitmqctl -n "$RABBIT_NODE" stop >/dev/null 2>&1 || true
    if [[ -n "$pid" ]]; then
        for _ in $(seq 1 100); do [[ -d "/proc/$pid" ]] || break; sleep 0.1; done
        # Still there (it did not answer `stop`): the node's own beam process, found by its pid file.
        if grep -q "${RABBIT_NODE%@*}" "/proc/$pid/cmdline" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    fi
    # The private epmd started for this node, on its own port; `epmd -kill` refuses while a node is
    # registered, so it comes after the node, and any epmd left listening on that port is ended by pid.
    rabbit_env epmd -kill >/dev/null 2>&1 || true
    for p in $(pgrep -x epmd || true); do
        if { tr '\0' '\n' <"/proc/$p/environ"; } 2>/dev/null | grep -qx "ERL_EPMD_PORT=$EPMD_PORT"; then kill "$p" 2>/dev/null || true; fi
    done
    RABBIT_STARTED=""
}
stop_nginx() {
    if [[ -n "$NGINX_CONF" && -f "$WORK/nginx/nginx.pid" ]]; then
        kill -QUIT "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null || true
        sleep 0.5
    fi
    NGINX_CONF=""
}
cleanup() {
    set +e
    stop_bus
    stop_nodes
    stop_pg
    stop_nginx
    stop_rabbit
    if [[ "${BENCH_KEEP:-}" == 1 ]]; then say "kept $WORK"; else rm -rf "$WORK"; fi
}
# ---- PostgreSQL: a throw-away cluster (bench_pg.sh), its `sharebus serve` nodes ----
source "$ROOT/scripts/bench_pg.sh"
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the machine, measured on the spot ----
$SUPPORT machine "$WORK" > "$RESULTS/machine.json"
$SUPPORT fsync "$WORK" "$FSYNC_SECONDS" > "$RESULTS/fsync.json"
cat > "$RESULTS/run.json" <<JSON
{"mode": "$MODE", "only": "${BENCH_ONLY:-}", "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)", "commit": "${BENCH_BUS_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}",
 "dirty": $( [[ "${BENCH_BUS_SOURCE:-}" != head && -n "$(git status --porcelain -- Sources Package.swift 2>/dev/null)" ]] && echo true || echo false ),
 "bus_build": "$CONFIG", "swift": "$(swift --version 2>/dev/null | head -1 | sed 's/"/\\"/g')",
 "rabbitmq": "$(dpkg-query -W -f='${Version}' rabbitmq-server)", "erlang": "$(dpkg-query -W -f='${Version}' erlang-base 2>/dev/null || echo '?')",
 "nginx": "$(dpkg-query -W -f='${Version}' nginx)", "librabbitmq": "$(dpkg-query -W -f='${Version}' librabbitmq-dev)"}
JSON
say "machine: $(cat "$RESULTS/machine.json")"
say "disk: $(cat "$RESULTS/fsync.json")"

# ---- the platform: PKI, departments, the bench catalog ----
DATA=$WORK/data CERTS=$WORK/certs
S="--data $DATA --certs $CERTS"
$BUS pki init $S --dns localhost --ip 127.0.0.1 >/dev/null
n=0
for i in $(seq 1 $PROVIDERS); do
    n=$((n + 1))
    $BUS dept add $S --id "bench.p$i" --name "基准提供方$i" --credit-code "$($SUPPORT credit-code $n)" --level municipal \
        --division 640100 --role provider >/dev/null
done
for i in $(seq 1 $CONSUMERS); do
    n=$((n + 1))
    $BUS dept add $S --id "bench.c$i" --name "基准使用方$i" --credit-code "$($SUPPORT credit-code $n)" --level municipal \
        --division 640100 --role consumer >/dev/null
done
$SUPPORT catalog "$WORK/catalog" $PROVIDERS
$BUS catalog import $S "$WORK/catalog" >/dev/null
DEPT=$CERTS/departments
CA=$CERTS/ca.pem

# ---- the bus ----
BUS_PORT=$($SUPPORT free-port)
BUS_URL=https://127.0.0.1:$BUS_PORT
# No local metrics listener (its default port may be taken by a developer's bus), where the build has one.
SERVE_EXTRA=""
SERVE_HELP=$("$BUS" serve --help 2>/dev/null || true)
grep -q -- --metrics-port <<<"$SERVE_HELP" && SERVE_EXTRA="--metrics-port 0"
# The workloads measure the bus, not its throttles: the per-caller request limit off, and the
# verification throttle (W4: one consumer, 64 connections, 1,000 keys) far above what is offered.
grep -q -- --rate-limit <<<"$SERVE_HELP" && SERVE_EXTRA="$SERVE_EXTRA --rate-limit 0"
# W6: the webhook is the load generator on 127.0.0.1, serving a certificate of the platform CA
# (which the bus's push client trusts), so loopback is allowed and the system roots are not needed.
grep -q -- --webhook-allow <<<"$SERVE_HELP" && SERVE_EXTRA="$SERVE_EXTRA --webhook-allow 127.0.0.1 --no-webhook-system-roots"
grep -q -- --verify-rate <<<"$SERVE_HELP" &&
    SERVE_EXTRA="$SERVE_EXTRA --verify-rate 1000000 --verify-burst 1000000 --verify-key-rate 1000000 --verify-key-burst 1000000"
start_bus() {
    "$BUS" serve $S --host 127.0.0.1 --port "$BUS_PORT" --log-level warning $SERVE_EXTRA >"$WORK/bus.out" 2>"$WORK/bus.err" &
    BUS_PID=$!
    for _ in $(seq 1 300); do
        if curl -sf --cacert "$CA" --cert "$DEPT/bench.c1/cert.pem" --key "$DEPT/bench.c1/key.pem" "$BUS_URL/readyz" >/dev/null 2>&1; then
            return 0
        fi
        kill -0 "$BUS_PID" 2>/dev/null || { cat "$WORK/bus.err" >&2; say "the bus exited"; exit 1; }
        sleep 0.1
    done
    say "the bus did not become ready in 30 s"; exit 1
}
start_bus
say "sharebus serving $BUS_URL (pid $BUS_PID)"

# ---- RabbitMQ: a private node (own ports, own folders, own epmd) in the temp folder ----
start_rabbit() {
    RABBIT_PORT=$($SUPPORT free-port)
    RABBIT_NODE=sharebus-bench-$$@localhost
    EPMD_PORT=$($SUPPORT free-port)
    DIST_PORT=$($SUPPORT free-port)
    mkdir -p "$WORK/rabbit/home" "$WORK/rabbit/mnesia" "$WORK/rabbit/log"
    echo '[].' > "$WORK/rabbit/enabled_plugins"
    echo '[].' > "$WORK/rabbit/advanced.config"
    : > "$WORK/rabbit/rabbitmq.conf"
    : > "$WORK/rabbit/rabbitmq-env.conf"
    rabbit_env() {
        env HOME="$WORK/rabbit/home" RABBITMQ_NODENAME="$RABBIT_NODE" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
            RABBITMQ_NODE_PORT="$RABBIT_PORT" RABBITMQ_DIST_PORT="$DIST_PORT" ERL_EPMD_PORT="$EPMD_PORT" ERL_EPMD_ADDRESS=127.0.0.1 \
            RABBITMQ_MNESIA_BASE="$WORK/rabbit/mnesia" RABBITMQ_LOG_BASE="$WORK/rabbit/log" RABBITMQ_PID_FILE="$WORK/rabbit/rabbit.pid" \
            RABBITMQ_ENABLED_PLUGINS_FILE="$WORK/rabbit/enabled_plugins" RABBITMQ_CONFIG_FILE="$WORK/rabbit/rabbitmq" \
            RABBITMQ_ADVANCED_CONFIG_FILE="$WORK/rabbit/advanced.config" RABBITMQ_CONF_ENV_FILE="$WORK/rabbit/rabbitmq-env.conf" "$@"
    }
    RABBIT_STARTED=1
    (rabbit_env setsid /usr/lib/rabbitmq/bin/rabbitmq-server >"$WORK/rabbit/log/stdout" 2>&1 &)
    # await_startup fails at once while the node is not yet registered with epmd: retry, 120 s at most.
    rabbit_up=""
    for _ in $(seq 1 60); do
        if rabbit_env timeout 120 /usr/lib/rabbitmq/bin/rabbitmqctl -n "$RABBIT_NODE" await_startup >/dev/null 2>&1; then rabbit_up=1; break; fi
        sleep 2
    done
    if [[ -z "$rabbit_up" ]]; then
        tail -20 "$WORK/rabbit/log/stdout" >&2; say "RabbitMQ did not start"; exit 1
    fi
    say "RabbitMQ $(cat "$WORK/rabbit/log/stdout" | grep -o 'RabbitMQ [0-9.]*' | head -1) on 127.0.0.1:$RABBIT_PORT"
}
# (started only when a selected workload is compared with it)
if needs_rabbit; then start_rabbit; fi

# ---- nginx: a fixed verify answer over mutual TLS with the bus's own certificates ----
NGINX_PORT=$($SUPPORT free-port)
mkdir -p "$WORK/nginx/logs"
cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    server {
        listen 127.0.0.1:$NGINX_PORT ssl;
        ssl_certificate $CERTS/bus/server.pem;
        ssl_certificate_key $CERTS/bus/server-key.pem;
        ssl_client_certificate $CA;
        ssl_verify_client on;
        ssl_protocols TLSv1.2 TLSv1.3;
        location / {
            default_type application/json;
            return 200 '{"result":"match","fields":{"f0":true,"f1":true},"evidence":"eyJhbGciOiJFUzI1NiJ9.e30.c2lnbmF0dXJl"}';
        }
    }
}
CONF
if wants w4; then
    NGINX_CONF=$WORK/nginx/nginx.conf
    nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" -e "$WORK/nginx/logs/error.log"
    say "nginx on 127.0.0.1:$NGINX_PORT (pid $(cat "$WORK/nginx/nginx.pid"))"
fi

# ---- the workloads; each bounded by its own time limit, each failure recorded, not fatal ----
T="--url $BUS_URL --cacert $CA"
run() { # run NAME TIMEOUT_SECONDS COMMAND...
    local name=$1 limit=$2; shift 2
    say "running $name"
    if ! timeout --kill-after=10 "$limit" "$@" >"$RESULTS/$name.json" 2>"$RESULTS/$name.err"; then
        tail -5 "$RESULTS/$name.err" >&2
        python3 -c 'import json,sys; print(json.dumps({"error": open(sys.argv[1]).read()[-800:]}))' "$RESULTS/$name.err" >"$RESULTS/$name.json"
        say "$name failed"
    fi
}
W1P=""; for i in $(seq 1 $PROVIDERS); do W1P="$W1P --provider $DEPT/bench.p$i:bench.ingest$i"; done

wants ceiling && run ceiling 60 "$BENCH" ceiling --seconds "$CEILING_SECONDS"
W1_LIMIT=$((W1_WARMUP + W1_SECONDS + 60))
if wants w1; then
    run w1-bus-1op $W1_LIMIT "$BENCH" ingest $T --bus-pid "$BUS_PID" $W1P --connections 64 --ops 1 --warmup "$W1_WARMUP" --duration "$W1_SECONDS" --key-prefix w1a
    run w1-bus-100op $W1_LIMIT "$BENCH" ingest $T --bus-pid "$BUS_PID" $W1P --connections 64 --ops 100 --warmup "$W1_WARMUP" --duration "$W1_SECONDS" --key-prefix w1b
fi
if wants w1 || wants pg; then
    run w1-rabbit-1 $W1_LIMIT "$AMQP" publish --port "$RABBIT_PORT" --threads 64 --size 1024 --batch 1 --warmup "$W1_WARMUP" --duration "$W1_SECONDS"
    run w1-rabbit-100 $W1_LIMIT "$AMQP" publish --port "$RABBIT_PORT" --threads 64 --size 1024 --batch 100 --warmup "$W1_WARMUP" --duration "$W1_SECONDS"
fi

if wants w2; then
    W2C=""; for i in $(seq 1 $CONSUMERS); do W2C="$W2C --consumer $DEPT/bench.c$i"; done
    run w2-bus $((W2_SECONDS + 100)) "$BENCH" fanout $T --bus-pid "$BUS_PID" --provider "$DEPT/bench.p1:bench.fanout" $W2C --connections 4 --ops 100 \
        --duration "$W2_SECONDS" --drain-seconds 40
fi
W3_LIMIT=$((W3_COUNT / 5 + 60))
wants w3 && run w3-bus $W3_LIMIT "$BENCH" latency $T --bus-pid "$BUS_PID" --provider "$DEPT/bench.p1:bench.latency" --consumer "$DEPT/bench.c1" \
    --count "$W3_COUNT" --pace-ms 20
if wants w3 || wants pg; then
    run w3-rabbit $W3_LIMIT "$AMQP" roundtrip --port "$RABBIT_PORT" --size 1024 --count "$W3_COUNT" --pace-ms 20
fi
# W6: a push subscription to a webhook in the load generator (the bus's server certificate, issued by
# the platform CA, with client certificates of that CA required), 1-op envelopes at a steady rate, then
# in bulk from 8 connections; RabbitMQ's push consumer (basic.consume, manual acks, prefetch 100) of
# the same messages, at the same rate and then from 8 publishers.
if wants w6; then
    W6_LIMIT=$((2 * W6_SECONDS + 150))
    run w6-bus $W6_LIMIT "$BENCH" push $T --bus-pid "$BUS_PID" --provider "$DEPT/bench.p1:bench.push" --consumer "$DEPT/bench.c5" \
        --receiver-cert "$CERTS/bus/server.pem" --receiver-key "$CERTS/bus/server-key.pem" --rate "$W6_RATE" \
        --steady-seconds "$W6_SECONDS" --bulk-seconds "$W6_SECONDS" --bulk-connections 8 --drain-seconds 60
    run w6-rabbit-steady $((W6_SECONDS + 60)) "$AMQP" consume --port "$RABBIT_PORT" --size 1024 --threads 4 --rate "$W6_RATE" \
        --duration "$W6_SECONDS" --drain 30
    run w6-rabbit-bulk $((W6_SECONDS + 60)) "$AMQP" consume --port "$RABBIT_PORT" --size 1024 --threads 8 --rate 0 \
        --duration "$W6_SECONDS" --drain 30
fi
stop_rabbit

if wants w4; then
    # W4: 1,000 records to look up, then 64 connections against the bus and against nginx.
    run w4-seed 120 "$BENCH" ingest $T --provider "$DEPT/bench.p1:bench.lookup" --connections 1 --ops 100 --records 1000 --duration 60 \
        --key-prefix lookup
    W4_LIMIT=$((W4_WARMUP + W4_SECONDS + 60))
    run w4-bus $W4_LIMIT "$BENCH" lookup $T --bus-pid "$BUS_PID" --consumer "$DEPT/bench.c2" --resource bench.lookup --keys 1000 \
        --key-prefix lookup-0 --connections 64 --warmup "$W4_WARMUP" --duration "$W4_SECONDS"
    # The query route as well: the same lookup without the verification routes' throttle.
    run w4-bus-query $W4_LIMIT "$BENCH" lookup $T --bus-pid "$BUS_PID" --consumer "$DEPT/bench.c4" --resource bench.lookup --keys 1000 \
        --key-prefix lookup-0 --route query --connections 64 --warmup "$W4_WARMUP" --duration "$W4_SECONDS"
    run w4-nginx $W4_LIMIT "$BENCH" lookup --url "https://127.0.0.1:$NGINX_PORT" --cacert "$CA" --consumer "$DEPT/bench.c2" \
        --resource bench.lookup --route verify --no-subscribe --connections 64 --warmup "$W4_WARMUP" --duration "$W4_SECONDS"
    stop_nginx
fi

if wants w5; then
    # W5: a fresh bus process (same store), so its peak RSS is this workload's own.
    stop_bus
    start_bus
    run w5-bus $((2 * W5_MAX_SECONDS + 60)) "$BENCH" backlog $T --bus-pid "$BUS_PID" --provider "$DEPT/bench.p1:bench.backlog" \
        --consumer "$DEPT/bench.c3" --records "$W5_RECORDS" --connections 8 --ops 100 --max-push-seconds "$W5_MAX_SECONDS" \
        --max-drain-seconds "$W5_MAX_SECONDS"
fi
du -sm "$DATA" | awk '{print "{\"store_mb\": " $1 "}"}' > "$RESULTS/store.json"
stop_bus

# PostgreSQL: W1 and W3 against one node, then against three nodes on the same database.
wants pg && run_pg_workloads

# The disk again, now that the run is over: on a shared machine its flush rate moves.
$SUPPORT fsync "$WORK" "$FSYNC_SECONDS" > "$RESULTS/fsync-end.json"

mkdir -p "$OUT_DIR"
python3 "$ROOT/scripts/bench_render.py" "$RESULTS" "$OUT_DIR/benchmarks.md" "$OUT_DIR/benchmarks.json"
say "wrote $OUT_DIR/benchmarks.md and $OUT_DIR/benchmarks.json"
[[ $MODE == quick ]] && sed -n '/^## Summary/,/^## /p' "$OUT_DIR/benchmarks.md" | head -30
exit 0
