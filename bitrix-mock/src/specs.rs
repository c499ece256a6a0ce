//! The method specs, embedded by `build.rs` and parsed once per process.

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
            for (file, text) in SPECS {
                match bitrix_spec::load(&format!("specs/{file}"), text) {
                    Ok(spec) => {
                        specs.insert(spec.method.to_lowercase(), spec);
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
