//! What the portal remembers between calls.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use crate::auth::{ADMIN_USER_ID, MAIN_APP, OTHER_APP, USER_ID, secret};

/// A message provider registered with `messageservice.sender.add`.
pub(crate) struct Provider {
    pub code: String,
    pub kind: String,
    pub handler: String,
    pub name: Value,
    pub description: Option<Value>,
}

/// A message handed to a provider; its delivery status is reported back by the application.
pub(crate) struct Sms {
    pub app: String,
    pub code: String,
    /// The user who sent it: besides administrators, only they may update its status.
    pub author: i64,
    pub to: String,
    pub body: String,
    pub statuses: Vec<String>,
}

/// A chat bot; `token` is its `botToken`, which authorizes it under webhooks.
pub(crate) struct Bot {
    pub app: String,
    pub token: String,
}

#[derive(Default)]
pub(crate) struct Chat {
    pub members: BTreeSet<i64>,
    pub admins: BTreeSet<i64>,
}

pub(crate) struct ChatMessage {
    pub chat: i64,
    /// 0 for system messages.
    pub author: i64,
    pub text: String,
}

/// A message an external system sent through a connector.
pub(crate) struct ConnectorMessage {
    pub user: i64,
    pub text: Option<String>,
    pub files: Option<Value>,
}

/// (application, connector, line, external chat id, external message id).
pub(crate) type ConnectorMessageKey = (String, String, i64, String, String);
/// (application, connector, external user id).
type ExternalUserKey = (String, String, String);
/// (application, connector, line, external chat id).
type SessionKey = (String, String, i64, String);

/// The whole portal. Ids share one counter so an id of one kind never names another by accident.
pub(crate) struct State {
    next_id: i64,
    /// Providers per application, in registration order (the order `sender.list` answers in).
    pub providers: HashMap<String, Vec<Provider>>,
    /// By the external `MESSAGE_ID` the provider's handler received.
    pub sms: HashMap<String, Sms>,
    /// Connector ids per application, each with the lines it is active on.
    pub connectors: HashMap<(String, String), BTreeSet<i64>>,
    /// Open lines and whether each is active.
    pub lines: HashMap<i64, bool>,
    pub connector_messages: HashMap<ConnectorMessageKey, ConnectorMessage>,
    external_users: HashMap<ExternalUserKey, i64>,
    /// Open line session per external chat: (session id, Bitrix24 chat id).
    sessions: HashMap<SessionKey, (i64, i64)>,
    pub bots: HashMap<i64, Bot>,
    pub chats: HashMap<i64, Chat>,
    /// Private dialogs by (lower id, higher id) of the two participants.
    private_chats: HashMap<(i64, i64), i64>,
    pub messages: HashMap<i64, ChatMessage>,
    pub main_bot: i64,
    pub other_bot: i64,
    /// CRM items per entity type, by id; each a JSON object as `crm.item.list` answers it.
    pub crm_items: HashMap<i64, BTreeMap<i64, Value>>,
    /// The store of each entity family, by family name.
    pub entities: HashMap<String, crate::families::Store>,
}

/// The open line every fresh portal has, as a real one does.
pub const DEFAULT_LINE: i64 = 1;

impl State {
    pub(crate) fn seeded() -> Self {
        let mut state = State {
            next_id: 100,
            providers: HashMap::new(),
            sms: HashMap::new(),
            connectors: HashMap::new(),
            lines: HashMap::from([(DEFAULT_LINE, true)]),
            connector_messages: HashMap::new(),
            external_users: HashMap::new(),
            sessions: HashMap::new(),
            bots: HashMap::new(),
            chats: HashMap::new(),
            private_chats: HashMap::new(),
            messages: HashMap::new(),
            main_bot: 0,
            other_bot: 0,
            crm_items: HashMap::new(),
            entities: HashMap::new(),
        };
        state.main_bot = state.add_bot(MAIN_APP);
        state.other_bot = state.add_bot(OTHER_APP);
        state
    }

    pub(crate) fn next_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    pub(crate) fn add_bot(&mut self, app: &str) -> i64 {
        let id = self.next_id();
        let bot = Bot {
            app: app.to_owned(),
            token: secret(32),
        };
        self.bots.insert(id, bot);
        id
    }

    /// Users and bots: who can take part in a dialog.
    pub(crate) fn user_exists(&self, id: i64) -> bool {
        id == ADMIN_USER_ID || id == USER_ID || self.bots.contains_key(&id)
    }

    /// A group chat owned by the administrator, with both pre-registered bots as members.
    pub(crate) fn create_chat(&mut self) -> i64 {
        let id = self.next_id();
        let members = BTreeSet::from([ADMIN_USER_ID, self.main_bot, self.other_bot]);
        let admins = BTreeSet::from([ADMIN_USER_ID]);
        self.chats.insert(id, Chat { members, admins });
        id
    }

    /// The private dialog of two users, opened on first use.
    pub(crate) fn private_chat(&mut self, a: i64, b: i64) -> i64 {
        let key = (a.min(b), a.max(b));
        if let Some(&id) = self.private_chats.get(&key) {
            return id;
        }
        let id = self.next_id();
        let chat = Chat {
            members: BTreeSet::from([a, b]),
            admins: BTreeSet::new(),
        };
        self.chats.insert(id, chat);
        self.private_chats.insert(key, id);
        id
    }

    pub(crate) fn post(&mut self, chat: i64, author: i64, text: String) -> i64 {
        let id = self.next_id();
        self.messages.insert(id, ChatMessage { chat, author, text });
        id
    }

    pub(crate) fn add_line(&mut self, active: bool) -> i64 {
        let id = self.next_id();
        self.lines.insert(id, active);
        id
    }

    /// The Bitrix24 user standing for an external user of a connector, created on first contact.
    pub(crate) fn external_user(&mut self, app: &str, connector: &str, external: &str) -> i64 {
        let key = (app.to_owned(), connector.to_owned(), external.to_owned());
        if let Some(&id) = self.external_users.get(&key) {
            return id;
        }
        let id = self.next_id();
        self.external_users.insert(key, id);
        id
    }

    /// The open line session of an external chat: (session id, Bitrix24 chat id).
    pub(crate) fn session(
        &mut self,
        app: &str,
        connector: &str,
        line: i64,
        chat: &str,
    ) -> (i64, i64) {
        let key = (app.to_owned(), connector.to_owned(), line, chat.to_owned());
        if let Some(&s) = self.sessions.get(&key) {
            return s;
        }
        let s = (self.next_id(), self.next_id());
        self.sessions.insert(key, s);
        s
    }

    /// Records a message the application's provider received, as if a user sent an SMS.
    pub(crate) fn send_sms(
        &mut self,
        app: &str,
        code: &str,
        to: &str,
        body: &str,
    ) -> Option<String> {
        let registered = self
            .providers
            .get(app)
            .is_some_and(|ps| ps.iter().any(|p| p.code == code));
        if !registered {
            return None;
        }
        let id = secret(32);
        let sms = Sms {
            app: app.to_owned(),
            code: code.to_owned(),
            author: ADMIN_USER_ID,
            to: to.to_owned(),
            body: body.to_owned(),
            statuses: Vec::new(),
        };
        self.sms.insert(id.clone(), sms);
        Some(id)
    }
}
