//! The client: the one HTTP path every generated method goes through, with rate limiting,
//! retries, token refresh and domain changes handled on the way.

use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use reqwest::Url;
use serde::Deserialize;
use serde_json::value::RawValue;
use tokio::time::Instant;
use tracing::Instrument;

use crate::auth::{AuthError, Credentials, OAuth, OAuthApp, OAuthTokens};
use crate::body::{self, BodyError};
use crate::error::MethodError;
use crate::error::{
    ApiError, Cause, DecodeError, Error, SystemError, TransportError, TransportKind,
    ValidationError,
};
use crate::limits::{Bucket, Operating, RateLimit, RetryPolicy};
use crate::method::{Method, Validator};
use crate::redirect::{RedirectPolicy, is_loopback};
use crate::types::{AuthContext, Reply, Secret, Time, collect_secrets};

/// A client configuration that cannot work; the text names what is wrong, never a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// A Bitrix24 REST client. Cheap to clone; clones share the connection pool, the rate-limit
/// bucket, the tokens and the per-method execution-time state.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use bitrix_api::{Client, messageservice::MessageserviceSenderDelete};
///
/// let client = Client::from_webhook("https://example.bitrix24.com/rest/1/abc123/")?;
/// let deleted: bool = client.call(MessageserviceSenderDelete::new("my_sms")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// `scheme://host[:port]`; replaced when the portal moves to a new domain.
    portal: RwLock<String>,
    credentials: Credentials,
    bucket: Option<Bucket>,
    retry: RetryPolicy,
    operating: Operating,
    allow_http: bool,
    redirects: RedirectPolicy,
    /// The most bytes a response body may have.
    max_body: usize,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("portal", &self.portal())
            .field("credentials", &self.inner.credentials)
            .field("rate_limit", &self.inner.bucket.is_some())
            .field("retry", &self.inner.retry)
            .field("redirects", &self.inner.redirects)
            .field("max_body_size", &self.inner.max_body)
            .finish()
    }
}

/// What one HTTP exchange produced, before the method's decoding.
enum Exchange {
    /// Status, body, and the wait a `Retry-After` header asks for.
    Answer(u16, Vec<u8>, Option<Duration>),
    /// 3xx with a `Location`: the portal moved.
    Moved(String),
}

impl Client {
    /// A client for an incoming webhook URL, `https://portal/rest/{user_id}/{code}/`.
    pub fn from_webhook(url: &str) -> Result<Client, ConfigError> {
        ClientBuilder::webhook(url)?.build()
    }

    /// A client for an OAuth application: the portal address and an access token (without
    /// refresh; see [`ClientBuilder::refresh`]).
    pub fn with_access_token(
        portal: &str,
        token: impl Into<Secret>,
    ) -> Result<Client, ConfigError> {
        ClientBuilder::access_token(portal, token).build()
    }

    /// The portal address, `scheme://host[:port]`: the new one after a domain change.
    pub fn portal(&self) -> String {
        self.inner
            .portal
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub(crate) fn retry_policy(&self) -> RetryPolicy {
        self.inner.retry
    }

    /// The auth context calls are made in.
    pub fn auth_context(&self) -> AuthContext {
        match self.inner.credentials {
            Credentials::Webhook { .. } => AuthContext::Webhook,
            Credentials::OAuth(_) => AuthContext::Application,
        }
    }

    /// Calls a method and returns its typed `result`.
    pub async fn call<M: Method>(&self, request: M) -> Result<M::Output, Error<M::Error>> {
        self.call_with_time(request).await.map(|r| r.result)
    }

    /// Calls a method and returns its typed `result` with the `time` block (execution time,
    /// `operating` budget used and `operating_reset_at`).
    pub async fn call_with_time<M: Method>(
        &self,
        request: M,
    ) -> Result<Reply<M::Output>, Error<M::Error>> {
        self.call_with_policy(request, self.inner.retry).await
    }

    /// Like [`Client::call_with_time`], with a retry policy for this call alone.
    pub async fn call_with_policy<M: Method>(
        &self,
        request: M,
        policy: RetryPolicy,
    ) -> Result<Reply<M::Output>, Error<M::Error>> {
        let mut v = Validator::new(self.auth_context());
        request.validate(&mut v);
        let problems = v.finish();
        if !problems.is_empty() {
            return Err(Error::Validation(ValidationError {
                method: M::NAME,
                problems,
            }));
        }
        // The request's own secrets (a `botToken`) are redacted like the client's credentials.
        let (params, secrets) = collect_secrets(|| serde_json::to_vec(&request));
        let params = params.map_err(|e| {
            Error::Transport(TransportError {
                method: M::NAME,
                kind: TransportKind::Config,
                message: self.redact(e.to_string()),
                cause: Some(self.cause(e, &[])),
            })
        })?;
        let span = tracing::debug_span!("bitrix.call", method = M::NAME);
        let raw = self
            .run(M::NAME, M::IDEMPOTENT, &params, policy, &secrets)
            .instrument(span)
            .await
            .map_err(Failure::into_error)?;
        Ok(Reply {
            result: self.output::<M>(raw.result.get(), &secrets)?,
            time: raw.time,
            next: raw.next,
            total: raw.total,
        })
    }

    /// A method's `result` as its typed outcome, for direct calls, batch replies and batched
    /// lists alike: the error it reports inside `result` (`Method::ERRORS_IN_RESULT`), or the
    /// decoded output, or a `Decode` error naming the path. `secrets` are the request's own.
    pub(crate) fn output<M: Method>(
        &self,
        raw: &str,
        secrets: &[Secret],
    ) -> Result<M::Output, Error<M::Error>> {
        if let Some(mut api) = crate::method::error_in_result::<M>(raw) {
            api.description = self.redact_with(api.description, secrets);
            return Err(Error::from_api(api));
        }
        M::decode(raw).map_err(|e| Error::Decode(self.mismatch(M::NAME, raw, e, secrets)))
    }

    /// The attempt loop: what is retried, refreshed or followed, and what is given up on.
    /// `secrets` are the request's own (a `botToken`), removed from any text like the client's.
    pub(crate) async fn run(
        &self,
        method: &'static str,
        idempotent: bool,
        params: &[u8],
        policy: RetryPolicy,
        secrets: &[Secret],
    ) -> Result<RawReply, Failure> {
        let started = Instant::now();
        let mut waited = Duration::ZERO;
        let (mut attempt, mut refreshed, mut moved) = (0u32, false, false);
        loop {
            attempt += 1;
            if let Some(blocked) = self.inner.operating.blocked_for(method) {
                // Another call hit OPERATION_TIME_LIMIT: this method waits, others go on.
                if waited + blocked <= policy.max_total_wait {
                    tracing::info!(
                        wait_ms = blocked.as_millis() as u64,
                        "method blocked by OPERATION_TIME_LIMIT; waiting"
                    );
                    tokio::time::sleep(blocked).await;
                    waited += blocked;
                }
            }
            if let Some(bucket) = &self.inner.bucket {
                bucket.acquire().await;
            }
            let (body, generation) = self.body(params);
            let sent = Instant::now();
            let exchange = self.send(method, body, secrets).await;
            let elapsed_ms = sent.elapsed().as_millis() as u64;
            let mut asked_wait = None;
            let error = match exchange {
                Ok(Exchange::Moved(location)) if !moved => match self.move_to(&location) {
                    Ok(()) => {
                        moved = true;
                        attempt -= 1;
                        continue;
                    }
                    Err(why) => Failure::Transport(TransportError {
                        method,
                        kind: TransportKind::Redirect,
                        message: self.redact_with(why, secrets),
                        cause: None,
                    }),
                },
                Ok(Exchange::Moved(_)) => Failure::Transport(TransportError {
                    method,
                    kind: TransportKind::Redirect,
                    message: "redirected again after following one domain change".into(),
                    cause: None,
                }),
                Ok(Exchange::Answer(status, bytes, wait)) => {
                    tracing::debug!(attempt, status, elapsed_ms, "answered");
                    asked_wait = wait;
                    match decode_envelope(method, status, &bytes, &|t| self.redact_with(t, secrets))
                    {
                        Ok(reply) => {
                            let reset = reply.time.as_ref().and_then(|t| t.operating_reset_at);
                            self.inner.operating.record_reset(method, reset);
                            return Ok(reply);
                        }
                        Err(e) => e,
                    }
                }
                Err(e) => {
                    tracing::debug!(attempt, kind = ?e.kind, elapsed_ms, error = %e.message, "failed");
                    Failure::Transport(e)
                }
            };
            // Whether the failure is worth another attempt, and after how long.
            let retry_after = match &error {
                Failure::Api(api) if is(api, SystemError::ExpiredToken) && !refreshed => {
                    if let Credentials::OAuth(oauth) = &self.inner.credentials {
                        refreshed = true;
                        attempt -= 1;
                        tracing::info!("access token expired; refreshing");
                        let redact = |text: String| self.redact_with(text, secrets);
                        oauth
                            .refresh(&self.inner.http, generation, self.inner.max_body, redact)
                            .await
                            .map_err(Failure::Auth)?;
                        continue;
                    }
                    return Err(error);
                }
                // The portal refused without acting: always safe to send again.
                Failure::Api(api) if is(api, SystemError::QueryLimitExceeded) => {
                    Some(policy.backoff(attempt))
                }
                Failure::Transport(t) if t.kind == TransportKind::Connect => {
                    Some(policy.backoff(attempt))
                }
                Failure::Api(api) if is(api, SystemError::OperationTimeLimit) => {
                    Some(self.inner.operating.block(method))
                }
                // The portal may have acted: only idempotent methods are sent again (an answer
                // over the size limit would be as large again).
                Failure::Transport(t)
                    if t.outcome_unknown()
                        && t.kind != TransportKind::BodyTooLarge
                        && idempotent =>
                {
                    Some(policy.backoff(attempt))
                }
                Failure::Api(api)
                    if idempotent
                        && (is(api, SystemError::InternalServerError)
                            || is(api, SystemError::ErrorUnexpectedAnswer)) =>
                {
                    Some(policy.backoff(attempt))
                }
                // A proxy's or load balancer's "too many requests" page, like a 5xx page.
                Failure::Decode(d) if (d.status >= 500 || d.status == 429) && idempotent => {
                    Some(policy.backoff(attempt))
                }
                _ => None,
            };
            // A `Retry-After` is a floor under the backoff; `max_total_wait` still bounds it.
            let retry_after = retry_after.map(|d| d.max(asked_wait.unwrap_or_default()));
            let Some(delay) = retry_after else {
                return Err(error);
            };
            if attempt >= policy.max_attempts || waited + delay > policy.max_total_wait {
                tracing::warn!(
                    attempt,
                    total_ms = started.elapsed().as_millis() as u64,
                    "giving up"
                );
                return Err(error);
            }
            tracing::info!(attempt, delay_ms = delay.as_millis() as u64, "retrying");
            tokio::time::sleep(delay).await;
            waited += delay;
        }
    }

    /// The JSON body of one attempt: the parameters, plus `auth` for OAuth; and the token's
    /// generation, to tell a stale token from one that expired just now.
    fn body(&self, params: &[u8]) -> (Vec<u8>, u64) {
        let Credentials::OAuth(oauth) = &self.inner.credentials else {
            return (params.to_vec(), 0);
        };
        let (token, generation) = oauth.token();
        // Splice `"auth": token` in front of the serialized object rather than re-building it.
        let mut out = Vec::with_capacity(params.len() + token.expose().len() + 12);
        out.extend_from_slice(b"{\"auth\":");
        // A string always serializes.
        let _ = serde_json::to_writer(&mut out, token.expose());
        if params.len() > 2 {
            out.push(b',');
        }
        out.extend_from_slice(params.get(1..).unwrap_or(b"}"));
        (out, generation)
    }

    async fn send(
        &self,
        method: &'static str,
        body: Vec<u8>,
        secrets: &[Secret],
    ) -> Result<Exchange, TransportError> {
        let portal = self.portal();
        let url = match &self.inner.credentials {
            Credentials::Webhook { user_id, code } => {
                format!("{portal}/rest/{user_id}/{}/{method}", code.expose())
            }
            Credentials::OAuth(_) => format!("{portal}/rest/{method}"),
        };
        let result = async {
            let resp = self
                .inner
                .http
                .post(url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body)
                .send()
                .await
                .map_err(BodyError::Http)?;
            let status = resp.status();
            if status.is_redirection() {
                if let Some(location) = resp
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                {
                    return Ok(Exchange::Moved(location.to_owned()));
                }
            }
            let retry_after = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(Self::retry_after);
            let bytes = body::read(resp, self.inner.max_body).await?;
            Ok::<_, BodyError>(Exchange::Answer(status.as_u16(), bytes, retry_after))
        }
        .await;
        result.map_err(|e| match e {
            BodyError::Http(e) => self.transport_error(method, e, secrets),
            BodyError::TooLarge(limit) => TransportError {
                method,
                kind: TransportKind::BodyTooLarge,
                message: BodyError::too_large(limit),
                cause: None,
            },
        })
    }

    /// The wait of a `Retry-After` header in seconds (`120`); an HTTP date is not read, and the
    /// backoff alone applies.
    fn retry_after(value: &str) -> Option<Duration> {
        value.trim().parse::<u64>().ok().map(Duration::from_secs)
    }

    /// Follows a domain change if the redirect policy allows it: keeps the new portal address
    /// for every later call of this client and its clones. `Err` says why not (hosts only).
    fn move_to(&self, location: &str) -> Result<(), String> {
        let from = Url::parse(&self.portal())
            .map_err(|_| "the portal address cannot be parsed".to_owned())?;
        let target = from
            .join(location)
            .map_err(|_| "the portal redirected to an address that cannot be parsed".to_owned())?;
        self.inner
            .redirects
            .check(&from, &target, self.inner.allow_http)
            .inspect_err(|why| tracing::warn!(reason = %why, "redirect not followed"))?;
        let new = origin(&target).map_err(|e| e.to_string())?;
        tracing::warn!(portal = %new, "the portal moved to a new address");
        *self.inner.portal.write().unwrap_or_else(|e| e.into_inner()) = new;
        Ok(())
    }

    fn transport_error(
        &self,
        method: &'static str,
        e: reqwest::Error,
        secrets: &[Secret],
    ) -> TransportError {
        let kind = if e.is_timeout() {
            TransportKind::Timeout
        } else if e.is_connect() {
            TransportKind::Connect
        } else if e.is_builder() {
            TransportKind::Config
        } else {
            TransportKind::Interrupted
        };
        let e = e.without_url();
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        TransportError {
            method,
            kind,
            message: self.redact_with(message, secrets),
            cause: Some(self.cause(e, secrets)),
        }
    }

    /// An underlying error kept as the `source()` of the error returned, with the client's
    /// credentials and the request's own secrets removed.
    pub(crate) fn cause<T: std::error::Error + Send + Sync + 'static>(
        &self,
        error: T,
        secrets: &[Secret],
    ) -> Cause {
        Cause::new(error, &|t| self.redact_with(t, secrets))
    }

    /// A `result` that does not have the shape its method's spec gives: the decoder's message
    /// quotes the value it met, so it is kept as the redacted cause, not in `message`.
    pub(crate) fn mismatch(
        &self,
        method: &'static str,
        raw: &str,
        e: serde_json::Error,
        secrets: &[Secret],
    ) -> DecodeError {
        DecodeError {
            method,
            status: 200,
            message: "`result` does not match the spec".into(),
            body_start: self.excerpt(raw, secrets),
            cause: Some(self.cause(e, secrets)),
        }
    }

    /// Belt and braces: whatever an HTTP stack puts in a message, no credential leaves.
    /// The start of a body the server sent, for an error: credentials removed first, so that a
    /// page quoting the request (a webhook path, a token) cannot leak them, even in part.
    pub(crate) fn excerpt(&self, text: &str, secrets: &[Secret]) -> String {
        self.redact_with(text.to_owned(), secrets)
            .chars()
            .take(200)
            .collect()
    }

    /// `text` without the client's credentials.
    pub(crate) fn redact(&self, text: String) -> String {
        self.redact_with(text, &[])
    }

    /// `text` without the client's credentials nor `extra`, the request's own secrets.
    pub(crate) fn redact_with(&self, mut text: String, extra: &[Secret]) -> String {
        let mut secrets = self.inner.credentials.secrets();
        secrets.extend(extra.iter().cloned());
        // The longest first: a secret that contains another is not left half-replaced.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.expose().len()));
        for secret in secrets {
            if !secret.expose().is_empty() {
                text = text.replace(secret.expose(), "***");
            }
        }
        text
    }
}

/// A successful answer before the method decodes its `result`.
pub(crate) struct RawReply {
    pub(crate) result: Box<RawValue>,
    pub(crate) time: Option<Time>,
    pub(crate) next: Option<i64>,
    pub(crate) total: Option<i64>,
}

/// Why an exchange failed, before it is typed by the method's error codes.
#[derive(Debug)]
pub(crate) enum Failure {
    Api(ApiError),
    Transport(TransportError),
    Decode(DecodeError),
    Auth(AuthError),
}

impl Failure {
    pub(crate) fn into_error<E: MethodError>(self) -> Error<E> {
        match self {
            Failure::Api(api) => Error::from_api(api),
            Failure::Transport(e) => Error::Transport(e),
            Failure::Decode(e) => Error::Decode(e),
            Failure::Auth(e) => Error::Auth(e),
        }
    }

    /// The failure of a call that has no method type: a raw call, `batch`.
    pub(crate) fn into_untyped(self) -> Error {
        match self {
            Failure::Api(api) => Error::untyped_api(api),
            Failure::Transport(e) => Error::Transport(e),
            Failure::Decode(e) => Error::Decode(e),
            Failure::Auth(e) => Error::Auth(e),
        }
    }
}

fn is(api: &ApiError, code: SystemError) -> bool {
    api.code.eq_ignore_ascii_case(code.code())
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    result: Option<Box<RawValue>>,
    #[serde(default)]
    time: Option<Time>,
    #[serde(default, deserialize_with = "crate::de::lenient")]
    next: Option<i64>,
    #[serde(default, deserialize_with = "crate::de::lenient")]
    total: Option<i64>,
    #[serde(default, deserialize_with = "crate::de::lenient")]
    error: Option<String>,
    #[serde(default, deserialize_with = "crate::de::lenient")]
    error_description: Option<String>,
}

/// Splits an HTTP answer into the `result` (still raw) and `time`, or the portal's error.
///
/// `redact` removes the client's credentials from any text taken from the answer: servers and
/// proxies echo requests.
pub(crate) fn decode_envelope(
    method: &'static str,
    status: u16,
    bytes: &[u8],
    redact: &dyn Fn(String) -> String,
) -> Result<RawReply, Failure> {
    let decode_error = |message: String, cause: Option<serde_json::Error>| {
        let text = redact(String::from_utf8_lossy(bytes).into_owned());
        Failure::Decode(DecodeError {
            method,
            status,
            message: redact(message),
            body_start: text.chars().take(200).collect(),
            cause: cause.map(|e| Cause::new(e, redact)),
        })
    };
    let envelope: Envelope = match serde_json::from_slice(bytes) {
        Ok(e) => e,
        Err(e) => return Err(decode_error("not a JSON envelope".into(), Some(e))),
    };
    // An error envelope wins whatever the status: the portal sends some errors with HTTP 200.
    // An empty `error` beside a `result` is not one: some methods send `"error": ""` on success.
    let error = envelope
        .error
        .filter(|code| !code.is_empty() || envelope.result.is_none());
    if let Some(code) = error {
        let description = redact(envelope.error_description.unwrap_or_default());
        return Err(Failure::Api(ApiError {
            method,
            code,
            description,
            status,
        }));
    }
    match envelope.result {
        Some(result) => Ok(RawReply {
            result,
            time: envelope.time,
            next: envelope.next,
            total: envelope.total,
        }),
        None => Err(decode_error(
            "neither `result` nor `error` in the answer".into(),
            None,
        )),
    }
}

/// The envelope decoder alone, for fuzzing: `Ok` with the raw `result`, or the failure's text.
#[doc(hidden)]
pub fn decode_answer(status: u16, bytes: &[u8]) -> Result<String, String> {
    match decode_envelope("m", status, bytes, &|t| t) {
        Ok(reply) => Ok(reply.result.get().to_owned()),
        Err(Failure::Api(e)) => Err(e.to_string()),
        Err(Failure::Decode(e)) => Err(e.to_string()),
        Err(Failure::Transport(e)) => Err(e.to_string()),
        Err(Failure::Auth(e)) => Err(e.to_string()),
    }
}

/// Builds a [`Client`] with non-default settings.
///
/// ```
/// use std::time::Duration;
/// use bitrix_api::{ClientBuilder, RateLimit, RetryPolicy};
///
/// let client = ClientBuilder::webhook("https://example.bitrix24.com/rest/1/code/")?
///     .rate_limit(Some(RateLimit::ENTERPRISE))
///     .retry(RetryPolicy::default())
///     .timeout(Duration::from_secs(30))
///     .user_agent("my-integration/1.0")
///     .build()?;
/// assert_eq!(client.portal(), "https://example.bitrix24.com");
/// # Ok::<(), bitrix_api::ConfigError>(())
/// ```
pub struct ClientBuilder {
    portal: String,
    webhook: Option<(String, Secret)>,
    access: Option<Secret>,
    refresh: Option<(Secret, OAuthApp)>,
    on_refresh: Option<crate::auth::Callback>,
    timeout: Duration,
    connect_timeout: Duration,
    allow_http: bool,
    user_agent: String,
    rate_limit: Option<RateLimit>,
    retry: RetryPolicy,
    redirects: RedirectPolicy,
    max_body: usize,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("portal", &self.portal)
            .field("webhook", &self.webhook.is_some())
            .field("oauth", &self.access.is_some())
            .field("refresh", &self.refresh.is_some())
            .field("rate_limit", &self.rate_limit)
            .field("retry", &self.retry)
            .field("redirects", &self.redirects)
            .field("max_body_size", &self.max_body)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Starts from an incoming webhook URL, `https://portal/rest/{user_id}/{code}/`.
    pub fn webhook(url: &str) -> Result<ClientBuilder, ConfigError> {
        let shape = "a webhook URL looks like https://portal.bitrix24.com/rest/{user_id}/{code}/";
        // The URL holds the code: the parse error is reported without echoing it.
        let parsed = Url::parse(url.trim())
            .map_err(|e| ConfigError(format!("bad webhook URL ({e}); {shape}")))?;
        let segments: Vec<&str> = parsed
            .path_segments()
            .map(|s| s.filter(|p| !p.is_empty()).collect())
            .unwrap_or_default();
        let [rest, user_id, code] = segments[..] else {
            return Err(ConfigError(format!(
                "the webhook URL has {} path segment(s); {shape}",
                segments.len()
            )));
        };
        if rest != "rest" || !user_id.chars().all(|c| c.is_ascii_digit()) {
            return Err(ConfigError(format!(
                "the webhook URL path is not /rest/{{user_id}}/{{code}}/; {shape}"
            )));
        }
        let mut b = ClientBuilder::new(origin(&parsed)?);
        b.webhook = Some((user_id.to_owned(), Secret::new(code)));
        Ok(b)
    }

    /// Starts from a portal address (`https://portal.bitrix24.com`) and an OAuth access token.
    pub fn access_token(portal: &str, token: impl Into<Secret>) -> ClientBuilder {
        let mut b = ClientBuilder::new(portal.trim().trim_end_matches('/').to_owned());
        b.access = Some(token.into());
        b
    }

    fn new(portal: String) -> ClientBuilder {
        ClientBuilder {
            portal,
            webhook: None,
            access: None,
            refresh: None,
            on_refresh: None,
            timeout: Duration::from_secs(70),
            connect_timeout: Duration::from_secs(10),
            allow_http: false,
            user_agent: concat!("bitrix-api/", env!("CARGO_PKG_VERSION"), " (Rust)").to_owned(),
            rate_limit: Some(RateLimit::STANDARD),
            retry: RetryPolicy::default(),
            redirects: RedirectPolicy::default(),
            max_body: body::DEFAULT_MAX_BODY_SIZE,
        }
    }

    /// Lets the client refresh an expired access token (OAuth only): on `expired_token` it
    /// refreshes once, shared by all concurrent calls, and retries the call once.
    ///
    /// A failed refresh is shared the same way: the calls that waited on it get its error
    /// ([`Error::Auth`]) without asking the token endpoint again, and a refresh token the
    /// endpoint refused is not sent again (a transient failure is tried again by a later call).
    /// The refresh request has the client's [`timeout`](Self::timeout) and body limit
    /// ([`max_body_size`](Self::max_body_size)), and follows no redirect.
    pub fn refresh(mut self, refresh_token: impl Into<Secret>, app: OAuthApp) -> Self {
        self.refresh = Some((refresh_token.into(), app));
        self
    }

    /// Called with the new tokens after every refresh, before the call is retried: store them,
    /// the old refresh token no longer works.
    pub fn on_token_refresh(
        mut self,
        callback: impl Fn(&OAuthTokens) + Send + Sync + 'static,
    ) -> Self {
        self.on_refresh = Some(Arc::new(callback));
        self
    }

    /// The portal's rate limit to stay within ([`RateLimit::STANDARD`] by default), or `None`
    /// to send without pacing.
    pub fn rate_limit(mut self, limit: Option<RateLimit>) -> Self {
        self.rate_limit = limit;
        self
    }

    /// The retry policy of every call ([`RetryPolicy::default`] unless set).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Total time allowed for one HTTP exchange (default 70 s: the portal stops a request at 60).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time allowed to connect (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Allows plain `http://` to hosts other than loopback (credentials then travel in clear).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// Which redirects are followed with the credentials ([`RedirectPolicy::DomainMove`] by
    /// default: a portal's own domain move, never another host). See [`RedirectPolicy`].
    pub fn redirects(mut self, policy: RedirectPolicy) -> Self {
        self.redirects = policy;
        self
    }

    /// The most bytes an answer's body may have, for REST calls, `batch` and the token endpoint
    /// alike ([`DEFAULT_MAX_BODY_SIZE`](crate::DEFAULT_MAX_BODY_SIZE), 64 MiB, by default).
    /// A larger body is not read past the limit: the call fails with
    /// [`TransportKind::BodyTooLarge`] (the token refresh with an [`AuthError`]), whose text says
    /// the limit.
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Replaces the User-Agent header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, ConfigError> {
        let parsed = Url::parse(&self.portal)
            .map_err(|e| ConfigError(format!("bad portal address {:?}: {e}", self.portal)))?;
        let portal = origin(&parsed)?;
        if parsed.scheme() == "http" && !self.allow_http && !is_loopback(&parsed) {
            return Err(ConfigError(format!(
                "refusing plain http:// to {portal}: credentials would travel in clear; use https:// or allow_insecure_http(true)"
            )));
        }
        let credentials = match (self.webhook, self.access) {
            (Some((user_id, code)), _) => Credentials::Webhook { user_id, code },
            (None, Some(access)) => {
                Credentials::OAuth(Box::new(OAuth::new(access, self.refresh, self.on_refresh)))
            }
            (None, None) => return Err(ConfigError("no credentials given".into())),
        };
        if let Some(limit) = self.rate_limit {
            if !(limit.rate.is_finite() && limit.rate > 0.0) || limit.burst == 0 {
                return Err(ConfigError(format!(
                    "rate limit {} requests/s with a burst of {}: the rate must be a positive number and the burst at least 1 (or no rate limit: `rate_limit(None)`)",
                    limit.rate, limit.burst
                )));
            }
        }
        if self.max_body == 0 {
            return Err(ConfigError(
                "max_body_size 0 would refuse every answer; give at least one byte".into(),
            ));
        }
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .user_agent(self.user_agent)
            // Redirects are followed by hand: a POST must stay a POST, and the new domain is kept.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                ConfigError(format!("cannot build the HTTP client: {}", e.without_url()))
            })?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                portal: RwLock::new(portal),
                credentials,
                bucket: self.rate_limit.map(Bucket::new),
                retry: self.retry,
                operating: Operating::default(),
                allow_http: self.allow_http,
                redirects: self.redirects,
                max_body: self.max_body,
            }),
        })
    }
}

fn origin(url: &Url) -> Result<String, ConfigError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ConfigError(format!(
            "the portal address must be http(s), not {}://",
            url.scheme()
        )));
    }
    let host = url
        .host_str()
        .ok_or_else(|| ConfigError("the portal address has no host".into()))?;
    Ok(match url.port() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_error_beside_a_result_is_the_result() {
        match decode_envelope("m", 200, br#"{"result": true, "error": ""}"#, &|t| t) {
            Ok(r) => assert_eq!(r.result.get(), "true"),
            Err(e) => panic!("{e:?}"),
        }
        // Without a result it is still an error, whose code happens to be empty.
        match decode_envelope(
            "m",
            400,
            br#"{"error": "", "error_description": "x"}"#,
            &|t| t,
        ) {
            Err(Failure::Api(e)) => assert!(e.code.is_empty() && e.description == "x", "{e:?}"),
            Err(e) => panic!("{e:?}"),
            Ok(_) => panic!("an error envelope without a result was taken as a success"),
        }
    }

    #[test]
    fn a_rate_limit_that_cannot_drain_is_refused_when_building() {
        for (rate, burst) in [
            (0.0, 50),
            (-1.0, 50),
            (f64::NAN, 50),
            (f64::INFINITY, 50),
            (2.0, 0),
        ] {
            let built = ClientBuilder::webhook("https://example.bitrix24.com/rest/1/code/")
                .expect("a webhook URL")
                .rate_limit(Some(RateLimit { rate, burst }))
                .build();
            let err = built.expect_err("refused");
            assert!(
                err.to_string().contains("rate must be a positive number"),
                "{err}"
            );
        }
    }
}
