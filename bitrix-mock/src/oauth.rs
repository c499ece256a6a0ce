//! OAuth: access tokens that expire, and the authorization server's token endpoint, where a
//! refresh token buys a new pair and is used up doing so.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bitrix_spec::AuthContext;
use serde_json::{Map, Value, json};

use crate::auth::{ADMIN_USER_ID, Caller, Credentials, MAIN_APP, OTHER_APP, USER_ID, secret};
use crate::limits::unix_now;
use crate::{lock, params};

/// Path of the token endpoint; the real one lives on `oauth.bitrix.info`, the mock serves it
/// itself.
pub(crate) const TOKEN_PATH: &str = "/oauth/token/";

/// Path of the authorization server's `app.info` (`oauth.bitrix.info/rest/app.info/` on the real
/// service), which answers otherwise than the portal's method of that name: the token's grant
/// and the installation, lower-case.
pub(crate) const APP_INFO_PATH: &str = "/oauth/rest/app.info/";

/// Whose token it is: an application acting for a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Grant {
    app: &'static str,
    user: i64,
}

/// An installed application's keys, as its card in the portal would show them.
pub(crate) struct AppKeys {
    pub app: &'static str,
    pub client_id: String,
    pub client_secret: String,
    application_token: String,
}

/// Why an access token is refused.
pub(crate) enum Refused {
    /// Never issued: `NO_AUTH_FOUND`.
    Unknown,
    /// Issued but past its lifetime: `expired_token`.
    Expired,
}

/// The `auth` block of a request the portal makes to an application's handler, as far as the
/// authorization server knows it.
pub(crate) struct HandlerAuth {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: u64,
    pub member_id: String,
    pub application_token: String,
}

/// Where the token endpoint's answer sends the client.
pub(crate) struct Endpoints {
    /// `host:port` of the server answering (the authorization server's domain).
    pub domain: String,
    /// `<base>/rest/` of that server.
    pub server_endpoint: String,
    /// `<current portal base>/rest/`: after a domain change this already names the new domain.
    pub client_endpoint: String,
    /// The scopes granted, comma-separated.
    pub scope: String,
}

pub(crate) struct OAuth {
    ttl: Duration,
    member_id: String,
    pub apps: [AppKeys; 2],
    tokens: Mutex<Tokens>,
    pub refreshes: AtomicU64,
}

struct Tokens {
    /// Every access token ever issued; expired ones stay so they answer `expired_token` rather
    /// than `NO_AUTH_FOUND`. `None` never expires (a lifetime too long to represent).
    access: HashMap<String, (Grant, Option<Instant>)>,
    /// The one valid refresh token of each grant.
    refresh: HashMap<String, Grant>,
}

impl OAuth {
    /// Seeds the tokens of `creds`, each with a fresh lifetime and a refresh token.
    pub(crate) fn new(creds: &Credentials, ttl: Duration) -> Self {
        let keys = |app| AppKeys {
            app,
            // The shapes of a local application's keys: `local.<14 hex>.<8 digits>` and 50 chars.
            client_id: format!("local.{}.{}", secret(14), &digits(8)),
            client_secret: secret(50),
            application_token: secret(32),
        };
        let oauth = OAuth {
            ttl,
            member_id: secret(32),
            apps: [keys(MAIN_APP), keys(OTHER_APP)],
            tokens: Mutex::new(Tokens {
                access: HashMap::new(),
                refresh: HashMap::new(),
            }),
            refreshes: AtomicU64::new(0),
        };
        {
            let mut tokens = lock(&oauth.tokens);
            for (token, app, user) in [
                (&creds.main_admin_token, MAIN_APP, ADMIN_USER_ID),
                (&creds.main_user_token, MAIN_APP, USER_ID),
                (&creds.other_admin_token, OTHER_APP, ADMIN_USER_ID),
            ] {
                oauth.issue(&mut tokens, Grant { app, user }, token.clone());
            }
        }
        oauth
    }

    /// Records `access` for `grant` with a fresh lifetime and replaces the grant's refresh token;
    /// answers the new refresh token.
    fn issue(&self, tokens: &mut Tokens, grant: Grant, access: String) -> String {
        let refresh = secret(32);
        let expires = Instant::now().checked_add(self.ttl);
        tokens.access.insert(access, (grant, expires));
        tokens.refresh.retain(|_, g| *g != grant);
        tokens.refresh.insert(refresh.clone(), grant);
        refresh
    }

    /// The caller an access token stands for.
    pub(crate) fn authenticate(&self, token: &str) -> Result<Caller, Refused> {
        let tokens = lock(&self.tokens);
        let &(grant, expires) = tokens.access.get(token).ok_or(Refused::Unknown)?;
        if expires.is_some_and(|at| Instant::now() >= at) {
            return Err(Refused::Expired);
        }
        Ok(Caller {
            user: grant.user,
            app: Some(grant.app),
            context: AuthContext::Application,
        })
    }

    /// Ends the lifetime of every access token now.
    pub(crate) fn expire_all(&self) {
        let now = Instant::now();
        for (_, expires) in lock(&self.tokens).access.values_mut() {
            if expires.is_none_or(|at| at > now) {
                *expires = Some(now);
            }
        }
    }

    /// The `application_token` of an installed application.
    pub(crate) fn application_token(&self, app: &str) -> Option<String> {
        let keys = self.apps.iter().find(|k| k.app == app)?;
        Some(keys.application_token.clone())
    }

    /// The tokens the portal hands `app`'s handler for a request it makes on the administrator's
    /// behalf: a fresh access token with a full lifetime, and the grant's current refresh token,
    /// which stays valid (the handler may refresh with it; a test's copy keeps working too).
    pub(crate) fn handler_auth(&self, app: &str) -> Option<HandlerAuth> {
        let keys = self.apps.iter().find(|k| k.app == app)?;
        let grant = Grant {
            app: keys.app,
            user: ADMIN_USER_ID,
        };
        let access = secret(32);
        let mut tokens = lock(&self.tokens);
        let current = tokens.refresh.iter().find(|(_, g)| **g == grant);
        let refresh = match current.map(|(t, _)| t.clone()) {
            Some(refresh) => {
                let expires = Instant::now().checked_add(self.ttl);
                tokens.access.insert(access.clone(), (grant, expires));
                refresh
            }
            None => self.issue(&mut tokens, grant, access.clone()),
        };
        Some(HandlerAuth {
            access_token: access,
            refresh_token: refresh,
            expires_in: self.ttl.as_secs(),
            member_id: self.member_id.clone(),
            application_token: keys.application_token.clone(),
        })
    }

    /// The valid refresh token of [`MAIN_APP`] for the administrator.
    pub(crate) fn main_refresh_token(&self) -> String {
        let main = Grant {
            app: MAIN_APP,
            user: ADMIN_USER_ID,
        };
        let tokens = lock(&self.tokens);
        let found = tokens.refresh.iter().find(|(_, g)| **g == main);
        found.map(|(t, _)| t.clone()).unwrap_or_default()
    }

    /// `GET|POST /oauth/token/`: answers the status and JSON body of the authorization server.
    pub(crate) fn token_endpoint(
        &self,
        params: &Map<String, Value>,
        at: &Endpoints,
    ) -> (u16, Value) {
        match self.refresh(params) {
            Ok((grant, access, refresh)) => {
                self.refreshes.fetch_add(1, Ordering::Relaxed);
                let keys = self.apps.iter().find(|k| k.app == grant.app);
                let ttl = self.ttl.as_secs();
                let body = json!({
                    "access_token": access,
                    "expires": (unix_now() as i64).saturating_add_unsigned(ttl),
                    "expires_in": ttl,
                    "scope": at.scope,
                    "domain": at.domain,
                    "server_endpoint": at.server_endpoint,
                    // `L`: a local application, which is what the mock's applications are.
                    "status": "L",
                    "client_endpoint": at.client_endpoint,
                    "member_id": self.member_id,
                    "user_id": grant.user,
                    "refresh_token": refresh,
                    "application_token": keys.map(|k| k.application_token.as_str()),
                });
                (200, body)
            }
            Err((code, description)) => (
                400,
                json!({"error": code, "error_description": description}),
            ),
        }
    }

    /// `GET|POST /oauth/rest/app.info/?auth=<access token>`: what the authorization server
    /// knows of a token: its application, scopes, expiry, user and installation.
    pub(crate) fn app_info(&self, params: &Map<String, Value>, at: &Endpoints) -> (u16, Value) {
        let token = params::text(params.get("auth")).unwrap_or_default();
        let tokens = lock(&self.tokens);
        let Some(&(grant, expires)) = tokens.access.get(&token) else {
            let body = json!({"error": "invalid_token", "error_description": "The access token provided is invalid."});
            return (401, body);
        };
        let now = Instant::now();
        let left = match expires {
            Some(at) if now >= at => {
                let body = json!({"error": "expired_token", "error_description": "The access token provided has expired."});
                return (401, body);
            }
            Some(at) => i64::try_from(at.duration_since(now).as_secs()).unwrap_or(i64::MAX),
            None => i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX),
        };
        let client_id = self
            .apps
            .iter()
            .find(|k| k.app == grant.app)
            .map(|k| k.client_id.clone());
        let body = json!({"result": {
            "scope": at.scope,
            "client_id": client_id,
            "expires": crate::clock::rfc3339(crate::clock::unix_secs().saturating_add(left)),
            "install": {
                "installed": true,
                "version": 1,
                // `L`: a local application, which is what the mock's applications are.
                "status": "L",
                "scope": at.scope,
                "domain": at.domain,
                "uri": at.client_endpoint.trim_end_matches("/rest/"),
                "client_endpoint": at.client_endpoint,
                "member_id": self.member_id,
                "member_type": "PORTAL",
            },
            "user_id": grant.user,
        }});
        (200, body)
    }

    /// Checks a token request in the server's order (request shape, client, grant) and, for a
    /// valid refresh token, rotates it: the old one stops working at once.
    fn refresh(
        &self,
        params: &Map<String, Value>,
    ) -> Result<(Grant, String, String), (&'static str, &'static str)> {
        const MALFORMED: (&str, &str) = (
            "invalid_request",
            "An incorrectly formatted authorization request was provided",
        );
        let text = |key| params::text(params.get(key)).filter(|s| !s.is_empty());
        let grant_type = text("grant_type").ok_or(MALFORMED)?;
        if grant_type != "refresh_token" && grant_type != "authorization_code" {
            return Err(MALFORMED);
        }
        let (id, key) = (text("client_id"), text("client_secret"));
        let app = self
            .apps
            .iter()
            .find(|k| Some(&k.client_id) == id.as_ref() && Some(&k.client_secret) == key.as_ref())
            .ok_or(("invalid_client", "Invalid client data was provided"))?;
        if grant_type == "authorization_code" {
            // The mock has no authorization page, so it never hands out a code to exchange.
            return Err(("invalid_grant", "Invalid authorization code"));
        }
        let used = text("refresh_token").ok_or(MALFORMED)?;
        let mut tokens = lock(&self.tokens);
        // Another application's token is not this client's to use.
        let grant = match tokens.refresh.get(&used) {
            Some(&grant) if grant.app == app.app => grant,
            _ => return Err(("invalid_grant", "Invalid refresh token")),
        };
        // Under one lock with the check, so that two refreshes racing with one token cannot both
        // succeed. `issue` replaces the spent token.
        let access = secret(32);
        let refresh = self.issue(&mut tokens, grant, access.clone());
        Ok((grant, access, refresh))
    }
}

fn digits(len: usize) -> String {
    secret(len)
        .bytes()
        .map(|b| char::from(b'0' + b % 10))
        .collect()
}
