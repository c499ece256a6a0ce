//! Writes `OUT_DIR/scopes.md`, the crate docs' table of scopes with their counts, and
//! `OUT_DIR/scopes.rs`: each scope crate re-exported under its scope's name
//! (`bitrix_api::crm`) behind the cargo feature of that name, and `methods()`, every method of
//! the scopes that are on. The scopes are the features of Cargo.toml that turn on a scope crate
//! (`crm = ["dep:bitrix-api-crm"]`), so that `scopes/new.sh` is all it takes to add one.
//!
//! In the repository it also checks that every folder of `specs/` has its crate: a spec in a
//! folder without one would otherwise be silently left out of the API.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&dir);
    println!("cargo::rerun-if-changed=Cargo.toml");
    let manifest = match std::fs::read_to_string(dir.join("Cargo.toml")) {
        Ok(m) => m,
        Err(e) => fail(&format!("cannot read bitrix-api/Cargo.toml: {e}")),
    };
    let scopes: Vec<&str> = manifest
        .lines()
        .filter_map(|line| {
            let (name, value) = line.split_once(" = ")?;
            (value == format!("[\"dep:bitrix-api-{name}\"]")).then_some(name)
        })
        .collect();
    let specs = dir.join("../specs");
    if specs.is_dir() {
        println!("cargo::rerun-if-changed={}", specs.display());
        let mut folders: Vec<String> = std::fs::read_dir(&specs)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter(|e| e.path().is_dir())
            .filter_map(|e| e.file_name().to_str().map(str::to_owned))
            .collect();
        folders.sort();
        for folder in folders {
            if !scopes.contains(&folder.as_str()) {
                fail(&format!(
                    "specs/{folder}/ has no scope crate: run `bash scopes/new.sh {folder}`"
                ));
            }
        }
    }
    let mut out = String::new();
    for scope in &scopes {
        let _ = writeln!(
            out,
            "/// The methods of the `{scope}` scope (cargo feature `{scope}`): the crate `bitrix-api-{scope}`.\n#[cfg(feature = \"{scope}\")]\npub use bitrix_api_{scope} as {scope};"
        );
    }
    out.push_str(
        "/// Every method this build has (the scopes whose features are on), from `specs/`.\npub fn methods() -> ::std::vec::Vec<&'static MethodInfo> {\n    #[allow(unused_mut)]\n    let mut all: ::std::vec::Vec<&'static MethodInfo> = ::std::vec::Vec::new();\n",
    );
    for scope in &scopes {
        let _ = writeln!(
            out,
            "    #[cfg(feature = \"{scope}\")]\n    all.extend({scope}::METHODS);"
        );
    }
    out.push_str("    all\n}\n");
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let dest = Path::new(&out_dir).join("scopes.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        fail(&format!("cannot write {}: {e}", dest.display()));
    }
    let dest = Path::new(&out_dir).join("scopes.md");
    if let Err(e) = std::fs::write(&dest, summary(&scopes)) {
        fail(&format!("cannot write {}: {e}", dest.display()));
    }
}

/// The crate docs' table of the scopes this build has, with the counts each scope crate's build
/// script reports (`DEP_BITRIX_API_<SCOPE>_METHODS`, `_EVENTS`).
fn summary(scopes: &[&str]) -> String {
    let mut rows = String::new();
    let (mut methods, mut events, mut on) = (0, 0, 0);
    for scope in scopes {
        let var = |what: &str| {
            let name = format!("DEP_BITRIX_API_{}_{what}", scope.to_ascii_uppercase());
            println!("cargo::rerun-if-env-changed={name}");
            std::env::var(name).ok()?.parse::<usize>().ok()
        };
        // Only the scopes whose features are on are built, and report.
        let (Some(m), Some(e)) = (var("METHODS"), var("EVENTS")) else {
            continue;
        };
        let event_cell = if e == 0 {
            "".to_owned()
        } else {
            format!("[{e}]({scope}::events::EVENTS)")
        };
        let _ = writeln!(
            rows,
            "| [`{scope}`]({scope}) | [{m}]({scope}::METHODS) | {event_cell} | `bitrix-api-{scope}` |"
        );
        methods += m;
        events += e;
        on += 1;
    }
    format!(
        "\n\n# Scopes\n\nThis build has {methods} methods and {events} events in {on} scopes (their cargo features). Each count links to the scope's list: `METHODS` (REST name and request type of each method) and `events::EVENTS`.\n\n| scope (module, feature) | methods | events | crate |\n|---|---|---|---|\n{rows}"
    )
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}
