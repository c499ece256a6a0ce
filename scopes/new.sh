#!/usr/bin/env bash
# Makes the crate of a new scope, so that specs/<scope>/*.yaml become `bitrix_api::<scope>`:
#
#   bash scopes/new.sh <scope>
#
# It writes scopes/<scope>/ (the crate `bitrix-api-<scope>`: a manifest, a build script that
# watches specs/<scope>/, and a lib.rs that is one `bitrix_scope!` call), adds the crate to the
# workspace dependencies, and gives bitrix-api a cargo feature of the scope's name, on by
# default. Running it again for an existing scope changes nothing. Methods are added to a scope
# by adding YAML files to specs/<scope>/, with no step of this kind.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scope=${1:-}
if ! [[ $scope =~ ^[a-z][a-z0-9_]*$ ]]; then
    echo "error: usage: bash scopes/new.sh <scope>; a scope is lower case letters, digits and _ (it is a Rust module name), got \"$scope\"" >&2
    exit 2
fi
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -1)
dir=$root/scopes/$scope
mkdir -p "$dir/src" "$root/specs/$scope"
[ -e "$dir/specs" ] || ln -s ../../specs "$dir/specs"
[ -e "$dir/Cargo.toml" ] || cat >"$dir/Cargo.toml" <<TOML
[package]
name = "bitrix-api-$scope"
description = "The methods of the Bitrix24 REST scope \`$scope\` for bitrix-api, generated from their YAML specs."
version.workspace = true
edition.workspace = true
rust-version.workspace = true
license.workspace = true
repository.workspace = true
keywords.workspace = true
categories = ["api-bindings"]
# Lets the build script tell bitrix-api how many methods and events the scope has.
links = "bitrix-api-$scope"
include = ["src/**", "build.rs", "specs/$scope/**"]

[lib]
# Generated code has no tests or doc examples of its own: the generic tests over every spec
# are in tests/, and a doctest run would expand the whole scope once more.
test = false
doctest = false

[dependencies]
# The runtime, under the name the generated code uses for it.
bitrix_api.workspace = true

[lints]
workspace = true
TOML
[ -e "$dir/build.rs" ] || cat >"$dir/build.rs" <<RUST
//! The specs are read by the \`bitrix_scope!\` macro, which cargo does not watch: a spec added to,
//! changed in or removed from specs/$scope/ reruns this, and with it the crate's build. It also
//! counts the scope's methods and events for bitrix-api's docs (\`DEP_BITRIX_API_${scope^^}_*\`).
fn main() {
    let dir = "specs/$scope";
    println!("cargo::rerun-if-changed={dir}");
    let count = |dir: &str| {
        std::fs::read_dir(dir).map_or(0, |d| {
            d.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "yaml"))
                .count()
        })
    };
    println!("cargo::metadata=methods={}", count(dir));
    println!("cargo::metadata=events={}", count(&format!("{dir}/events")));
}
RUST
[ -e "$dir/src/lib.rs" ] || cat >"$dir/src/lib.rs" <<RUST
//! The methods of the Bitrix24 REST scope \`$scope\`, one per spec in \`specs/$scope/\` (the list:
//! [\`METHODS\`]). Use them through \`bitrix-api\` and its cargo feature \`$scope\`, as
//! \`bitrix_api::$scope\`.

bitrix_api::bitrix_scope!("$scope");
RUST
# The workspace's dependency on the crate, after the marker line.
if ! grep -q "^bitrix-api-$scope = " "$root/Cargo.toml"; then
    sed -i "/^# Scope crates: scopes\/new.sh adds one here.$/a bitrix-api-$scope = { path = \"scopes/$scope\", version = \"$version\" }" "$root/Cargo.toml"
fi
api=$root/bitrix-api/Cargo.toml
if ! grep -q "^$scope = \[\"dep:bitrix-api-$scope\"\]$" "$api"; then
    sed -i "/^# Scope features: scopes\/new.sh adds one here.$/a $scope = [\"dep:bitrix-api-$scope\"]" "$api"
    sed -i "/^# Scope crates: scopes\/new.sh adds one here.$/a bitrix-api-$scope = { workspace = true, optional = true }" "$api"
    sed -i "s/^default = \[\(.*\)\]$/default = [\1, \"$scope\"]/; s/^default = \[, /default = [/" "$api"
fi
echo "scopes/$scope: the crate bitrix-api-$scope, feature \`$scope\` of bitrix-api (default)"
