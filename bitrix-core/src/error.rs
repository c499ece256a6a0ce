//! The two layers of API errors (the method's documented codes, the system codes any call may
//! return) and the client's own failures (validation, transport, decoding).

use std::fmt;
use std::sync::Arc;

/// A method's documented error codes, generated from its spec as a `#[non_exhaustive]` enum.
pub trait MethodError: Copy + PartialEq + fmt::Debug + Send + Sync + 'static {
    /// Every code with its variant, spelled as the portal sends it.
    const CODES: &'static [(&'static str, Self)];

    /// The variant for `code`, compared case-insensitively.
    fn from_code(code: &str) -> Option<Self> {
        Self::CODES
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(code))
            .map(|(_, v)| *v)
    }

    /// The code as the portal spells it.
    fn code(&self) -> &'static str {
        Self::CODES
            .iter()
            .find(|(_, v)| v == self)
            .map_or("", |(c, _)| c)
    }
}

/// Builds [`SystemError`] from the one table of system errors, [`bitrix_wire::system_errors!`]
/// (also behind `bitrix_spec::SYSTEM_ERRORS`, which the mock portal answers from).
macro_rules! system_error_enum {
    ($($variant:ident = $code:literal, $status:literal, $description:literal: $doc:literal,)*) => {
        /// Errors that any call may return, whatever the method.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum SystemError {
            $(#[doc = concat!("HTTP ", $status, ": ", $doc)] $variant,)*
        }

        impl SystemError {
            const ALL: &'static [(&'static str, SystemError)] = &[$(($code, SystemError::$variant),)*];

            /// The error for `code`, compared case-insensitively.
            pub fn from_code(code: &str) -> Option<Self> {
                Self::ALL.iter().find(|(c, _)| c.eq_ignore_ascii_case(code)).map(|(_, v)| *v)
            }

            /// The code as the portal spells it.
            pub fn code(self) -> &'static str {
                match self { $(SystemError::$variant => $code,)* }
            }
        }
    };
}

bitrix_wire::system_errors!(system_error_enum);

/// An error answer of the portal: `{"error": code, "error_description": text}` and its status.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The REST method that was called.
    pub method: &'static str,
    /// The `error` code, as sent.
    pub code: String,
    /// The `error_description`, as sent (may be empty).
    pub description: String,
    /// The HTTP status.
    pub status: u16,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} answered {} (HTTP {})",
            self.method, self.code, self.status
        )?;
        if !self.description.is_empty() {
            write!(f, ": {}", self.description)?;
        }
        Ok(())
    }
}

/// A parameter that failed client-side validation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Invalid {
    /// Path of the parameter, e.g. `CODE` or `MESSAGES[0].user.id`.
    pub param: String,
    /// What is wrong with it.
    pub reason: String,
}

/// The request was refused before anything was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidationError {
    /// The REST method; empty when the method name itself was refused (see
    /// [`Client::call_raw`](crate::Client::call_raw)).
    pub method: &'static str,
    /// Every problem found, in parameter order.
    pub problems: Vec<Invalid>,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.method.is_empty() {
            f.write_str("invalid request: ")?;
        } else {
            write!(f, "invalid {} request: ", self.method)?;
        }
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", p.param, p.reason)?;
        }
        Ok(())
    }
}

/// What went wrong on the way to or from the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// The connection could not be made; nothing was sent.
    Connect,
    /// No answer in time; the portal may or may not have acted.
    Timeout,
    /// The connection failed after the request was sent; the portal may or may not have acted.
    Interrupted,
    /// The client configuration or the URL is unusable.
    Config,
    /// The answer's body is larger than [`ClientBuilder::max_body_size`]; reading stopped at
    /// the limit. The portal may have acted.
    ///
    /// [`ClientBuilder::max_body_size`]: crate::ClientBuilder::max_body_size
    BodyTooLarge,
    /// The portal redirected to an address the [`RedirectPolicy`] does not let credentials go
    /// to, or redirected again after a domain change was followed. The portal did not act.
    ///
    /// [`RedirectPolicy`]: crate::RedirectPolicy
    Redirect,
}

/// A network or HTTP failure. Its text never holds the URL (which may hold a webhook code).
///
/// [`source()`](std::error::Error::source) is the HTTP stack's error (a [`reqwest::Error`]
/// without its URL, which can be downcast to) or, for a request that could not be encoded, the
/// JSON error; its `Display` holds the kind of failure only, the cause is in the chain.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TransportError {
    /// The REST method that was called.
    pub method: &'static str,
    /// The kind of failure.
    pub kind: TransportKind,
    /// What the HTTP stack said, the whole chain of causes on one line, with the URL and any
    /// secret removed: for a log line.
    pub message: String,
    pub(crate) cause: Option<Cause>,
}

impl TransportError {
    /// True when the request may have reached the portal, so its outcome is unknown.
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self.kind,
            TransportKind::Timeout | TransportKind::Interrupted | TransportKind::BodyTooLarge
        )
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportKind::Connect => "could not connect",
            TransportKind::Timeout => "timed out (outcome unknown)",
            TransportKind::Interrupted => "connection failed after sending (outcome unknown)",
            TransportKind::Config => "is misconfigured",
            TransportKind::BodyTooLarge => "answered a body over the size limit (outcome unknown)",
            TransportKind::Redirect => "was redirected and the redirect was not followed",
        };
        write!(f, "{} {what}", self.method)?;
        // With a cause, the details are in the `source()` chain, not repeated here.
        if self.cause.is_none() && !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

/// The portal answered something that is not the documented shape.
///
/// When the answer is not JSON or `result` does not have the spec's shape,
/// [`source()`](std::error::Error::source) is the JSON error, which names the path of the
/// value and is not repeated in this error's `Display`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    /// The REST method that was called.
    pub method: &'static str,
    /// The HTTP status of the answer.
    pub status: u16,
    /// What did not match.
    pub message: String,
    /// The start of the body, for diagnosis (at most 200 characters).
    pub body_start: String,
    pub(crate) cause: Option<Cause>,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} answered HTTP {} with an unexpected body ({}): {:?}",
            self.method, self.status, self.message, self.body_start
        )
    }
}

/// Why a call failed. `E` is the method's generated error enum; `Error` alone (`E` =
/// [`Untyped`]) is the error of any method: of a raw call, of a `batch`, or of a typed call
/// turned untyped with [`Error::into_untyped`] or `?`.
///
/// ```no_run
/// use bitrix_api::{Client, Error};
/// use bitrix_api::crm::CrmItemList;
/// use bitrix_api::messageservice::MessageserviceSenderList;
///
/// // Errors of different methods, and of raw calls, leave one function with `?`.
/// async fn overview(client: &Client) -> Result<usize, Error> {
///     let senders = client.call(MessageserviceSenderList::new()).await?;
///     let deals = client.call(CrmItemList::new(2)).await?;
///     let user = client.call_raw("user.current", serde_json::json!({})).await?;
///     Ok(senders.len() + deals.items.len() + usize::from(user.is_object()))
/// }
/// ```
///
/// Where the error type is inferred (an async block given to `tokio::spawn`), name it:
/// `Ok::<_, Error>(())`; `Error<_>` leaves `?` two conversions to choose from.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Error<E = Untyped> {
    /// One of the method's documented errors.
    Method {
        /// The documented code.
        code: E,
        /// The answer as received.
        detail: ApiError,
    },
    /// A system error any method may return.
    System {
        /// The system code.
        code: SystemError,
        /// The answer as received.
        detail: ApiError,
    },
    /// An error code that is neither documented for the method nor a known system code.
    Other(ApiError),
    /// The request failed client-side validation; nothing was sent.
    Validation(ValidationError),
    /// Network or HTTP failure.
    Transport(TransportError),
    /// The answer could not be decoded.
    Decode(DecodeError),
    /// The access token expired and could not be refreshed.
    Auth(crate::auth::AuthError),
}

/// The error codes of no method in particular: `Error<Untyped>`, or just [`Error`], is the error
/// of a raw call, of a `batch` call, and of any typed call after [`Error::into_untyped`]. It has
/// no values, so such an error is never [`Error::Method`]: a code is a [`SystemError`] or
/// [`Error::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Untyped {}

impl<E: MethodError> Error<E> {
    /// Classifies an error answer: the method's codes first, then the system codes.
    pub fn from_api(detail: ApiError) -> Self {
        if let Some(code) = E::from_code(&detail.code) {
            Error::Method { code, detail }
        } else if let Some(code) = SystemError::from_code(&detail.code) {
            Error::System { code, detail }
        } else {
            Error::Other(detail)
        }
    }

    /// The documented method error, if it is one.
    pub fn method_error(&self) -> Option<E> {
        match self {
            Error::Method { code, .. } => Some(*code),
            _ => None,
        }
    }
}

impl Error {
    /// An untyped error answer: a system code, or any other.
    pub(crate) fn untyped_api(detail: ApiError) -> Self {
        match SystemError::from_code(&detail.code) {
            Some(code) => Error::System { code, detail },
            None => Error::Other(detail),
        }
    }
}

impl<E> Error<E> {
    /// The portal's answer, for the three API layers.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Method { detail, .. } | Error::System { detail, .. } | Error::Other(detail) => {
                Some(detail)
            }
            _ => None,
        }
    }

    /// The same failure typed for another method: a documented code of this one becomes
    /// [`Error::Other`] there, unless it is one of the other method's codes too.
    pub fn retype<F: MethodError>(self) -> Error<F> {
        match self.into_untyped() {
            Error::Other(detail) => Error::from_api(detail),
            Error::System { code, detail } => Error::System { code, detail },
            Error::Validation(v) => Error::Validation(v),
            Error::Transport(t) => Error::Transport(t),
            Error::Decode(d) => Error::Decode(d),
            Error::Auth(a) => Error::Auth(a),
            Error::Method { code, .. } => match code {},
        }
    }

    /// The same failure without the method's type: a documented code becomes [`Error::Other`]
    /// (the code and description are kept in its [`ApiError`]). `?` does the same in a function
    /// that returns [`Error`]; see the example on [`Error`].
    pub fn into_untyped(self) -> Error {
        match self {
            Error::Method { detail, .. } | Error::Other(detail) => Error::untyped_api(detail),
            Error::System { code, detail } => Error::System { code, detail },
            Error::Validation(v) => Error::Validation(v),
            Error::Transport(t) => Error::Transport(t),
            Error::Decode(d) => Error::Decode(d),
            Error::Auth(a) => Error::Auth(a),
        }
    }

    /// The system error, if it is one.
    pub fn system_error(&self) -> Option<SystemError> {
        match self {
            Error::System { code, .. } => Some(*code),
            _ => None,
        }
    }
}

/// A typed error into the untyped one, so that `?` gathers the errors of different methods.
/// ([`Untyped`] is not a [`MethodError`], so this does not collide with `From<T> for T`.)
impl<E: MethodError> From<Error<E>> for Error {
    fn from(e: Error<E>) -> Self {
        e.into_untyped()
    }
}

/// A request refused before sending ([`Batch::add`](crate::Batch::add) and
/// [`Batch::add_raw`](crate::Batch::add_raw) return one), as the error of the call.
impl<E> From<ValidationError> for Error<E> {
    fn from(e: ValidationError) -> Self {
        Error::Validation(e)
    }
}

impl<E> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Method { detail, .. } => write!(f, "{detail}"),
            Error::System { detail, .. } => write!(f, "{detail} [system error]"),
            Error::Other(detail) => write!(f, "{detail} [undocumented code]"),
            Error::Validation(e) => e.fmt(f),
            Error::Transport(e) => e.fmt(f),
            Error::Decode(e) => e.fmt(f),
            Error::Auth(e) => e.fmt(f),
        }
    }
}

/// `source()` is the cause of the layer the error is in (each variant shows its inner error's
/// text, so the chain goes on with that error's own cause): the HTTP stack's error of a
/// transport failure, the JSON error of a decoding failure. No secret is in any of them.
impl<E: fmt::Debug> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(e) => std::error::Error::source(e),
            Error::Decode(e) => std::error::Error::source(e),
            Error::Auth(e) => std::error::Error::source(e),
            _ => None,
        }
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause.as_ref().map(Cause::as_error)
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause.as_ref().map(Cause::as_error)
    }
}

/// The underlying error of a failure, shared by clones of the error that holds it.
///
/// It is the original error (a [`reqwest::Error`] without its URL, a [`serde_json::Error`]), so
/// that callers can downcast it, when nothing in its text or `Debug` output is a credential of
/// the client; otherwise a copy of its chain of messages with the credentials replaced by `***`.
#[derive(Clone)]
pub(crate) struct Cause(Arc<dyn std::error::Error + Send + Sync + 'static>);

impl Cause {
    /// Keeps `error` as the cause; `redact` is the client's: it replaces its credentials.
    pub(crate) fn new<T>(error: T, redact: &dyn Fn(String) -> String) -> Cause
    where
        T: std::error::Error + Send + Sync + 'static,
    {
        let mut seen = format!("{error:?}");
        let mut level: Option<&(dyn std::error::Error + 'static)> = Some(&error);
        while let Some(e) = level {
            seen.push('\n');
            seen.push_str(&e.to_string());
            level = e.source();
        }
        if redact(seen.clone()) == seen {
            return Cause(Arc::new(error));
        }
        Cause(Arc::new(Redacted::of(&error, redact)))
    }

    pub(crate) fn as_error(&self) -> &(dyn std::error::Error + 'static) {
        &*self.0
    }
}

impl fmt::Debug for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// Two causes are alike when they say the same.
impl PartialEq for Cause {
    fn eq(&self, other: &Cause) -> bool {
        self.0.to_string() == other.0.to_string()
    }
}

impl Eq for Cause {}

/// An error whose text held a credential: each message of its chain, redacted.
#[derive(Debug)]
struct Redacted {
    message: String,
    source: Option<Box<Redacted>>,
}

impl Redacted {
    fn of(error: &(dyn std::error::Error + 'static), redact: &dyn Fn(String) -> String) -> Self {
        Redacted {
            message: redact(error.to_string()),
            source: error.source().map(|s| Box::new(Redacted::of(s, redact))),
        }
    }
}

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Redacted {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

impl std::error::Error for ApiError {}
impl std::error::Error for ValidationError {}

#[cfg(test)]
mod tests {
    use super::SystemError;

    #[test]
    fn system_errors_are_the_shared_table() {
        let codes: Vec<_> = SystemError::ALL.iter().map(|(c, _)| *c).collect();
        let table: Vec<_> = bitrix_wire::SYSTEM_ERRORS
            .iter()
            .map(|(c, ..)| *c)
            .collect();
        assert_eq!(codes, table);
        for (code, variant) in SystemError::ALL {
            assert_eq!(variant.code(), *code);
            assert_eq!(SystemError::from_code(&code.to_lowercase()), Some(*variant));
        }
    }
}
