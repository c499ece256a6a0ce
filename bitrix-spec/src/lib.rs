//! The spec model of Bitrix24 REST methods.
//!
//! One YAML file per method (see `specs/README.md` in the repository) describes its parameters,
//! rules, response shape, documented errors and examples. This crate reads such a file
//! ([`parse`]), checks it ([`check`]) and validates JSON against it ([`validate_request`],
//! [`conforms`]). It is used at compile time by `bitrix-macros` and at run time by `bitrix-mock`.

mod check;
mod model;
mod parse;
mod validate;

use std::path::{Path, PathBuf};

pub use check::check;
pub use model::{
    AuthContext, ErrorSpec, Example, PageStyle, Pagination, Rule, Schema, Spec, Trigger, TypeName,
    pascal_case, snake_case,
};
pub use parse::{Diagnostic, Seg, parse, path_string};
pub use validate::{Mode, Violation, conforms, is_empty, validate_request};

/// Parses and checks a spec: `Ok` only when it is free of every error [`parse`] and [`check`] find.
pub fn load(file: &str, text: &str) -> Result<Spec, Vec<Diagnostic>> {
    // The pieces that did parse are checked too, so that one build reports every mistake.
    let (spec, mut diags) = parse::parse_partial(file, text);
    if let Some(spec) = &spec {
        diags.extend(check(file, text, spec));
    }
    match spec {
        Some(spec) if diags.is_empty() => Ok(spec),
        _ => {
            diags.sort_by_key(|d| (d.line, d.column));
            Err(diags)
        }
    }
}

/// The system errors any call may return, with their HTTP status and documented description.
pub const SYSTEM_ERRORS: &[(&str, u16, &str)] = &[
    ("INTERNAL_SERVER_ERROR", 500, "Internal server error"),
    (
        "ERROR_UNEXPECTED_ANSWER",
        500,
        "Server returned an unexpected response",
    ),
    ("QUERY_LIMIT_EXCEEDED", 503, "Too many requests"),
    (
        "OPERATION_TIME_LIMIT",
        429,
        "Method is blocked due to operation time limit",
    ),
    (
        "ERROR_BATCH_METHOD_NOT_ALLOWED",
        405,
        "Method is not allowed for batch usage",
    ),
    (
        "ERROR_BATCH_LENGTH_EXCEEDED",
        400,
        "Max batch length exceeded",
    ),
    ("NO_AUTH_FOUND", 401, "Wrong authorization data"),
    ("INVALID_REQUEST", 400, "Https required"),
    ("OVERLOAD_LIMIT", 503, "REST API is blocked due to overload"),
    (
        "ACCESS_DENIED",
        403,
        "REST API is available only on commercial plans",
    ),
    ("INVALID_CREDENTIALS", 403, "Invalid request credentials"),
    (
        "ERROR_MANIFEST_IS_NOT_AVAILABLE",
        404,
        "Manifest is not available",
    ),
    (
        "insufficient_scope",
        403,
        "The request requires higher privileges than provided by the webhook token",
    ),
    (
        "expired_token",
        401,
        "The access token provided has expired",
    ),
    (
        "user_access_error",
        403,
        "The user does not have access to the application",
    ),
    ("PORTAL_DELETED", 500, "Portal was deleted"),
    (
        "WRONG_AUTH_TYPE",
        403,
        "Current authorization type is denied for this method",
    ),
    ("ERROR_METHOD_NOT_FOUND", 404, "Method not found!"),
    ("invalid_token", 401, "The access token provided is invalid"),
];

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
