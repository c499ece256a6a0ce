//! Turns `specs/<scope>/<method>.yaml` into `OUT_DIR/methods.rs`: one module per scope, behind
//! the cargo feature of the same name, with one `bitrix_method!` per spec and the scope's
//! registry (`METHODS`). A new YAML file is therefore all it takes to add a method.
//!
//! It also checks what no single expansion can see: two specs of a scope defining the same
//! type name (they share one module) is a compile error at the YAML line, not rustc's E0428.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let specs_dir = Path::new(&manifest).join("specs");
    let specs = &specs_dir;
    println!("cargo::rerun-if-changed={}", specs.display());
    let files = match bitrix_spec::spec_files(specs) {
        Ok(f) => f,
        Err(e) => fail(&format!("cannot read {}: {e}", specs.display())),
    };
    let mut scopes: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for file in &files {
        // Files and directories are watched so that an added, edited or removed spec reruns this.
        if let Some(dir) = file.parent() {
            println!("cargo::rerun-if-changed={}", dir.display());
        }
        println!("cargo::rerun-if-changed={}", file.display());
        let rel = file.strip_prefix(specs).unwrap_or(file);
        let scope = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => fail(&format!("cannot read {}: {e}", file.display())),
        };
        scopes
            .entry(scope)
            .or_default()
            .push((rel.to_string_lossy().replace('\\', "/"), text));
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
        // A scope whose feature is off costs nothing: its specs are not even read further.
        let enabled = std::env::var_os(format!(
            "CARGO_FEATURE_{}",
            scope.to_uppercase().replace('-', "_")
        ))
        .is_some();
        if !enabled {
            continue;
        }
        // Shared types come first: the methods refer to them. Broken ones are reported by their
        // own macro call, as a spec that does not load is left to its macro call.
        let scope_dir = specs_dir.join(scope);
        let mut shared = String::new();
        println!(
            "cargo::rerun-if-changed={}",
            scope_dir.join("types").display()
        );
        for f in bitrix_spec::type_files(&scope_dir).unwrap_or_default() {
            println!("cargo::rerun-if-changed={}", f.display());
            let rel = f
                .strip_prefix(&specs_dir)
                .unwrap_or(&f)
                .display()
                .to_string();
            let _ = writeln!(shared, "    crate::bitrix_type!({rel:?});");
        }
        let types = bitrix_spec::Types::read_dir(&scope_dir, &specs_dir).unwrap_or_default();
        let loaded: Vec<(&str, &str, bitrix_spec::Spec)> = specs
            .iter()
            .filter_map(|(rel, text)| {
                let spec = bitrix_spec::load_with(rel, text, &types).ok()?;
                Some((rel.as_str(), text.as_str(), spec))
            })
            .collect();
        // The module's rustdoc lists its methods, so the list in the docs is made from specs/.
        let mut doc = format!(
            "Methods of the `{scope}` scope (cargo feature `{scope}`).\n\n| REST method | request type |\n|---|---|\n"
        );
        let mut listed: Vec<(String, String, bool)> = loaded
            .iter()
            .map(|(_, _, spec)| {
                let gone = spec.deprecated.is_some();
                (spec.method.clone(), spec.type_name(), gone)
            })
            .collect();
        listed.sort();
        for (method, ty, gone) in &listed {
            let mark = if *gone { " (deprecated)" } else { "" };
            // An outer doc comment of a module resolves links in the parent: the full path.
            let _ = writeln!(doc, "| `{method}`{mark} | [`{ty}`](crate::{scope}::{ty}) |");
        }
        let _ = writeln!(
            out,
            "#[cfg(feature = \"{scope}\")]\n#[doc = {doc:?}]\npub mod {scope} {{"
        );
        out.push_str(&shared);
        let scope_specs: Vec<bitrix_codegen::ScopeSpec<'_>> = loaded
            .iter()
            .map(|(file, text, spec)| bitrix_codegen::ScopeSpec { file, text, spec })
            .collect();
        for d in bitrix_codegen::check_scope(&scope_specs, &types) {
            let _ = writeln!(
                out,
                "    ::core::compile_error!({:?});",
                format!("invalid spec: {d}")
            );
        }
        for (rel, _) in specs {
            let _ = writeln!(out, "    crate::bitrix_method!({rel:?});");
        }
        let _ = writeln!(
            out,
            "    /// Every method of the scope, from its specs.\n    pub const METHODS: &[crate::MethodInfo] = &["
        );
        for (file, _, spec) in &loaded {
            let _ = writeln!(
                out,
                "        crate::MethodInfo {{ name: {:?}, scope: {:?}, type_name: {:?}, spec: {:?}, batch: {}, idempotent: {}, deprecated: {:?} }},",
                spec.method,
                spec.scope,
                spec.type_name(),
                file,
                spec.batch,
                spec.idempotent,
                spec.deprecated.as_ref().map(|d| d.note())
            );
        }
        out.push_str("    ];\n}\n");
    }
    out.push_str(
        "/// Every method this build has (the scopes whose features are on), from `specs/`.\npub fn methods() -> ::std::vec::Vec<&'static MethodInfo> {\n    #[allow(unused_mut)]\n    let mut all: ::std::vec::Vec<&'static MethodInfo> = ::std::vec::Vec::new();\n",
    );
    for scope in scopes.keys() {
        let _ = writeln!(
            out,
            "    #[cfg(feature = \"{scope}\")]\n    all.extend({scope}::METHODS);"
        );
    }
    out.push_str("    all\n}\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("methods.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        fail(&format!("cannot write {}: {e}", dest.display()));
    }
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}
