//! The method specs under `specs/`, embedded by `build.rs` and parsed once per process.

use std::collections::BTreeMap;
use std::io;
use std::sync::{Arc, OnceLock};

use bitrix_spec::Spec;

include!(concat!(env!("OUT_DIR"), "/specs.rs"));

/// Specs by lowercased method name (the portal lowercases method names before looking them up),
/// sorted so that anything searching across specs finds the same entry every run.
pub(crate) type Specs = Arc<BTreeMap<String, Spec>>;

/// Parses every embedded spec; a broken spec is an error listing all diagnostics, since a mock
/// that silently skips a method would make the SDK's tests lie.
pub(crate) fn load() -> io::Result<Specs> {
    static LOADED: OnceLock<Result<Specs, String>> = OnceLock::new();
    LOADED
        .get_or_init(|| {
            let mut specs = BTreeMap::new();
            let mut problems = Vec::new();
            let scope_of = |file: &str| file.split('/').next().unwrap_or_default().to_owned();
            let mut types: BTreeMap<String, bitrix_spec::Types> = BTreeMap::new();
            let mut by_scope: BTreeMap<String, Vec<(String, &str)>> = BTreeMap::new();
            for (file, text) in TYPES {
                by_scope
                    .entry(scope_of(file))
                    .or_default()
                    .push((format!("specs/{file}"), text));
            }
            for (scope, files) in &by_scope {
                match bitrix_spec::Types::parse(files.iter().map(|(f, t)| (f.as_str(), *t))) {
                    Ok(t) => {
                        types.insert(scope.clone(), t);
                    }
                    Err(diags) => problems.extend(diags.iter().map(ToString::to_string)),
                }
            }
            let none = bitrix_spec::Types::default();
            for (file, text) in SPECS {
                let scope_types = types.get(&scope_of(file)).unwrap_or(&none);
                match bitrix_spec::load_with(&format!("specs/{file}"), text, scope_types) {
                    Ok(spec) => {
                        specs.entry(spec.method.to_lowercase()).or_insert(spec);
                    }
                    Err(diags) => problems.extend(diags.iter().map(ToString::to_string)),
                }
            }
            if problems.is_empty() {
                Ok(Arc::new(specs))
            } else {
                Err(format!("invalid method specs:\n{}", problems.join("\n")))
            }
        })
        .clone()
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}
