//! Credentials: incoming webhooks, and OAuth access tokens with a refresh that all concurrent
//! callers share.

use std::fmt;
use std::sync::{Arc, RwLock};

use serde::Deserialize;

use crate::error::Cause;
use crate::types::Secret;

/// The address of Bitrix24's OAuth server, where access tokens are refreshed.
pub const DEFAULT_TOKEN_ENDPOINT: &str = "https://oauth.bitrix.info/oauth/token/";

/// An OAuth application's credentials, needed to refresh access tokens.
///
/// ```
/// use bitrix_api::{ClientBuilder, OAuthApp};
///
/// let app = OAuthApp::new("local.abc123", "client-secret");
/// let client = ClientBuilder::access_token("https://example.bitrix24.com", "access-token")
///     .refresh("refresh-token", app)
///     .on_token_refresh(|tokens| {
///         // Store tokens.access_token and tokens.refresh_token: the old refresh token is dead.
///         let _ = tokens;
///     })
///     .build()?;
/// # Ok::<(), bitrix_api::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct OAuthApp {
    /// The application's `client_id`.
    pub client_id: String,
    /// The application's `client_secret`.
    pub client_secret: Secret,
    /// Where tokens are refreshed ([`DEFAULT_TOKEN_ENDPOINT`] unless testing).
    pub token_endpoint: String,
}

impl OAuthApp {
    /// An application refreshing at [`DEFAULT_TOKEN_ENDPOINT`].
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<Secret>) -> Self {
        OAuthApp {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            token_endpoint: DEFAULT_TOKEN_ENDPOINT.to_owned(),
        }
    }

    /// Refreshes at another endpoint (a mock portal's, in tests).
    pub fn token_endpoint(mut self, url: impl Into<String>) -> Self {
        self.token_endpoint = url.into();
        self
    }
}

/// Tokens issued by a refresh. The refresh token rotates: store the new one, the old one is dead.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct OAuthTokens {
    /// The new access token (valid for an hour).
    pub access_token: Secret,
    /// The new refresh token; the one it replaces no longer works.
    pub refresh_token: Secret,
    /// Seconds the access token lives.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub expires_in: Option<i64>,
    /// The portal's domain.
    #[serde(default)]
    pub domain: Option<String>,
    /// The portal's REST address, e.g. `https://portal.bitrix24.com/rest/`.
    #[serde(default)]
    pub client_endpoint: Option<String>,
    /// The portal's unique id.
    #[serde(default)]
    pub member_id: Option<String>,
    /// The user the tokens act for.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub user_id: Option<i64>,
}

/// Why a token refresh failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthErrorKind {
    /// The refresh token is invalid, used already or expired: the user must authorize again.
    InvalidGrant,
    /// The application's client id or secret is wrong.
    InvalidClient,
    /// The access token expired and the client has no refresh token or application credentials.
    NoRefresh,
    /// The OAuth server could not be reached or answered something else.
    Failed,
}

/// A failed token refresh. Its text holds no token or secret.
///
/// When the OAuth server could not be reached or answered something that is not JSON,
/// [`source()`](std::error::Error::source) is that error (without the URL, which holds the
/// refresh token).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuthError {
    /// What kind of failure.
    pub kind: AuthErrorKind,
    /// What the OAuth server or the network said.
    pub message: String,
    pub(crate) cause: Option<Cause>,
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            AuthErrorKind::InvalidGrant => {
                "the refresh token was refused; authorize the application again"
            }
            AuthErrorKind::InvalidClient => "the application's client id or secret was refused",
            AuthErrorKind::NoRefresh => {
                "the access token expired and no refresh token is configured"
            }
            AuthErrorKind::Failed => "the token refresh failed",
        };
        write!(f, "{what}")?;
        if !self.message.is_empty() {
            write!(f, " ({})", self.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for AuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause.as_ref().map(Cause::as_error)
    }
}

/// What [`crate::ClientBuilder::on_token_refresh`] stores.
pub(crate) type Callback = Arc<dyn Fn(&OAuthTokens) + Send + Sync>;

/// How the client proves who it is.
pub(crate) enum Credentials {
    /// `https://portal/rest/{user_id}/{code}/`
    Webhook { user_id: String, code: Secret },
    /// OAuth 2 access token, sent as the `auth` parameter.
    OAuth(Box<OAuth>),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Webhook { user_id, .. } => write!(f, "Webhook(user {user_id}, code ***)"),
            Credentials::OAuth(o) => {
                write!(f, "OAuth(access token ***, refresh: {})", o.app.is_some())
            }
        }
    }
}

impl Credentials {
    /// Every secret the client holds now, to scrub them from any text.
    pub(crate) fn secrets(&self) -> Vec<Secret> {
        match self {
            Credentials::Webhook { code, .. } => vec![code.clone()],
            Credentials::OAuth(o) => {
                let t = o.current.read().unwrap_or_else(|e| e.into_inner());
                let mut v = vec![t.access.clone(), t.refresh.clone()];
                if let Some(app) = &o.app {
                    v.push(app.client_secret.clone());
                }
                v
            }
        }
    }
}

struct Current {
    access: Secret,
    refresh: Secret,
    /// Bumped by every refresh, so a caller can tell whether its token is still the latest.
    generation: u64,
    /// The last failed refresh of this generation, if the last attempt failed.
    failed: Option<Failed>,
}

/// A refresh that failed, remembered so that the callers waiting on it share its outcome
/// instead of each trying again.
struct Failed {
    error: AuthError,
    /// When the attempt ended: a caller that arrived before then waited on it, and shares it.
    ended: std::time::Instant,
    /// The refresh token itself was refused (`invalid_grant`, `invalid_client`, none at all):
    /// every later caller of this generation gets the same error without asking again.
    final_: bool,
}

/// An OAuth session: the current tokens and what is needed to refresh them.
pub(crate) struct OAuth {
    current: RwLock<Current>,
    app: Option<OAuthApp>,
    /// Held during a refresh: concurrent callers that found the same expired token wait here
    /// and then use the token the first one obtained.
    refreshing: tokio::sync::Mutex<()>,
    on_refresh: Option<Callback>,
}

impl OAuth {
    pub(crate) fn new(
        access: Secret,
        refresh: Option<(Secret, OAuthApp)>,
        on_refresh: Option<Callback>,
    ) -> Self {
        let (refresh, app) = match refresh {
            Some((r, app)) => (r, Some(app)),
            None => (Secret::new(""), None),
        };
        OAuth {
            current: RwLock::new(Current {
                access,
                refresh,
                generation: 0,
                failed: None,
            }),
            app,
            refreshing: tokio::sync::Mutex::new(()),
            on_refresh,
        }
    }

    /// The access token to send and its generation.
    pub(crate) fn token(&self) -> (Secret, u64) {
        let c = self.current.read().unwrap_or_else(|e| e.into_inner());
        (c.access.clone(), c.generation)
    }

    /// Refreshes the tokens unless another caller already replaced generation `seen`.
    ///
    /// One attempt at a time, and its outcome is shared: callers that were waiting while it ran
    /// get its new token or its error without asking the token endpoint again (so N concurrent
    /// callers with a dead refresh token cause one request and N identical errors, and with a
    /// token endpoint that hangs they wait for one timeout, not N in a row). A refused refresh
    /// token stays refused for its generation; after a transient failure (network, timeout,
    /// a bad answer) a call that comes later tries again.
    pub(crate) async fn refresh(
        &self,
        http: &reqwest::Client,
        seen: u64,
        max_body: usize,
        redact: impl Fn(String) -> String,
    ) -> Result<(), AuthError> {
        let arrived = std::time::Instant::now();
        let _one_at_a_time = self.refreshing.lock().await;
        let refresh_token = {
            let c = self.current.read().unwrap_or_else(|e| e.into_inner());
            if c.generation != seen {
                return Ok(());
            }
            if let Some(failed) = c.failed.as_ref().filter(|f| f.final_ || f.ended >= arrived) {
                return Err(failed.error.clone());
            }
            c.refresh.clone()
        };
        let outcome = self.attempt(http, refresh_token, max_body, redact).await;
        let mut c = self.current.write().unwrap_or_else(|e| e.into_inner());
        match outcome {
            Ok(tokens) => {
                c.access = tokens.access_token.clone();
                c.refresh = tokens.refresh_token.clone();
                c.generation += 1;
                c.failed = None;
                drop(c);
                if let Some(callback) = &self.on_refresh {
                    callback(&tokens);
                }
                Ok(())
            }
            Err(error) => {
                let final_ = matches!(
                    error.kind,
                    AuthErrorKind::InvalidGrant
                        | AuthErrorKind::InvalidClient
                        | AuthErrorKind::NoRefresh
                );
                c.failed = Some(Failed {
                    error: error.clone(),
                    ended: std::time::Instant::now(),
                    final_,
                });
                Err(error)
            }
        }
    }

    /// One request to the token endpoint.
    async fn attempt(
        &self,
        http: &reqwest::Client,
        refresh_token: Secret,
        max_body: usize,
        redact: impl Fn(String) -> String,
    ) -> Result<OAuthTokens, AuthError> {
        let Some(app) = self
            .app
            .as_ref()
            .filter(|_| !refresh_token.expose().is_empty())
        else {
            return Err(AuthError {
                kind: AuthErrorKind::NoRefresh,
                message: String::new(),
                cause: None,
            });
        };
        let url = format!(
            "{}{}grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={}",
            app.token_endpoint,
            if app.token_endpoint.contains('?') {
                '&'
            } else {
                '?'
            },
            encode(&app.client_id),
            encode(app.client_secret.expose()),
            encode(refresh_token.expose()),
        );
        let failed = |message: String, cause: Cause| AuthError {
            kind: AuthErrorKind::Failed,
            message: redact(message),
            cause: Some(cause),
        };
        let transport = |e: reqwest::Error| {
            let e = e.without_url();
            failed(
                "the OAuth server could not be reached".into(),
                Cause::new(e, &redact),
            )
        };
        let resp = http.get(url).send().await.map_err(transport)?;
        let status = resp.status().as_u16();
        let body = crate::body::read(resp, max_body)
            .await
            .map_err(|e| match e {
                crate::body::BodyError::Http(e) => transport(e),
                crate::body::BodyError::TooLarge(limit) => AuthError {
                    kind: AuthErrorKind::Failed,
                    message: redact(crate::body::BodyError::too_large(limit)),
                    cause: None,
                },
            })?;
        #[derive(Deserialize)]
        struct OAuthError {
            error: String,
            #[serde(default)]
            error_description: String,
        }
        if let Ok(e) = serde_json::from_slice::<OAuthError>(&body) {
            let kind = match e.error.as_str() {
                "invalid_grant" => AuthErrorKind::InvalidGrant,
                "invalid_client" => AuthErrorKind::InvalidClient,
                _ => AuthErrorKind::Failed,
            };
            return Err(AuthError {
                kind,
                message: redact(format!("{}: {}", e.error, e.error_description)),
                cause: None,
            });
        }
        serde_json::from_slice(&body).map_err(|e| {
            let message = format!("HTTP {status}, not a token answer");
            failed(message, Cause::new(e, &redact))
        })
    }
}

/// Percent-encodes a query component (RFC 3986 unreserved characters stay as they are).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
