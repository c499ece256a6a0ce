#!/usr/bin/env bash
# An official Bitrix24 SDK against the mock binary: builds bitrix-mock, starts it over HTTPS
# (--tls; both SDKs call https://<domain>/rest/...) with --json and seeded contacts, installs the
# SDK into a throwaway directory and runs its calls. Exits non-zero if any call is not answered
# as a portal would.
#
#   .ci/third-party-sdk.sh b24pysdk   # the Python SDK from PyPI, in a venv (B24PYSDK: requirement)
#   .ci/third-party-sdk.sh b24jssdk   # the JS SDK from npm, on Node (B24JSSDK: package spec)
set -euo pipefail

sdk=${1:-}
case "$sdk" in
    b24pysdk | b24jssdk) ;;
    *)
        echo "usage: $0 b24pysdk|b24jssdk" >&2
        exit 2
        ;;
esac

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
"$target/debug/bitrix-mock" --json --tls --seed crm.contact=120 >"$work/portal.json" 2>"$work/portal.log" &
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
cert=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["certificate_path"])' "$work/portal.json")
clients=$root/bitrix-mock/tests/clients

case "$sdk" in
    b24pysdk)
        python3 -m venv "$work/venv"
        "$work/venv/bin/pip" install --quiet --disable-pip-version-check "${B24PYSDK:-b24pysdk}"
        echo "third-party: $("$work/venv/bin/pip" show b24pysdk | grep -E '^(Name|Version):' | tr '\n' ' ')"
        # requests reads the certificate to trust from REQUESTS_CA_BUNDLE.
        REQUESTS_CA_BUNDLE=$cert BITRIX_MOCK_JSON=$work/portal.json \
            "$work/venv/bin/python" "$clients/b24pysdk_check.py"
        ;;
    b24jssdk)
        mkdir "$work/node"
        cp "$clients/b24jssdk_check.mjs" "$work/node/"
        (cd "$work/node" && npm init --yes >/dev/null &&
            npm install --silent --no-audit --no-fund "${B24JSSDK:-@bitrix24/b24jssdk}" >/dev/null)
        echo "third-party: @bitrix24/b24jssdk $(node -p 'require(process.argv[1]).version' "$work/node/node_modules/@bitrix24/b24jssdk/package.json")"
        # Node adds NODE_EXTRA_CA_CERTS to its trusted roots at start.
        NODE_EXTRA_CA_CERTS=$cert BITRIX_MOCK_JSON=$work/portal.json \
            node "$work/node/b24jssdk_check.mjs"
        ;;
esac
