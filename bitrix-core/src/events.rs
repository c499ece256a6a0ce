//! Typed payloads of what Bitrix24 POSTs to an application's handlers: the message-provider
//! (SMS) handler of `messageservice.sender.add`, and events in the common envelope
//! (`event`, `event_handler_id`, `data`, `ts`, `auth`).
//!
//! Bitrix24 sends these bodies as `application/x-www-form-urlencoded` with PHP-style nested keys
//! (`auth[application_token]=..`, `data[MESSAGES][0][im][chat_id]=..`), built by PHP's
//! `http_build_query`. Once decoded (see [`crate::form::decode`]) every scalar is a string,
//! `true`/`false` are `"1"`/`"0"`, `null` is `""` (read as null), and empty arrays or objects
//! are left out. Every field here is therefore read leniently: numbers from numeric strings,
//! booleans from `"1"`/`"0"`/`"Y"`/`"N"`, absent or empty values as `None` or empty lists.
//! Lists are accepted as JSON arrays or as objects keyed `"0"`, `"1"`, ... (in numeric order).
//!
//! Every payload implements [`Authenticated`]; check its `auth.application_token` against the
//! token the application received at install before trusting anything else in it. Credentials
//! are held as [`Secret`], so printing a payload with `{:?}` never shows them.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer};
use serde_json::Value;

use crate::de::Lenient;
use crate::decode::{Decode, Mismatch, Path};
use crate::types::Secret;

/// A payload that carries the `auth` block of the request that delivered it.
pub trait Authenticated {
    /// The request's authorization block; its [`EventAuth::application_token`] is what proves
    /// the request came from Bitrix24 for this application.
    fn auth(&self) -> &EventAuth;
}

/// The `auth` block of a handler request: authorization parameters and information about the
/// Bitrix24 account where the event occurred.
///
/// Which keys arrive depends on how the handler was subscribed: an outgoing webhook receives only
/// `domain`, `client_endpoint`, `server_endpoint`, `member_id` and `application_token`; an
/// application receives OAuth 2.0 tokens only when the action that triggered the event can be
/// linked to a user (not for automation rules, workflows or agents), and `refresh_token` only with
/// events that need long-term access (such as `OnAppInstall` and `onOfflineEvent`). Only
/// `application_token` is therefore required here.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct EventAuth {
    /// Authorization token (OAuth 2.0), tied to the user whose action triggered the event.
    #[serde(default, deserialize_with = "opt_secret")]
    pub access_token: Option<Secret>,
    /// The expiration moment of `access_token`, in Unix time.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub expires: Option<i64>,
    /// Time in seconds until the token expires.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub expires_in: Option<i64>,
    /// Scope under which the event occurred.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub scope: Option<String>,
    /// Address of the Bitrix24 where the event occurred.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub domain: Option<String>,
    /// Address of the Bitrix24 authorization server, needed to refresh OAuth 2.0 tokens.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub server_endpoint: Option<String>,
    /// Status of the application that subscribed to the event: `L` local application, `F` free
    /// mass-market application, `D` demo version of a mass-market application, `T` trial version
    /// of a mass-market application (time-limited), `P` paid mass-market application.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub status: Option<String>,
    /// Common path for REST API method calls to the Bitrix24 where the event occurred.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub client_endpoint: Option<String>,
    /// Identifier of the Bitrix24 where the event occurred.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub member_id: Option<String>,
    /// The identifier of the user for whom the token was issued.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub user_id: Option<i64>,
    /// Token for extending authorization (OAuth 2.0).
    #[serde(default, deserialize_with = "opt_secret")]
    pub refresh_token: Option<Secret>,
    /// Token for secure event handling: compare it with the one stored at install (or shown in
    /// the outgoing webhook's settings) to make sure the request came from Bitrix24.
    #[serde(deserialize_with = "secret")]
    pub application_token: Secret,
}

impl EventAuth {
    /// The token for secure event handling, to compare with the application's own.
    pub fn application_token(&self) -> &Secret {
        &self.application_token
    }
}

impl Authenticated for EventAuth {
    fn auth(&self) -> &EventAuth {
        self
    }
}

// ---------------------------------------------------------------------------------------------
// messageservice: what comes to the handler of a message provider
// ---------------------------------------------------------------------------------------------

/// What comes to the `HANDLER` of a message provider registered with
/// `messageservice.sender.add` when a message is sent through it. Unlike events, the fields are
/// at the top level of the body (no `data` envelope).
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct SmsHandlerRequest {
    /// Module from which the message was sent: `crm` (from the CRM card) or `bizproc` (from
    /// Workflows or a CRM automation rule).
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub module_id: Option<String>,
    /// Bindings of the message to CRM entities; comes if `module_id` is `crm`.
    #[serde(default, deserialize_with = "list")]
    pub bindings: Vec<SmsBinding>,
    /// Workflow identifier; comes if `module_id` is `bizproc`.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub workflow_id: Option<String>,
    /// Identifier of the workflow document; comes if `module_id` is `bizproc`.
    #[serde(default, deserialize_with = "lenient_list")]
    pub document_id: Vec<String>,
    /// Type of the workflow document; comes if `module_id` is `bizproc`.
    #[serde(default, deserialize_with = "lenient_list")]
    pub document_type: Vec<String>,
    /// Message parameters.
    #[serde(default)]
    pub properties: Option<SmsProperties>,
    /// Provider type; possible value: `SMS`.
    #[serde(rename = "type", default, deserialize_with = "crate::de::lenient")]
    pub kind: Option<String>,
    /// Provider code.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub code: Option<String>,
    /// Unique message identifier; pass it to `messageservice.message.status.update` to update
    /// the message status.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub message_id: Option<String>,
    /// Recipient's message number.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub message_to: Option<String>,
    /// Message text.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub message_body: Option<String>,
    /// Time of the request, in Unix time.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub ts: Option<i64>,
    /// Application authorization data.
    pub auth: EventAuth,
}

impl Authenticated for SmsHandlerRequest {
    fn auth(&self) -> &EventAuth {
        &self.auth
    }
}

/// One binding of an SMS message to a CRM entity (`bindings[n]`).
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct SmsBinding {
    /// Type of the CRM entity the message is bound to.
    #[serde(rename = "OWNER_TYPE_ID", deserialize_with = "crate::de::lenient")]
    pub owner_type_id: i64,
    /// Identifier of the CRM entity the message is bound to.
    #[serde(rename = "OWNER_ID", deserialize_with = "crate::de::lenient")]
    pub owner_id: i64,
}

/// The message parameters of an SMS handler request (`properties`).
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct SmsProperties {
    /// Recipient's message number.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub phone_number: Option<String>,
    /// Message text.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub message_text: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// The common event envelope
// ---------------------------------------------------------------------------------------------

/// An event as POSTed to its handler; the set of top-level keys is the same for all events, the
/// content of `data` depends on the event.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct Event<D> {
    /// Symbolic code of the event in uppercase, such as `ONCRMDEALADD`.
    #[serde(deserialize_with = "crate::de::lenient")]
    pub event: String,
    /// Identifier of the registered event handler.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub event_handler_id: Option<i64>,
    /// Event data; its keys depend on the event.
    pub data: D,
    /// Date and time the event was sent from the queue, in Unix time.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub ts: Option<i64>,
    /// Authorization parameters and information about the Bitrix24 account where the event
    /// occurred.
    pub auth: EventAuth,
}

impl<D> Authenticated for Event<D> {
    fn auth(&self) -> &EventAuth {
        &self.auth
    }
}

/// The `data` of one event, generated from its spec (`specs/<scope>/events/<name>.yaml`) as
/// `bitrix_api::<scope>::events::<Name>`: `bitrix_api::crm::events::OnCrmDealAdd`.
///
/// Its [`EventData::EVENT`] is the name to bind a handler with:
/// `EventBind::new(OnCrmDealAdd::EVENT, handler_url)`.
pub trait EventData: Decode {
    /// The event's name as the portal sends it in `event`: `ONCRMDEALADD`.
    const EVENT: &'static str;
}

/// One event of a scope, from its spec: what each scope's `events::EVENTS` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventInfo {
    /// The name as the reference writes it, e.g. `onCrmDealAdd`.
    pub name: &'static str,
    /// The name as the portal sends it, e.g. `ONCRMDEALADD`.
    pub code: &'static str,
    /// The scope whose module holds the event's type.
    pub scope: &'static str,
    /// The generated type of its `data`, in the scope's `events` module.
    pub type_name: &'static str,
    /// The spec file, relative to `specs/`.
    pub spec: &'static str,
}

impl EventInfo {
    /// What the generated registries call: the struct is `#[non_exhaustive]` for users.
    #[doc(hidden)]
    pub const fn __new(
        name: &'static str,
        code: &'static str,
        scope: &'static str,
        type_name: &'static str,
        spec: &'static str,
    ) -> Self {
        EventInfo {
            name,
            code,
            scope,
            type_name,
            spec,
        }
    }
}

impl<D: EventData> Event<D> {
    /// Reads a whole payload of the event `D` from JSON: a handler's form body once decoded
    /// ([`crate::handler::Verifier::event`] does both), or an event as `event.offline.get`
    /// returns it. The name must be `D::EVENT` (in any case), `data` must have `D`'s shape
    /// (absent reads as empty, as a form body leaves out an empty array), and `auth` must carry
    /// an `application_token`. Nothing of `auth` is quoted in the error.
    pub fn from_value(v: Value) -> Result<Self, Mismatch> {
        let Value::Object(mut o) = v else {
            return Err(Mismatch::new(Path::Top("payload"), "expected an object"));
        };
        let event = match o.remove("event") {
            Some(Value::String(s)) => s,
            _ => {
                return Err(Mismatch::new(
                    Path::Top("event"),
                    "expected the event's name",
                ));
            }
        };
        if !event.eq_ignore_ascii_case(D::EVENT) {
            return Err(Mismatch::new(
                Path::Top("event"),
                format!("is `{event}`, not `{}`", D::EVENT),
            ));
        }
        let mut top = |key: &'static str| -> Result<Option<i64>, Mismatch> {
            Decode::decode(o.remove(key).unwrap_or(Value::Null), Path::Top(key))
        };
        let event_handler_id = top("event_handler_id")?;
        let ts = top("ts")?;
        let data = match o.remove("data") {
            None | Some(Value::Null) => Value::Object(serde_json::Map::new()),
            Some(v) => v,
        };
        let data = D::decode(data, Path::Top("data"))?;
        let auth = o
            .remove("auth")
            .and_then(|a| serde_json::from_value::<EventAuth>(a).ok())
            .ok_or_else(|| {
                Mismatch::new(
                    Path::Top("auth"),
                    "absent, or without an `application_token`",
                )
            })?;
        Ok(Event {
            event,
            event_handler_id,
            data,
            ts,
            auth,
        })
    }
}

/// An `ONIMBOTV2MESSAGEADD` event as delivered to a bot's `webhookUrl`.
pub type ImbotV2MessageAddEvent = Event<ImbotV2MessageAdd>;

/// An `ONIMCONNECTORMESSAGEADD` event as delivered to a connector's handler.
pub type ImconnectorMessageAddEvent = Event<ImconnectorMessageAdd>;

// ---------------------------------------------------------------------------------------------
// imbot.v2: ONIMBOTV2MESSAGEADD
// ---------------------------------------------------------------------------------------------

/// The `data` of `ONIMBOTV2MESSAGEADD`: a new message addressed to the bot, sent by a user in a
/// chat the bot is part of.
///
/// In webhook mode the event comes as `application/x-www-form-urlencoded` built by
/// `http_build_query` (`data[bot][id]=..`, `auth[application_token]=..`), so every scalar is a
/// string (`integer` -> `"789"`, `boolean` -> `"1"`/`"0"`, `false` -> `"0"`, `null` -> `""`);
/// the fields read those spellings as well as the typed JSON of FETCH mode (`imbot.v2.Event.get`).
///
/// The request holds two `auth` blocks: the top-level [`Event::auth`] of the whole request, and
/// [`ImbotV2Bot::auth`] with the bot's OAuth tokens for callbacks. Verify the request with the
/// top-level `auth.application_token`, not the one in `data.bot.auth`.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct ImbotV2MessageAdd {
    /// The bot the message is addressed to (in webhook mode `{id, code, auth}`).
    pub bot: ImbotV2Bot,
    /// The sent message.
    pub message: ImbotV2Message,
    /// The chat where the message was sent.
    pub chat: ImbotV2Chat,
    /// The author of the message.
    pub user: ImbotV2User,
    /// Bitrix24 language (e.g. `en`, `de`).
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub language: Option<String>,
}

impl ImbotV2MessageAdd {
    /// The event's symbolic code.
    pub const EVENT: &'static str = "ONIMBOTV2MESSAGEADD";
}

/// The `bot` object of an imbot.v2 event. In webhook mode only `id`, `code` and `auth` come;
/// in FETCH mode the full bot object comes and `auth` does not.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ImbotV2Bot {
    /// ID of the bot user.
    #[serde(deserialize_with = "crate::de::lenient")]
    pub id: i64,
    /// Unique string code of the bot.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub code: Option<String>,
    /// OAuth tokens of this bot for callbacks (webhook mode only). Not the one to verify the
    /// request with: use the top-level [`Event::auth`].
    #[serde(default)]
    pub auth: Option<EventAuth>,
    /// Type of the bot.
    #[serde(rename = "type", default, deserialize_with = "crate::de::lenient")]
    pub kind: Option<String>,
    /// Is the bot hidden from the contact list?
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub is_hidden: Option<bool>,
    /// Does the bot support working with Open Channels?
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub is_support_openline: Option<bool>,
    /// Are reactions to the bot's messages enabled?
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub is_reactions_enabled: Option<bool>,
    /// ID of the bot chat background, if any.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub background_id: Option<String>,
    /// Default language of the bot, e.g. `en`, `de`.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub language: Option<String>,
    /// ID of the module the bot belongs to (owner only).
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub module_id: Option<String>,
    /// Event delivery mode: `webhook` or `fetch` (owner only).
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub event_mode: Option<String>,
    /// Number of processed messages (owner only).
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub count_message: Option<i64>,
    /// Number of registered commands (owner only).
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub count_command: Option<i64>,
    /// Number of chats the bot is in (owner only).
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub count_chat: Option<i64>,
    /// Number of unique users (owner only).
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub count_user: Option<i64>,
}

/// A message (imbot.v2 `Message` entity) as it comes in events.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ImbotV2Message {
    /// Unique identifier of the message.
    #[serde(deserialize_with = "crate::de::lenient")]
    pub id: i64,
    /// ID of the chat.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub chat_id: Option<i64>,
    /// ID of the author; `0` for system messages.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub author_id: Option<i64>,
    /// Creation date in ISO 8601 format.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub date: Option<String>,
    /// Message text (at most 20,000 characters; longer messages are truncated with ` (...)`).
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub text: Option<String>,
    /// Is the message a system message?
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub is_system: Option<bool>,
    /// UUID for deduplication.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub uuid: Option<String>,
    /// Forwarding information, if the message was forwarded.
    #[serde(default)]
    pub forward: Option<ImbotV2Forward>,
    /// Additional parameters: attach, keyboard, files, and others (empty if none came).
    #[serde(default, deserialize_with = "map_or_empty")]
    pub params: BTreeMap<String, Value>,
    /// Has the message been read by other participants?
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub viewed_by_others: Option<bool>,
}

/// Forwarding information of a message (`forward`: `{id, userId, chatId, date}`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ImbotV2Forward {
    /// Identifier of the original message.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub id: Option<String>,
    /// Identifier of the original message's author.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub user_id: Option<i64>,
    /// Identifier of the original message's chat.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub chat_id: Option<i64>,
    /// Date of the original message.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub date: Option<String>,
}

/// A chat (imbot.v2 `Chat` entity) as it comes in events: without `role` and `muteList`, which
/// depend on the user.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ImbotV2Chat {
    /// Unique identifier of the chat.
    #[serde(deserialize_with = "crate::de::lenient")]
    pub id: i64,
    /// Dialog identifier: `chat5` for group chats, `123` for personal chats.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub dialog_id: Option<String>,
    /// Name of the chat.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub name: Option<String>,
    /// Type: `chat`, `open`, `channel`, `openChannel`, `copilot`, `thread`, `generalChannel`
    /// (`private` also occurs in the docs' examples).
    #[serde(rename = "type", default, deserialize_with = "crate::de::lenient")]
    pub kind: Option<String>,
    /// Internal type: `C` (chat), `O` (open), `P` (private), and others.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub message_type: Option<String>,
    /// ID of the chat owner.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub owner: Option<i64>,
    /// Color of the chat in HEX format.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub color: Option<String>,
    /// URL of the chat avatar, if set.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub avatar: Option<String>,
    /// Description of the chat.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub description: Option<String>,
    /// Does the chat contain extranet users?
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub extranet: Option<bool>,
    /// Does the chat contain collaborators?
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub contains_collaber: Option<bool>,
    /// Type of the object, e.g. `LINES` for Open Channels.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub entity_type: Option<String>,
    /// Identifier of the element.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub entity_id: Option<String>,
    /// Additional data of the object (field 1).
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub entity_data1: Option<String>,
    /// Additional data of the object (field 2).
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub entity_data2: Option<String>,
    /// Additional data of the object (field 3).
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub entity_data3: Option<String>,
    /// Data link to an external object (empty if none came).
    #[serde(default, deserialize_with = "map_or_empty")]
    pub entity_link: BTreeMap<String, Value>,
    /// ID of the folder on Drive for chat files.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub disk_folder_id: Option<i64>,
    /// Access permissions (empty if none came).
    #[serde(default, deserialize_with = "map_or_empty")]
    pub permissions: BTreeMap<String, Value>,
    /// ID of the parent chat, for threads.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub parent_chat_id: Option<i64>,
    /// ID of the parent message, for threads.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub parent_message_id: Option<i64>,
    /// Is the chat newly created?
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub is_new: Option<bool>,
    /// Is the text input field enabled (sent as `Y` or `N`)?
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub text_field_enabled: Option<bool>,
    /// ID of the chat background, if any.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub background_id: Option<String>,
}

/// A user (imbot.v2 `User` entity) as it comes in events.
///
/// Fields documented as "date or `false`" are `None` for `false` (`"0"` in webhook mode); in
/// online events `idle`, `lastActivityDate`, `mobileLastDate` and `desktopLastDate` are always
/// `false`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ImbotV2User {
    /// Unique identifier of the user.
    #[serde(deserialize_with = "crate::de::lenient")]
    pub id: i64,
    /// Is the user active in the system?
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub active: Option<bool>,
    /// Full name.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub name: Option<String>,
    /// First name.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub last_name: Option<String>,
    /// Job title.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub work_position: Option<String>,
    /// Avatar placeholder color in HEX format, e.g. `#df532d`.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub color: Option<String>,
    /// Avatar URL, if set.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub avatar: Option<String>,
    /// Gender: `M` male, `F` female.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub gender: Option<String>,
    /// Date of birth, if specified.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub birthday: Option<String>,
    /// Is the user an extranet user?
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub extranet: Option<bool>,
    /// Is the user a bot?
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub bot: Option<bool>,
    /// Is the user a connector for Open Channels?
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub connector: Option<bool>,
    /// Type of external authorization: `default`, `bot`, `email`, `replica`, and others.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub external_auth_id: Option<String>,
    /// Status: `online`, `dnd`.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub status: Option<String>,
    /// Time of inactivity in ISO 8601 format; `None` for `false`.
    #[serde(default, deserialize_with = "false_or")]
    pub idle: Option<String>,
    /// Date of last activity in ISO 8601 format; `None` for `false`.
    #[serde(default, deserialize_with = "false_or")]
    pub last_activity_date: Option<String>,
    /// Date of last mobile login in ISO 8601 format; `None` for `false`.
    #[serde(default, deserialize_with = "false_or")]
    pub mobile_last_date: Option<String>,
    /// Date of last desktop login in ISO 8601 format; `None` for `false`.
    #[serde(default, deserialize_with = "false_or")]
    pub desktop_last_date: Option<String>,
    /// Date of absence start in ISO 8601 format; `None` for `false`.
    #[serde(default, deserialize_with = "false_or")]
    pub absent: Option<String>,
    /// Department IDs.
    #[serde(default, deserialize_with = "lenient_list")]
    pub departments: Vec<i64>,
    /// Phone numbers by kind (`personalPhone`, `workPhone`, ...); `None` for `false`.
    #[serde(default, deserialize_with = "false_or")]
    pub phones: Option<BTreeMap<String, Option<String>>>,
    /// Type: `employee`, `extranet`, `email`, `collaber`, `bot`.
    #[serde(rename = "type", default, deserialize_with = "crate::de::lenient")]
    pub kind: Option<String>,
    /// Personal website.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub website: Option<String>,
    /// Email.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub email: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// imconnector: ONIMCONNECTORMESSAGEADD
// ---------------------------------------------------------------------------------------------

/// The `data` of `ONIMCONNECTORMESSAGEADD`: messages sent from a Bitrix24 open line to the
/// external system's channel through a custom connector (not for incoming messages, nor for
/// built-in connectors). After handling it, call `imconnector.send.status.delivery` with each
/// message's `im` identifiers, or the message stays undelivered in the messenger.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct ImconnectorMessageAdd {
    /// Connector identifier (the `ID` given to `imconnector.register`): check that the event is
    /// for this connector.
    #[serde(rename = "CONNECTOR", deserialize_with = "crate::de::lenient")]
    pub connector: String,
    /// Open line identifier.
    #[serde(rename = "LINE", deserialize_with = "crate::de::lenient")]
    pub line: i64,
    /// The messages.
    #[serde(rename = "MESSAGES", default, deserialize_with = "list")]
    pub messages: Vec<ImconnectorMessage>,
}

impl ImconnectorMessageAdd {
    /// The event's symbolic code.
    pub const EVENT: &'static str = "ONIMCONNECTORMESSAGEADD";
}

/// One element of `MESSAGES` in `ONIMCONNECTORMESSAGEADD`.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct ImconnectorMessage {
    /// The message's identifiers in Bitrix24.
    pub im: ImconnectorIm,
    /// The message's text data.
    #[serde(default)]
    pub message: ImconnectorMessageBody,
    /// The chat in the external system.
    pub chat: ImconnectorChat,
}

/// The `im` object of an imconnector message: its identifiers in Bitrix24, to pass back in
/// `imconnector.send.status.delivery`.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct ImconnectorIm {
    /// Identifier of the open line chat in Bitrix24.
    #[serde(deserialize_with = "crate::de::lenient")]
    pub chat_id: i64,
    /// Identifier of the message in Bitrix24.
    #[serde(deserialize_with = "crate::de::lenient")]
    pub message_id: i64,
}

/// The `message` object of an imconnector message.
#[derive(Debug, Clone, Default, Deserialize)]
#[non_exhaustive]
pub struct ImconnectorMessageBody {
    /// Identifier of the user on whose behalf the message was created.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub user_id: Option<i64>,
    /// Message text, in the format it has in the event (BB-codes such as `[b]`, `[br]`).
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub text: Option<String>,
    /// Attached files, if any. Not described on the event's page; read in the `{url, name}`
    /// shape that `imconnector.send.messages` uses for `message.files`.
    #[serde(default, deserialize_with = "list")]
    pub files: Vec<ImconnectorFile>,
}

/// A file attached to an imconnector message.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct ImconnectorFile {
    /// Link to the file.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub url: Option<String>,
    /// File name.
    #[serde(default, deserialize_with = "crate::de::lenient")]
    pub name: Option<String>,
}

/// The `chat` object of an imconnector message: the chat in the external system.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct ImconnectorChat {
    /// Identifier of the chat in the external system.
    #[serde(deserialize_with = "crate::de::lenient")]
    pub id: String,
}

// ---------------------------------------------------------------------------------------------
// Lenient readers for shapes `crate::de` does not cover
// ---------------------------------------------------------------------------------------------

/// A required credential from a string (or a number).
fn secret<'de, D: Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
    String::lenient(d).map(Secret::new)
}

/// An optional credential; null and `""` are `None`.
fn opt_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    Ok(Option::<String>::lenient(d)?
        .filter(|s| !s.is_empty())
        .map(Secret::new))
}

/// An object, or `[]`/null/`""` for an empty one.
fn map_or_empty<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, Value>, D::Error> {
    let v = Value::deserialize(d)?;
    if matches!(&v, Value::String(s) if s.is_empty()) {
        return Ok(BTreeMap::new());
    }
    Option::<BTreeMap<String, Value>>::lenient(v)
        .map(Option::unwrap_or_default)
        .map_err(de::Error::custom)
}

/// A value documented as "`T` or `false`": `false`, `"0"`, null and `""` are `None`.
fn false_or<'de, D: Deserializer<'de>, T: Lenient>(d: D) -> Result<Option<T>, D::Error> {
    let v = Value::deserialize(d)?;
    match &v {
        Value::Null | Value::Bool(false) => Ok(None),
        Value::String(s) if s.is_empty() || s == "0" => Ok(None),
        _ => T::lenient(v).map(Some).map_err(de::Error::custom),
    }
}

/// A PHP list: a JSON array, an object keyed `"0"`, `"1"`, ... (taken in numeric order, since a
/// sorted map puts `"10"` before `"2"`), or null/`""` for an empty one.
fn list<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
    let items = match Value::deserialize(d)? {
        Value::Null => return Ok(Vec::new()),
        Value::String(s) if s.is_empty() => return Ok(Vec::new()),
        Value::Array(items) => items,
        Value::Object(map) => {
            let mut keyed = map
                .into_iter()
                .map(|(k, v)| k.parse::<u64>().map(|n| (n, v)).map_err(|_| k))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|k| {
                    de::Error::custom(format!("expected a list, found an object with key `{k}`"))
                })?;
            keyed.sort_by_key(|(n, _)| *n);
            keyed.into_iter().map(|(_, v)| v).collect()
        }
        Value::Bool(_) => return Err(de::Error::custom("expected a list, found a boolean")),
        Value::Number(_) => return Err(de::Error::custom("expected a list, found a number")),
        Value::String(_) => return Err(de::Error::custom("expected a list, found a string")),
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, v)| T::deserialize(v).map_err(|e| de::Error::custom(format!("[{i}]: {e}"))))
        .collect()
}

/// A PHP list of [`Lenient`] scalars.
fn lenient_list<'de, D: Deserializer<'de>, T: Lenient>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(list::<D, Lax<T>>(d)?.into_iter().map(|Lax(v)| v).collect())
}

/// A [`Lenient`] value as a plain `Deserialize` type, for list elements.
struct Lax<T>(T);

impl<'de, T: Lenient> Deserialize<'de> for Lax<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::lenient(d).map(Lax)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const APP_TOKEN: &str = "51856fefc120afa4b628cc82d3935cce";
    const ACCESS: &str = "s6p6eclrvim6da22ft9ch94ekreb52lv";
    const REFRESH: &str = "r7q7fdmswjn7eb33gu0di05flsfc63mw";

    fn assert_no_secrets(debug: &str, secrets: &[&str]) {
        for s in secrets {
            assert!(!debug.contains(s), "{s} leaked into {debug}");
        }
        assert!(debug.contains("Secret(***)"));
    }

    /// A documented JSON example through `http_build_query` semantics and back.
    fn through_form(example: Value) -> Value {
        let body = crate::form::encode(example.as_object().unwrap());
        let decoded = crate::form::decode(&body, crate::form::Limits::default()).unwrap();
        crate::form::php_to_json(Value::Object(decoded))
    }

    #[test]
    fn sms_handler_request() {
        // The decoded form of a message sent from a CRM card (fields as documented in
        // messageservice.sender.add, "What comes to the handler").
        let v = json!({
            "module_id": "crm",
            "bindings": [
                {"OWNER_TYPE_ID": "3", "OWNER_ID": "1"},
                {"OWNER_TYPE_ID": "2", "OWNER_ID": "7405"}
            ],
            "properties": {"phone_number": "+12025550100", "message_text": "Hello"},
            "type": "SMS",
            "code": "provider1",
            "message_id": "a7c6e3e5b6b0b6f6b7b1",
            "message_to": "+12025550100",
            "message_body": "Hello",
            "ts": "1766047124",
            "auth": {
                "access_token": ACCESS,
                "expires_in": "3600",
                "scope": "messageservice",
                "domain": "some-domain.bitrix24.com",
                "server_endpoint": "https://oauth.bitrix.info/rest/",
                "status": "L",
                "client_endpoint": "https://some-domain.bitrix24.com/rest/",
                "member_id": "d897063e1ce7c5eb9f04b9751eef5915",
                "refresh_token": REFRESH,
                "application_token": APP_TOKEN
            }
        });
        let p: SmsHandlerRequest = serde_json::from_value(v).unwrap();
        assert_eq!(p.module_id.as_deref(), Some("crm"));
        assert_eq!(p.bindings.len(), 2);
        assert_eq!(
            (p.bindings[1].owner_type_id, p.bindings[1].owner_id),
            (2, 7405)
        );
        assert_eq!(
            p.properties.as_ref().unwrap().phone_number.as_deref(),
            Some("+12025550100")
        );
        assert_eq!(p.kind.as_deref(), Some("SMS"));
        assert_eq!(p.message_body.as_deref(), Some("Hello"));
        assert_eq!(p.ts, Some(1766047124));
        assert!(p.workflow_id.is_none() && p.document_id.is_empty());
        assert_eq!(p.auth().application_token().expose(), APP_TOKEN);
        assert_eq!(p.auth.expires_in, Some(3600));
        assert_eq!(p.auth.refresh_token.as_ref().unwrap().expose(), REFRESH);
        assert_no_secrets(&format!("{p:?}"), &[APP_TOKEN, ACCESS, REFRESH]);

        // From a workflow: no bindings, document id and type as lists.
        let v = json!({
            "module_id": "bizproc",
            "workflow_id": "6953c2b1a1e2c5.11859212",
            "document_id": ["crm", "CCrmDocumentDeal", "DEAL_7405"],
            "document_type": {"0": "crm", "1": "CCrmDocumentDeal", "2": "DEAL"},
            "type": "SMS",
            "code": "provider1",
            "message_to": "+12025550100",
            "message_body": "Hi",
            "auth": {"domain": "some-domain.bitrix24.com", "application_token": APP_TOKEN}
        });
        let p: SmsHandlerRequest = serde_json::from_value(v).unwrap();
        assert!(p.bindings.is_empty() && p.properties.is_none() && p.auth.access_token.is_none());
        assert_eq!(p.document_id, ["crm", "CCrmDocumentDeal", "DEAL_7405"]);
        assert_eq!(p.document_type, ["crm", "CCrmDocumentDeal", "DEAL"]);
    }

    #[test]
    fn envelope_and_auth_from_events_index() {
        // The "Event Sent to an Application" example, strings as the form carries them.
        let v = json!({
            "event": "ONCRMDEALADD",
            "event_handler_id": "185",
            "data": {"FIELDS": {"ID": "7405"}},
            "ts": "1766047124",
            "auth": {
                "access_token": ACCESS,
                "expires_in": "3600",
                "scope": "crm",
                "domain": "some-domain.bitrix24.com",
                "server_endpoint": "https://oauth.bitrix.info/rest/",
                "status": "L",
                "client_endpoint": "https://some-domain.bitrix24.com/rest/",
                "member_id": "d897063e1ce7c5eb9f04b9751eef5915",
                "application_token": APP_TOKEN
            }
        });
        let e: Event<Value> = serde_json::from_value(v).unwrap();
        assert_eq!(e.event, "ONCRMDEALADD");
        assert_eq!(e.event_handler_id, Some(185));
        assert_eq!(e.ts, Some(1766047124));
        assert_eq!(e.data["FIELDS"]["ID"], "7405");
        assert_eq!(e.auth.status.as_deref(), Some("L"));
        assert_no_secrets(&format!("{e:?}"), &[APP_TOKEN, ACCESS]);

        // No application_token: not a payload at all.
        let v = json!({"event": "ONCRMDEALADD", "data": {}, "auth": {"domain": "x"}});
        let err = serde_json::from_value::<Event<Value>>(v).unwrap_err();
        assert!(err.to_string().contains("application_token"), "{err}");
    }

    fn imbot_example() -> Value {
        // imbot.v2-events.md: the webhook notification structure around the ONIMBOTV2MESSAGEADD
        // example data, with the webhook-mode bot object.
        json!({
            "event": "ONIMBOTV2MESSAGEADD",
            "data": {
                "bot": {
                    "id": 456,
                    "code": "support_bot",
                    "auth": {
                        "access_token": "0b02a0690000071b0008440001b0007a16b39202c2490f015",
                        "expires": "1772093963",
                        "expires_in": "3600",
                        "scope": "imbot",
                        "domain": "some-domain.bitrix24.com",
                        "server_endpoint": "https://oauth.bitrix.info/rest/",
                        "status": "F",
                        "client_endpoint": "https://some-domain.bitrix24.com/rest/",
                        "member_id": "bac1cd5c8940947a75e0d71b1a84e348",
                        "user_id": "27",
                        "refresh_token": REFRESH,
                        "application_token": "831c76b092f9f135d9b6b36c3a720757"
                    }
                },
                "message": {
                    "id": 789,
                    "chatId": 5,
                    "authorId": 1,
                    "date": "2025-01-15T10:30:00+02:00",
                    "text": "Hello bot!",
                    "isSystem": false,
                    "uuid": "",
                    "forward": null,
                    "params": {},
                    "viewedByOthers": false
                },
                "chat": {
                    "id": 5,
                    "dialogId": "chat5",
                    "type": "chat",
                    "name": "Support Chat",
                    "entityType": "",
                    "owner": 1,
                    "avatar": "",
                    "color": "#ab7761"
                },
                "user": {
                    "id": 1,
                    "active": true,
                    "name": "John Smith",
                    "firstName": "John",
                    "lastName": "Smith",
                    "workPosition": "Developer",
                    "color": "#df532d",
                    "avatar": "",
                    "gender": "M",
                    "birthday": "",
                    "extranet": false,
                    "bot": false,
                    "connector": false,
                    "externalAuthId": "default",
                    "status": "online",
                    "idle": false,
                    "lastActivityDate": "2025-01-15T10:29:00+02:00",
                    "absent": false,
                    "departments": [1],
                    "phones": false,
                    "type": "employee"
                },
                "language": "en"
            },
            "ts": 1772093963,
            "auth": {
                "domain": "your-account.bitrix24.com",
                "application_token": APP_TOKEN
            }
        })
    }

    fn check_imbot(e: &ImbotV2MessageAddEvent) {
        assert_eq!(e.event, ImbotV2MessageAdd::EVENT);
        assert_eq!(e.ts, Some(1772093963));
        assert_eq!(e.auth().application_token().expose(), APP_TOKEN);
        let d = &e.data;
        assert_eq!(
            (d.bot.id, d.bot.code.as_deref()),
            (456, Some("support_bot"))
        );
        let bot_auth = d.bot.auth.as_ref().unwrap();
        assert_eq!(
            (bot_auth.expires, bot_auth.user_id),
            (Some(1772093963), Some(27))
        );
        assert_eq!(
            (d.message.id, d.message.chat_id, d.message.author_id),
            (789, Some(5), Some(1))
        );
        assert_eq!(d.message.text.as_deref(), Some("Hello bot!"));
        assert_eq!(d.message.is_system, Some(false));
        // `""` is null in the form but stays `""` in FETCH-style JSON.
        assert!(d.message.uuid.as_deref().unwrap_or("").is_empty());
        assert!(d.message.forward.is_none());
        assert!(d.message.params.is_empty());
        assert_eq!(d.chat.id, 5);
        assert_eq!(d.chat.dialog_id.as_deref(), Some("chat5"));
        assert!(d.chat.entity_type.as_deref().unwrap_or("").is_empty());
        assert_eq!(d.user.id, 1);
        assert_eq!(d.user.active, Some(true));
        assert_eq!(d.user.bot, Some(false));
        assert_eq!(d.user.idle, None);
        assert_eq!(
            d.user.last_activity_date.as_deref(),
            Some("2025-01-15T10:29:00+02:00")
        );
        assert_eq!(d.user.departments, [1]);
        assert!(d.user.phones.is_none());
        assert!(d.user.birthday.as_deref().unwrap_or("").is_empty());
        assert_eq!(d.language.as_deref(), Some("en"));
        let debug = format!("{e:?}");
        assert_no_secrets(
            &debug,
            &[
                APP_TOKEN,
                REFRESH,
                "0b02a0690000071b0008440001b0007a16b39202c2490f015",
                "831c76b092f9f135d9b6b36c3a720757",
            ],
        );
    }

    #[test]
    fn imbot_v2_message_add() {
        // What the form decodes to: strings everywhere, false -> "0", "" -> null, empty
        // objects (params) left out.
        let v = json!({
            "event": "ONIMBOTV2MESSAGEADD",
            "data": {
                "bot": {
                    "id": "456",
                    "code": "support_bot",
                    "auth": {
                        "access_token": "0b02a0690000071b0008440001b0007a16b39202c2490f015",
                        "expires": "1772093963",
                        "expires_in": "3600",
                        "scope": "imbot",
                        "domain": "some-domain.bitrix24.com",
                        "server_endpoint": "https://oauth.bitrix.info/rest/",
                        "status": "F",
                        "client_endpoint": "https://some-domain.bitrix24.com/rest/",
                        "member_id": "bac1cd5c8940947a75e0d71b1a84e348",
                        "user_id": "27",
                        "refresh_token": REFRESH,
                        "application_token": "831c76b092f9f135d9b6b36c3a720757"
                    }
                },
                "message": {
                    "id": "789", "chatId": "5", "authorId": "1",
                    "date": "2025-01-15T10:30:00+02:00", "text": "Hello bot!",
                    "isSystem": "0", "uuid": null, "forward": null, "viewedByOthers": "0"
                },
                "chat": {
                    "id": "5", "dialogId": "chat5", "type": "chat", "name": "Support Chat",
                    "entityType": null, "owner": "1", "avatar": null, "color": "#ab7761"
                },
                "user": {
                    "id": "1", "active": "1", "name": "John Smith", "firstName": "John",
                    "lastName": "Smith", "workPosition": "Developer", "color": "#df532d",
                    "avatar": null, "gender": "M", "birthday": null, "extranet": "0",
                    "bot": "0", "connector": "0", "externalAuthId": "default",
                    "status": "online", "idle": "0",
                    "lastActivityDate": "2025-01-15T10:29:00+02:00", "absent": "0",
                    "departments": ["1"], "phones": "0", "type": "employee"
                },
                "language": "en"
            },
            "ts": "1772093963",
            "auth": {"domain": "your-account.bitrix24.com", "application_token": APP_TOKEN}
        });
        check_imbot(&serde_json::from_value(v).unwrap());
        // The documented example through http_build_query and the form reader.
        check_imbot(&serde_json::from_value(through_form(imbot_example())).unwrap());
        // FETCH-style typed JSON reads too.
        check_imbot(&serde_json::from_value(imbot_example()).unwrap());
    }

    #[test]
    fn imconnector_message_add() {
        // The example of OnImConnectorMessageAdd, as the form decodes it.
        let v = json!({
            "event": "ONIMCONNECTORMESSAGEADD",
            "event_handler_id": "555",
            "data": {
                "CONNECTOR": "myconnector",
                "LINE": "107",
                "MESSAGES": [{
                    "im": {"chat_id": "1807", "message_id": "86497"},
                    "message": {
                        "user_id": "27",
                        "text": "[b]Samantha Johnson:[/b] [br]Good afternoon!"
                    },
                    "chat": {"id": "channel-123"}
                }]
            },
            "ts": "1773759161",
            "auth": {
                "access_token": "c978b990071b0008440001b0895f697a",
                "expires": "1773762761",
                "expires_in": "3600",
                "scope": "imconnector, imopenlines",
                "domain": "some-domain.bitrix24.com",
                "server_endpoint": "https://oauth.bitrix.info/rest/",
                "status": "F",
                "client_endpoint": "https://some-domain.bitrix24.com/rest/",
                "member_id": "bac1cd5c8940947a75e0d71b1a84e348",
                "user_id": "27",
                "application_token": "831c76b092f9f135d9b6b36c3a720757"
            }
        });
        let e: ImconnectorMessageAddEvent = serde_json::from_value(v).unwrap();
        assert_eq!(e.event, ImconnectorMessageAdd::EVENT);
        assert_eq!((e.event_handler_id, e.ts), (Some(555), Some(1773759161)));
        assert_eq!(
            (e.data.connector.as_str(), e.data.line),
            ("myconnector", 107)
        );
        let m = &e.data.messages[0];
        assert_eq!((m.im.chat_id, m.im.message_id), (1807, 86497));
        assert_eq!(m.message.user_id, Some(27));
        assert!(
            m.message
                .text
                .as_deref()
                .unwrap()
                .ends_with("Good afternoon!")
        );
        assert!(m.message.files.is_empty());
        assert_eq!(m.chat.id, "channel-123");
        assert_eq!(e.auth.user_id, Some(27));
        assert_eq!(
            e.auth().application_token().expose(),
            "831c76b092f9f135d9b6b36c3a720757"
        );
        assert_no_secrets(
            &format!("{e:?}"),
            &[
                "831c76b092f9f135d9b6b36c3a720757",
                "c978b990071b0008440001b0895f697a",
            ],
        );
    }

    #[test]
    fn long_lists_left_as_objects() {
        // A sorted map puts "10" before "2": eleven messages may reach us as an object.
        let messages: serde_json::Map<String, Value> = (0..11)
            .map(|i| {
                let m = json!({
                    "im": {"chat_id": "1807", "message_id": (100 + i).to_string()},
                    "message": {"text": format!("m{i}"), "files": {"0": {"url": "https://x/f", "name": "f.pdf"}}},
                    "chat": {"id": "2"}
                });
                (i.to_string(), m)
            })
            .collect();
        let v = json!({"CONNECTOR": "c", "LINE": "1", "MESSAGES": messages});
        let d: ImconnectorMessageAdd = serde_json::from_value(v).unwrap();
        let ids: Vec<i64> = d.messages.iter().map(|m| m.im.message_id).collect();
        assert_eq!(ids, (100..111).collect::<Vec<_>>());
        assert_eq!(
            d.messages[10].message.files[0].name.as_deref(),
            Some("f.pdf")
        );

        let bad = json!({"CONNECTOR": "c", "LINE": "1", "MESSAGES": {"x": {}}});
        assert!(serde_json::from_value::<ImconnectorMessageAdd>(bad).is_err());
    }
}
