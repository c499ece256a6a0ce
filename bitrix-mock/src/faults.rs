//! Injected failures: what a client meets between it and a real portal now and then.

use std::sync::Mutex;
use std::time::Duration;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::lock;

/// A failure for [`MockPortal::inject_fault`](crate::MockPortal::inject_fault) to produce instead
/// of, or around, the portal's real answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// `500` with `content-type: text/html` and an HTML error page, as a proxy in front of a
    /// failing portal answers. The method is not executed.
    Html500,
    /// The real answer, with its status, but the JSON body cut in half. The method is executed.
    TruncatedJson,
    /// The real answer after this long; the method is executed before the wait, like on a slow
    /// portal, and the `time` block's `duration` includes it.
    Delay(Duration),
    /// The request is read and the method executed, then the connection is closed without a
    /// single byte of response: the client cannot tell whether the call took effect.
    DropConnection,
    /// `200` carrying `{"error": code, "error_description": description}`. The method is not
    /// executed.
    ErrorWith200 {
        /// The `error` member.
        code: String,
        /// The `error_description` member.
        description: String,
    },
    /// This status (500 if it is not a valid one) with this raw body, served as
    /// `application/json` when it parses as JSON and as `text/plain` otherwise. The method is not
    /// executed.
    Status {
        /// The HTTP status code.
        status: u16,
        /// The body, verbatim.
        body: String,
    },
}

/// The page a proxy shows when the portal behind it fails.
const HTML_500: &str = "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>\n<body><h1>Internal Server Error</h1><p>The server encountered an internal error and was unable to complete your request.</p><hr><address>nginx</address></body></html>\n";

impl Fault {
    /// The whole answer, for faults that stand in for the call instead of wrapping it.
    pub(crate) fn replacement(&self) -> Option<Response> {
        Some(match self {
            Fault::Html500 => (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                HTML_500,
            )
                .into_response(),
            Fault::ErrorWith200 { code, description } => {
                let body = json!({"error": code, "error_description": description});
                (StatusCode::OK, axum::Json(body)).into_response()
            }
            Fault::Status { status, body } => {
                let status =
                    StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let kind = if serde_json::from_str::<serde_json::Value>(body).is_ok() {
                    "application/json"
                } else {
                    "text/plain; charset=utf-8"
                };
                (status, [(header::CONTENT_TYPE, kind)], body.clone()).into_response()
            }
            Fault::TruncatedJson | Fault::Delay(_) | Fault::DropConnection => return None,
        })
    }
}

/// Faults waiting for the requests they apply to, in the order they were injected.
#[derive(Default)]
pub(crate) struct Faults(Mutex<Vec<Pending>>);

struct Pending {
    /// Method name as the portal looks it up; `None` matches any method.
    method: Option<String>,
    fault: Fault,
    left: u32,
}

impl Faults {
    pub(crate) fn inject(&self, method: Option<&str>, fault: Fault, times: u32) {
        if times == 0 {
            return;
        }
        let method = method.map(crate::server::method_key);
        lock(&self.0).push(Pending {
            method,
            fault,
            left: times,
        });
    }

    /// The fault for a request of `method` (as the portal looks it up), using up one of its times; the earliest
    /// injected fault that matches wins.
    pub(crate) fn take(&self, method: &str) -> Option<Fault> {
        let mut pending = lock(&self.0);
        let i = pending
            .iter()
            .position(|p| p.method.as_deref().is_none_or(|m| m == method))?;
        let entry = pending.get_mut(i)?;
        entry.left = entry.left.saturating_sub(1);
        if entry.left == 0 {
            return Some(pending.remove(i).fault);
        }
        Some(entry.fault.clone())
    }
}
