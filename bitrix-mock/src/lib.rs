//! A fake Bitrix24 portal on loopback for testing REST clients.
//!
//! [`MockPortal::start`] serves the methods described by the YAML specs under `specs/` (embedded
//! at build time). Every call goes through the portal's checks in its order: credentials
//! (`NO_AUTH_FOUND`, `expired_token`), method name (`ERROR_METHOD_NOT_FOUND`), operating time
//! (`OPERATION_TIME_LIMIT`), auth context, parameters against the spec, and then the method's
//! behaviour. Error codes, statuses and descriptions all come from the specs. Methods with a spec
//! but no behaviour answer their first documented success.
//!
//! `batch` runs up to 50 commands (`method?query`, PHP-style) through that same path with the
//! batch's credentials, as one request for the rate limit ([`MockPortal::batch_commands`]).
//! `crm.item.list` pages classically (`start`, `total`, `next`, `start=-1`) over items from
//! [`MockPortal::seed_crm_items`]; `imbot.v2.Bot.list` pages by `limit`/`offset` over the bots
//! ([`MockPortal::seed_bots`]). [`MockPortal::deliver_sms`] plays the portal's side of a message
//! provider: it POSTs a sent message to the provider's handler as the portal does.
//!
//! Entity families — methods sharing a prefix and ending in `add`, `get`, `list`, `update`,
//! `delete` (`crm.deal.*`, `tasks.task.*`, `department.*`; [`MockPortal::families`]) — are found
//! in the specs at start and keep one store each: what `add` creates, `get` and `list` (filter,
//! order, select, classic pages) answer, `update` changes and `delete` removes, each in the
//! shape its spec's example shows and with the not-found error its spec documents
//! ([`MockPortal::seed_family`] fills a store).
//!
//! Each portal starts with:
//! - an incoming webhook of the administrator, user [`ADMIN_USER_ID`] ([`MockPortal::webhook_url`]);
//! - two installed applications, [`MAIN_APP`] and [`OTHER_APP`], with OAuth tokens for the
//!   administrator and, for [`MAIN_APP`], for the ordinary user [`USER_ID`];
//! - one bot per application ([`MockPortal::bot`], [`MockPortal::other_app_bot`]);
//! - an active open line, [`DEFAULT_LINE`].
//!
//! Besides, it can produce what a client must survive on a real portal: the request-rate limit
//! and the operating-time limit ([`MockConfig`]), access tokens that expire and a token endpoint
//! that rotates refresh tokens ([`MockPortal::token_endpoint`]), a domain change
//! ([`MockPortal::change_domain`]) and injected failures ([`MockPortal::inject_fault`]).
//!
//! [`MockPortal::start_tls`] serves HTTPS with a certificate made for the portal. The binary
//! (`bitrix-mock --help` lists its arguments; see the crate's README) prints every credential,
//! as one JSON line with `--json`, and a test in any language drives it through the control
//! endpoint ([`MockPortal::control_url`]).
//!
//! Secrets are fresh for every portal and never logged.

mod auth;
mod batch;
mod clock;
mod config;
mod control;
mod families;
mod faults;
mod handler_loop;
mod limits;
mod lists;
mod methods;
mod multipart;
mod net;
mod oauth;
mod params;
mod query;
mod server;
mod specs;
mod state;
mod tls;

use std::collections::BTreeSet;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Value, json};
use tokio::sync::watch;

pub use auth::{ADMIN_USER_ID, MAIN_APP, OTHER_APP, USER_ID};
pub use config::MockConfig;
pub use control::Seed;
pub use faults::Fault;
pub use handler_loop::DeliveredSms;
pub use state::DEFAULT_LINE;

use server::{Portal, Site};

/// A lock even after a panic elsewhere poisoned it: a test helper that panicked must not take
/// the whole portal down with it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

fn scheme(tls: bool) -> &'static str {
    if tls { "https" } else { "http" }
}

/// A running fake portal. Dropping it stops the server, on every address it listens on.
pub struct MockPortal {
    addr: SocketAddr,
    portal: Arc<Portal>,
    /// The certificate when the portal serves HTTPS.
    tls: Option<Arc<tls::Tls>>,
    /// `true` stops every server of this portal; dropping it does too.
    shutdown: watch::Sender<bool>,
}

impl Drop for MockPortal {
    fn drop(&mut self) {
        // The servers may already be gone with their runtime; nothing is left to stop then.
        let _ = self.shutdown.send(true);
    }
}

impl std::fmt::Debug for MockPortal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Deliberately without credentials.
        f.debug_struct("MockPortal")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl MockPortal {
    /// Starts a portal on `127.0.0.1` at a free port, on the current Tokio runtime, with
    /// [`MockConfig::default`] (no rate limiting).
    ///
    /// Fails if a spec does not load (the error lists its diagnostics) or the port cannot be bound.
    pub async fn start() -> io::Result<MockPortal> {
        Self::start_with(MockConfig::default()).await
    }

    /// Starts a portal on `127.0.0.1:port`; port 0 picks a free one.
    pub async fn start_on(port: u16) -> io::Result<MockPortal> {
        Self::launch(port, &MockConfig::default()).await
    }

    /// Starts a portal like [`start`](Self::start) with the given limits and token lifetime.
    pub async fn start_with(config: MockConfig) -> io::Result<MockPortal> {
        Self::launch(0, &config).await
    }

    /// Starts a portal on `127.0.0.1:port` (0 picks a free one) with the given settings.
    pub async fn start_on_with(port: u16, config: MockConfig) -> io::Result<MockPortal> {
        Self::launch(port, &config).await
    }

    /// Starts a portal on `127.0.0.1:port` (0 picks a free one) that serves HTTPS only, with a
    /// self-signed certificate for `127.0.0.1` and `localhost` made for it: see
    /// [`certificate_pem`](Self::certificate_pem) and
    /// [`certificate_path`](Self::certificate_path). Every URL it hands out starts with
    /// `https://`.
    pub async fn start_tls(port: u16, config: MockConfig) -> io::Result<MockPortal> {
        let tls = tls::Tls::generate()?;
        Self::launch_with(port, &config, Some(Arc::new(tls))).await
    }

    async fn launch(port: u16, config: &MockConfig) -> io::Result<MockPortal> {
        Self::launch_with(port, config, None).await
    }

    async fn launch_with(
        port: u16,
        config: &MockConfig,
        tls: Option<Arc<tls::Tls>>,
    ) -> io::Result<MockPortal> {
        let specs = specs::load()?;
        let portal = Arc::new(Portal::new(specs, config));
        let (shutdown, _) = watch::channel(false);
        let addr = Self::serve(&portal, port, tls.as_deref(), &shutdown).await?;
        Ok(MockPortal {
            addr,
            portal,
            tls,
            shutdown,
        })
    }

    /// Serves the portal on one more address, which becomes its current one.
    async fn serve(
        portal: &Arc<Portal>,
        port: u16,
        tls: Option<&tls::Tls>,
        shutdown: &watch::Sender<bool>,
    ) -> io::Result<SocketAddr> {
        // Bound before anything answers, so the site knows its own base from the first request.
        let listener = tokio::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, port)).await?;
        let addr = listener.local_addr()?;
        let base = format!("{}://{addr}", scheme(tls.is_some()));
        portal.move_to(base.clone());
        let site = Site {
            portal: Arc::clone(portal),
            base,
        };
        let acceptor = tls.map(|t| t.acceptor.clone());
        net::serve(
            listener,
            acceptor,
            server::router(site),
            shutdown.subscribe(),
        );
        Ok(addr)
    }

    /// The certificate of a portal started with [`start_tls`](Self::start_tls), as PEM, for a
    /// client to trust; `None` for a plain HTTP portal.
    pub fn certificate_pem(&self) -> Option<String> {
        self.tls.as_ref().map(|t| t.pem.clone())
    }

    /// Where [`certificate_pem`](Self::certificate_pem) is written, for clients that take a CA
    /// file (`curl --cacert`, `REQUESTS_CA_BUNDLE`); removed when the portal is dropped.
    pub fn certificate_path(&self) -> Option<std::path::PathBuf> {
        self.tls.as_ref().map(|t| t.path().to_owned())
    }

    /// `http://127.0.0.1:PORT` (`https://` for [`start_tls`](Self::start_tls)): the address the
    /// portal started on. It stays the same after
    /// [`change_domain`](Self::change_domain), when this address only redirects; see
    /// [`current_base_url`](Self::current_base_url).
    pub fn base_url(&self) -> String {
        format!("{}://{}", scheme(self.tls.is_some()), self.addr)
    }

    /// The address the portal answers REST calls at now: [`base_url`](Self::base_url) until
    /// [`change_domain`](Self::change_domain) moves it.
    pub fn current_base_url(&self) -> String {
        self.portal.current_base()
    }

    /// Moves the portal to a new loopback port, as when a portal's domain is renamed, and
    /// answers its new base URL.
    ///
    /// The same portal (state, tokens, limits) answers there; every former address answers every
    /// request with `302 Found` and `Location: <new base><same path and query>`, except the
    /// token endpoint, which belongs to the authorization server and does not move.
    pub async fn change_domain(&self) -> io::Result<String> {
        Self::serve(&self.portal, 0, self.tls.as_deref(), &self.shutdown).await?;
        Ok(self.current_base_url())
    }

    /// The administrator's incoming webhook: `http://127.0.0.1:PORT/rest/1/<code>/`.
    pub fn webhook_url(&self) -> String {
        let code = &self.portal.creds.webhook_code;
        format!("{}/rest/{ADMIN_USER_ID}/{code}/", self.base_url())
    }

    /// `<base_url>/_mock/`: the control endpoint, where a test in any language seeds data,
    /// expires tokens, sets the rate limit, injects faults and resets the portal with
    /// `POST /_mock/<action>` and `Authorization: Bearer <control_token>` (see the README).
    pub fn control_url(&self) -> String {
        format!("{}/_mock/", self.base_url())
    }

    /// The bearer token of the [control endpoint](Self::control_url), fresh for every portal.
    pub fn control_token(&self) -> String {
        self.portal.creds.control_token.clone()
    }

    /// Fills a store with `count` records: [`Seed::CrmItems`] as
    /// [`seed_crm_items`](Self::seed_crm_items), [`Seed::Bots`] as [`seed_bots`](Self::seed_bots).
    pub fn seed(&self, what: Seed, count: usize) {
        self.portal.seed(what, count);
    }

    /// Fills the store of the entity family `family` (a method-name prefix such as `crm.deal`,
    /// `crm.contact` or `tasks.task`, any case; see [`families`](Self::families)) with `count`
    /// records ids `1..=count`, replacing those it had. Each is shaped like the record its `get`
    /// (else `list`) example documents, with its own id and words made distinct (`"Deal 3"`);
    /// the next `add` issues `count + 1`. Fails, naming it, for a name that is no family, and
    /// for more than a million records.
    pub fn seed_family(&self, family: &str, count: usize) -> Result<(), String> {
        self.portal.seed_family(family, count)
    }

    /// The entity families found in the specs, sorted: every method-name prefix with an `add`
    /// and a `get` or `list` (`crm.deal`, `department`, `tasks.task`, ...) whose methods keep
    /// records in one store per portal (see the crate's README).
    pub fn families(&self) -> Vec<String> {
        self.portal.families.names()
    }

    /// Back to the state of a fresh portal: no seeded items, providers, messages or chats; the
    /// same credentials and bots; no pending faults; the rate limit it started with.
    pub fn reset(&self) {
        self.portal.reset();
    }

    /// OAuth access token of [`MAIN_APP`] for the administrator.
    pub fn access_token(&self) -> String {
        self.portal.creds.main_admin_token.clone()
    }

    /// OAuth access token of [`MAIN_APP`] for [`USER_ID`], who is not an administrator.
    pub fn user_access_token(&self) -> String {
        self.portal.creds.main_user_token.clone()
    }

    /// OAuth access token of [`OTHER_APP`] for the administrator.
    pub fn other_app_access_token(&self) -> String {
        self.portal.creds.other_admin_token.clone()
    }

    /// How many HTTP requests the portal has received, answered with an error or not (redirects
    /// from a former address included; the token endpoint, which stands for another server, not).
    pub fn requests(&self) -> u64 {
        self.portal.requests.load(Ordering::Relaxed)
    }

    /// How many REST requests named `method` (any case, with or without `.json`) reached the
    /// portal, whatever they were answered: rate-limited, failed, faulted or successful. The
    /// commands inside a `batch` are not requests: they count under
    /// [`batch_commands`](Self::batch_commands), the batch under `received("batch")`.
    pub fn received(&self, method: &str) -> u64 {
        self.portal.received(method)
    }

    /// How many commands the portal has received inside `batch` calls, over all of them: every
    /// command of every authenticated batch, whatever its outcome (those past the 50th and those
    /// skipped by `halt` included). Each batch is one request for [`received`](Self::received)
    /// (`received("batch")`) and for the rate limit.
    pub fn batch_commands(&self) -> u64 {
        self.portal.batch_commands.load(Ordering::Relaxed)
    }

    /// Turns the request-rate limit on with `(rate per second, burst)`, or off with `None`, and
    /// empties the bucket.
    ///
    /// While on, every REST request (auth failures included) adds one to a counter that drains
    /// at `rate` per second; a request that would take it past `burst` is not counted and is
    /// answered `503 {"error":"QUERY_LIMIT_EXCEEDED","error_description":"Too many requests"}`.
    pub fn set_rate_limit(&self, limit: Option<(f64, u32)>) {
        self.portal.bucket.set(limit);
    }

    /// How many requests were answered `QUERY_LIMIT_EXCEEDED`.
    pub fn rate_limited(&self) -> u64 {
        self.portal.rate_limited.load(Ordering::Relaxed)
    }

    /// Makes each successful call of `method` (any case) take `seconds` of simulated execution
    /// time, without any real waiting.
    ///
    /// The time accumulates per method and application (or webhook) for
    /// [`MockConfig::operating_window`] and is reported as `time.operating`, with
    /// `time.operating_reset_at` the Unix time when the oldest call leaves the window. Once the
    /// sum exceeds [`MockConfig::operating_limit`], that method answers that caller
    /// `429 {"error":"OPERATION_TIME_LIMIT","error_description":"Method is blocked due to operation time limit"}`
    /// until enough calls leave the window; other methods and callers are unaffected.
    pub fn set_method_cost(&self, method: &str, seconds: f64) {
        self.portal.operating.set_cost(method, seconds);
    }

    /// Ends the lifetime of every access token issued so far: each is answered
    /// `401 {"error":"expired_token","error_description":"The access token provided has expired."}`
    /// from now on. Refresh tokens keep working.
    pub fn expire_access_tokens(&self) {
        self.portal.oauth.expire_all();
    }

    /// `client_id` of [`MAIN_APP`], for the token endpoint.
    pub fn client_id(&self) -> String {
        self.portal.oauth.apps[0].client_id.clone()
    }

    /// `client_secret` of [`MAIN_APP`], for the token endpoint.
    pub fn client_secret(&self) -> String {
        self.portal.oauth.apps[0].client_secret.clone()
    }

    /// The valid refresh token of [`MAIN_APP`] for the administrator: the one issued with
    /// [`access_token`](Self::access_token) at first, and after each refresh the one that refresh
    /// answered.
    pub fn refresh_token(&self) -> String {
        self.portal.oauth.main_refresh_token()
    }

    /// `<base_url>/oauth/token/`: the authorization server's token endpoint (`oauth.bitrix.info`
    /// on the real service), served by the portal itself.
    ///
    /// It takes `grant_type=refresh_token&client_id=..&client_secret=..&refresh_token=..` by GET
    /// or POST, in the query or a form body, and answers `200` with `access_token`, `expires`,
    /// `expires_in`, `scope`, `domain`, `server_endpoint`, `status` (`L`), `client_endpoint`
    /// (the [current](Self::current_base_url) `<base>/rest/`), `member_id`, `user_id`,
    /// `refresh_token` and `application_token`. The refresh token used is spent. Errors are
    /// `400 {"error", "error_description"}`: `invalid_request` (a parameter is missing or
    /// `grant_type` unknown), `invalid_client` (wrong `client_id`/`client_secret`) and
    /// `invalid_grant` (an unknown, spent or other application's refresh token, or any
    /// authorization code).
    pub fn token_endpoint(&self) -> String {
        format!("{}{}", self.base_url(), oauth::TOKEN_PATH)
    }

    /// `<base_url>/oauth/rest/app.info/`: the authorization server's `app.info`
    /// (`oauth.bitrix.info/rest/app.info/` on the real service), served by the portal itself.
    ///
    /// With `auth=<access token>` (query or form) it answers `{"result": {client_id, scope,
    /// expires (RFC 3339), user_id, install: {installed, version, status, scope, domain, uri,
    /// client_endpoint, member_id, member_type}}}`; an unknown token `401 invalid_token`, an
    /// expired one `401 expired_token`. The portal's own `app.info` method answers otherwise.
    pub fn app_info_endpoint(&self) -> String {
        format!("{}{}", self.base_url(), oauth::APP_INFO_PATH)
    }

    /// How many refreshes the token endpoint has granted.
    pub fn refreshes(&self) -> u64 {
        self.portal.oauth.refreshes.load(Ordering::Relaxed)
    }

    /// Makes the next `times` REST requests of `method` (any case; `None`: of any method) fail
    /// as `fault` describes. Faults apply in the order they were injected; rate limiting comes
    /// first, so a request refused by it does not use one up.
    pub fn inject_fault(&self, method: Option<&str>, fault: Fault, times: u32) {
        self.portal.faults.inject(method, fault, times);
    }

    /// Makes the next `times` requests of the [token endpoint](Self::token_endpoint) fail as
    /// `fault` describes: `Delay` holds the answer (the endpoint hangs), `TruncatedJson` cuts it,
    /// `DropConnection` closes the connection after a refresh was granted; the others replace
    /// the answer, and the refresh token is not spent.
    pub fn inject_token_fault(&self, fault: Fault, times: u32) {
        self.portal
            .token_faults
            .inject(Some(server::TOKEN_FAULTS), fault, times);
    }

    /// How many requests the token endpoint has received, granted or not.
    pub fn token_requests(&self) -> u64 {
        self.portal.token_requests.load(Ordering::Relaxed)
    }

    /// How many bytes the portal has produced for [`Fault::HugeBody`] bodies: as it produces
    /// them only as fast as they are read, this tells how much a client read before stopping.
    pub fn huge_body_bytes_sent(&self) -> u64 {
        self.portal.streamed.load(Ordering::Relaxed)
    }

    /// The bot registered by [`MAIN_APP`]: `(bot id, botToken)`.
    pub fn bot(&self) -> (i64, String) {
        let state = self.portal.lock();
        let id = state.main_bot;
        (
            id,
            state
                .bots
                .get(&id)
                .map(|b| b.token.clone())
                .unwrap_or_default(),
        )
    }

    /// The bot registered by [`OTHER_APP`]: `(bot id, botToken)`.
    pub fn other_app_bot(&self) -> (i64, String) {
        let state = self.portal.lock();
        let id = state.other_bot;
        (
            id,
            state
                .bots
                .get(&id)
                .map(|b| b.token.clone())
                .unwrap_or_default(),
        )
    }

    /// Creates a group chat (dialog `chat{id}`) owned and administered by [`ADMIN_USER_ID`],
    /// with both pre-registered bots as ordinary members.
    pub fn create_chat(&self) -> i64 {
        self.portal.lock().create_chat()
    }

    /// Adds a user or bot to a chat; `false` if there is no such chat.
    pub fn add_chat_member(&self, chat: i64, user: i64) -> bool {
        self.with_chat(chat, |members, _| {
            members.insert(user);
        })
    }

    /// Removes a user or bot from a chat (and from its administrators); `false` if there is no
    /// such chat.
    pub fn remove_chat_member(&self, chat: i64, user: i64) -> bool {
        self.with_chat(chat, |members, admins| {
            members.remove(&user);
            admins.remove(&user);
        })
    }

    /// Makes a bot (or user) an administrator, and so a member, of a chat; `false` if there is no
    /// such chat.
    pub fn make_chat_admin(&self, chat: i64, bot_id: i64) -> bool {
        self.with_chat(chat, |members, admins| {
            members.insert(bot_id);
            admins.insert(bot_id);
        })
    }

    fn with_chat(&self, chat: i64, f: impl FnOnce(&mut BTreeSet<i64>, &mut BTreeSet<i64>)) -> bool {
        let mut state = self.portal.lock();
        let Some(chat) = state.chats.get_mut(&chat) else {
            return false;
        };
        f(&mut chat.members, &mut chat.admins);
        true
    }

    /// Posts a message into a chat as `author_id` (0 posts a system message) and returns its id.
    pub fn post_message(&self, chat: i64, author_id: i64) -> i64 {
        let mut state = self.portal.lock();
        let text = format!("Message from {author_id}");
        state.post(chat, author_id, text)
    }

    /// Is there a chat message with this id (not deleted)?
    pub fn message_exists(&self, id: i64) -> bool {
        self.portal.lock().messages.contains_key(&id)
    }

    /// The current text of a chat message.
    pub fn message_text(&self, id: i64) -> Option<String> {
        self.portal.lock().messages.get(&id).map(|m| m.text.clone())
    }

    /// The author of a chat message (0 for a system message).
    pub fn message_author(&self, id: i64) -> Option<i64> {
        self.portal.lock().messages.get(&id).map(|m| m.author)
    }

    /// The ids of the messages in a chat, oldest first.
    pub fn chat_messages(&self, chat: i64) -> Vec<i64> {
        let state = self.portal.lock();
        let mut ids: Vec<i64> = state
            .messages
            .iter()
            .filter(|(_, m)| m.chat == chat)
            .map(|(&id, _)| id)
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Creates an open line, active or not, and returns its id.
    pub fn add_open_line(&self, active: bool) -> i64 {
        self.portal.lock().add_line(active)
    }

    /// Codes of the message providers `app` has registered, in registration order.
    pub fn providers(&self, app: &str) -> Vec<String> {
        let state = self.portal.lock();
        let providers = state.providers.get(app).into_iter().flatten();
        providers.map(|p| p.code.clone()).collect()
    }

    /// A registered provider as `{CODE, TYPE, HANDLER, NAME, DESCRIPTION}`.
    pub fn provider(&self, app: &str, code: &str) -> Option<Value> {
        let state = self.portal.lock();
        let provider = state.providers.get(app)?.iter().find(|p| p.code == code)?;
        Some(json!({
            "CODE": provider.code,
            "TYPE": provider.kind,
            "HANDLER": provider.handler,
            "NAME": provider.name,
            "DESCRIPTION": provider.description,
        }))
    }

    /// Sends a message through provider `code` of `app` as the administrator, as if from the CRM,
    /// and returns the `MESSAGE_ID` its handler would receive; `None` if `app` has no such
    /// provider.
    pub fn send_sms(&self, app: &str, code: &str, to: &str, body: &str) -> Option<String> {
        self.portal.lock().send_sms(app, code, to, body)
    }

    /// A message sent with [`send_sms`](Self::send_sms) as `{CODE, MESSAGE_TO, MESSAGE_BODY}`.
    pub fn sms(&self, message_id: &str) -> Option<Value> {
        let state = self.portal.lock();
        let sms = state.sms.get(message_id)?;
        Some(json!({"CODE": sms.code, "MESSAGE_TO": sms.to, "MESSAGE_BODY": sms.body}))
    }

    /// The statuses reported for a provider message, in order.
    pub fn message_statuses(&self, message_id: &str) -> Vec<String> {
        let state = self.portal.lock();
        state
            .sms
            .get(message_id)
            .map(|s| s.statuses.clone())
            .unwrap_or_default()
    }

    /// Registers a connector for `app` as `imconnector.register` would.
    pub fn register_connector(&self, app: &str, connector: &str) {
        let key = (app.to_owned(), connector.to_lowercase());
        self.portal.lock().connectors.entry(key).or_default();
    }

    /// Is `app`'s connector activated on `line`?
    pub fn connector_active(&self, app: &str, connector: &str, line: i64) -> bool {
        let state = self.portal.lock();
        let key = (app.to_owned(), connector.to_lowercase());
        state
            .connectors
            .get(&key)
            .is_some_and(|l| l.contains(&line))
    }

    /// The text of a message an external system sent through `app`'s connector, if the portal
    /// holds it: `Some(None)` for a message without text.
    pub fn connector_message(
        &self,
        app: &str,
        connector: &str,
        line: i64,
        chat_id: &str,
        message_id: &str,
    ) -> Option<Option<String>> {
        let state = self.portal.lock();
        let key = (
            app.to_owned(),
            connector.to_lowercase(),
            line,
            chat_id.to_owned(),
            message_id.to_owned(),
        );
        state.connector_messages.get(&key).map(|m| m.text.clone())
    }
}
