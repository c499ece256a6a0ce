//! The two layers of API errors (the method's documented codes, the system codes any call may
//! return) and the client's own failures (validation, transport, decoding).

use std::fmt;

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
pub struct Invalid {
    /// Path of the parameter, e.g. `CODE` or `MESSAGES[0].user.id`.
    pub param: String,
    /// What is wrong with it.
    pub reason: String,
}

/// The request was refused before anything was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// The REST method.
    pub method: &'static str,
    /// Every problem found, in parameter order.
    pub problems: Vec<Invalid>,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {} request: ", self.method)?;
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
#[derive(Debug, Clone)]
pub struct TransportError {
    /// The REST method that was called.
    pub method: &'static str,
    /// The kind of failure.
    pub kind: TransportKind,
    /// What the HTTP stack said, with the URL and any secret removed.
    pub message: String,
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
        write!(f, "{} {what}: {}", self.method, self.message)
    }
}

/// The portal answered something that is not the documented shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// The REST method that was called.
    pub method: &'static str,
    /// The HTTP status of the answer.
    pub status: u16,
    /// What did not match.
    pub message: String,
    /// The start of the body, for diagnosis (at most 200 characters).
    pub body_start: String,
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

/// Why a call failed. `E` is the method's generated error enum.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Error<E> {
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

    /// The portal's answer, for the three API layers.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Method { detail, .. } | Error::System { detail, .. } | Error::Other(detail) => {
                Some(detail)
            }
            _ => None,
        }
    }

    /// The documented method error, if it is one.
    pub fn method_error(&self) -> Option<E> {
        match self {
            Error::Method { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The same failure typed for another method: a documented code of this one becomes
    /// [`Error::Other`] there.
    pub fn retype<F: MethodError>(self) -> Error<F> {
        match self {
            Error::Method { detail, .. } => Error::from_api(detail),
            Error::System { code, detail } => Error::System { code, detail },
            Error::Other(d) => Error::Other(d),
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

impl<E: MethodError> fmt::Display for Error<E> {
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

impl<E: MethodError> std::error::Error for Error<E> {}

impl std::error::Error for ApiError {}
impl std::error::Error for ValidationError {}
impl std::error::Error for TransportError {}
impl std::error::Error for DecodeError {}

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
