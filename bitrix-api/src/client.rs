//! The client: auth, the one HTTP path every generated method goes through, envelope decoding.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Url;
use serde::Deserialize;
use serde_json::value::RawValue;
use tracing::Instrument;

use crate::error::{ApiError, DecodeError, Error, TransportError, TransportKind, ValidationError};
use crate::method::{Method, Validator};
use crate::types::{AuthContext, Reply, Secret, Time};

/// How the client proves who it is.
#[derive(Clone)]
enum Credentials {
    /// `https://portal/rest/{user_id}/{code}/`
    Webhook { user_id: String, code: Secret },
    /// OAuth 2 access token, sent as the `auth` parameter.
    AccessToken(Secret),
}

/// A client configuration that cannot work; the text names what is wrong, never a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// A Bitrix24 REST client. Cheap to clone; clones share the connection pool.
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
    /// `scheme://host[:port]`, no trailing slash.
    portal: String,
    credentials: Credentials,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("portal", &self.inner.portal)
            .field("auth", &self.auth_context())
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`] with non-default settings.
#[derive(Debug)]
pub struct ClientBuilder {
    portal: String,
    credentials: Option<Credentials>,
    timeout: Duration,
    connect_timeout: Duration,
    allow_http: bool,
    user_agent: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Webhook { user_id, .. } => write!(f, "Webhook(user {user_id}, code ***)"),
            Credentials::AccessToken(_) => f.write_str("AccessToken(***)"),
        }
    }
}

impl Client {
    /// A client for an incoming webhook URL, `https://portal/rest/{user_id}/{code}/`.
    pub fn from_webhook(url: &str) -> Result<Client, ConfigError> {
        ClientBuilder::webhook(url)?.build()
    }

    /// A client for an OAuth application: the portal address and an access token.
    pub fn with_access_token(
        portal: &str,
        token: impl Into<Secret>,
    ) -> Result<Client, ConfigError> {
        ClientBuilder::access_token(portal, token).build()
    }

    /// The portal address, `scheme://host[:port]`.
    pub fn portal(&self) -> &str {
        &self.inner.portal
    }

    /// The auth context calls are made in.
    pub fn auth_context(&self) -> AuthContext {
        match self.inner.credentials {
            Credentials::Webhook { .. } => AuthContext::Webhook,
            Credentials::AccessToken(_) => AuthContext::Application,
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
        let mut v = Validator::new(self.auth_context());
        request.validate(&mut v);
        let problems = v.finish();
        if !problems.is_empty() {
            return Err(Error::Validation(ValidationError {
                method: M::NAME,
                problems,
            }));
        }
        let body = self.encode(&request).map_err(|e| {
            Error::Transport(TransportError {
                method: M::NAME,
                kind: TransportKind::Config,
                message: e.to_string(),
            })
        })?;
        let span = tracing::debug_span!("bitrix.call", method = M::NAME);
        let (status, bytes) = self
            .send(M::NAME, body)
            .instrument(span)
            .await
            .map_err(Error::Transport)?;
        decode_reply::<M>(status, &bytes)
    }

    /// The JSON body: the request's parameters, plus `auth` for an access token.
    fn encode<M: Method>(&self, request: &M) -> Result<Vec<u8>, serde_json::Error> {
        let body = serde_json::to_vec(request)?;
        let Credentials::AccessToken(token) = &self.inner.credentials else {
            return Ok(body);
        };
        // Splice `"auth": token` in front of the serialized object rather than re-building it.
        let mut out = Vec::with_capacity(body.len() + token.expose().len() + 12);
        out.extend_from_slice(b"{\"auth\":");
        serde_json::to_writer(&mut out, token.expose())?;
        if body.len() > 2 {
            out.push(b',');
        }
        out.extend_from_slice(&body[1..]);
        Ok(out)
    }

    async fn send(
        &self,
        method: &'static str,
        body: Vec<u8>,
    ) -> Result<(u16, Vec<u8>), TransportError> {
        let inner = &self.inner;
        let url = match &inner.credentials {
            Credentials::Webhook { user_id, code } => {
                format!("{}/rest/{user_id}/{}/{method}", inner.portal, code.expose())
            }
            Credentials::AccessToken(_) => format!("{}/rest/{method}", inner.portal),
        };
        let started = Instant::now();
        let result = async {
            let resp = inner
                .http
                .post(url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body)
                .send()
                .await?;
            let status = resp.status().as_u16();
            let bytes = resp.bytes().await?;
            Ok::<_, reqwest::Error>((status, bytes.to_vec()))
        }
        .await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match result {
            Ok((status, bytes)) => {
                tracing::debug!(status, elapsed_ms, "answered");
                Ok((status, bytes))
            }
            Err(e) => {
                let err = self.transport_error(method, e);
                tracing::debug!(kind = ?err.kind, elapsed_ms, error = %err.message, "failed");
                Err(err)
            }
        }
    }

    fn transport_error(&self, method: &'static str, e: reqwest::Error) -> TransportError {
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
            message: self.redact(message),
        }
    }

    /// Belt and braces: whatever an HTTP stack puts in a message, no credential leaves.
    fn redact(&self, mut text: String) -> String {
        let secret = match &self.inner.credentials {
            Credentials::Webhook { code, .. } => code.expose(),
            Credentials::AccessToken(t) => t.expose(),
        };
        if !secret.is_empty() {
            text = text.replace(secret, "***");
        }
        text
    }
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
    #[serde(default)]
    time: Option<Time>,
    #[serde(default, deserialize_with = "crate::de::lenient")]
    error: Option<String>,
    #[serde(default, deserialize_with = "crate::de::lenient")]
    error_description: Option<String>,
}

/// Turns an HTTP answer into the method's result or the right layer of error.
pub(crate) fn decode_reply<M: Method>(
    status: u16,
    bytes: &[u8],
) -> Result<Reply<M::Output>, Error<M::Error>> {
    let decode_error = |message: String| {
        let text = String::from_utf8_lossy(bytes);
        Error::Decode(DecodeError {
            method: M::NAME,
            status,
            message,
            body_start: text.chars().take(200).collect(),
        })
    };
    let envelope: Envelope<'_> = match serde_json::from_slice(bytes) {
        Ok(e) => e,
        Err(e) => return Err(decode_error(format!("not a JSON envelope: {e}"))),
    };
    // An error envelope wins whatever the status: the portal sends some errors with HTTP 200.
    if let Some(code) = envelope.error {
        return Err(Error::from_api(ApiError {
            method: M::NAME,
            code,
            description: envelope.error_description.unwrap_or_default(),
            status,
        }));
    }
    let Some(raw) = envelope.result else {
        return Err(decode_error(
            "neither `result` nor `error` in the answer".into(),
        ));
    };
    match M::decode(raw.get()) {
        Ok(result) => Ok(Reply {
            result,
            time: envelope.time,
        }),
        Err(e) => Err(decode_error(format!(
            "`result` does not match the spec: {e}"
        ))),
    }
}

impl ClientBuilder {
    /// Starts from an incoming webhook URL, `https://portal/rest/{user_id}/{code}/`.
    pub fn webhook(url: &str) -> Result<ClientBuilder, ConfigError> {
        let shape = "a webhook URL looks like https://portal.bitrix24.com/rest/{user_id}/{code}/";
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
        b.credentials = Some(Credentials::Webhook {
            user_id: user_id.to_owned(),
            code: Secret::new(code),
        });
        Ok(b)
    }

    /// Starts from a portal address (`https://portal.bitrix24.com`) and an OAuth access token.
    pub fn access_token(portal: &str, token: impl Into<Secret>) -> ClientBuilder {
        let mut b = ClientBuilder::new(portal.trim().trim_end_matches('/').to_owned());
        b.credentials = Some(Credentials::AccessToken(token.into()));
        b
    }

    fn new(portal: String) -> ClientBuilder {
        ClientBuilder {
            portal,
            credentials: None,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            allow_http: false,
            user_agent: concat!("bitrix-api/", env!("CARGO_PKG_VERSION"), " (Rust)").to_owned(),
        }
    }

    /// Total time allowed for one HTTP exchange (default 60 s).
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
        let credentials = self
            .credentials
            .ok_or_else(|| ConfigError("no credentials given".into()))?;
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .user_agent(self.user_agent)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                ConfigError(format!("cannot build the HTTP client: {}", e.without_url()))
            })?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                portal,
                credentials,
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

fn is_loopback(url: &Url) -> bool {
    match url.host_str() {
        Some("localhost") => true,
        Some(h) => h
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}
