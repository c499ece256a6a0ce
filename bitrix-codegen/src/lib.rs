//! The generator behind `bitrix_method!`: a checked method spec in, the tokens of its typed API
//! out. The proc-macro crate is a thin shell over [`expand`]; build scripts use [`check_scope`]
//! to find clashes between specs that no single expansion can see.
//!
//! The expansion is kept small on purpose (every line is compiled once per method, and the API
//! has about 1,600 of them): types and one-line calls into the `bitrix-api` runtime, no derives
//! of `Serialize`/`Deserialize`.

mod emit;

use std::collections::HashMap;

use bitrix_spec::{Diagnostic, Seg, Spec};
use proc_macro2::TokenStream;

/// The tokens of one spec, or the diagnostics that stop it, each at its YAML line.
///
/// `file` and `text` are the spec's path and source, used to place diagnostics.
pub fn expand(spec: &Spec, file: &str, text: &str) -> Result<TokenStream, Vec<Diagnostic>> {
    let (tokens, defined) = emit::method(spec);
    let mut seen: HashMap<&str, &[Seg]> = HashMap::new();
    let mut diags = Vec::new();
    for d in &defined {
        match seen.get(d.name.as_str()) {
            Some(first) => diags.push(Diagnostic::at(
                file,
                text,
                &d.path,
                format!(
                    "this defines the type `{}`, which `{}` defines already: give one of them another `name:`",
                    d.name,
                    bitrix_spec::path_string(first)
                ),
            )),
            None => {
                seen.insert(&d.name, &d.path);
            }
        }
    }
    if diags.is_empty() {
        Ok(tokens)
    } else {
        Err(diags)
    }
}

/// The tokens of a shared type of a scope (`specs/<scope>/types/<name>.yaml`, already read by
/// `bitrix_spec::Types`): a type that is decoded, sent back, and built with `Default`.
pub fn expand_shared(
    name: &str,
    shared: &bitrix_spec::Shared,
    text: &str,
) -> Result<TokenStream, Vec<Diagnostic>> {
    let (tokens, defined) = emit::shared(name, &shared.schema);
    defined_once(&shared.file, text, &defined)?;
    Ok(tokens)
}

/// A type name defined twice by one expansion, reported at the YAML key of the second.
fn defined_once(file: &str, text: &str, defined: &[emit::Defined]) -> Result<(), Vec<Diagnostic>> {
    let mut seen: HashMap<&str, &[Seg]> = HashMap::new();
    let mut diags = Vec::new();
    for d in defined {
        if seen.insert(&d.name, &d.path).is_some() {
            diags.push(Diagnostic::at(
                file,
                text,
                &d.path,
                format!(
                    "this defines the type `{}` a second time: give it another `name:`",
                    d.name
                ),
            ));
        }
    }
    if diags.is_empty() { Ok(()) } else { Err(diags) }
}

/// A Rust type name an expansion defines, with the spec key that makes it.
pub type TypeDefined = (String, Vec<Seg>);

/// The tokens of an event spec (`specs/<scope>/events/<name>.yaml`, read by
/// `bitrix_spec::load_event`): the type of its `data` and its `EventData` impl, with the type
/// names it defines (for the checks across the events of a scope).
pub fn expand_event(
    ev: &bitrix_spec::EventSpec,
    text: &str,
) -> Result<(TokenStream, Vec<TypeDefined>), Vec<Diagnostic>> {
    let (tokens, defined) = emit::event(ev);
    defined_once(&ev.file, text, &defined)?;
    Ok((
        tokens,
        defined.into_iter().map(|d| (d.name, d.path)).collect(),
    ))
}

/// The Rust type names a spec's expansion defines, each with the spec key that makes it.
pub fn type_names(spec: &Spec) -> Vec<(String, Vec<Seg>)> {
    emit::method(spec)
        .1
        .into_iter()
        .map(|d| (d.name, d.path))
        .collect()
}

/// One spec file of a scope, as a build script reads it.
pub struct ScopeSpec<'a> {
    /// The path shown in diagnostics, e.g. `crm/crm.item.list.yaml`.
    pub file: &'a str,
    /// The YAML source.
    pub text: &'a str,
    /// The spec, parsed and checked.
    pub spec: &'a Spec,
}

/// The clashes between specs of one scope (one Rust module): a type name defined by two specs,
/// or by a spec and a shared type, reported at the key of the later with the file of the first.
pub fn check_scope(specs: &[ScopeSpec<'_>], types: &bitrix_spec::Types) -> Vec<Diagnostic> {
    let mut first: HashMap<String, (&str, String)> = HashMap::new();
    let mut diags = Vec::new();
    for (name, shared) in types.iter() {
        for d in emit::shared(name, &shared.schema).1 {
            first.insert(
                d.name,
                (shared.file.as_str(), bitrix_spec::path_string(&d.path)),
            );
        }
    }
    for s in specs {
        for (name, path) in type_names(s.spec) {
            match first.get(&name) {
                Some((file, key)) if *file != s.file => diags.push(Diagnostic::at(
                    s.file,
                    s.text,
                    &path,
                    format!(
                        "this defines the type `{name}`, which {file} defines already (at `{key}`): the methods of a scope share one module, so give one of them another `name:`"
                    ),
                )),
                Some(_) => {}
                None => {
                    first.insert(name, (s.file, bitrix_spec::path_string(&path)));
                }
            }
        }
    }
    diags
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r#"method: demo.item.get
scope: demo
summary: Gets an item.
access: any user
contexts: [webhook]
idempotent: true
docs: https://example.com
params:
  ID: {type: integer, required: true}
result:
  type: object
  fields:
    kind: {type: enum, values: [a, b], name: DemoItemGet}
"#;

    #[test]
    fn a_type_defined_twice_is_reported_at_its_yaml_line() {
        let spec = bitrix_spec::load("demo/demo.item.get.yaml", SPEC).expect("valid");
        let diags = expand(&spec, "demo/demo.item.get.yaml", SPEC).unwrap_err();
        assert_eq!(diags.len(), 1, "{diags:?}");
        let text = diags[0].to_string();
        assert!(
            text.starts_with("demo/demo.item.get.yaml:13:5: `result.fields.kind`"),
            "{text}"
        );
        assert!(text.contains("`DemoItemGet`"), "{text}");
    }

    #[test]
    fn generated_type_names_that_meet_are_reported_at_the_yaml_line() {
        // The parameter `result` and the result object both become `DemoItemGetResult`.
        let text = SPEC
            .replace(
                "  ID: {type: integer, required: true}",
                "  result: {type: object, fields: {id: {type: integer}}}",
            )
            .replace(", name: DemoItemGet", "");
        let spec = bitrix_spec::load("demo/demo.item.get.yaml", &text).expect("valid");
        let diags = expand(&spec, "demo/demo.item.get.yaml", &text).unwrap_err();
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(
            diags[0].to_string(),
            "demo/demo.item.get.yaml:10:1: `result`: this defines the type `DemoItemGetResult`, \
             which `params.result` defines already: give one of them another `name:`"
        );
    }

    #[test]
    fn a_type_defined_by_two_specs_of_a_scope_is_reported() {
        let a = bitrix_spec::load(
            "demo/demo.item.get.yaml",
            &SPEC.replace("DemoItemGet", "Kind"),
        )
        .expect("valid");
        let text_b = SPEC
            .replace("demo.item.get", "demo.item.list")
            .replace("DemoItemGet", "Kind");
        let b = bitrix_spec::load("demo/demo.item.list.yaml", &text_b).expect("valid");
        let text_a = SPEC.replace("DemoItemGet", "Kind");
        let diags = check_scope(
            &[
                ScopeSpec {
                    file: "demo/demo.item.get.yaml",
                    text: &text_a,
                    spec: &a,
                },
                ScopeSpec {
                    file: "demo/demo.item.list.yaml",
                    text: &text_b,
                    spec: &b,
                },
            ],
            &bitrix_spec::Types::default(),
        );
        assert_eq!(diags.len(), 1, "{diags:?}");
        let text = diags[0].to_string();
        assert!(
            text.starts_with("demo/demo.item.list.yaml:13:5: `result.fields.kind`"),
            "{text}"
        );
        assert!(
            text.contains("demo/demo.item.get.yaml defines already")
                && text.contains("give one of them another `name:`"),
            "{text}"
        );
    }
}

#[cfg(test)]
mod snapshots {
    //! What every spec and every shared type expands to, formatted, so a reviewer sees what a
    //! spec change does to the generated code. `cargo insta review` (or INSTA_UPDATE=always)
    //! accepts a change. Each snapshot is named after its file, so adding one leaves the names
    //! of the others alone.

    use std::path::{Path, PathBuf};

    fn specs_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs")
    }

    /// Has `rel` an accepted snapshot? A spec added later has none until a reviewer accepts one
    /// (`INSTA_UPDATE=always cargo test -p bitrix-codegen snapshots`), so that adding a spec is
    /// adding its YAML file and nothing else.
    fn has_snapshot(rel: &str) -> bool {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/snapshots")
            .join(format!(
                "bitrix_codegen__snapshots__{}.snap",
                rel.replace('/', "__")
            ))
            .is_file()
    }

    fn snapshot(rel: &str, tokens: proc_macro2::TokenStream) {
        let file = syn::parse2(tokens).expect("expansion parses as a file");
        insta::with_settings!({ input_file => rel }, {
            insta::assert_snapshot!(rel.replace('/', "__"), prettyplease::unparse(&file));
        });
    }

    #[test]
    fn every_spec() {
        let specs = specs_dir();
        let files = bitrix_spec::spec_files(&specs).expect("specs/ is readable");
        assert!(!files.is_empty());
        for path in files {
            let rel = path
                .strip_prefix(&specs)
                .expect("under specs/")
                .display()
                .to_string();
            let text = std::fs::read_to_string(&path).expect("spec is readable");
            let spec = bitrix_spec::load_file(&specs, &rel).expect("spec is valid");
            let tokens = crate::expand(&spec, &rel, &text).expect("spec expands");
            // Imported specs (their first line says so) are many and regenerated by the
            // importer: their expansion must be a valid file, and the hand-written specs that
            // have an accepted snapshot, which use every feature of the format, are what a change
            // to the generator is reviewed on.
            if text.starts_with("# Imported from ") || !has_snapshot(&rel) {
                if let Err(e) = syn::parse2::<syn::File>(tokens) {
                    panic!("{rel}: the expansion does not parse: {e}");
                }
            } else {
                snapshot(&rel, tokens);
            }
        }
    }

    #[test]
    fn every_shared_type() {
        let specs = specs_dir();
        for scope in std::fs::read_dir(&specs).expect("specs/ is readable") {
            let scope = scope.expect("an entry").path();
            if !scope.is_dir() {
                continue;
            }
            let types = bitrix_spec::Types::read_dir(&scope, &specs).expect("types are valid");
            for (name, shared) in types.iter() {
                let text = std::fs::read_to_string(specs.join(&shared.file)).expect("readable");
                let tokens = crate::expand_shared(name, shared, &text).expect("type expands");
                snapshot(&shared.file, tokens);
            }
        }
    }
}
