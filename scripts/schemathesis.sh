#!/usr/bin/env bash
# Property-based API testing of the bus against its own OpenAPI document (docs/openapi.json) with
# schemathesis: starts `sharebus serve --dev` on a temporary data folder, PKI and port, then runs
# schemathesis over mutual TLS once per identity (a department and an operator, with their
# development certificates) with the checks `not_a_server_error` and `response_schema_conformance`.
# Fails if any run finds a 5xx or an answer that breaks the document. The bus is stopped and the
# temporary folder removed at the end; reports stay in .build/schemathesis/. Long polls (`wait`
# up to 30 s) need the 45 s request timeout.
#
#   scripts/schemathesis.sh                          both identities, 30 examples an operation
#   SCHEMATHESIS_EXAMPLES=200 scripts/schemathesis.sh
#   SCHEMATHESIS_IDENTITIES="departments/yc.psb operators/ops" scripts/schemathesis.sh
#   SCHEMATHESIS_BUILD=0 scripts/schemathesis.sh      use the binary already built
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN="${SHAREBUS_BIN:-$ROOT/.build/debug/sharebus}"
EXAMPLES="${SCHEMATHESIS_EXAMPLES:-30}"
IDENTITIES=(${SCHEMATHESIS_IDENTITIES:-departments/yc.bigdata operators/ops})
CHECKS="${SCHEMATHESIS_CHECKS:-not_a_server_error,response_schema_conformance}"
REPORTS="$ROOT/.build/schemathesis"

if [ "${SCHEMATHESIS_BUILD:-1}" != 0 ]; then
    swift build --product sharebus 2>&1 | tail -3
fi
if ! command -v schemathesis >/dev/null 2>&1; then
    python3 -m pip install --quiet schemathesis
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/sharebus-schemathesis.XXXXXX")"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
PID=""
cleanup() {
    if [ -n "$PID" ]; then
        kill "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "== starting sharebus serve --dev on port $PORT (data and PKI in $WORK)"
# No per-caller rate limit (schemathesis sends many requests a second) and no local listener.
"$BIN" serve --dev --data "$WORK/data" --certs "$WORK/certs" --catalogs "$ROOT/Catalogs" \
    --port "$PORT" --metrics-port 0 --rate-limit 0 --log-level warning >"$WORK/serve.log" 2>&1 &
PID=$!
for _ in $(seq 1 120); do
    grep -q "sharebus is serving" "$WORK/serve.log" 2>/dev/null && break
    kill -0 "$PID" 2>/dev/null || { cat "$WORK/serve.log"; echo "sharebus exited"; exit 1; }
    sleep 0.5
done
grep -q "sharebus is serving" "$WORK/serve.log" || { cat "$WORK/serve.log"; echo "sharebus did not start"; exit 1; }

mkdir -p "$REPORTS"
# schemathesis keeps its cache (.schemathesis/) in the working folder: keep it out of the tree.
cd "$REPORTS"
status=0
for identity in "${IDENTITIES[@]}"; do
    name="${identity//\//-}"
    echo "== schemathesis as $identity ($EXAMPLES examples an operation; checks $CHECKS)"
    if ! schemathesis run "$ROOT/docs/openapi.json" \
        --url "https://localhost:$PORT" \
        --tls-verify "$WORK/certs/ca.pem" \
        --request-cert "$WORK/certs/$identity/cert.pem" --request-cert-key "$WORK/certs/$identity/key.pem" \
        --checks "$CHECKS" \
        --phases examples,coverage,fuzzing \
        --max-examples "$EXAMPLES" --seed 2026 --workers 2 --request-timeout 45 \
        --suppress-health-check all \
        --report junit --report-junit-path "$REPORTS/$name.xml" \
        --output-truncate true; then
        status=1
        echo "!! schemathesis found problems as $identity (report $REPORTS/$name.xml)"
    fi
done
if grep -qiE "fatal|panic" "$WORK/serve.log"; then
    echo "!! the bus logged a crash:"
    grep -iE "fatal|panic" "$WORK/serve.log" | head
    status=1
fi
exit $status
