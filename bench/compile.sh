#!/usr/bin/env bash
# Compile-time scaling of bitrix-api with the number of method specs.
#
#   bash bench/compile.sh [N...]        (default: 100 500 1500)
#
# For N = 0 and each given N, in a scratch copy of the workspace whose specs/ holds the real
# specs plus N synthetic ones (bench/src/bin/gen_specs.rs), spread over scopes synth01, synth02,
# ... in the proportions of the reference's scopes, each made a crate by scopes/new.sh as a
# maintainer would, it measures with CARGO_INCREMENTAL=0:
#   check, build   `cargo check|build -p bitrix-api` after touching every scope crate and
#                  bitrix-api: wall time (the scope crates build in parallel), and peak RSS from
#                  /usr/bin/time -v (the largest single process: the rustc of the largest
#                  scope). Dependencies, bitrix-core, bitrix-spec and bitrix-macros are built
#                  beforehand and reused; the scope crates' build scripts are built once per N.
#   lines/method   non-blank lines of `-Zunpretty=expanded` over all scope crates, minus those
#                  at N = 0, over N; the raw line also has them over every method built
#                  (`lines_per_method_all`), which at N = 0 is the API as specs/ holds it
#   expand s       the `expand_crate` pass of `-Ztime-passes`, summed over the scope crates
#   per-method ms  (build s at N - build s at 0) / N
#   scope alone    `--no-default-features --features synthetic` (the new scopes) against
#                  `--features imbot`
# The -Z measurements need RUSTC_BOOTSTRAP=1; if they fail they are reported as n/a.
#
# BENCH_SHAPES picks the synthetic specs' mix: `reference` (the default) has the averages per spec
# of specs/ (schema nodes, objects, enums, errors; `python3 bench/shapes.py specs <dir>` compares
# them), `dense` gives every spec the full template of its verb (2.2 times the nodes, 3.6 times the
# objects of the average real spec), the mix of the rounds before the fourth.
# BENCH_SPECS=copies makes the N methods by copying the real specs into extra scopes (copy001,
# copy002, ..., one for each scope of specs/ in turn, with its specs and types, the scope renamed)
# instead of generating them, so that the figures do not depend on the synthetic generator's
# shapes; the "synthetic only" column then builds the copy scopes alone.
#
# Environment: BENCH_TARGET_DIR (default target/bench-compile) is the dedicated target dir;
# BENCH_RESULTS (default bench/results) where the raw numbers go; BENCH_QUICK=1 leaves out the
# -Z measurements (lines/method, expand s: n/a), as the CI smoke run does; BENCH_CLEAN_BUILD=1 also times
# one build from an empty target dir (dependencies included) at the largest N; BENCH_DOC=1 also
# times `cargo doc --no-deps` of bitrix-core, bitrix-api and every scope crate at the largest N
# (after touching them; their dependencies' metadata built beforehand, not measured).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100 500 1500)
target=${BENCH_TARGET_DIR:-$root/target/bench-compile}
results=${BENCH_RESULTS:-$root/bench/results}
raw=$results/compile-$(date +%F).txt
mkdir -p "$target" "$results"
export CARGO_TERM_COLOR=never CARGO_INCREMENTAL=0

if [ ! -x /usr/bin/time ]; then
    echo "installing GNU time for peak memory" >&2
    (apt-get install -y -qq time >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq time; }) >/dev/null
fi

# One run at a time: the scratch copy lives at a fixed path so that its crates keep their
# artifacts from run to run.
exec 9>"$target/.lock"
flock 9

# The generator is built in the real workspace, with its own target dir.
echo "-- building gen_specs" >&2
(cd "$root" && cargo build --quiet -p bitrix-bench --bin gen_specs)
gen=$(cd "$root" && cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug/gen_specs

work=$target/workspace
rm -rf "$work"
mkdir -p "$work"
(cd "$root" && git ls-files --cached --others --exclude-standard -z | tar --null -cf - -T -) | tar -C "$work" -xf -
export CARGO_TARGET_DIR=$target
cd "$work"
# The manifests as they are without the benchmark's scopes, restored before each N.
cp Cargo.toml "$target/Cargo.toml.orig"
cp bitrix-api/Cargo.toml "$target/bitrix-api.Cargo.toml.orig"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log=$tmp/cargo.log

# Runs a command after touching every scope crate and bitrix-api, so that they rebuild; sets
# `secs` and `mib`.
measure() {
    touch scopes/*/src/lib.rs bitrix-api/src/lib.rs
    local t0 t1
    t0=$(date +%s%N)
    if ! /usr/bin/time -v -o "$tmp/time" "$@" >"$log" 2>&1; then
        cat "$log" >&2
        return 1
    fi
    t1=$(date +%s%N)
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
    mib=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$tmp/time")
}

mode=${BENCH_SPECS:-synthetic}
real_scopes=$(for d in specs/*/; do d=${d%/}; d=${d#specs/}; case $d in synth[0-9]* | copy[0-9]*) ;; *) ls "specs/$d"/*.yaml >/dev/null 2>&1 && echo "$d" ;; esac; done)

# Puts N methods into new scopes, each made a crate by scopes/new.sh, and names them all in the
# feature `synthetic`.
specs() {
    rm -rf specs/synth[0-9]* specs/copy[0-9]* scopes/synth[0-9]* scopes/copy[0-9]*
    cp "$target/Cargo.toml.orig" Cargo.toml
    cp "$target/bitrix-api.Cargo.toml.orig" bitrix-api/Cargo.toml
    [ "$1" -gt 0 ] || return 0
    local new=()
    if [ "$mode" = copies ]; then
        # Scope by scope, types included, until N methods are copied (round again if N is
        # larger than specs/), so the copies keep the reference's cut into scopes.
        local made=0 i=0 src f scope
        while [ "$made" -lt "$1" ]; do
            for src in $real_scopes; do
                [ "$made" -lt "$1" ] || break
                i=$((i + 1))
                scope=$(printf 'copy%03d' "$i")
                new+=("$scope")
                mkdir -p "specs/$scope"
                [ ! -d "specs/$src/types" ] || cp -r "specs/$src/types" "specs/$scope/"
                for f in specs/"$src"/*.yaml; do
                    [ "$made" -lt "$1" ] || break
                    sed -e "s/^scope: .*/scope: $scope/" "$f" >"specs/$scope/$(basename "$f")"
                    made=$((made + 1))
                done
            done
        done
    else
        mapfile -t new < <("$gen" "$1" specs)
    fi
    for scope in "${new[@]}"; do bash scopes/new.sh "$scope" >/dev/null; done
    local list
    list=$(printf '"%s", ' "${new[@]}")
    sed -i "/^# Scope features: scopes\/new.sh adds one here.$/a synthetic = [${list%, }]" bitrix-api/Cargo.toml
    echo "   $1 methods in ${#new[@]} scopes" >&2
}

# The scope crates' packages, for the commands that take them one by one.
scope_packages() {
    for d in scopes/*/; do d=${d%/}; echo "-p bitrix-api-${d#scopes/}"; done
}

# RUSTC_BOOTSTRAP=1 makes proc-macro2's build script rerun, and with it every crate above it:
# the -Z measurements get a target dir of their own so that neither side rebuilds the other's.
unstable() {
    CARGO_TARGET_DIR=$target/unstable RUSTC_BOOTSTRAP=1 cargo rustc --profile=check "$@"
}

echo "-- dependencies (built once, not measured)" >&2
specs 0
cargo build --quiet -p bitrix-api
cargo check --quiet -p bitrix-api
zflags=1
if [ "${BENCH_QUICK:-0}" = 1 ]; then
    zflags=0
elif ! CARGO_TARGET_DIR=$target/unstable RUSTC_BOOTSTRAP=1 cargo check --quiet -p bitrix-api $(scope_packages) 2>"$log"; then
    echo "cannot build with RUSTC_BOOTSTRAP=1; the -Z measurements are n/a:" >&2
    tail -5 "$log" >&2
    zflags=0
fi

{
    echo "# $(date -Is) BENCH_SPECS=$mode BENCH_SHAPES=${BENCH_SHAPES:-reference} bash bench/compile.sh ${sizes[*]}"
    echo "# $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB, $(rustc -V)"
} >>"$raw"

declare -A check_s build_s build_mib lines expand
rows=()
# N = 0 is the API as specs/ holds it; `bash bench/compile.sh 0` measures only that.
ns=(0)
for n in "${sizes[@]}"; do [ "$n" = 0 ] || ns+=("$n"); done
for n in "${ns[@]}"; do
    echo "-- N=$n" >&2
    specs "$n"
    # Not measured: the new crates' build scripts (std only, a fraction of a second each), which
    # check and build share, and the lock file's update.
    cargo check --quiet -p bitrix-api
    measure cargo check -p bitrix-api
    check_s[$n]=$secs
    check_mib=$mib
    measure cargo build -p bitrix-api
    build_s[$n]=$secs
    build_mib[$n]=$mib

    lines[$n]=n/a
    expand[$n]=n/a
    if [ "$zflags" = 1 ]; then
        # The scope crates' build scripts first, so that the loop below only expands.
        CARGO_TARGET_DIR=$target/unstable RUSTC_BOOTSTRAP=1 cargo check --quiet -p bitrix-api $(scope_packages) 2>"$log" || true
        total_lines=0
        total_expand=0
        for d in scopes/*/; do
            d=${d%/}
            pkg=bitrix-api-${d#scopes/}
            touch "$d/src/lib.rs"
            if unstable --quiet -p "$pkg" -- -Zunpretty=expanded >"$tmp/expanded.rs" 2>"$log"; then
                total_lines=$((total_lines + $(grep -cv '^[[:space:]]*$' "$tmp/expanded.rs" || true)))
            else
                echo "-Zunpretty=expanded failed for $pkg; lines/method n/a:" >&2
                tail -5 "$log" >&2
                total_lines=n/a
                break
            fi
            touch "$d/src/lib.rs"
            if unstable -p "$pkg" -- -Ztime-passes >"$log" 2>&1; then
                # `time:   1.234; rss: ...  expand_crate`: macro expansion of the whole crate.
                e=$(awk '/expand_crate/ { sub(/;.*/, "", $2); print $2; exit }' "$log")
                total_expand=$(awk -v a="$total_expand" -v b="${e:-0}" 'BEGIN { printf "%.3f", a + b }')
            else
                echo "-Ztime-passes failed for $pkg; expand s n/a:" >&2
                tail -5 "$log" >&2
                total_expand=n/a
            fi
        done
        lines[$n]=$total_lines
        expand[$n]=$total_expand
    fi

    scope_synthetic=n/a
    scope_imbot=n/a
    if [ "$n" -gt 0 ]; then
        measure cargo build -p bitrix-api --no-default-features --features synthetic
        scope_synthetic=$secs
        measure cargo build -p bitrix-api --no-default-features --features imbot
        scope_imbot=$secs
    fi

    per_line=n/a
    per_ms=n/a
    if [ "$n" -gt 0 ]; then
        if [ "${lines[$n]}" != n/a ] && [ "${lines[0]}" != n/a ]; then
            per_line=$(( (lines[$n] - lines[0]) / n ))
        fi
        per_ms=$(awk -v a="${build_s[0]}" -v b="${build_s[$n]}" -v n="$n" 'BEGIN { printf "%.1f", (b - a) * 1000 / n }')
    fi
    specs_now=$(ls specs/*/*.yaml | wc -l)
    own_line=n/a
    [ "${lines[$n]}" = n/a ] || own_line=$((lines[$n] / specs_now))
    echo "N=$n methods=$specs_now lines_per_method_all=$own_line check_s=${check_s[$n]} check_peak_mib=$check_mib build_s=${build_s[$n]} build_peak_mib=${build_mib[$n]} expanded_lines=${lines[$n]} lines_per_method=$per_line expand_crate_s=${expand[$n]} per_method_ms=$per_ms scope_synthetic_only_s=$scope_synthetic scope_imbot_only_s=$scope_imbot" >>"$raw"
    rows+=("| $n | ${check_s[$n]} | ${build_s[$n]} | ${build_mib[$n]} | $per_line | ${expand[$n]} | $per_ms | $scope_synthetic | $scope_imbot |")
done

clean=""
if [ "${BENCH_CLEAN_BUILD:-0}" = 1 ]; then
    largest=${sizes[-1]}
    echo "-- clean build at N=$largest, dependencies included" >&2
    specs "$largest"
    clean_dir=$target/clean
    rm -rf "$clean_dir"
    export CARGO_TARGET_DIR=$clean_dir
    measure cargo build -p bitrix-api
    export CARGO_TARGET_DIR=$target
    clean="Clean dev build of bitrix-api at N=$largest, dependencies included ($(nproc) jobs): $secs s, peak $mib MiB (largest single process)."
    echo "clean_build N=$largest s=$secs peak_mib=$mib" >>"$raw"
    rm -rf "$clean_dir"
fi

doc=""
if [ "${BENCH_DOC:-0}" = 1 ]; then
    largest=${sizes[-1]}
    echo "-- cargo doc at N=$largest" >&2
    specs "$largest"
    # Not measured: the dependencies' metadata, which `--no-deps` reads and does not document.
    # shellcheck disable=SC2046
    cargo check --quiet -p bitrix-api --all-features $(scope_packages)
    # shellcheck disable=SC2046
    measure cargo doc -p bitrix-core -p bitrix-api --all-features $(scope_packages) --no-deps
    doc="cargo doc --no-deps of bitrix-core, bitrix-api and every scope crate at N=$largest: $secs s, peak $mib MiB (largest single process)."
    echo "doc N=$largest s=$secs peak_mib=$mib" >>"$raw"
fi

echo
echo "| N | check s | build s | peak MiB | lines/method | expand s | per-method ms | synthetic only s | imbot only s |"
echo "|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
[ -z "$clean" ] || { echo; echo "$clean"; }
[ -z "$doc" ] || { echo; echo "$doc"; }
echo
echo "raw numbers appended to $raw"
