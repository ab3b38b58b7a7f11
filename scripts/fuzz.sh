#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ (scratch path .build-fuzz) and runs each one in turn for
# FUZZ_SECONDS (default 60) from its committed seeds in Fuzz/Corpus/<target>/. New corpus entries
# go to .build-fuzz/corpus/<target>/, never to the committed folder. A crash, a broken invariant,
# a leak or a timeout stops the run with a non-zero status and leaves the reproducer in
# .build-fuzz/artifacts/<target>/ (rerun it with: .build-fuzz/debug/<target> <file>).
#
#   scripts/fuzz.sh                      build, then run every target
#   scripts/fuzz.sh FuzzJWS FuzzRecord   only these
#   FUZZ_SECONDS=300 scripts/fuzz.sh     longer runs
#   FUZZ_BUILD=0 scripts/fuzz.sh         skip the build
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SCRATCH="$ROOT/.build-fuzz"
SECONDS_EACH="${FUZZ_SECONDS:-60}"
ALL=(FuzzJWS FuzzStrictJSON FuzzCanonicalJSON FuzzIdentifiers FuzzRecord)
TARGETS=("${@:-${ALL[@]}}")
[ $# -gt 0 ] || TARGETS=("${ALL[@]}")

if [ "${FUZZ_BUILD:-1}" != 0 ]; then
    echo "== building fuzz targets (-sanitize=fuzzer) in $SCRATCH"
    # Serial build: the fuzz build is CPU-heavy and shares the machine.
    mkdir -p "$SCRATCH"
    if ! swift build --package-path Fuzz --scratch-path "$SCRATCH" -j "${FUZZ_JOBS:-2}" \
        -Xswiftc -sanitize=fuzzer >"$SCRATCH/build.log" 2>&1; then
        grep -E "error:" "$SCRATCH/build.log" | head -20 || tail -30 "$SCRATCH/build.log"
        echo "fuzz build failed; full log: $SCRATCH/build.log"
        exit 1
    fi
fi
BIN="$(swift build --package-path Fuzz --scratch-path "$SCRATCH" --show-bin-path)"

# Swift's own backtracer would catch the trap of a broken invariant first and exit before libFuzzer
# saves the input; with it off, libFuzzer's signal handler writes the reproducer.
export SWIFT_BACKTRACE=enable=no
status=0
for target in "${TARGETS[@]}"; do
    seeds="$ROOT/Fuzz/Corpus/$target"
    work="$SCRATCH/corpus/$target"
    artifacts="$SCRATCH/artifacts/$target"
    mkdir -p "$work" "$artifacts"
    [ -d "$seeds" ] || { echo "no seed corpus $seeds"; exit 1; }
    echo "== $target for ${SECONDS_EACH}s (seeds $(ls "$seeds" | wc -l), corpus $work)"
    # The first corpus folder receives new entries; the committed seeds are only read.
    if "$BIN/$target" "$work" "$seeds" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
        -max_len=8192 -print_final_stats=1 -artifact_prefix="$artifacts/" >"$SCRATCH/$target.log" 2>&1; then
        grep -E "^(Done|stat::number_of_executed_units|stat::peak_rss_mb)|cov:" "$SCRATCH/$target.log" | tail -4
    else
        status=1
        echo "!! $target failed; reproducer(s):"
        ls -1 "$artifacts"
        grep -E "invariant broken|Fatal error|ERROR: libFuzzer|SUMMARY" "$SCRATCH/$target.log" | head -5
        echo "   full log: $SCRATCH/$target.log"
    fi
done
exit $status
