//! Writes `OUT_DIR/hooks.rs`: one typed hook per spec under `specs/`, so that the generic tests
//! (`tests/suite/specs.rs`) reach every generated method with no list kept by hand.
//!
//! Scopes that are not among bitrix-api's default features are left out here; the generic test
//! reports their specs as not covered, naming the scope.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest).join("..");
    let specs = root.join("specs");
    let api_manifest = root.join("bitrix-api/Cargo.toml");
    println!("cargo::rerun-if-changed={}", specs.display());
    println!("cargo::rerun-if-changed={}", api_manifest.display());
    let defaults = default_features(&std::fs::read_to_string(&api_manifest).unwrap_or_default());
    let files = bitrix_spec::spec_files(&specs).unwrap_or_default();
    let mut out = String::from(
        "/// One hook per spec of a default scope, generated from `specs/` by tests/build.rs.\n// Deprecated methods are tested like the others.\n#[allow(deprecated)]\nfn hooks() -> Vec<Hook> {\n    vec![\n",
    );
    for file in &files {
        if let Some(dir) = file.parent() {
            println!("cargo::rerun-if-changed={}", dir.display());
        }
        let rel = file
            .strip_prefix(&specs)
            .unwrap_or(file)
            .display()
            .to_string();
        // A broken spec fails bitrix-api's build with its own diagnostics.
        let Ok(spec) = bitrix_spec::load_file(&specs, &rel) else {
            continue;
        };
        if defaults.contains(&spec.scope) {
            let _ = writeln!(
                out,
                "        hook::<bitrix_api::{}::{}>(),",
                spec.scope,
                spec.type_name()
            );
        }
    }
    out.push_str("    ]\n}\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("hooks.rs");
    std::fs::write(&dest, out).expect("OUT_DIR is writable");
}

/// The names in `default = [...]` of a Cargo.toml.
fn default_features(manifest: &str) -> Vec<String> {
    manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("default = ["))
        .map(|list| {
            list.trim_end_matches(']')
                .split(',')
                .map(|f| f.trim().trim_matches('"').to_owned())
                .filter(|f| !f.is_empty())
                .collect()
        })
        .unwrap_or_default()
}
