//! `imconnector.*`: custom Open Channels connectors, registered per application, and the
//! messages external systems send through them.

use serde_json::{Map, Value, json};

use super::{Call, Fail, Outcome};
use crate::params;
use crate::state::ConnectorMessage;

/// The per-item error for updating or deleting a message the portal never received; the pages
/// document the `ERRORS` array but no text for it.
const UNKNOWN_MESSAGE: &str = "Message not found";

/// The portal stores connector ids lowercased, so every method compares them that way.
fn connector_id(call: &Call<'_>, key: &str) -> String {
    call.text(key).unwrap_or_default().to_lowercase()
}

pub(crate) fn register(call: &mut Call<'_>) -> Outcome {
    let app = call.app()?;
    let id = connector_id(call, "ID");
    // Registering again updates the connector, keeping the lines it is active on.
    call.state
        .connectors
        .entry((app.to_owned(), id))
        .or_default();
    Ok(json!({"result": true}))
}

pub(crate) fn activate(call: &mut Call<'_>) -> Outcome {
    let app = call.app()?;
    let connector = connector_id(call, "CONNECTOR");
    let line = call.int("LINE").unwrap_or_default();
    // "Any non-empty value enables the connector, an empty value or 0 disables it"; N is the
    // recommended spelling of off.
    let active = call
        .text("ACTIVE")
        .is_some_and(|a| !matches!(a.as_str(), "0" | "N" | "n"));
    if !call.state.lines.contains_key(&line) {
        return Err(Fail::code("NOT_ACTIVE_LINE"));
    }
    let lines = call
        .state
        .connectors
        .get_mut(&(app.to_owned(), connector))
        .ok_or(Fail::code("IMCONNECTOR_NO_CORRECT_PROVIDER"))?;
    if active {
        lines.insert(line);
    } else {
        lines.remove(&line);
    }
    Ok(Value::Bool(true))
}

/// The checks every message method makes before looking at `MESSAGES`.
fn preflight(call: &Call<'_>) -> Result<(&'static str, String, i64), Fail> {
    let app = call.app()?;
    let line = call.int("LINE").unwrap_or_default();
    if call.state.lines.get(&line) != Some(&true) {
        return Err(Fail::code("NOT_ACTIVE_LINE"));
    }
    let connector = connector_id(call, "CONNECTOR");
    if !call
        .state
        .connectors
        .contains_key(&(app.to_owned(), connector.clone()))
    {
        return Err(Fail::code("IMCONNECTOR_NO_CORRECT_PROVIDER"));
    }
    Ok((app, connector, line))
}

/// One element of `MESSAGES`, its members read leniently (validation already ran).
struct Item<'a> {
    user: &'a Value,
    message: &'a Value,
    chat: &'a Value,
}

/// What a missing member reads as.
static ABSENT: Value = Value::Null;

impl<'a> Item<'a> {
    fn all(call: &Call<'a>) -> Vec<Item<'a>> {
        let items = call.params.get("MESSAGES").and_then(Value::as_array);
        let part = |item: &'a Value, key| item.get(key).unwrap_or(&ABSENT);
        items
            .into_iter()
            .flatten()
            .map(|item| Item {
                user: part(item, "user"),
                message: part(item, "message"),
                chat: part(item, "chat"),
            })
            .collect()
    }

    /// Where an already sent message is stored: by app, connector, line, chat and message id.
    fn key(&self, app: &str, connector: &str, line: i64) -> crate::state::ConnectorMessageKey {
        let id = |part: &Value| Self::text(part, "id").unwrap_or_default();
        (
            app.to_owned(),
            connector.to_owned(),
            line,
            id(self.chat),
            id(self.message),
        )
    }

    fn text(part: &Value, key: &str) -> Option<String> {
        params::text(part.get(key)).filter(|s| !s.is_empty())
    }

    fn is_y(part: &Value, key: &str) -> bool {
        part.get(key).and_then(Value::as_str) == Some("Y")
    }

    /// `chat` as the portal echoes it: the id, the name, and the link turned into a description.
    fn chat_out(&self) -> Value {
        let mut chat = Map::new();
        chat.insert(
            "id".into(),
            json!(Self::text(self.chat, "id").unwrap_or_default()),
        );
        if let Some(name) = Self::text(self.chat, "name") {
            chat.insert("name".into(), json!(name));
        }
        if let Some(url) = Self::text(self.chat, "url") {
            chat.insert(
                "description".into(),
                json!(format!("Link to the original post: {url}")),
            );
        }
        Value::Object(chat)
    }

    fn extra(&self) -> Option<Value> {
        let mut extra = Map::new();
        if Self::is_y(self.user, "skip_phone_validate") {
            extra.insert("skip_phone_validate".into(), json!("Y"));
        }
        if Self::is_y(self.message, "disable_crm") {
            extra.insert("disable_tracker".into(), json!("Y"));
        }
        (!extra.is_empty()).then_some(Value::Object(extra))
    }
}

fn answer(results: Vec<Value>) -> Value {
    // The call as a whole succeeds once its checks pass; failures are reported per item.
    json!({"SUCCESS": true, "DATA": {"RESULT": results}})
}

pub(crate) fn send_messages(call: &mut Call<'_>) -> Outcome {
    let (app, connector, line) = preflight(call)?;
    let mut results = Vec::new();
    for item in Item::all(call) {
        let external_user = Item::text(item.user, "id").unwrap_or_default();
        let chat_id = Item::text(item.chat, "id").unwrap_or_default();
        let state = &mut *call.state;
        let user = state.external_user(app, &connector, &external_user);
        let message_id =
            Item::text(item.message, "id").unwrap_or_else(|| state.next_id().to_string());
        let text = Item::text(item.message, "text");
        let files = item.message.get("files").cloned();
        let (session, session_chat) = state.session(app, &connector, line, &chat_id);
        let key = (
            app.to_owned(),
            connector.clone(),
            line,
            chat_id,
            message_id.clone(),
        );
        let stored = ConnectorMessage {
            user,
            text: text.clone(),
            files: files.clone(),
        };
        state.connector_messages.insert(key, stored);

        let mut message = json!({"id": message_id, "date": {}});
        if let Some(text) = text {
            message["text"] = json!(text);
        }
        message["files"] = files.unwrap_or_else(|| json!([]));
        let mut result = json!({
            "user": user.to_string(),
            "message": message,
            "chat": item.chat_out(),
            "SUCCESS": true,
            "session": {"ID": session.to_string(), "CHAT_ID": session_chat.to_string()},
        });
        if let Some(extra) = item.extra() {
            result["extra"] = extra;
        }
        results.push(result);
    }
    Ok(answer(results))
}

pub(crate) fn update_messages(call: &mut Call<'_>) -> Outcome {
    let (app, connector, line) = preflight(call)?;
    let mut results = Vec::new();
    for item in Item::all(call) {
        let key = item.key(app, &connector, line);
        let message_id = key.4.clone();
        let external_user = Item::text(item.user, "id").unwrap_or_default();
        let (text, files) = (Item::text(item.message, "text"), item.message.get("files"));
        let state = &mut *call.state;
        let mut message = json!({"id": message_id, "date": {}});
        let mut result = match state.connector_messages.get_mut(&key) {
            Some(stored) => {
                if text.is_some() {
                    stored.text = text;
                }
                if let Some(files) = files {
                    stored.files = Some(files.clone());
                }
                if let Some(text) = &stored.text {
                    message["text"] = json!(text);
                }
                if let Some(files) = &stored.files {
                    message["files"] = files.clone();
                }
                json!({"user": stored.user.to_string(), "SUCCESS": true})
            }
            None => {
                let user = state.external_user(app, &connector, &external_user);
                json!({"user": user.to_string(), "SUCCESS": false, "ERRORS": [UNKNOWN_MESSAGE]})
            }
        };
        result["message"] = message;
        result["chat"] = item.chat_out();
        if let Some(extra) = item.extra() {
            result["extra"] = extra;
        }
        results.push(result);
    }
    Ok(answer(results))
}

pub(crate) fn delete_messages(call: &mut Call<'_>) -> Outcome {
    let (app, connector, line) = preflight(call)?;
    let mut results = Vec::new();
    for item in Item::all(call) {
        let key = item.key(app, &connector, line);
        let message_id = key.4.clone();
        let external_user = Item::text(item.user, "id").unwrap_or_default();
        let state = &mut *call.state;
        // The answer echoes the message fields the request carried, whatever was stored.
        let mut message = json!({"id": message_id});
        for field in ["date", "text", "files"] {
            if let Some(v) = item.message.get(field) {
                message[field] = v.clone();
            }
        }
        let mut result = match state.connector_messages.remove(&key) {
            Some(stored) => json!({"user": stored.user.to_string(), "SUCCESS": true}),
            None => {
                let user = state.external_user(app, &connector, &external_user);
                json!({"user": user.to_string(), "SUCCESS": false, "ERRORS": [UNKNOWN_MESSAGE]})
            }
        };
        let mut chat = item.chat_out();
        if let Some(chat) = chat.as_object_mut() {
            // Only the id and the link-derived description come back from a deletion.
            chat.remove("name");
        }
        result["message"] = message;
        result["chat"] = chat;
        results.push(result);
    }
    Ok(answer(results))
}
