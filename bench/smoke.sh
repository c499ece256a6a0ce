#!/usr/bin/env bash
# Every benchmark in a quick mode, for CI: each program must run and check its results; the
# figures are not compared with the targets. Exits non-zero if any benchmark program fails.
#
# To keep CI short, the per-call and throughput programs are built with the dev profile (the
# profile the test step already built their dependencies with), so their figures say nothing;
# bench/README.md has the real ones and the commands that produce them.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
failed=()
# Smoke figures are not results: they go beside the build, not into bench/results.
export BENCH_RESULTS=$root/target/bench-smoke

run() {
    local name=$1
    shift
    printf '\n-- %s\n' "$name"
    local t0=$SECONDS
    if "$@"; then
        echo "-- $name: ok ($((SECONDS - t0)) s)"
    else
        echo "-- $name: FAILED ($((SECONDS - t0)) s)" >&2
        failed+=("$name")
    fi
}

run "throughput: rate 50/s, burst 10, 200 deletes, 500 items, peer included" \
    env BENCH_PROFILE=dev bash bench/throughput.sh --rate 50 --burst 10 --deletes 200 --items 500
run "per-call cost: 3 samples of 3" \
    cargo bench --quiet --profile dev -p bitrix-bench --bench per_call -- --sample-count 3 --sample-size 3
run "the client at the limit: 100/s, burst 10" \
    cargo run --quiet -p bitrix-bench --bin limits -- --rate 100 --burst 10 --calls 100 --tasks 5 --deletes 100 --items 300
run "compile-time scaling: N=5, without the -Z measurements" \
    env BENCH_QUICK=1 bash bench/compile.sh 5

if [ ${#failed[@]} -gt 0 ]; then
    printf '\nfailed: %s\n' "${failed[*]}" >&2
    exit 1
fi
printf '\nall benchmarks ran\n'
