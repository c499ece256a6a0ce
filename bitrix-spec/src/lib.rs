//! The spec model of Bitrix24 REST methods.
//!
//! One YAML file per method (see `specs/README.md` in the repository) describes its parameters,
//! rules, response shape, documented errors and examples. This crate reads such a file
//! ([`parse`]), checks it ([`check`]) and validates JSON against it ([`validate_request`],
//! [`conforms`]). It is used at compile time by `bitrix-macros` and at run time by `bitrix-mock`.

mod check;
mod events;
mod model;
mod parse;
mod types;
mod validate;

use std::path::{Path, PathBuf};

pub use check::check;
pub use events::{EventSpec, event_files, load_event};
pub use model::{
    AuthContext, Deprecated, ErrorSpec, Example, PageStyle, Pagination, Rule, RuleKind, Schema,
    Spec, Trigger, TypeName, error_variant, pascal_case, snake_case,
};
pub use parse::{Diagnostic, Seg, parse, path_string};
pub use types::{Shared, Types, type_files};
pub use validate::{Mode, Violation, check_param, conforms, is_empty, validate_request};

/// Parses and checks a spec: `Ok` only when it is free of every error [`parse`] and [`check`] find.
///
/// A spec that refers to a shared type (`ref:`) needs [`load_with`] and its scope's [`Types`].
pub fn load(file: &str, text: &str) -> Result<Spec, Vec<Diagnostic>> {
    load_with(file, text, &Types::default())
}

/// Reads the spec `rel` (e.g. `crm/crm.item.list.yaml`) under `specs_dir` with the shared types
/// of its scope folder: what the macro, the build scripts and the tests call.
pub fn load_file(specs_dir: &Path, rel: &str) -> Result<Spec, Vec<Diagnostic>> {
    let path = specs_dir.join(rel);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        vec![Diagnostic {
            file: rel.to_owned(),
            line: 1,
            column: 1,
            key: String::new(),
            message: format!("cannot read {}: {e}", path.display()),
        }]
    })?;
    let scope_dir = path.parent().unwrap_or(specs_dir);
    let types = Types::read_dir(scope_dir, specs_dir)?;
    load_with(rel, &text, &types)
}

/// Parses and checks a spec whose `ref:`s name types of `types` (its scope's shared types).
pub fn load_with(file: &str, text: &str, types: &Types) -> Result<Spec, Vec<Diagnostic>> {
    // The pieces that did parse are checked too, so that one build reports every mistake.
    let (mut spec, mut diags, damage) = parse::parse_partial(file, text);
    if let Some(spec) = &mut spec {
        let src = parse::Source { file, text };
        let mut found = Vec::new();
        types.resolve(&src, spec, &mut found);
        found.extend(check::check_with(&src, spec, &damage));
        // What was reported while reading is not reported again by the checks.
        damage.filter(&mut found);
        diags.extend(found);
    }
    match spec {
        Some(spec) if diags.is_empty() => Ok(spec),
        _ => {
            diags.sort_by_key(|d| (d.line, d.column));
            Err(diags)
        }
    }
}

/// The system errors any call may return: `(code, HTTP status, description)`, one table shared
/// with the client (`bitrix_api::SystemError`) through `bitrix-wire`.
pub use bitrix_wire::SYSTEM_ERRORS;

/// Is `code` one of [`SYSTEM_ERRORS`] (case-insensitive)?
pub fn is_system_code(code: &str) -> bool {
    SYSTEM_ERRORS
        .iter()
        .any(|(c, _, _)| c.eq_ignore_ascii_case(code))
}

/// Every `*.yaml` file under `dir` (one level of scope folders), sorted, for build scripts that
/// turn a specs directory into code.
pub fn spec_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for scope in std::fs::read_dir(dir)? {
        let scope = scope?.path();
        if !scope.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&scope)? {
            let file = file?.path();
            if file.extension().is_some_and(|e| e == "yaml") {
                out.push(file);
            }
        }
    }
    out.sort();
    Ok(out)
}
