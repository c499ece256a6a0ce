//! What the Bitrix24 client (`bitrix-api`) and the mock portal (`bitrix-mock`) share on the wire,
//! kept once so that the two cannot drift apart:
//!
//! - [`form`]: the PHP-style form codec: [`form::encode`] as PHP's `http_build_query` writes,
//!   [`form::decode`] as PHP's `parse_str` reads (within [`form::Limits`], linear in the input,
//!   never recursing per nesting level), and [`lists`], which turns PHP's lists into JSON arrays;
//! - [`query`]: the keys of list queries, `filter` operators and user fields;
//! - [`rules`]: rules across the members of one object, evaluated alike on both sides;
//! - [`uf`]: the two spellings of CRM user fields (`UF_CRM_2_…`, `ufCrm2_…`);
//! - [`SYSTEM_ERRORS`] and [`system_errors!`]: the errors any REST call may answer, with their
//!   HTTP status, the portal's description and a short explanation.

pub mod form;
pub mod query;
pub mod rules;
pub mod uf;

pub use form::lists;

/// The one table of the portal's system errors: the errors any REST method may answer, whatever
/// its own documented errors.
///
/// `system_errors!(callback)` expands to `callback! { .. }` with one entry per error, in the form
///
/// ```text
/// Variant = "CODE", status, "description as the portal sends it": "short explanation.",
/// ```
///
/// so that every list of system errors (the [`SYSTEM_ERRORS`] table here, `bitrix-api`'s
/// `SystemError` enum) is generated from this one and none can drift. `callback` must be a
/// `macro_rules!` macro in scope where `system_errors!` is invoked:
///
/// ```
/// macro_rules! codes {
///     ($($variant:ident = $code:literal, $status:literal, $description:literal: $doc:literal,)*) => {
///         const CODES: &[&str] = &[$($code,)*];
///     };
/// }
/// bitrix_wire::system_errors!(codes);
/// assert!(CODES.contains(&"QUERY_LIMIT_EXCEEDED"));
/// assert_eq!(CODES.len(), bitrix_wire::SYSTEM_ERRORS.len());
/// ```
#[macro_export]
macro_rules! system_errors {
    ($callback:ident) => {
        $callback! {
            InternalServerError = "INTERNAL_SERVER_ERROR", 500, "Internal server error":
                "internal server error.",
            ErrorUnexpectedAnswer = "ERROR_UNEXPECTED_ANSWER", 500, "Server returned an unexpected response":
                "the server returned an unexpected response.",
            QueryLimitExceeded = "QUERY_LIMIT_EXCEEDED", 503, "Too many requests":
                "the request rate limit is exceeded.",
            OperationTimeLimit = "OPERATION_TIME_LIMIT", 429, "Method is blocked due to operation time limit":
                "the method is blocked until `operating_reset_at` for using too much execution time.",
            ErrorBatchMethodNotAllowed = "ERROR_BATCH_METHOD_NOT_ALLOWED", 405, "Method is not allowed for batch usage":
                "the method may not run inside `batch`.",
            ErrorBatchLengthExceeded = "ERROR_BATCH_LENGTH_EXCEEDED", 400, "Max batch length exceeded":
                "too many commands or too long parameters in `batch`.",
            NoAuthFound = "NO_AUTH_FOUND", 401, "Wrong authorization data":
                "invalid access token or webhook code.",
            InvalidRequest = "INVALID_REQUEST", 400, "Https required":
                "HTTPS is required.",
            OverloadLimit = "OVERLOAD_LIMIT", 503, "REST API is blocked due to overload":
                "the REST API is blocked for overload; only support can lift it.",
            AccessDenied = "ACCESS_DENIED", 403, "REST API is available only on commercial plans":
                "access denied (e.g. REST API only on commercial plans).",
            InvalidCredentials = "INVALID_CREDENTIALS", 403, "Invalid request credentials":
                "the user of the token or webhook lacks the permissions.",
            ManifestNotAvailable = "ERROR_MANIFEST_IS_NOT_AVAILABLE", 404, "Manifest is not available":
                "the manifest is not available.",
            InsufficientScope = "insufficient_scope", 403, "The request requires higher privileges than provided by the webhook token":
                "the token or webhook lacks the method's scope.",
            ExpiredToken = "expired_token", 401, "The access token provided has expired":
                "the access token has expired; refresh it.",
            InvalidToken = "invalid_token", 401, "The access token provided is invalid":
                "the access token is invalid.",
            UserAccessError = "user_access_error", 403, "The user does not have access to the application":
                "the user has no access to the application.",
            PortalDeleted = "PORTAL_DELETED", 500, "Portal was deleted":
                "the portal was deleted or its public part is closed.",
            WrongAuthType = "WRONG_AUTH_TYPE", 403, "Current authorization type is denied for this method":
                "this auth type is not accepted for the method (e.g. needs an application).",
            MethodNotFound = "ERROR_METHOD_NOT_FOUND", 404, "Method not found!":
                "the portal has no such method.",
        }
    };
}

macro_rules! table {
    ($($variant:ident = $code:literal, $status:literal, $description:literal: $doc:literal,)*) => {
        /// The system errors any call may return: `(code, HTTP status, description)`, the code
        /// spelled and the description worded as the portal sends them. Generated from
        /// [`system_errors!`].
        pub const SYSTEM_ERRORS: &[(&str, u16, &str)] = &[$(($code, $status, $description),)*];
    };
}

system_errors!(table);

/// The README's example, run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

#[cfg(test)]
mod tests {
    use super::SYSTEM_ERRORS;

    #[test]
    fn system_errors_are_distinct_and_plausible() {
        for (i, (code, status, description)) in SYSTEM_ERRORS.iter().enumerate() {
            assert!((400..600).contains(status), "{code}: {status}");
            assert!(!description.is_empty(), "{code}");
            let later = &SYSTEM_ERRORS[i + 1..];
            assert!(
                !later.iter().any(|(c, ..)| c.eq_ignore_ascii_case(code)),
                "{code} twice"
            );
        }
        assert!(SYSTEM_ERRORS.contains(&("NO_AUTH_FOUND", 401, "Wrong authorization data")));
        assert_eq!(SYSTEM_ERRORS.len(), 19);
    }
}
