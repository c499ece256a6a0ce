#!/usr/bin/env bash
# Throughput under the portal's rate limit, this SDK against fast-bitrix24 (Python).
#
#   bash bench/throughput.sh [--rate 2] [--burst 50] [--deletes 2000] [--items 10000]
#
# Installs fast-bitrix24 into a venv under target/ (if pip cannot, the peer is skipped and the
# script says so), builds bench/src/bin/throughput.rs with BENCH_PROFILE (default release) and
# runs it; raw numbers are appended to bench/results/throughput-<date>.txt (or BENCH_RESULTS).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
profile=${BENCH_PROFILE:-release}
venv=$root/target/bench-venv
# Pinned, so that a new release of the peer does not change the figures unnoticed.
peer_version=1.8.14
results=${BENCH_RESULTS:-$root/bench/results}
mkdir -p "$results"

python=()
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import fast_bitrix24' 2>/dev/null &&
    [ "$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("fast-bitrix24"))')" = "$peer_version" ]; then
    python=(--python "$venv/bin/python")
elif python3 -m venv "$venv" >/dev/null 2>&1 &&
    "$venv/bin/pip" install --quiet --disable-pip-version-check "fast-bitrix24==$peer_version" >"$venv.log" 2>&1; then
    python=(--python "$venv/bin/python")
else
    echo "NOTE: could not install fast-bitrix24 $peer_version into $venv (see $venv.log); the peer is not run" >&2
fi

cargo build --quiet --profile "$profile" -p bitrix-bench --bin throughput
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
dir=$profile
[ "$profile" != dev ] || dir=debug
"$target_dir/$dir/throughput" "${python[@]}" --peer bench/peer.py \
    --out "$results/throughput-$(date +%F).txt" "$@"
