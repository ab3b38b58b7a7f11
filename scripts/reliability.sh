#!/usr/bin/env bash
# make reliability: the fault scenarios of Tests/ReliabilityTests against the real sharebus binary, in their long
# versions, each suite bounded in time; the figures are rendered into docs/reliability.md.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "make reliability needs root: the disk-full scenario mounts a tmpfs and the I/O-error one attaches strace" >&2
  exit 1
fi

report=$(mktemp -d /tmp/sharebus-reliability.XXXXXX)
trap 'rm -rf "$report"' EXIT
export SHAREBUS_RELIABILITY=full
export SHAREBUS_RELIABILITY_REPORT="$report"

# suite id:seconds allowed
suites=(
  "HistoryCheckerTests:300"
  "CrashScenarioTests:1200"
  "DiskFullTests:900"
  "SyncFailureTests:900"
  "ClockJumpTests:600"
  "SlowPeerTests:900"
  "AuditTamperTests:300"
)

failed=0
for entry in "${suites[@]}"; do
  suite=${entry%%:*}
  limit=${entry##*:}
  echo "== $suite (at most ${limit}s)"
  started=$(date +%s)
  timeout --kill-after=30 "$limit" swift test --skip-build --filter "ReliabilityTests.$suite" >"$report/$suite.log" 2>&1
  status=$?
  echo "$status $(( $(date +%s) - started ))" >"$report/$suite.status"
  tail -n 3 "$report/$suite.log"
  if [ "$status" != 0 ]; then
    failed=1
    echo "!! $suite failed (exit $status); its log:" >&2
    grep -E "✘|error" "$report/$suite.log" | head -n 40 >&2
  fi
done

if [ -x scripts/schemathesis.sh ]; then
  echo "== scripts/schemathesis.sh"
  SCHEMATHESIS_BUILD=0 scripts/schemathesis.sh || failed=1
fi

python3 scripts/reliability-report.py "$report" docs/reliability.md || failed=1
echo "wrote docs/reliability.md"
exit $failed
