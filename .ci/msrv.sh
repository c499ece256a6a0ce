#!/usr/bin/env bash
# The declared rust-version, kept honest with one toolchain: clippy's `incompatible_msrv` lint
# refuses standard-library APIs newer than it, and no locked dependency may declare a newer one
# (the MSRV-aware resolver, `resolver = "3"`, picks such versions when the lock file is updated).
set -euo pipefail
cd "$(dirname "$0")/.."

msrv=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)
echo "declared rust-version: $msrv"
grep -q '^resolver = "3"' Cargo.toml || { echo 'Cargo.toml: resolver = "3" (MSRV-aware) expected'; exit 1; }

cargo clippy --workspace --all-targets -- -D clippy::incompatible_msrv

metadata=$(mktemp)
trap 'rm -f "$metadata"' EXIT
cargo metadata --format-version 1 --locked >"$metadata"
python3 - "$msrv" "$metadata" <<'PY'
import json, sys

def version(v):
    parts = [int(x) for x in v.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))

msrv = sys.argv[1]
packages = json.load(open(sys.argv[2]))["packages"]
newer = [
    "{} {} needs Rust {}".format(p["name"], p["version"], p["rust_version"])
    for p in packages
    if p.get("rust_version") and version(p["rust_version"]) > version(msrv)
]
if newer:
    print("dependencies newer than the declared rust-version:", *newer, sep="\n  ")
    sys.exit(1)
print("{} packages, none declares a rust-version above {}".format(len(packages), msrv))
PY
