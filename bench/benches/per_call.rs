//! Per-call cost of the generated code against the same work written by hand on
//! `serde_json::Value`, for the five starting methods, and of a whole call against the mock
//! portal against a raw `reqwest` POST.
//!
//! `generated`: build the request with realistic values, `Method::validate` it (application
//! context), `serde_json::to_vec` it, and `Method::decode` the `result` of the spec's documented
//! success example. `baseline`: a `json!` object, the same checks by hand (patterns compiled
//! once, outside the timed loop), `serde_json::to_vec`, then `serde_json::from_str::<Value>` of
//! the same raw result and reading the same fields. The raw result is prepared outside the loop.
//!
//! Run with `cargo bench -p bitrix-bench --bench per_call`. The global allocator counts
//! allocations (divan's `AllocProfiler`), shown under each timing.

use std::hint::black_box;

use bitrix_api::imbot::ImbotV2ChatMessageDelete;
use bitrix_api::imopenlines::{
    DeleteMessageChat, DeleteMessageItem, DeleteMessageMessage, DeleteMessageUser,
    ImconnectorDeleteMessages,
};
use bitrix_api::messageservice::{
    MessageserviceSenderAdd, MessageserviceSenderDelete, MessageserviceSenderUpdate, SenderType,
};
use bitrix_api::{AuthContext, Method, Validator};
use divan::Bencher;
use regex::Regex;
use serde_json::{Value, json};

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

fn main() {
    divan::main();
}

/// The `result` of a spec's first documented success, as the raw JSON the client decodes.
fn documented_result(file: &str, text: &str) -> String {
    let spec = bitrix_spec::load(file, text).expect("the spec loads");
    let result = spec
        .examples
        .iter()
        .filter(|e| e.status == 200)
        .find_map(|e| e.response.get("result"))
        .expect("the spec documents a success");
    serde_json::to_string(result).expect("JSON")
}

// Defaults for a full run; `--sample-count` and `--sample-size` on the command line override
// them. Many iterations per sample, so that each timing is far above the timer's precision.
const SAMPLES: u32 = 1000;
const MICRO_SAMPLE: u32 = 100;
const CALL_SAMPLE: u32 = 10;

/// The pattern every provider code must match (messageservice specs).
const CODE_PATTERN: &str = "^[a-zA-Z0-9._-]+$";

/// What a careful hand-written client checks before sending: the same rules the spec gives the
/// generated `validate`, reported as `(parameter, reason)`.
mod by_hand {
    use regex::Regex;

    pub type Problems = Vec<(&'static str, &'static str)>;

    pub fn required(problems: &mut Problems, param: &'static str, value: &str) {
        if value.is_empty() {
            problems.push((param, "is required and must not be empty"));
        }
    }

    pub fn pattern(problems: &mut Problems, param: &'static str, value: &str, re: &Regex) {
        if !value.is_empty() && !re.is_match(value) {
            problems.push((param, "does not match the pattern"));
        }
    }

    pub fn url(problems: &mut Problems, param: &'static str, value: &str) {
        if !(value.starts_with("https://") || value.starts_with("http://")) {
            problems.push((param, "is not an absolute http(s) URL"));
        }
    }
}

#[divan::bench_group(sample_count = SAMPLES, sample_size = MICRO_SAMPLE)]
mod sender_add {
    use super::*;

    const SPEC: &str = include_str!("../../specs/messageservice/messageservice.sender.add.yaml");

    #[divan::bench]
    fn generated(bencher: Bencher) {
        let raw = documented_result("messageservice/messageservice.sender.add.yaml", SPEC);
        bencher.bench_local(|| {
            let request = MessageserviceSenderAdd::new(
                black_box("my_sms"),
                SenderType::Sms,
                black_box("https://sms.example.com/handler"),
                [("en", "My SMS"), ("de", "Meine SMS")],
            )
            .description(black_box("SMS through example.com"));
            let mut v = Validator::new(AuthContext::Application);
            request.validate(&mut v);
            let problems = v.finish();
            let body = serde_json::to_vec(&request).expect("serializes");
            let registered = <MessageserviceSenderAdd as Method>::decode(&raw).expect("decodes");
            (problems, body, registered)
        });
    }

    #[divan::bench]
    fn baseline(bencher: Bencher) {
        let raw = documented_result("messageservice/messageservice.sender.add.yaml", SPEC);
        let code_re = Regex::new(CODE_PATTERN).expect("pattern");
        bencher.bench_local(|| {
            let (code, handler) = (
                black_box("my_sms"),
                black_box("https://sms.example.com/handler"),
            );
            let name = [("en", "My SMS"), ("de", "Meine SMS")];
            let description = black_box("SMS through example.com");
            let mut problems = by_hand::Problems::new();
            by_hand::required(&mut problems, "CODE", code);
            by_hand::pattern(&mut problems, "CODE", code, &code_re);
            by_hand::required(&mut problems, "HANDLER", handler);
            by_hand::url(&mut problems, "HANDLER", handler);
            for (_, text) in name {
                by_hand::required(&mut problems, "NAME", text);
            }
            let body = json!({
                "CODE": code,
                "TYPE": "SMS",
                "HANDLER": handler,
                "NAME": { "en": name[0].1, "de": name[1].1 },
                "DESCRIPTION": description,
            });
            let body = serde_json::to_vec(&body).expect("serializes");
            let result: Value = serde_json::from_str(&raw).expect("JSON");
            let registered = result.as_bool();
            (problems, body, registered)
        });
    }
}

#[divan::bench_group(sample_count = SAMPLES, sample_size = MICRO_SAMPLE)]
mod sender_update {
    use super::*;

    const SPEC: &str = include_str!("../../specs/messageservice/messageservice.sender.update.yaml");

    #[divan::bench]
    fn generated(bencher: Bencher) {
        let raw = documented_result("messageservice/messageservice.sender.update.yaml", SPEC);
        bencher.bench_local(|| {
            let request = MessageserviceSenderUpdate::new(black_box("my_sms"))
                .handler(black_box("https://sms.example.com/v2/handler"))
                .name([("en", "My SMS"), ("de", "Meine SMS")]);
            let mut v = Validator::new(AuthContext::Application);
            request.validate(&mut v);
            let problems = v.finish();
            let body = serde_json::to_vec(&request).expect("serializes");
            let updated = <MessageserviceSenderUpdate as Method>::decode(&raw).expect("decodes");
            (problems, body, updated)
        });
    }

    #[divan::bench]
    fn baseline(bencher: Bencher) {
        let raw = documented_result("messageservice/messageservice.sender.update.yaml", SPEC);
        let code_re = Regex::new(CODE_PATTERN).expect("pattern");
        bencher.bench_local(|| {
            let code = black_box("my_sms");
            let handler = Some(black_box("https://sms.example.com/v2/handler"));
            let name = Some([("en", "My SMS"), ("de", "Meine SMS")]);
            let description: Option<&str> = None;
            let mut problems = by_hand::Problems::new();
            by_hand::required(&mut problems, "CODE", code);
            by_hand::pattern(&mut problems, "CODE", code, &code_re);
            if let Some(h) = handler {
                by_hand::url(&mut problems, "HANDLER", h);
            }
            if handler.is_none() && name.is_none() && description.is_none() {
                problems.push(("HANDLER|NAME|DESCRIPTION", "give at least one"));
            }
            let mut body = json!({ "CODE": code });
            if let Some(h) = handler {
                body["HANDLER"] = json!(h);
            }
            if let Some([(l1, t1), (l2, t2)]) = name {
                body["NAME"] = json!({ l1: t1, l2: t2 });
            }
            if let Some(d) = description {
                body["DESCRIPTION"] = json!(d);
            }
            let body = serde_json::to_vec(&body).expect("serializes");
            let result: Value = serde_json::from_str(&raw).expect("JSON");
            let updated = result.as_bool();
            (problems, body, updated)
        });
    }
}

#[divan::bench_group(sample_count = SAMPLES, sample_size = MICRO_SAMPLE)]
mod sender_delete {
    use super::*;

    const SPEC: &str = include_str!("../../specs/messageservice/messageservice.sender.delete.yaml");

    #[divan::bench]
    fn generated(bencher: Bencher) {
        let raw = documented_result("messageservice/messageservice.sender.delete.yaml", SPEC);
        bencher.bench_local(|| {
            let request = MessageserviceSenderDelete::new(black_box("my_sms"));
            let mut v = Validator::new(AuthContext::Application);
            request.validate(&mut v);
            let problems = v.finish();
            let body = serde_json::to_vec(&request).expect("serializes");
            let deleted = <MessageserviceSenderDelete as Method>::decode(&raw).expect("decodes");
            (problems, body, deleted)
        });
    }

    #[divan::bench]
    fn baseline(bencher: Bencher) {
        let raw = documented_result("messageservice/messageservice.sender.delete.yaml", SPEC);
        let code_re = Regex::new(CODE_PATTERN).expect("pattern");
        bencher.bench_local(|| {
            let code = black_box("my_sms");
            let mut problems = by_hand::Problems::new();
            by_hand::required(&mut problems, "CODE", code);
            by_hand::pattern(&mut problems, "CODE", code, &code_re);
            let body = serde_json::to_vec(&json!({ "CODE": code })).expect("serializes");
            let result: Value = serde_json::from_str(&raw).expect("JSON");
            let deleted = result.as_bool();
            (problems, body, deleted)
        });
    }
}

#[divan::bench_group(sample_count = SAMPLES, sample_size = MICRO_SAMPLE)]
mod connector_delete_messages {
    use super::*;

    const SPEC: &str = include_str!("../../specs/imopenlines/imconnector.delete.messages.yaml");

    /// What the caller reads of each element of `DATA.RESULT`: user, message.id, chat.id, SUCCESS.
    type Read<'a> = (Option<i64>, Option<&'a str>, Option<&'a str>, bool);

    #[divan::bench]
    fn generated(bencher: Bencher) {
        let raw = documented_result("imopenlines/imconnector.delete.messages.yaml", SPEC);
        bencher.bench_local(|| {
            let request = ImconnectorDeleteMessages::new(
                black_box("my_connector"),
                black_box(1),
                vec![DeleteMessageItem::new(
                    DeleteMessageUser::new(black_box("585")),
                    DeleteMessageMessage::new(black_box("ext-msg-1001")),
                    DeleteMessageChat::new(black_box("channel-123")),
                )],
            );
            let mut v = Validator::new(AuthContext::Application);
            request.validate(&mut v);
            let problems = v.finish();
            let body = serde_json::to_vec(&request).expect("serializes");
            let result = <ImconnectorDeleteMessages as Method>::decode(&raw).expect("decodes");
            (problems, body, result)
        });
    }

    #[divan::bench]
    fn baseline(bencher: Bencher) {
        let raw = documented_result("imopenlines/imconnector.delete.messages.yaml", SPEC);
        bencher.bench_local(|| {
            let (connector, line) = (black_box("my_connector"), black_box(1));
            let messages = [(
                black_box("585"),
                black_box("ext-msg-1001"),
                black_box("channel-123"),
            )];
            let mut problems = by_hand::Problems::new();
            by_hand::required(&mut problems, "CONNECTOR", connector);
            if messages.is_empty() {
                problems.push(("MESSAGES", "needs at least 1 item"));
            }
            for (user, message, chat) in messages {
                by_hand::required(&mut problems, "MESSAGES[].user.id", user);
                by_hand::required(&mut problems, "MESSAGES[].message.id", message);
                by_hand::required(&mut problems, "MESSAGES[].chat.id", chat);
            }
            let items: Vec<Value> = messages
                .iter()
                .map(|(user, message, chat)| {
                    json!({ "user": { "id": user }, "message": { "id": message }, "chat": { "id": chat } })
                })
                .collect();
            let body = json!({ "CONNECTOR": connector, "LINE": line, "MESSAGES": items });
            let body = serde_json::to_vec(&body).expect("serializes");
            let result: Value = serde_json::from_str(&raw).expect("JSON");
            // The portal sends `user` as a string: read it as the generated code does.
            let user = |v: &Value| v.as_i64().or_else(|| v.as_str()?.trim().parse().ok());
            let success = result["SUCCESS"].as_bool().unwrap_or(false);
            // Per element of `DATA.RESULT`: user, message.id, chat.id, SUCCESS, read in place.
            let outcomes: Vec<Read<'_>> = result["DATA"]
                ["RESULT"]
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .map(|r| {
                            (
                                user(&r["user"]),
                                r["message"]["id"].as_str(),
                                r["chat"]["id"].as_str(),
                                r["SUCCESS"].as_bool().unwrap_or(false),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            black_box(&outcomes);
            (problems, body, success)
        });
    }
}

#[divan::bench_group(sample_count = SAMPLES, sample_size = MICRO_SAMPLE)]
mod bot_message_delete {
    use super::*;

    const SPEC: &str = include_str!("../../specs/imbot/imbot.v2.Chat.Message.delete.yaml");

    #[divan::bench]
    fn generated(bencher: Bencher) {
        let raw = documented_result("imbot/imbot.v2.Chat.Message.delete.yaml", SPEC);
        bencher.bench_local(|| {
            let request =
                ImbotV2ChatMessageDelete::new(black_box(456), black_box(1001)).complete(true);
            let mut v = Validator::new(AuthContext::Application);
            request.validate(&mut v);
            let problems = v.finish();
            let body = serde_json::to_vec(&request).expect("serializes");
            let result = <ImbotV2ChatMessageDelete as Method>::decode(&raw).expect("decodes");
            (problems, body, result.result)
        });
    }

    #[divan::bench]
    fn baseline(bencher: Bencher) {
        let raw = documented_result("imbot/imbot.v2.Chat.Message.delete.yaml", SPEC);
        bencher.bench_local(|| {
            let (bot, message) = (black_box(456), black_box(1001));
            let bot_token: Option<&str> = None;
            let context = black_box(AuthContext::Application);
            let mut problems = by_hand::Problems::new();
            if context == AuthContext::Webhook && bot_token.is_none_or(str::is_empty) {
                problems.push(("botToken", "is required when calling through a webhook"));
            }
            let body = json!({ "botId": bot, "messageId": message, "complete": true });
            let body = serde_json::to_vec(&body).expect("serializes");
            let result: Value = serde_json::from_str(&raw).expect("JSON");
            let deleted = result["result"].as_bool();
            (problems, body, deleted)
        });
    }
}

/// A whole call against the mock portal on loopback, against a raw `reqwest` POST of the same
/// JSON to the same URL and `serde_json::from_slice::<Value>` of the answer. Both run on one
/// current-thread runtime that also serves the mock, so the timings and allocations include the
/// portal's side of each exchange; the difference is the client's.
#[divan::bench_group(sample_count = SAMPLES, sample_size = CALL_SAMPLE)]
mod call {
    use bitrix_api::ClientBuilder;
    use bitrix_api::messageservice::MessageserviceSenderList;
    use bitrix_mock::MockPortal;

    use super::*;

    /// A runtime, a mock portal with two providers registered, and this SDK's client for it.
    fn portal() -> (tokio::runtime::Runtime, MockPortal, bitrix_api::Client) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let mock = rt.block_on(MockPortal::start()).expect("mock portal");
        // No pacing: the benchmark measures the client, not the bucket.
        let client = ClientBuilder::access_token(&mock.base_url(), mock.access_token())
            .rate_limit(None)
            .build()
            .expect("client");
        for code in ["sms_one", "sms_two"] {
            let add = MessageserviceSenderAdd::new(
                code,
                SenderType::Sms,
                "https://sms.example.com/handler",
                "SMS",
            );
            rt.block_on(client.call(add)).expect("provider registered");
        }
        (rt, mock, client)
    }

    #[divan::bench]
    fn generated(bencher: Bencher) {
        let (rt, _mock, client) = portal();
        bencher.bench_local(|| {
            let codes = rt
                .block_on(client.call(MessageserviceSenderList::new()))
                .expect("listed");
            assert_eq!(codes.len(), 2);
            codes
        });
    }

    #[divan::bench]
    fn baseline(bencher: Bencher) {
        let (rt, mock, _client) = portal();
        let http = reqwest::Client::new();
        let url = format!("{}/rest/messageservice.sender.list", mock.base_url());
        let token = mock.access_token();
        bencher.bench_local(|| {
            rt.block_on(async {
                let body = serde_json::to_vec(&json!({ "auth": token })).expect("serializes");
                let answer = http
                    .post(&url)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body)
                    .send()
                    .await
                    .expect("sent")
                    .bytes()
                    .await
                    .expect("read");
                let envelope: Value = serde_json::from_slice(&answer).expect("JSON");
                let codes = envelope["result"].as_array().expect("a list").len();
                assert_eq!(codes, 2);
                envelope
            })
        });
    }
}
