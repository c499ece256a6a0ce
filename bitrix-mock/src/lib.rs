//! A fake Bitrix24 portal on loopback for testing REST clients.
//!
//! [`MockPortal::start`] serves the methods described by the YAML specs under `specs/` (embedded
//! at build time). Every call goes through the portal's checks in its order: credentials
//! (`NO_AUTH_FOUND`), method name (`ERROR_METHOD_NOT_FOUND`), auth context, parameters against
//! the spec, and then the method's behaviour. Error codes, statuses and descriptions all come
//! from the specs. Methods with a spec but no behaviour answer their first documented success.
//!
//! Each portal starts with:
//! - an incoming webhook of the administrator, user [`ADMIN_USER_ID`] ([`MockPortal::webhook_url`]);
//! - two installed applications, [`MAIN_APP`] and [`OTHER_APP`], with OAuth tokens for the
//!   administrator and, for [`MAIN_APP`], for the ordinary user [`USER_ID`];
//! - one bot per application ([`MockPortal::bot`], [`MockPortal::other_app_bot`]);
//! - an active open line, [`DEFAULT_LINE`].
//!
//! Secrets are fresh for every portal and never logged.

mod auth;
mod clock;
mod methods;
mod params;
mod server;
mod specs;
mod state;

use std::collections::BTreeSet;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use serde_json::{Value, json};
use tokio::sync::oneshot;

pub use auth::{ADMIN_USER_ID, MAIN_APP, OTHER_APP, USER_ID};
pub use state::DEFAULT_LINE;

use server::Portal;

/// A running fake portal. Dropping it stops the server.
pub struct MockPortal {
    addr: SocketAddr,
    portal: Arc<Portal>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Drop for MockPortal {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            // The server may already be gone with its runtime; nothing is left to stop then.
            let _ = tx.send(());
        }
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
    /// Starts a portal on `127.0.0.1` at a free port, on the current Tokio runtime.
    ///
    /// Fails if a spec does not load (the error lists its diagnostics) or the port cannot be bound.
    pub async fn start() -> io::Result<MockPortal> {
        Self::start_on(0).await
    }

    /// Starts a portal on `127.0.0.1:port`; port 0 picks a free one.
    pub async fn start_on(port: u16) -> io::Result<MockPortal> {
        let specs = specs::load()?;
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
        let addr = listener.local_addr()?;
        let portal = Arc::new(Portal::new(specs));
        let (shutdown, stop) = oneshot::channel::<()>();
        let app = server::router(Arc::clone(&portal));
        tokio::spawn(async move {
            let stopped = async {
                let _ = stop.await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(stopped)
                .await
            {
                tracing::error!(error = %e, "bitrix-mock server failed");
            }
        });
        Ok(MockPortal {
            addr,
            portal,
            shutdown: Some(shutdown),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The administrator's incoming webhook: `http://127.0.0.1:PORT/rest/1/<code>/`.
    pub fn webhook_url(&self) -> String {
        let code = &self.portal.creds.webhook_code;
        format!("{}/rest/{ADMIN_USER_ID}/{code}/", self.base_url())
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

    /// How many HTTP requests the portal has received, answered with an error or not.
    pub fn requests(&self) -> u64 {
        self.portal.requests.load(Ordering::Relaxed)
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
