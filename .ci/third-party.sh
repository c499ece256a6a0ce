#!/usr/bin/env bash
# A third-party client against the mock binary: builds bitrix-mock, starts it with --json and a
# seeded store, installs fast-bitrix24 from PyPI into a throwaway venv and runs the calls of
# bitrix-mock/tests/clients/fast_bitrix24_check.py. Exits non-zero if any call is not answered
# as a portal would.
#
# FAST_BITRIX24 picks the requirement (default: the latest release).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
work=$(mktemp -d)
mock_pid=
cleanup() {
    if [ -n "$mock_pid" ]; then
        kill "$mock_pid" 2>/dev/null || true
        wait "$mock_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

cd "$root"
cargo build --quiet -p bitrix-mock --bin bitrix-mock
"$target/debug/bitrix-mock" --json --seed crm.item=120 >"$work/portal.json" 2>"$work/portal.log" &
mock_pid=$!

# The one stdout line appears once the portal listens.
for _ in $(seq 100); do
    [ -s "$work/portal.json" ] && break
    if ! kill -0 "$mock_pid" 2>/dev/null; then
        echo "third-party: the mock exited early:" >&2
        cat "$work/portal.log" >&2
        exit 1
    fi
    sleep 0.1
done
if [ ! -s "$work/portal.json" ]; then
    echo "third-party: the mock printed no line within 10 s:" >&2
    cat "$work/portal.log" >&2
    exit 1
fi
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "${FAST_BITRIX24:-fast-bitrix24}"
echo "third-party: $("$work/venv/bin/pip" show fast-bitrix24 | grep -E '^(Name|Version):' | tr '\n' ' ')"
BITRIX_MOCK_JSON=$work/portal.json "$work/venv/bin/python" bitrix-mock/tests/clients/fast_bitrix24_check.py
