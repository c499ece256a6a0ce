//! Turns `specs/<scope>/<method>.yaml` into `OUT_DIR/methods.rs`: one module per scope, behind
//! the cargo feature of the same name, with one `bitrix_method!` per spec. A new YAML file is
//! therefore all it takes to add a method.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let specs = Path::new(&manifest).join("specs");
    println!("cargo::rerun-if-changed={}", specs.display());
    let files = match bitrix_spec::spec_files(&specs) {
        Ok(f) => f,
        Err(e) => fail(&format!("cannot read {}: {e}", specs.display())),
    };
    let mut scopes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in &files {
        // Directories are watched so that an added or removed file reruns this script.
        if let Some(dir) = file.parent() {
            println!("cargo::rerun-if-changed={}", dir.display());
        }
        let rel = file.strip_prefix(&specs).unwrap_or(file);
        let scope = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        scopes
            .entry(scope)
            .or_default()
            .push(rel.to_string_lossy().replace('\\', "/"));
    }
    let manifest_text =
        std::fs::read_to_string(Path::new(&manifest).join("Cargo.toml")).unwrap_or_default();
    let mut out = String::new();
    for (scope, specs) in &scopes {
        if !manifest_text.contains(&format!("\n{scope} = [")) {
            fail(&format!(
                "specs/{scope}/ has no cargo feature: add `{scope} = []` to [features] in bitrix-api/Cargo.toml (and to `default`)"
            ));
        }
        let _ = writeln!(
            out,
            "#[cfg(feature = \"{scope}\")]\n/// Methods of the `{scope}` scope (cargo feature `{scope}`).\npub mod {scope} {{"
        );
        for spec in specs {
            let _ = writeln!(out, "    crate::bitrix_method!({spec:?});");
        }
        out.push_str("}\n");
    }
    let dest = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("methods.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        fail(&format!("cannot write {}: {e}", dest.display()));
    }
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}
