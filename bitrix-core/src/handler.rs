//! The handler side: reading what Bitrix24 POSTs to an application (message-provider handlers,
//! event handlers) into typed payloads, and refusing any payload whose `application_token` is
//! not the application's.

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::events::Authenticated;
use crate::form::{self, FormError, Limits};
use crate::types::Secret;

/// Why a handler request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HandlerError {
    /// The body is not a well-formed form body within the limits.
    Form(FormError),
    /// The body does not have the payload's shape; says which field.
    Shape(String),
    /// The `application_token` is missing or not the application's: the request did not come
    /// from Bitrix24 for this application.
    Forged,
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandlerError::Form(e) => e.fmt(f),
            HandlerError::Shape(e) => write!(f, "unexpected payload: {e}"),
            HandlerError::Forged => {
                f.write_str("application_token does not match: payload refused")
            }
        }
    }
}

impl std::error::Error for HandlerError {}

/// Reads a PHP-style form body (`a[b][0]=x`) into any serde type, the way Bitrix24 encodes
/// handler payloads: lists keyed `0..n` become arrays, `""` becomes null, and the types' lenient
/// fields read `"1"`/`"0"`, `"Y"`/`"N"` and numeric strings.
pub fn from_form<T: DeserializeOwned>(body: &str, limits: Limits) -> Result<T, HandlerError> {
    let map = form::decode(body, limits).map_err(HandlerError::Form)?;
    let value = form::php_to_json(Value::Object(map));
    serde_json::from_value(value).map_err(|e| HandlerError::Shape(e.to_string()))
}

/// Compares two secrets in time that depends on their lengths only, not on where they differ.
pub fn tokens_match(expected: &Secret, received: &str) -> bool {
    let (a, b) = (expected.expose().as_bytes(), received.as_bytes());
    if a.len() != b.len() || a.is_empty() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Parses handler payloads and lets through only those carrying the application's
/// `application_token` (given to the application at install, in `ONAPPINSTALL`).
///
/// ```
/// use bitrix_api::{events::SmsHandlerRequest, handler::Verifier};
///
/// let verifier = Verifier::new("app-token");
/// let sms: SmsHandlerRequest = verifier.parse("message_id=7&auth[application_token]=app-token")?;
/// assert_eq!(sms.message_id.as_deref(), Some("7"));
/// # Ok::<(), bitrix_api::handler::HandlerError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Verifier {
    application_token: Secret,
    limits: Limits,
}

impl Verifier {
    /// A verifier for the application's token, with [`Limits::default`].
    pub fn new(application_token: impl Into<Secret>) -> Self {
        Verifier {
            application_token: application_token.into(),
            limits: Limits::default(),
        }
    }

    /// Other body limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Parses a form body into the typed payload of the event `D` (generated from its spec,
    /// such as `bitrix_api::crm::events::OnCrmDealAdd`) and checks its
    /// `auth[application_token]`. A body of another event is refused as [`HandlerError::Shape`].
    pub fn event<D: crate::events::EventData>(
        &self,
        body: &str,
    ) -> Result<crate::events::Event<D>, HandlerError> {
        let map = form::decode(body, self.limits).map_err(HandlerError::Form)?;
        let value = form::php_to_json(Value::Object(map));
        let event = crate::events::Event::<D>::from_value(value).map_err(|m| {
            if m.path == "auth" {
                HandlerError::Forged
            } else {
                HandlerError::Shape(m.to_string())
            }
        })?;
        if tokens_match(
            &self.application_token,
            event.auth().application_token().expose(),
        ) {
            Ok(event)
        } else {
            Err(HandlerError::Forged)
        }
    }

    /// Parses a form body and checks its `auth[application_token]`.
    pub fn parse<T: DeserializeOwned + Authenticated>(
        &self,
        body: &str,
    ) -> Result<T, HandlerError> {
        let payload: T = from_form(body, self.limits).map_err(|e| match e {
            // A body without an auth block is as untrusted as one with a wrong token.
            HandlerError::Shape(msg)
                if msg.contains("auth") || msg.contains("application_token") =>
            {
                HandlerError::Forged
            }
            other => other,
        })?;
        if tokens_match(
            &self.application_token,
            payload.auth().application_token().expose(),
        ) {
            Ok(payload)
        } else {
            Err(HandlerError::Forged)
        }
    }
}

#[cfg(feature = "axum")]
mod extract {
    //! `Verified<T>`: an axum extractor that parses and verifies in one step.

    use axum::extract::{FromRef, FromRequest, Request};
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Response};
    use serde::de::DeserializeOwned;

    use super::{HandlerError, Verifier};
    use crate::events::Authenticated;

    /// A handler payload that parsed and carried the application's `application_token`.
    /// The application state must give a [`Verifier`] (`impl FromRef<S> for Verifier`).
    #[derive(Debug, Clone)]
    pub struct Verified<T>(pub T);

    impl<S, T> FromRequest<S> for Verified<T>
    where
        S: Send + Sync,
        Verifier: FromRef<S>,
        T: DeserializeOwned + Authenticated + Send,
    {
        type Rejection = Response;

        async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
            let verifier = Verifier::from_ref(state);
            let body = String::from_request(req, state)
                .await
                .map_err(IntoResponse::into_response)?;
            match verifier.parse::<T>(&body) {
                Ok(payload) => Ok(Verified(payload)),
                Err(e @ HandlerError::Forged) => {
                    tracing::warn!("refused a handler request: {e}");
                    Err((StatusCode::UNAUTHORIZED, e.to_string()).into_response())
                }
                Err(e) => Err((StatusCode::BAD_REQUEST, e.to_string()).into_response()),
            }
        }
    }
}

#[cfg(feature = "axum")]
pub use extract::Verified;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_compare() {
        let t = Secret::new("abc123");
        assert!(tokens_match(&t, "abc123"));
        assert!(!tokens_match(&t, "abc124"));
        assert!(!tokens_match(&t, "abc12"));
        assert!(!tokens_match(&Secret::new(""), ""));
    }

    #[test]
    fn forms_become_json_lists_and_nulls() {
        #[derive(serde::Deserialize, Debug)]
        struct P {
            list: Vec<String>,
            empty: Option<String>,
            #[serde(deserialize_with = "crate::de::lenient")]
            n: i64,
        }
        let body: String = (0..12)
            .map(|i| format!("list[{i}]=v{i}&"))
            .collect::<String>()
            + "empty=&n=42";
        let p: P = from_form(&body, Limits::default()).unwrap();
        assert_eq!(
            p.list,
            (0..12).map(|i| format!("v{i}")).collect::<Vec<_>>(),
            "numeric order, not text order"
        );
        assert_eq!(p.empty, None);
        assert_eq!(p.n, 42);
    }
}
