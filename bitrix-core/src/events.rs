//! Typed payloads of what Bitrix24 POSTs to an application's handlers: the message-provider
//! (SMS) handler of `messageservice.sender.add`, and events in the common envelope
//! (`event`, `event_handler_id`, `data`, `ts`, `auth`).
//!
//! The `data` of every event is generated from its spec (`specs/<scope>/events/`) into the
//! scope's `events` module, such as `bitrix_api::crm::events::OnCrmDealAdd` or
//! `bitrix_api::imbot::events::OnImbotV2MessageAdd`, and read with
//! [`crate::handler::Verifier::event`]; [`Event<D>`] is the envelope around it.
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
}
