//! Injected failures: what a client meets between it and a real portal now and then.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
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
    /// `302 Found` with this `Location`, as a portal that moved (or a proxy, or an attacker on
    /// the way) answers. The method is not executed.
    Redirect {
        /// The `Location` header, verbatim: absolute (another host) or relative.
        location: String,
    },
    /// `200`, `application/json`, and a body of this many bytes streamed without a
    /// `Content-Length` (`u64::MAX`: a body that never ends), produced only as fast as the
    /// client reads it. The method is not executed.
    HugeBody {
        /// Bytes in the body.
        bytes: u64,
    },
}

/// The page a proxy shows when the portal behind it fails.
const HTML_500: &str = "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>\n<body><h1>Internal Server Error</h1><p>The server encountered an internal error and was unable to complete your request.</p><hr><address>nginx</address></body></html>\n";

impl Fault {
    /// One or more instances of every kind of fault, for a test that must meet them all: a
    /// fault added to [`Fault`] is added here (the match below does not compile until it is).
    ///
    /// `Delay` lasts 3 s, longer than a client under test should wait; `HugeBody` never ends;
    /// `Redirect` points at another host (`http://attacker.invalid`) and at the same address.
    pub fn samples() -> Vec<Fault> {
        let all = vec![
            Fault::Html500,
            Fault::TruncatedJson,
            Fault::Delay(Duration::from_secs(3)),
            Fault::DropConnection,
            Fault::ErrorWith200 {
                code: "INTERNAL_SERVER_ERROR".into(),
                description: "Internal server error".into(),
            },
            Fault::ErrorWith200 {
                code: "QUERY_LIMIT_EXCEEDED".into(),
                description: "Too many requests".into(),
            },
            Fault::ErrorWith200 {
                code: "expired_token".into(),
                description: "The access token provided has expired.".into(),
            },
            Fault::Status {
                status: 429,
                body: "<html><body>Too Many Requests</body></html>".into(),
            },
            Fault::Status {
                status: 503,
                body: r#"{"error":"QUERY_LIMIT_EXCEEDED","error_description":"Too many requests"}"#
                    .into(),
            },
            Fault::Status {
                status: 200,
                body: "{}".into(),
            },
            Fault::Status {
                status: 200,
                body: r#"{"result": {"nested": [1, 2, {"x": null}]}, "time": {"start": "x"}}"#
                    .into(),
            },
            Fault::Status {
                status: 404,
                body: "not found".into(),
            },
            Fault::Redirect {
                location: "http://attacker.invalid/steal".into(),
            },
            Fault::Redirect {
                location: "/rest/".into(),
            },
            Fault::HugeBody { bytes: u64::MAX },
        ];
        for f in &all {
            // Every variant must be listed above: a new one stops this match from compiling.
            match f {
                Fault::Html500
                | Fault::TruncatedJson
                | Fault::Delay(_)
                | Fault::DropConnection
                | Fault::ErrorWith200 { .. }
                | Fault::Status { .. }
                | Fault::Redirect { .. }
                | Fault::HugeBody { .. } => {}
            }
        }
        all
    }

    /// A short name for tables: the variant, and the status or code it carries.
    pub fn label(&self) -> String {
        match self {
            Fault::Html500 => "Html500".into(),
            Fault::TruncatedJson => "TruncatedJson".into(),
            Fault::Delay(d) => format!("Delay({}ms)", d.as_millis()),
            Fault::DropConnection => "DropConnection".into(),
            Fault::ErrorWith200 { code, .. } => format!("ErrorWith200({code})"),
            Fault::Status { status, body } => {
                format!(
                    "Status({status}, {})",
                    body.chars().take(12).collect::<String>()
                )
            }
            Fault::Redirect { location } => format!("Redirect({location})"),
            Fault::HugeBody { bytes } if *bytes == u64::MAX => "HugeBody(endless)".into(),
            Fault::HugeBody { bytes } => format!("HugeBody({bytes})"),
        }
    }

    /// The whole answer, for faults that stand in for the call instead of wrapping it; bytes of
    /// a streamed body are counted in `streamed`.
    pub(crate) fn replacement(&self, streamed: &Arc<AtomicU64>) -> Option<Response> {
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
            Fault::Redirect { location } => {
                let location =
                    HeaderValue::from_str(location).unwrap_or(HeaderValue::from_static("/"));
                (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
            }
            Fault::HugeBody { bytes } => {
                let body = Body::from_stream(endless(*bytes, Arc::clone(streamed)));
                (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/json")],
                    body,
                )
                    .into_response()
            }
            Fault::TruncatedJson | Fault::Delay(_) | Fault::DropConnection => return None,
        })
    }
}

/// `{"result":"xxx…` in 64 KiB chunks up to `bytes` in all, each chunk produced when the
/// previous one was taken, so that a client that stops reading stops the stream.
fn endless(
    bytes: u64,
    streamed: Arc<AtomicU64>,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    const CHUNK: u64 = 64 << 10;
    futures_util::stream::unfold(0u64, move |sent| {
        let streamed = Arc::clone(&streamed);
        async move {
            if sent >= bytes {
                return None;
            }
            let n = CHUNK.min(bytes - sent);
            let mut chunk = vec![b'x'; usize::try_from(n).unwrap_or(0)];
            if sent == 0 {
                let head = br#"{"result":""#;
                let k = head.len().min(chunk.len());
                chunk[..k].copy_from_slice(&head[..k]);
            }
            streamed.fetch_add(n, Ordering::Relaxed);
            Some((Ok(chunk), sent + n))
        }
    })
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

    /// Drops every pending fault.
    pub(crate) fn clear(&self) {
        lock(&self.0).clear();
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
