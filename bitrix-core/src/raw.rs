//! Calls by REST name, for methods that have no spec (or a spec that is wrong): the `result` as
//! JSON, through the same attempt loop as typed calls (limits, retries, token refresh, domain
//! changes, redaction, tracing).

use std::collections::HashSet;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Value};
use tracing::Instrument;

use crate::client::{Client, Failure};
use crate::error::{Error, Invalid, TransportError, TransportKind, Untyped, ValidationError};
use crate::limits::RetryPolicy;
use crate::types::Reply;

/// The longest method name accepted; the portal's are far shorter.
const MAX_NAME: usize = 128;

/// How many distinct names of methods without a spec are remembered (each for the life of the
/// process, for errors, logs and the per-method execution-time state); beyond that, further
/// names share one entry.
const MAX_NAMES: usize = 4096;

/// The name errors carry for a method beyond [`MAX_NAMES`].
const OVERFLOW_NAME: &str = "(raw method)";

/// A raw request, checked: the method's name (interned), its parameters as a JSON object, and
/// what the client knows of its idempotence (`None`: nothing, the method has no spec).
#[derive(Debug, Clone)]
pub(crate) struct RawRequest {
    pub(crate) method: &'static str,
    pub(crate) params: Map<String, Value>,
    pub(crate) idempotent: Option<bool>,
}

impl RawRequest {
    pub(crate) fn new(
        client: &Client,
        method: &str,
        params: impl Serialize,
    ) -> Result<RawRequest, ValidationError> {
        let refuse = |method: &'static str, param: &str, reason: String| ValidationError {
            method,
            problems: vec![Invalid {
                param: param.to_owned(),
                reason,
            }],
        };
        if let Err(why) = check_name(method) {
            // The text the caller gave may be anything, a webhook URL even: it is shown
            // shortened, and without the client's credentials.
            let shown: String = client.redact(method.to_owned()).chars().take(80).collect();
            return Err(refuse("", "method", format!("{shown:?} {why}")));
        }
        let (method, idempotent) = intern(method);
        let params = match serde_json::to_value(params) {
            Ok(Value::Object(map)) => map,
            Ok(Value::Null) => Map::new(),
            Ok(other) => {
                let kind = match other {
                    Value::Array(_) => "an array",
                    Value::String(_) => "a string",
                    Value::Number(_) => "a number",
                    _ => "a boolean",
                };
                return Err(refuse(
                    method,
                    "params",
                    format!("must be a JSON object, is {kind}"),
                ));
            }
            Err(e) => {
                let reason = client.redact(format!("cannot be serialized: {e}"));
                return Err(refuse(method, "params", reason));
            }
        };
        Ok(RawRequest {
            method,
            params,
            idempotent,
        })
    }
}

impl RawRequest {
    /// Sends the request through the client's attempt loop, as a typed call is sent; a method
    /// of unknown idempotence is taken as not idempotent.
    pub(crate) async fn send(
        &self,
        client: &Client,
        policy: RetryPolicy,
    ) -> Result<Reply<Value>, Error> {
        let method = self.method;
        let params = serde_json::to_vec(&self.params).map_err(|e| {
            Error::<Untyped>::Transport(TransportError {
                method,
                kind: TransportKind::Config,
                message: client.redact(e.to_string()),
                cause: Some(client.cause(e, &[])),
            })
        })?;
        let idempotent = self.idempotent.unwrap_or(false);
        let span = tracing::debug_span!("bitrix.call", method, raw = true);
        let raw = client
            .run(method, idempotent, &params, policy, &[])
            .instrument(span)
            .await
            .map_err(Failure::into_untyped)?;
        let result = serde_json::from_str(raw.result.get()).map_err(|e| {
            Error::<Untyped>::Decode(client.mismatch(method, raw.result.get(), e, &[]))
        })?;
        Ok(Reply {
            result,
            time: raw.time,
            next: raw.next,
            total: raw.total,
        })
    }
}

/// A REST method name: dot-separated parts of ASCII letters, digits and `_`, starting with a
/// letter (`crm.item.list`, `imbot.v2.Chat.Message.delete`, `sonet_group.create`).
fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("is not a REST method name: it is empty".into());
    }
    if name.len() > MAX_NAME {
        return Err(format!(
            "is not a REST method name: longer than {MAX_NAME} characters"
        ));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err("is not a REST method name: it must start with a letter".into());
    }
    let part_ok =
        |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !name.split('.').all(part_ok) {
        return Err(
            "is not a REST method name: dot-separated parts of letters, digits and `_` (e.g. `crm.item.list`)"
                .into(),
        );
    }
    Ok(())
}

/// The name as a `&'static str`, as every error and the client's per-method state hold it: each
/// name is kept once. Its idempotence is unknown (`None`) until [`RawCall::idempotent`] says:
/// the runtime does not see the specs, which live in the scope crates above it.
fn intern(name: &str) -> (&'static str, Option<bool>) {
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(kept) = names.get(name) {
        return (kept, None);
    }
    if names.len() >= MAX_NAMES {
        return (OVERFLOW_NAME, None);
    }
    let kept: &'static str = Box::leak(name.to_owned().into_boxed_str());
    names.insert(kept);
    (kept, None)
}

type Boxed<'c, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'c>>;

/// A call by REST name, made by awaiting it; built with [`Client::call_raw`]. Options are set
/// on it before it is awaited.
///
/// ```no_run
/// # async fn demo(client: bitrix_api::Client) -> Result<(), bitrix_api::Error> {
/// use bitrix_api::RetryPolicy;
/// use serde_json::json;
///
/// // The `result` alone.
/// let leads = client.call_raw("crm.lead.list", json!({"select": ["ID", "TITLE"]})).await?;
///
/// // With `total`, `next` and the `time` block.
/// let page = client.call_raw("crm.lead.list", json!({"start": 50})).with_time().await?;
/// println!("{} of {:?}, next at {:?}", page.result, page.total, page.next);
///
/// // A method the client does not know is not sent twice after an ambiguous failure, unless
/// // the caller says it is safe; a retry policy and a deadline for this call alone.
/// let user = client
///     .call_raw("user.current", json!({}))
///     .idempotent(true)
///     .retry(RetryPolicy::NONE)
///     .timeout(std::time::Duration::from_secs(5))
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "a raw call does nothing until it is awaited"]
pub struct RawCall<'c> {
    client: &'c Client,
    request: Result<RawRequest, ValidationError>,
    policy: Option<RetryPolicy>,
    deadline: Option<Duration>,
}

impl<'c> RawCall<'c> {
    /// Whether the method is safe to send again after an ambiguous failure (a timeout, a
    /// connection lost after sending, a 5xx page). By default: what its spec says for a method
    /// the client has a spec of, and no for any other.
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        if let Ok(r) = &mut self.request {
            r.idempotent = Some(idempotent);
        }
        self
    }

    /// A retry policy for this call alone (the client's otherwise).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.policy = Some(policy);
        self
    }

    /// A deadline for the whole call, waits and retries included: past it the call is given up
    /// with a [`TransportKind::Timeout`] error (its outcome unknown: the portal may have acted).
    /// Each HTTP exchange keeps the client's own timeout too.
    pub fn timeout(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Resolves to the whole answer: `result`, `total`, `next` and the `time` block.
    pub fn with_time(self) -> RawCallWithTime<'c> {
        RawCallWithTime(self)
    }

    async fn send(self) -> Result<Reply<Value>, Error> {
        let request = self.request.map_err(Error::<Untyped>::Validation)?;
        let policy = self.policy.unwrap_or_else(|| self.client.retry_policy());
        let Some(deadline) = self.deadline else {
            return request.send(self.client, policy).await;
        };
        match tokio::time::timeout(deadline, request.send(self.client, policy)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(Error::Transport(TransportError {
                method: request.method,
                kind: TransportKind::Timeout,
                message: format!("no answer within the call's deadline of {deadline:?}"),
                cause: None,
            })),
        }
    }
}

impl<'c> IntoFuture for RawCall<'c> {
    type Output = Result<Value, Error>;
    type IntoFuture = Boxed<'c, Value>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.send().await.map(|r| r.result) })
    }
}

/// A [`RawCall`] that resolves to the whole answer ([`RawCall::with_time`]).
#[derive(Debug)]
#[must_use = "a raw call does nothing until it is awaited"]
pub struct RawCallWithTime<'c>(RawCall<'c>);

impl<'c> RawCallWithTime<'c> {
    /// See [`RawCall::idempotent`].
    pub fn idempotent(self, idempotent: bool) -> Self {
        RawCallWithTime(self.0.idempotent(idempotent))
    }

    /// See [`RawCall::retry`].
    pub fn retry(self, policy: RetryPolicy) -> Self {
        RawCallWithTime(self.0.retry(policy))
    }

    /// See [`RawCall::timeout`].
    pub fn timeout(self, deadline: Duration) -> Self {
        RawCallWithTime(self.0.timeout(deadline))
    }
}

impl<'c> IntoFuture for RawCallWithTime<'c> {
    type Output = Result<Reply<Value>, Error>;
    type IntoFuture = Boxed<'c, Reply<Value>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.0.send())
    }
}

impl Client {
    /// Calls any method by its REST name, for a method that has no spec (or whose spec is
    /// wrong), and returns its `result` as JSON. Await it, or set options first:
    /// [`RawCall::with_time`], [`RawCall::idempotent`], [`RawCall::retry`].
    ///
    /// It goes through the same path as typed calls: the rate limit, retries (a raw call is
    /// taken as not idempotent unless [`RawCall::idempotent`] says otherwise: it is not sent
    /// twice after an ambiguous failure),
    /// token refresh, domain changes, redaction of credentials, tracing. What it does not have
    /// is a spec: nothing is validated before sending but the name's shape (an
    /// [`Error::Validation`] for `"crm lead list"` or a URL) and that `params` is a JSON object.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), bitrix_api::Error> {
    /// use serde_json::json;
    ///
    /// let client = bitrix_api::Client::from_webhook("https://example.bitrix24.com/rest/1/code/")
    ///     .expect("a webhook URL");
    /// let id = client
    ///     .call_raw("crm.lead.add", json!({"fields": {"TITLE": "From Rust"}}))
    ///     .await?;
    /// println!("lead {id}");
    /// # Ok(()) }
    /// ```
    pub fn call_raw(&self, method: &str, params: impl Serialize) -> RawCall<'_> {
        RawCall {
            client: self,
            request: RawRequest::new(self, method, params),
            policy: None,
            deadline: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_names_are_checked_for_shape() {
        for good in [
            "crm.item.list",
            "imbot.v2.Chat.Message.delete",
            "sonet_group.create",
            "batch",
            "user.current",
        ] {
            assert_eq!(check_name(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "crm lead list",
            "crm..list",
            ".crm.list",
            "crm.list.",
            "crm/lead/list",
            "crm.lead.list?start=1",
            "https://example.bitrix24.com/rest/1/abc/crm.lead.list",
            "1crm.list",
            "crm.lead.список",
            &"a".repeat(MAX_NAME + 1),
        ] {
            assert!(check_name(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn a_name_is_kept_once_and_its_idempotence_is_unknown() {
        let (a, known) = intern("no.such.method");
        let (b, _) = intern("no.such.method");
        assert!(std::ptr::eq(a, b), "kept once");
        assert_eq!(known, None);
    }
}
