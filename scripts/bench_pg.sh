# Sourced by scripts/bench.sh: W1 and W3 with the PostgreSQL store, on one node and on three.
#
# A throw-away cluster: `initdb` in its own temp folder (owned by the `postgres` user when this runs
# as root, since the server refuses to run as root), a free port, listening on 127.0.0.1 only, and
# PostgreSQL's durable defaults (fsync = on, synchronous_commit = on: a 201 means the commit is
# flushed there too). The platform is made with the CLI against the database, like an operator
# would (`pki init`, `dept add`, `catalog import` with `--store`), then `sharebus serve --store`
# nodes share it, each on its own port. Everything is stopped by `cleanup` (stop_nodes, stop_pg).

PG_DIR="" PG_BIN="" PG_PORT="" PG_URL=""
NODE_PIDS=()

as_postgres() {
    if [[ $(id -u) == 0 ]]; then /usr/sbin/runuser -u postgres -- "$@"; else "$@"; fi
}

start_pg() {
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sharebus-bench-pg.XXXXXX")
    PG_PORT=$($SUPPORT free-port)
    [[ $(id -u) == 0 ]] && chown -R postgres:postgres "$PG_DIR"
    as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$PG_DIR/initdb.log" 2>&1 ||
        { cat "$PG_DIR/initdb.log" >&2; say "initdb failed"; return 1; }
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start \
        -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200" >/dev/null ||
        { tail -20 "$PG_DIR/server.log" >&2; say "PostgreSQL did not start"; return 1; }
    "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q -c "CREATE DATABASE sharebus_bench" || return 1
    PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/sharebus_bench"
    # The settings that decide what a commit costs, as the report states them.
    "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -At -F $'\t' -c \
        "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method', 'full_page_writes',
         'shared_buffers', 'wal_buffers', 'commit_delay', 'max_connections') ORDER BY name" |
        python3 -c 'import json,sys; s=dict(l.rstrip("\n").split("\t") for l in sys.stdin if l.strip());
print(json.dumps({"version": sys.argv[1], "settings": s}))' "$("$PG_BIN/postgres" --version)" >"$RESULTS/pg.json"
    say "PostgreSQL $(cat "$RESULTS/pg.json")"
}

stop_pg() {
    [[ -n "$PG_DIR" ]] || return 0
    if [[ -f "$PG_DIR/data/postmaster.pid" ]]; then
        as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 stop >/dev/null 2>&1 || {
            local pid
            pid=$(head -1 "$PG_DIR/data/postmaster.pid" 2>/dev/null || true)
            [[ -n "$pid" ]] && kill -QUIT "$pid" 2>/dev/null
        }
    fi
    if [[ "${BENCH_KEEP:-}" == 1 ]]; then say "kept $PG_DIR"; else rm -rf "$PG_DIR"; fi
    PG_DIR=""
}

# start_node N PORT: `sharebus serve` on the shared store, its own (unused) data folder.
start_node() {
    local n=$1 port=$2
    "$BUS" serve --store "$PG_URL" --certs "$PG_CERTS" --data "$WORK/pg-node$n" --host 127.0.0.1 --port "$port" \
        --log-level warning $SERVE_EXTRA >"$WORK/pg-node$n.out" 2>"$WORK/pg-node$n.err" &
    NODE_PIDS+=($!)
    local pid=$!
    for _ in $(seq 1 300); do
        if curl -sf --cacert "$PG_CERTS/ca.pem" --cert "$PG_CERTS/departments/bench.c1/cert.pem" \
            --key "$PG_CERTS/departments/bench.c1/key.pem" "https://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || { tail -20 "$WORK/pg-node$n.err" >&2; say "node $n exited"; return 1; }
        sleep 0.1
    done
    say "node $n did not become ready in 30 s"
    return 1
}

stop_nodes() {
    local pid
    for pid in "${NODE_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${NODE_PIDS[@]}"; do
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    NODE_PIDS=()
}

# The platform in the database, with the CLI: PKI, the departments, the bench catalog.
pg_platform() {
    local P="--store $PG_URL --certs $PG_CERTS --data $WORK/pg-unused" n=0 i
    $BUS pki init $P --dns localhost --ip 127.0.0.1 || return 1
    for i in $(seq 1 $PROVIDERS); do
        n=$((n + 1))
        $BUS dept add $P --id "bench.p$i" --name "基准提供方$i" --credit-code "$($SUPPORT credit-code $n)" --level municipal \
            --division 640100 --role provider || return 1
    done
    for i in $(seq 1 $CONSUMERS); do
        n=$((n + 1))
        $BUS dept add $P --id "bench.c$i" --name "基准使用方$i" --credit-code "$($SUPPORT credit-code $n)" --level municipal \
            --division 640100 --role consumer || return 1
    done
    $BUS catalog import $P "$WORK/catalog" || return 1
}

# pg_run NAME LIMIT COMMAND...: `run`, and PostgreSQL's CPU over it (the server and its backends)
# added to the result as pg_cpu_cores.
pg_run() {
    local name=$1 postmaster a b t0 t1
    postmaster=$(head -1 "$PG_DIR/data/postmaster.pid")
    a=$($SUPPORT tree-cpu "$postmaster" 2>/dev/null || echo "")
    t0=$(date +%s.%N)
    run "$@"
    t1=$(date +%s.%N)
    b=$($SUPPORT tree-cpu "$postmaster" 2>/dev/null || echo "")
    if [[ -n "$a" && -n "$b" ]]; then
        $SUPPORT annotate "$RESULTS/$name.json" pg_cpu_cores "$(python3 -c "print(round(($b - $a) / ($t1 - $t0), 2))")" || true
    fi
}

run_pg_workloads() {
    start_pg || { echo '{"error": "PostgreSQL did not start"}' >"$RESULTS/pg.json"; stop_pg; return 0; }
    PG_CERTS=$WORK/pg-certs
    if ! pg_platform >"$WORK/pg-setup.log" 2>&1; then
        tail -20 "$WORK/pg-setup.log" >&2
        say "the PostgreSQL platform could not be made; the PostgreSQL rows are skipped"
        echo '{"error": "sharebus pki init/dept add/catalog import --store failed"}' >"$RESULTS/w1-pg1-1op.json"
        stop_pg
        return 0
    fi
    local D=$PG_CERTS/departments ports=() urls="" k
    for k in 1 2 3; do ports+=("$($SUPPORT free-port)"); done
    local providers=""; for i in $(seq 1 $PROVIDERS); do providers="$providers --provider $D/bench.p$i:bench.ingest$i"; done
    local limit=$((W1_WARMUP + W1_SECONDS + 60)) w3limit=$((W3_COUNT / 5 + 60))

    start_node 1 "${ports[0]}" || { stop_nodes; stop_pg; return 0; }
    say "PostgreSQL store, 1 node: https://127.0.0.1:${ports[0]} (pid ${NODE_PIDS[0]})"
    urls="https://127.0.0.1:${ports[0]}"
    pg_run w1-pg1-1op $limit "$BENCH" ingest --url "$urls" --cacert "$PG_CERTS/ca.pem" --bus-pid "${NODE_PIDS[0]}" $providers \
        --connections 64 --ops 1 --warmup "$W1_WARMUP" --duration "$W1_SECONDS" --key-prefix pg1a
    pg_run w1-pg1-100op $limit "$BENCH" ingest --url "$urls" --cacert "$PG_CERTS/ca.pem" --bus-pid "${NODE_PIDS[0]}" $providers \
        --connections 64 --ops 100 --warmup "$W1_WARMUP" --duration "$W1_SECONDS" --key-prefix pg1b
    pg_run w3-pg1 $w3limit "$BENCH" latency --url "$urls" --cacert "$PG_CERTS/ca.pem" --bus-pid "${NODE_PIDS[0]}" \
        --provider "$D/bench.p1:bench.latency" --consumer "$D/bench.c1" --count "$W3_COUNT" --pace-ms 20

    # Two more nodes beside the first; the load generator spreads its connections over the three
    # (round robin per connection), and W3 pushes to node 1 while the long-poll waits on node 2.
    if start_node 2 "${ports[1]}" && start_node 3 "${ports[2]}"; then
        say "PostgreSQL store, 3 nodes: ports ${ports[*]} (pids ${NODE_PIDS[*]})"
        urls="https://127.0.0.1:${ports[0]},https://127.0.0.1:${ports[1]},https://127.0.0.1:${ports[2]}"
        local pids="--bus-pid ${NODE_PIDS[0]} --other-pid ${NODE_PIDS[1]} --other-pid ${NODE_PIDS[2]}"
        pg_run w1-pg3-1op $limit "$BENCH" ingest --url "$urls" --cacert "$PG_CERTS/ca.pem" $pids $providers \
            --connections 64 --ops 1 --warmup "$W1_WARMUP" --duration "$W1_SECONDS" --key-prefix pg3a
        pg_run w1-pg3-100op $limit "$BENCH" ingest --url "$urls" --cacert "$PG_CERTS/ca.pem" $pids $providers \
            --connections 64 --ops 100 --warmup "$W1_WARMUP" --duration "$W1_SECONDS" --key-prefix pg3b
        pg_run w3-pg3 $w3limit "$BENCH" latency --url "$urls" --cacert "$PG_CERTS/ca.pem" $pids \
            --provider "$D/bench.p1:bench.latency" --consumer "$D/bench.c2" --count "$W3_COUNT" --pace-ms 20
    fi
    stop_nodes
    "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -At -c \
        "SELECT json_build_object('database_mb', pg_database_size('sharebus_bench') / 1048576)" >"$RESULTS/pg-store.json" || true
    stop_pg
}
