//! Event specs (`specs/<scope>/events/*.yaml`), checked for every one by generic tests: the
//! hooks come from tests/build.rs, which walks `specs/`, so an event spec dropped into a scope
//! folder is covered with no edit here.
//!
//! * each has its generated type and its entry in the scope's `events::EVENTS`;
//! * every documented payload decodes into its type, as JSON and as the form body the portal
//!   POSTs, and is refused with any other `application_token`;
//! * a payload of another event or of the wrong shape is refused, saying why;
//! * `event.bind` takes the generated type's name.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use bitrix_api::events::{Event, EventData};
use bitrix_api::handler::{HandlerError, Verifier};
use bitrix_mock::MockPortal;
use serde_json::{Value, json};

/// What a test can ask of one generated event type without knowing it.
struct EventHook {
    file: &'static str,
    code: &'static str,
    from_value: fn(Value) -> Result<(), String>,
    from_form: fn(&Verifier, &str) -> Result<(), HandlerError>,
}

fn event_hook<D: EventData>(file: &'static str) -> EventHook {
    EventHook {
        file,
        code: D::EVENT,
        from_value: |v| {
            Event::<D>::from_value(v)
                .map(drop)
                .map_err(|e| e.to_string())
        },
        from_form: |verifier, body| verifier.event::<D>(body).map(drop),
    }
}

include!(concat!(env!("OUT_DIR"), "/event_hooks.rs"));

fn specs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs")
}

/// Every event spec file under `specs/`, relative to it.
fn event_files() -> BTreeSet<String> {
    let specs = specs_dir();
    let mut out = BTreeSet::new();
    for scope in std::fs::read_dir(&specs).expect("specs/ is readable") {
        let dir = scope.expect("an entry").path();
        if dir.is_dir() {
            for f in bitrix_spec::event_files(&dir).expect("readable") {
                out.insert(
                    f.strip_prefix(&specs)
                        .expect("under specs/")
                        .display()
                        .to_string(),
                );
            }
        }
    }
    out
}

fn load(rel: &str) -> bitrix_spec::EventSpec {
    let text = std::fs::read_to_string(specs_dir().join(rel)).expect("readable");
    bitrix_spec::load_event(rel, &text).unwrap_or_else(|d| panic!("{rel}: {d:?}"))
}

#[test]
fn every_event_spec_has_its_type_and_its_registry_entry() {
    let files = event_files();
    assert!(files.len() > 100, "only {} event specs", files.len());
    let hooks = event_hooks();
    let hooked: BTreeSet<String> = hooks.iter().map(|h| h.file.to_owned()).collect();
    let listed: BTreeSet<String> = event_registries()
        .into_iter()
        .flatten()
        .map(|e| e.spec.to_owned())
        .collect();
    let missing: Vec<&String> = files.iter().filter(|f| !hooked.contains(*f)).collect();
    assert!(
        missing.is_empty(),
        "event specs without a generated type: {missing:?}"
    );
    assert_eq!(
        listed, files,
        "`events::EVENTS` lists every event spec and nothing else"
    );
    for h in &hooks {
        let ev = load(h.file);
        assert_eq!(h.code, ev.code(), "{}", h.file);
        let info = event_registries()
            .into_iter()
            .flatten()
            .find(|e| e.spec == h.file)
            .expect("listed");
        assert_eq!((info.name, info.code), (ev.name.as_str(), h.code));
        assert_eq!(info.type_name, ev.type_name());
    }
}

/// `payload` with its `auth.application_token` set to `token`.
fn with_token(mut payload: Value, token: &str) -> Value {
    let auth = payload
        .as_object_mut()
        .expect("an object")
        .entry("auth")
        .or_insert_with(|| json!({}));
    auth["application_token"] = json!(token);
    payload
}

#[test]
fn every_documented_payload_decodes_as_json_and_as_a_form_body() {
    let verifier = Verifier::new("app-token");
    let mut failures = Vec::new();
    let mut decoded = 0;
    for h in event_hooks() {
        for (i, ex) in load(h.file).examples.into_iter().enumerate() {
            let ex = with_token(ex, "app-token");
            if let Err(e) = (h.from_value)(ex.clone()) {
                failures.push(format!("{}, example {i}, as JSON: {e}", h.file));
                continue;
            }
            let body = bitrix_wire::form::encode(ex.as_object().expect("an object"));
            match (h.from_form)(&verifier, &body) {
                Ok(()) => decoded += 1,
                Err(e) => failures.push(format!("{}, example {i}, as a form body: {e}", h.file)),
            }
            let forged = with_token(ex, "another-token");
            let body = bitrix_wire::form::encode(forged.as_object().expect("an object"));
            match (h.from_form)(&verifier, &body) {
                Err(HandlerError::Forged) => {}
                other => failures.push(format!(
                    "{}, example {i}, with another token: {other:?}, not refused as forged",
                    h.file
                )),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(decoded > 100, "only {decoded} documented payloads");
}

#[test]
fn a_payload_of_another_event_or_shape_is_refused_saying_why() {
    use bitrix_api::crm::events::OnCrmDealAdd;
    let verifier = Verifier::new("app-token");
    let ok = verifier
        .event::<OnCrmDealAdd>(
            "event=onCrmDealAdd&event_handler_id=7&data[FIELDS][ID]=6641&ts=1735374081&auth[application_token]=app-token",
        )
        .expect("a deal's creation");
    assert_eq!(ok.data.fields.as_ref().and_then(|f| f.id), Some(6641));
    assert_eq!((ok.event_handler_id, ok.ts), (Some(7), Some(1_735_374_081)));

    let other = verifier
        .event::<OnCrmDealAdd>(
            "event=ONCRMDEALUPDATE&data[FIELDS][ID]=1&auth[application_token]=app-token",
        )
        .expect_err("another event");
    assert!(
        matches!(&other, HandlerError::Shape(m) if m.contains("ONCRMDEALUPDATE") && m.contains("ONCRMDEALADD")),
        "{other}"
    );
    let shape = verifier
        .event::<OnCrmDealAdd>(
            "event=ONCRMDEALADD&data[FIELDS][ID]=first&auth[application_token]=app-token",
        )
        .expect_err("not an id");
    assert!(
        matches!(&shape, HandlerError::Shape(m) if m.contains("data.FIELDS.ID")),
        "{shape}"
    );
    let unsigned = verifier
        .event::<OnCrmDealAdd>("event=ONCRMDEALADD&data[FIELDS][ID]=1")
        .expect_err("no auth");
    assert_eq!(unsigned, HandlerError::Forged);
    // The refusal never quotes the token it was given.
    let forged = verifier
        .event::<OnCrmDealAdd>(
            "event=ONCRMDEALADD&data[FIELDS][ID]=1&auth[application_token]=s3cr3t-value",
        )
        .expect_err("forged");
    assert!(!format!("{forged} {forged:?}").contains("s3cr3t"));
}

#[tokio::test(flavor = "current_thread")]
async fn event_bind_takes_the_generated_event_name() {
    use bitrix_api::basic::EventBind;
    use bitrix_api::crm::events::OnCrmDealAdd;
    assert_eq!(OnCrmDealAdd::EVENT, "ONCRMDEALADD");
    let mock = MockPortal::start().await.expect("mock starts");
    let client = bitrix_api::Client::with_access_token(&mock.base_url(), mock.access_token())
        .expect("a valid client");
    let bound = client
        .call(EventBind::new(
            OnCrmDealAdd::EVENT,
            "https://app.example.com/on-deal",
        ))
        .await
        .expect("event.bind succeeds");
    assert!(bound);
}

/// The form body the portal POSTs for `payload`, signed with `token`.
fn form_body(payload: Value, token: &str) -> String {
    bitrix_wire::form::encode(with_token(payload, token).as_object().expect("an object"))
}

#[test]
fn a_bot_reads_its_message_in_webhook_and_fetch_mode() {
    use bitrix_api::imbot::events::OnImbotV2MessageAdd;
    let verifier = Verifier::new("app-token");
    let examples = load("imbot/events/onImbotV2MessageAdd.yaml").examples;
    assert_eq!(
        examples.len(),
        2,
        "the FETCH-mode and the webhook-mode payload"
    );
    for (i, ex) in examples.into_iter().enumerate() {
        // Through the form body, and as the typed JSON of FETCH mode.
        let from_form = verifier
            .event::<OnImbotV2MessageAdd>(&form_body(ex.clone(), "app-token"))
            .unwrap_or_else(|e| panic!("example {i}: {e}"));
        let from_json = Event::<OnImbotV2MessageAdd>::from_value(with_token(ex, "app-token"))
            .unwrap_or_else(|e| panic!("example {i}: {e}"));
        for e in [from_form, from_json] {
            let d = &e.data;
            let bot = d.bot.as_ref().expect("bot");
            assert_eq!(
                (bot.id, bot.code.as_deref()),
                (Some(456), Some("support_bot"))
            );
            let m = d.message.as_ref().expect("message");
            assert_eq!(
                (m.id, m.chat_id, m.author_id),
                (Some(789), Some(5), Some(1))
            );
            assert_eq!(
                (m.text.as_deref(), m.is_system),
                (Some("Hello bot!"), Some(false))
            );
            assert!(m.forward.is_none());
            let chat = d.chat.as_ref().expect("chat");
            assert_eq!(
                (chat.id, chat.dialog_id.as_deref()),
                (Some(5), Some("chat5"))
            );
            let user = d.user.as_ref().expect("user");
            assert_eq!(
                (user.id, user.active, user.bot),
                (Some(1), Some(true), Some(false))
            );
            assert_eq!(user.departments.as_deref(), Some(&[1][..]));
            assert_eq!(d.language.as_deref(), Some("en"));
            if i == 1 {
                // Webhook mode: the bot's own tokens, for calls back, never printed.
                let auth = bot.auth.as_ref().expect("bot.auth");
                assert_eq!(
                    (auth.expires, auth.user_id),
                    (Some(1_772_093_963), Some(27))
                );
                assert_eq!(
                    auth.refresh_token.as_ref().map(|s| s.expose()),
                    Some("7c8b8d690000071b0008440001b0007a0e1e0c1f7f0e2e3a")
                );
                let debug = format!("{e:?}");
                for secret in [
                    "0b02a0690000071b0008440001b0007a16b39202c2490f015",
                    "7c8b8d690000071b0008440001b0007a0e1e0c1f7f0e2e3a",
                    "831c76b092f9f135d9b6b36c3a720757",
                    "app-token",
                ] {
                    assert!(!debug.contains(secret), "{debug}");
                }
            }
        }
    }
}

#[test]
fn a_connector_reads_its_messages_however_the_list_comes() {
    use bitrix_api::imconnector::events::OnImConnectorMessageAdd;
    let verifier = Verifier::new("app-token");
    let example = load("imconnector/events/OnImConnectorMessageAdd.yaml")
        .examples
        .remove(0);
    let e = verifier
        .event::<OnImConnectorMessageAdd>(&form_body(example, "app-token"))
        .expect("the documented payload");
    assert_eq!(OnImConnectorMessageAdd::EVENT, "ONIMCONNECTORMESSAGEADD");
    assert_eq!(
        (e.data.connector.as_deref(), e.data.line),
        (Some("myconnector"), Some(107))
    );
    let messages = e.data.messages.as_deref().expect("messages");
    let im = messages[0].im.as_ref().expect("im");
    assert_eq!((im.chat_id, im.message_id), (Some(1807), Some(86497)));
    assert_eq!(
        messages[0].chat.as_ref().and_then(|c| c.id.as_deref()),
        Some("channel-123")
    );

    // Eleven messages may come as an object keyed by numbers ("10" sorts before "2"): read in
    // numeric order, files too.
    let keyed: serde_json::Map<String, Value> = (0..11)
        .map(|i| {
            let m = json!({
                "im": {"chat_id": "1807", "message_id": (100 + i).to_string()},
                "message": {"text": format!("m{i}"), "files": {"0": {"url": "https://x/f", "name": "f.pdf"}}},
                "chat": {"id": "2"}
            });
            (i.to_string(), m)
        })
        .collect();
    let payload = json!({"event": "ONIMCONNECTORMESSAGEADD",
        "data": {"CONNECTOR": "c", "LINE": "1", "MESSAGES": keyed},
        "auth": {"application_token": "app-token"}});
    let e = Event::<OnImConnectorMessageAdd>::from_value(payload).expect("a keyed list");
    let messages = e.data.messages.expect("messages");
    let ids: Vec<i64> = messages
        .iter()
        .filter_map(|m| m.im.as_ref()?.message_id)
        .collect();
    assert_eq!(ids, (100..111).collect::<Vec<_>>());
    let file = &messages[10]
        .message
        .as_ref()
        .and_then(|m| m.files.as_ref())
        .expect("files")[0];
    assert_eq!(file.name.as_deref(), Some("f.pdf"));

    // An object keyed otherwise is no list.
    let bad = json!({"event": "ONIMCONNECTORMESSAGEADD",
        "data": {"CONNECTOR": "c", "MESSAGES": {"x": {}}},
        "auth": {"application_token": "app-token"}});
    let err = Event::<OnImConnectorMessageAdd>::from_value(bad).expect_err("not a list");
    assert!(err.to_string().contains("data.MESSAGES"), "{err}");
}
