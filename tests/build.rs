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
    event_hooks(&specs, &defaults);
}

/// Writes `OUT_DIR/event_hooks.rs`: one hook per event spec (`specs/<scope>/events/*.yaml`) of a
/// default scope, for `tests/suite/events.rs`, and the scopes' `EVENTS` registries.
fn event_hooks(specs: &Path, defaults: &[String]) {
    let mut hooks = String::from(
        "/// One hook per event spec of a default scope, generated from `specs/` by tests/build.rs.\nfn event_hooks() -> Vec<EventHook> {\n    vec![\n",
    );
    let mut registries = String::from(
        "/// The `EVENTS` of every default scope that has event specs.\nfn event_registries() -> Vec<&'static [bitrix_api::events::EventInfo]> {\n    vec![\n",
    );
    let mut scopes: Vec<_> = std::fs::read_dir(specs)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    scopes.sort();
    for dir in scopes {
        let Some(scope) = dir.file_name().and_then(|s| s.to_str()).map(str::to_owned) else {
            continue;
        };
        println!("cargo::rerun-if-changed={}", dir.join("events").display());
        let files = bitrix_spec::event_files(&dir).unwrap_or_default();
        if files.is_empty() || !defaults.contains(&scope) {
            continue;
        }
        let _ = writeln!(registries, "        bitrix_api::{scope}::events::EVENTS,");
        for file in files {
            let rel = file
                .strip_prefix(specs)
                .unwrap_or(&file)
                .display()
                .to_string();
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            // A broken event spec fails its scope's build with its own diagnostics.
            let Ok(ev) = bitrix_spec::load_event(&rel, &text) else {
                continue;
            };
            let _ = writeln!(
                hooks,
                "        event_hook::<bitrix_api::{scope}::events::{}>({rel:?}),",
                ev.type_name()
            );
        }
    }
    hooks.push_str("    ]\n}\n");
    registries.push_str("    ]\n}\n");
    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("event_hooks.rs");
    std::fs::write(&dest, hooks + &registries).expect("OUT_DIR is writable");
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
