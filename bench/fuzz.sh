#!/usr/bin/env bash
# Fuzzing, outside the default test run: the form decoder, the handler payloads, the REST
# envelope and batch reply decoders, and the spec loader, FUZZ_CASES cases each (100,000 unless
# set), from FUZZ_SEED (a fixed seed unless set). Each target prints its cases, panics and time;
# any panic fails the run and shows the input and where it panicked.
#
#   bash bench/fuzz.sh                                  # the full run, release build
#   FUZZ_CASES=2000 FUZZ_PROFILE=dev bash bench/fuzz.sh # the short run CI makes
#   FUZZ_SEED=$RANDOM bash bench/fuzz.sh                # other inputs than the last run's
#   bash bench/fuzz.sh fuzz_spec_loader                 # one target
set -euo pipefail
cd "$(dirname "$0")/.."
export FUZZ_CASES=${FUZZ_CASES:-100000}
profile=${FUZZ_PROFILE:-release}
# The tests themselves are #[ignore]d so that `cargo test --workspace` skips them.
cargo test --quiet --profile "$profile" -p bitrix-bench --test fuzz -- \
    --ignored --nocapture --test-threads 2 "${1:-fuzz_}" 2>&1 | grep -v '^$'
