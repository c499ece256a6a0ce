//! The mock portal over real HTTP, as an SDK sees it.

use bitrix_mock::{ADMIN_USER_ID, DEFAULT_LINE, MAIN_APP, MockPortal, OTHER_APP, USER_ID};
use std::sync::Arc;

use serde_json::{Value, json};

mod cli;
mod families;
mod wire;

struct Portal {
    mock: MockPortal,
    http: reqwest::Client,
}

impl Portal {
    async fn start() -> Portal {
        let mock = MockPortal::start().await.expect("the portal starts");
        Portal {
            mock,
            http: reqwest::Client::new(),
        }
    }

    async fn send(&self, url: String, body: Value) -> (u16, Value) {
        let response = self
            .http
            .post(url)
            .json(&body)
            .send()
            .await
            .expect("request sent");
        let status = response.status().as_u16();
        (status, response.json().await.expect("a JSON answer"))
    }

    /// An OAuth call with `token` in the body's `auth`.
    async fn oauth(&self, token: &str, method: &str, mut params: Value) -> (u16, Value) {
        params["auth"] = json!(token);
        let url = format!("{}/rest/{method}", self.mock.base_url());
        self.send(url, params).await
    }

    async fn app(&self, method: &str, params: Value) -> (u16, Value) {
        self.oauth(&self.mock.access_token(), method, params).await
    }

    async fn webhook(&self, method: &str, params: Value) -> (u16, Value) {
        let url = format!("{}{method}.json", self.mock.webhook_url());
        self.send(url, params).await
    }
}

#[track_caller]
fn assert_error(answer: &(u16, Value), status: u16, code: &str, description: &str) {
    let expected = json!({"error": code, "error_description": description});
    assert_eq!((answer.0, &answer.1), (status, &expected), "{answer:?}");
}

#[track_caller]
fn result(answer: (u16, Value)) -> Value {
    assert_eq!(answer.0, 200, "{answer:?}");
    answer.1["result"].clone()
}

fn sender(code: &str) -> Value {
    json!({"CODE": code, "TYPE": "SMS", "HANDLER": "https://example.com/sms", "NAME": "Provider"})
}

#[tokio::test]
async fn unknown_credentials_are_refused_before_anything_else() {
    let p = Portal::start().await;
    let wrong = "Wrong authorization data";
    let answer = p
        .oauth("nope", "messageservice.sender.list", json!({}))
        .await;
    assert_error(&answer, 401, "NO_AUTH_FOUND", wrong);
    let answer = p.oauth("nope", "no.such.method", json!({})).await;
    assert_error(&answer, 401, "NO_AUTH_FOUND", wrong);
    let url = format!(
        "{}/rest/{ADMIN_USER_ID}/badcode/profile.json",
        p.mock.base_url()
    );
    assert_error(&p.send(url, json!({})).await, 401, "NO_AUTH_FOUND", wrong);
    // The code of user 1's webhook does not work under another user id.
    let url = p.mock.webhook_url().replace("/rest/1/", "/rest/2/") + "profile";
    assert_error(&p.send(url, json!({})).await, 401, "NO_AUTH_FOUND", wrong);
    let url = format!("{}/rest/messageservice.sender.list", p.mock.base_url());
    assert_error(&p.send(url, json!({})).await, 401, "NO_AUTH_FOUND", wrong);
}

#[tokio::test]
async fn unknown_method_is_not_found() {
    let p = Portal::start().await;
    let answer = p.app("no.such.method", json!({})).await;
    assert_error(&answer, 404, "ERROR_METHOD_NOT_FOUND", "Method not found!");
    let answer = p.webhook("no.such.method", json!({})).await;
    assert_error(&answer, 404, "ERROR_METHOD_NOT_FOUND", "Method not found!");
}

#[tokio::test]
async fn success_envelope_carries_the_time() {
    let p = Portal::start().await;
    let answer = p.app("messageservice.sender.list", json!({})).await;
    assert_eq!(answer.0, 200);
    assert_eq!(answer.1["result"], json!([]));
    let time = &answer.1["time"];
    for key in [
        "start",
        "finish",
        "duration",
        "processing",
        "operating_reset_at",
        "operating",
    ] {
        assert!(time[key].is_number(), "{key} in {time}");
    }
    assert!(time["finish"].as_f64() >= time["start"].as_f64());
    for key in ["date_start", "date_finish"] {
        let date = time[key].as_str().expect("a date string");
        assert_eq!(date.len(), 25, "{date}");
        assert!(
            date.ends_with("+00:00") && date.as_bytes()[10] == b'T',
            "{date}"
        );
    }
    assert_eq!(p.mock.requests(), 1);
}

#[tokio::test]
async fn webhook_cannot_manage_senders() {
    let p = Portal::start().await;
    let answer = p.webhook("messageservice.sender.add", sender("sms1")).await;
    assert_error(
        &answer,
        403,
        "ACCESS_DENIED",
        "Application context required",
    );
    assert!(p.mock.providers(MAIN_APP).is_empty());
}

#[tokio::test]
async fn sender_add_validates_parameters_with_the_spec_texts() {
    let p = Portal::start().await;
    let mut params = sender("x");
    params.as_object_mut().map(|m| m.remove("CODE"));
    let answer = p.app("messageservice.sender.add", params).await;
    assert_error(
        &answer,
        400,
        "ERROR_SENDER_VALIDATION_FAILURE",
        "Empty sender code!",
    );
    let answer = p
        .app("messageservice.sender.add", sender("bad code!"))
        .await;
    assert_error(
        &answer,
        400,
        "ERROR_SENDER_VALIDATION_FAILURE",
        "Wrong sender code!",
    );
    let answer = p.app("messageservice.sender.add", json!({})).await;
    assert_error(
        &answer,
        400,
        "ERROR_SENDER_VALIDATION_FAILURE",
        "Empty data!",
    );
}

#[tokio::test]
async fn senders_are_registered_per_application() {
    let p = Portal::start().await;
    assert_eq!(
        result(p.app("messageservice.sender.add", sender("sms1")).await),
        true
    );
    let again = p.app("messageservice.sender.add", sender("sms1")).await;
    assert_error(
        &again,
        400,
        "ERROR_SENDER_ALREADY_INSTALLED",
        "Sender already installed!",
    );
    assert_eq!(p.mock.providers(MAIN_APP), ["sms1"]);

    let other = p.mock.other_app_access_token();
    let list = p
        .oauth(&other, "messageservice.sender.list", json!({}))
        .await;
    assert_eq!(result(list), json!([]));
    let answer = p
        .oauth(&other, "messageservice.sender.add", sender("sms1"))
        .await;
    assert_eq!(result(answer), true);
    assert_eq!(p.mock.providers(OTHER_APP), ["sms1"]);

    let user = p.mock.user_access_token();
    let answer = p
        .oauth(&user, "messageservice.sender.add", sender("sms2"))
        .await;
    assert_error(&answer, 403, "ACCESS_DENIED", "Access denied!");
    let answer = p
        .oauth(&user, "messageservice.sender.list", json!({}))
        .await;
    assert_error(&answer, 403, "ACCESS_DENIED", "Access denied!");

    assert_eq!(
        result(p.app("messageservice.sender.add", sender("sms2")).await),
        true
    );
    let list = p.app("messageservice.sender.list", json!({})).await;
    assert_eq!(result(list), json!(["sms1", "sms2"]));
}

#[tokio::test]
async fn senders_update_and_delete() {
    let p = Portal::start().await;
    result(p.app("messageservice.sender.add", sender("sms1")).await);
    let update = json!({"CODE": "sms1", "NAME": {"en": "Renamed"}});
    assert_eq!(
        result(p.app("messageservice.sender.update", update).await),
        true
    );
    let stored = p.mock.provider(MAIN_APP, "sms1").expect("stored");
    assert_eq!(stored["NAME"], json!({"en": "Renamed"}));
    assert_eq!(stored["HANDLER"], "https://example.com/sms");

    let answer = p
        .app("messageservice.sender.update", json!({"CODE": "sms1"}))
        .await;
    let text = "At least one other parameter is required!";
    assert_error(&answer, 400, "ERROR_SENDER_OTHER_PARAMS_REQUIRED", text);
    let update = json!({"CODE": "nope", "NAME": "x"});
    let answer = p.app("messageservice.sender.update", update).await;
    assert_error(&answer, 400, "ERROR_SENDER_NOT_FOUND", "Sender not found!");

    let user = p.mock.user_access_token();
    let answer = p
        .oauth(
            &user,
            "messageservice.sender.delete",
            json!({"CODE": "sms1"}),
        )
        .await;
    assert_error(&answer, 403, "ACCESS_DENIED", "Access denied!");
    let answer = p
        .app("messageservice.sender.delete", json!({"CODE": "sms1"}))
        .await;
    assert_eq!(result(answer), true);
    assert!(p.mock.providers(MAIN_APP).is_empty());
    let answer = p
        .app("messageservice.sender.delete", json!({"CODE": "sms1"}))
        .await;
    assert_error(&answer, 400, "ERROR_SENDER_NOT_FOUND", "Sender not found!");
}

#[tokio::test]
async fn message_statuses_are_recorded() {
    let p = Portal::start().await;
    assert_eq!(p.mock.send_sms(MAIN_APP, "sms1", "+100", "hi"), None);
    result(p.app("messageservice.sender.add", sender("sms1")).await);
    let id = p
        .mock
        .send_sms(MAIN_APP, "sms1", "+100", "hi")
        .expect("sent");
    let update = |status: &str| json!({"CODE": "sms1", "MESSAGE_ID": id, "STATUS": status});

    let answer = p
        .app("messageservice.message.status.update", update("sent"))
        .await;
    assert_eq!(result(answer), true);
    let answer = p
        .app("messageservice.message.status.update", update("delivered"))
        .await;
    assert_eq!(result(answer), true);
    assert_eq!(p.mock.message_statuses(&id), ["sent", "delivered"]);

    let answer = p
        .app("messageservice.message.status.update", update("read"))
        .await;
    let text = "Message status incorrect!";
    assert_error(&answer, 400, "ERROR_MESSAGE_STATUS_INCORRECT", text);
    let unknown = json!({"CODE": "sms1", "MESSAGE_ID": "nope", "STATUS": "sent"});
    let answer = p.app("messageservice.message.status.update", unknown).await;
    assert_error(
        &answer,
        400,
        "ERROR_MESSAGE_NOT_FOUND",
        "Message not found!",
    );
    // Another application's provider does not know the message.
    let other = p.mock.other_app_access_token();
    let answer = p
        .oauth(
            &other,
            "messageservice.message.status.update",
            update("sent"),
        )
        .await;
    assert_error(
        &answer,
        400,
        "ERROR_MESSAGE_NOT_FOUND",
        "Message not found!",
    );
    // Neither the sender nor an administrator.
    let user = p.mock.user_access_token();
    let answer = p
        .oauth(
            &user,
            "messageservice.message.status.update",
            update("sent"),
        )
        .await;
    assert_error(&answer, 403, "ACCESS_DENIED", "Access denied!");
}

#[tokio::test]
async fn bot_sends_updates_and_deletes_its_messages() {
    let p = Portal::start().await;
    let (bot, _) = p.mock.bot();
    let chat = p.mock.create_chat();
    let send =
        json!({"botId": bot, "dialogId": format!("chat{chat}"), "fields": {"message": "Hi"}});
    let sent = result(p.app("imbot.v2.Chat.Message.send", send).await);
    let id = sent["id"].as_i64().expect("a message id");
    assert_eq!(sent["uuidMap"], json!({}));
    assert_eq!(p.mock.message_text(id).as_deref(), Some("Hi"));
    assert_eq!(p.mock.message_author(id), Some(bot));

    let update = json!({"botId": bot, "messageId": id, "fields": {"message": "Edited"}});
    let answer = p.app("imbot.v2.Chat.Message.update", update).await;
    assert_eq!(result(answer), json!({"result": true}));
    assert_eq!(p.mock.message_text(id).as_deref(), Some("Edited"));

    let delete = json!({"botId": bot, "messageId": id});
    let answer = p.app("imbot.v2.Chat.Message.delete", delete.clone()).await;
    assert_eq!(result(answer), json!({"result": true}));
    assert!(!p.mock.message_exists(id));
    let answer = p.app("imbot.v2.Chat.Message.delete", delete).await;
    assert_error(&answer, 403, "ACCESS_DENIED", "Access denied");
}

#[tokio::test]
async fn bot_deletes_others_messages_only_as_chat_admin() {
    let p = Portal::start().await;
    let (bot, _) = p.mock.bot();
    let chat = p.mock.create_chat();
    let theirs = p.mock.post_message(chat, ADMIN_USER_ID);
    let system = p.mock.post_message(chat, 0);
    for id in [theirs, system] {
        let delete = json!({"botId": bot, "messageId": id});
        let answer = p.app("imbot.v2.Chat.Message.delete", delete).await;
        assert_error(&answer, 403, "ACCESS_DENIED", "Access denied");
        assert!(p.mock.message_exists(id));
    }
    assert!(p.mock.make_chat_admin(chat, bot));
    for id in [theirs, system] {
        let delete = json!({"botId": bot, "messageId": id});
        assert_eq!(
            result(p.app("imbot.v2.Chat.Message.delete", delete).await)["result"],
            true
        );
        assert!(!p.mock.message_exists(id));
    }
}

#[tokio::test]
async fn bot_ownership_and_tokens() {
    let p = Portal::start().await;
    let (bot, token) = p.mock.bot();
    let (other_bot, _) = p.mock.other_app_bot();
    let chat = p.mock.create_chat();
    let send = |bot: i64| json!({"botId": bot, "dialogId": format!("chat{chat}"), "fields": {"message": "Hi"}});

    let answer = p.app("imbot.v2.Chat.Message.send", send(other_bot)).await;
    let text = "Bot is registered by another application";
    assert_error(&answer, 400, "BOT_OWNERSHIP_ERROR", text);
    let answer = p.app("imbot.v2.Chat.Message.send", send(999_999)).await;
    assert_error(&answer, 400, "BOT_NOT_FOUND", "Bot not found");

    // A webhook has no application: the bot's token authorizes it.
    let answer = p.webhook("imbot.v2.Chat.Message.send", send(bot)).await;
    assert_error(
        &answer,
        400,
        "BOT_TOKEN_NOT_SPECIFIED",
        "Bot token is not specified",
    );
    let mut with_token = send(bot);
    with_token["botToken"] = json!("wrong");
    let answer = p
        .webhook("imbot.v2.Chat.Message.send", with_token.clone())
        .await;
    assert_error(&answer, 400, "BOT_OWNERSHIP_ERROR", text);
    with_token["botToken"] = json!(token);
    let id = result(p.webhook("imbot.v2.Chat.Message.send", with_token).await)["id"].clone();
    assert!(p.mock.message_exists(id.as_i64().expect("an id")));
}

#[tokio::test]
async fn bot_send_needs_a_dialog_it_takes_part_in_and_content() {
    let p = Portal::start().await;
    let (bot, _) = p.mock.bot();
    let chat = p.mock.create_chat();
    let empty =
        json!({"botId": bot, "dialogId": format!("chat{chat}"), "fields": {"message": " "}});
    let answer = p.app("imbot.v2.Chat.Message.send", empty).await;
    assert_error(&answer, 400, "EMPTY_MESSAGE", "Message is empty");

    assert!(p.mock.remove_chat_member(chat, bot));
    let send =
        json!({"botId": bot, "dialogId": format!("chat{chat}"), "fields": {"message": "Hi"}});
    let answer = p.app("imbot.v2.Chat.Message.send", send).await;
    assert_error(&answer, 403, "ACCESS_DENIED", "Access denied");

    // A personal dialog with a user opens on first use.
    let send = json!({"botId": bot, "dialogId": USER_ID.to_string(), "fields": {"message": "Hi"}});
    let id = result(p.app("imbot.v2.Chat.Message.send", send).await)["id"].as_i64();
    assert!(p.mock.message_exists(id.expect("an id")));

    // System messages belong to nobody, so the bot cannot edit them.
    let chat = p.mock.create_chat();
    let send = json!({"botId": bot, "dialogId": format!("chat{chat}"), "fields": {"message": "Note", "system": "Y"}});
    let id = result(p.app("imbot.v2.Chat.Message.send", send).await)["id"].clone();
    assert_eq!(p.mock.message_author(id.as_i64().expect("an id")), Some(0));
    let update = json!({"botId": bot, "messageId": id, "fields": {"message": "Edited"}});
    let answer = p.app("imbot.v2.Chat.Message.update", update).await;
    assert_error(&answer, 403, "ACCESS_DENIED", "Access denied");

    // Forwarding copies messages the bot can read and maps each uuid to the copy.
    let original = p.mock.post_message(chat, ADMIN_USER_ID);
    let uuid = "0b6c1f9e-4a4d-4e8a-9d3c-2f1e0a9b8c7d";
    let send = json!({"botId": bot, "dialogId": format!("chat{chat}"), "fields": {"forwardIds": {uuid: original}}});
    let sent = result(p.app("imbot.v2.Chat.Message.send", send).await);
    let copy = sent["uuidMap"][uuid].as_i64().expect("a copy");
    assert_eq!(sent["id"], copy);
    assert_eq!(p.mock.message_text(copy), p.mock.message_text(original));
    // A key that is no UUID is refused, and nothing is sent. The page documents one answer to an
    // unusable `fields` (`when: { invalid: fields }`, which covers every place inside it).
    let before = p.mock.chat_messages(chat).len();
    let send = json!({"botId": bot, "dialogId": format!("chat{chat}"), "fields": {"forwardIds": {"u-1": original}}});
    let answer = p.app("imbot.v2.Chat.Message.send", send).await;
    assert_error(&answer, 400, "EMPTY_MESSAGE", "Message is empty");
    assert_eq!(p.mock.chat_messages(chat).len(), before);
}

fn connector_message(id: &str, text: &str) -> Value {
    json!({
        "user": {"id": "ext-user-1", "name": "Ann"},
        "message": {"id": id, "date": 1_700_000_000, "text": text},
        "chat": {"id": "ext-chat-1", "url": "https://example.com/c/1"},
    })
}

#[tokio::test]
async fn connector_messages_need_an_active_line_and_a_registered_connector() {
    let p = Portal::start().await;
    let send = |line: i64| json!({"CONNECTOR": "my_conn", "LINE": line, "MESSAGES": [connector_message("m1", "Hi")]});
    let answer = p
        .webhook("imconnector.send.messages", send(DEFAULT_LINE))
        .await;
    let wrong = "Current authorization type is denied for this method Application context required";
    assert_error(&answer, 403, "WRONG_AUTH_TYPE", wrong);

    let inactive = p.mock.add_open_line(false);
    let text = "The line with this ID is inactive or does not exist";
    for line in [inactive, 424_242] {
        let answer = p.app("imconnector.send.messages", send(line)).await;
        assert_error(&answer, 400, "NOT_ACTIVE_LINE", text);
    }
    let answer = p.app("imconnector.delete.messages", send(inactive)).await;
    let text = "Line with such ID is inactive or does not exist";
    assert_error(&answer, 400, "NOT_ACTIVE_LINE", text);

    let answer = p.app("imconnector.send.messages", send(DEFAULT_LINE)).await;
    let text = "Failed to find a suitable provider for the connector";
    assert_error(&answer, 400, "IMCONNECTOR_NO_CORRECT_PROVIDER", text);
    // Connectors belong to the application that registered them.
    p.mock.register_connector(OTHER_APP, "my_conn");
    let answer = p.app("imconnector.send.messages", send(DEFAULT_LINE)).await;
    assert_error(&answer, 400, "IMCONNECTOR_NO_CORRECT_PROVIDER", text);

    let answer = p
        .app(
            "imconnector.send.messages",
            json!({"CONNECTOR": "my_conn", "LINE": 1}),
        )
        .await;
    assert_error(
        &answer,
        400,
        "ERROR_ARGUMENT",
        "Argument 'MESSAGES' is null or empty",
    );
}

#[tokio::test]
async fn connector_register_activate_send_update_delete() {
    let p = Portal::start().await;
    let register = json!({
        "ID": "My_Conn", "NAME": "Mine", "PLACEMENT_HANDLER": "https://example.com/p",
        "ICON": {"DATA_IMAGE": "data:image/svg+xml,%3Csvg%3E"},
    });
    let mut nameless = register.clone();
    nameless.as_object_mut().map(|m| m.remove("ID"));
    // The page documents registration failures inside a successful answer.
    assert_eq!(
        result(p.app("imconnector.register", nameless).await),
        json!({"result": false, "error": "CONNECTOR_ID_REQUIRED", "error_description": "Connector ID is not specified"})
    );
    assert_eq!(
        result(p.app("imconnector.register", register).await),
        json!({"result": true})
    );
    let line = p.mock.add_open_line(true);
    for (connector, line, code) in [
        ("nope", line, "IMCONNECTOR_NO_CORRECT_PROVIDER"),
        ("my_conn", 424_242, "NOT_ACTIVE_LINE"),
    ] {
        let activate = json!({"CONNECTOR": connector, "LINE": line, "ACTIVE": "Y"});
        let (status, body) = p.app("imconnector.activate", activate).await;
        assert_eq!((status, &body["error"]), (400, &json!(code)), "{body}");
    }
    let activate = json!({"CONNECTOR": "my_conn", "LINE": line, "ACTIVE": "1"});
    assert_eq!(result(p.app("imconnector.activate", activate).await), true);
    assert!(p.mock.connector_active(MAIN_APP, "my_conn", line));

    let messages = json!([connector_message("m1", "Hi"), connector_message("m2", "Yo")]);
    let send = json!({"CONNECTOR": "my_conn", "LINE": line, "MESSAGES": messages});
    let sent = result(p.app("imconnector.send.messages", send).await);
    assert_eq!(sent["SUCCESS"], true);
    let items = sent["DATA"]["RESULT"].as_array().expect("results");
    assert_eq!(items.len(), 2);
    let user = items[0]["user"].clone();
    assert!(
        user.as_str().is_some_and(|u| u.parse::<i64>().is_ok()),
        "{user}"
    );
    assert_eq!(items[1]["user"], user);
    assert_eq!(
        items[0]["message"],
        json!({"id": "m1", "date": {}, "text": "Hi", "files": []})
    );
    let description = "Link to the original post: https://example.com/c/1";
    assert_eq!(
        items[0]["chat"],
        json!({"id": "ext-chat-1", "description": description})
    );
    assert_eq!(items[0]["SUCCESS"], true);
    assert_eq!(items[0]["session"], items[1]["session"]);
    let stored = p
        .mock
        .connector_message(MAIN_APP, "my_conn", line, "ext-chat-1", "m1");
    assert_eq!(stored, Some(Some("Hi".to_owned())));

    let update = json!({"CONNECTOR": "my_conn", "LINE": line, "MESSAGES": [connector_message("m1", "Edited"), connector_message("m9", "?")]});
    let updated = result(p.app("imconnector.update.messages", update).await);
    let items = &updated["DATA"]["RESULT"];
    assert_eq!(items[0]["SUCCESS"], true);
    assert_eq!(items[0]["message"]["text"], "Edited");
    assert_eq!(items[1]["SUCCESS"], false);
    assert!(items[1]["ERRORS"][0].is_string());
    let stored = p
        .mock
        .connector_message(MAIN_APP, "my_conn", line, "ext-chat-1", "m1");
    assert_eq!(stored, Some(Some("Edited".to_owned())));

    let gone = |id: &str| json!({"user": {"id": "ext-user-1"}, "message": {"id": id}, "chat": {"id": "ext-chat-1"}});
    let delete =
        json!({"CONNECTOR": "my_conn", "LINE": line, "MESSAGES": [gone("m1"), gone("m1")]});
    let deleted = result(p.app("imconnector.delete.messages", delete).await);
    let expected = json!({"SUCCESS": true, "DATA": {"RESULT": [
        {"user": user, "message": {"id": "m1"}, "chat": {"id": "ext-chat-1"}, "SUCCESS": true},
        {"user": user, "message": {"id": "m1"}, "chat": {"id": "ext-chat-1"}, "SUCCESS": false,
         "ERRORS": deleted["DATA"]["RESULT"][1]["ERRORS"].clone()},
    ]}});
    assert_eq!(deleted, expected);
    assert!(deleted["DATA"]["RESULT"][1]["ERRORS"][0].is_string());
    assert_eq!(
        p.mock
            .connector_message(MAIN_APP, "my_conn", line, "ext-chat-1", "m1"),
        None
    );

    let deactivate = json!({"CONNECTOR": "my_conn", "LINE": line, "ACTIVE": "0"});
    assert_eq!(
        result(p.app("imconnector.activate", deactivate).await),
        true
    );
    assert!(!p.mock.connector_active(MAIN_APP, "my_conn", line));
}

#[tokio::test]
async fn parameters_also_come_from_the_query_string_and_forms() {
    let p = Portal::start().await;
    let token = p.mock.access_token();
    let url = format!(
        "{}/rest/messageservice.sender.add.json?auth={token}&CODE=q1&TYPE=SMS&NAME[en]=Q",
        p.mock.base_url()
    );
    let (status, body) = p
        .send(url, json!({"HANDLER": "https://example.com/h"}))
        .await;
    assert_eq!((status, &body["result"]), (200, &json!(true)), "{body}");
    assert_eq!(
        p.mock.provider(MAIN_APP, "q1").expect("stored")["NAME"],
        json!({"en": "Q"})
    );

    let form =
        format!("auth={token}&CODE=q2&TYPE=SMS&NAME=Q&HANDLER=https%3A%2F%2Fexample.com%2Fh");
    let response = p
        .http
        .post(format!(
            "{}/rest/messageservice.sender.add",
            p.mock.base_url()
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(p.mock.providers(MAIN_APP), ["q1", "q2"]);

    let response = p
        .http
        .post(format!(
            "{}/rest/messageservice.sender.list",
            p.mock.base_url()
        ))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"], "ERROR_ARGUMENT");

    // Forms are read by the client's own decoder (`bitrix-wire`), within PHP's limits: a key
    // nested deeper than PHP's 64 levels is refused, naming the key.
    let deep = format!("auth={token}&CODE{}=x", "[a]".repeat(65));
    let response = p
        .http
        .post(format!(
            "{}/rest/messageservice.sender.list",
            p.mock.base_url()
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(deep)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"], "ERROR_ARGUMENT");
    let description = body["error_description"].as_str().unwrap_or_default();
    assert!(
        description.contains("`CODE[a][a]") && description.contains("65 levels deep"),
        "{description}"
    );
}

#[tokio::test]
async fn dropping_the_portal_stops_it() {
    let mock = MockPortal::start().await.expect("starts");
    let url = format!("{}/rest/profile", mock.base_url());
    drop(mock);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert!(reqwest::Client::new().post(url).send().await.is_err());
}

// ---------------------------------------------------------------------------------------------
// What a client must survive: limits, expiring tokens, a moved portal, injected faults.

use std::time::{Duration, Instant};

use bitrix_mock::{Fault, MockConfig};

const LIST: &str = "messageservice.sender.list";

impl Portal {
    async fn start_with(config: MockConfig) -> Portal {
        let mock = MockPortal::start_with(config)
            .await
            .expect("the portal starts");
        Portal {
            mock,
            // Redirects are the subject of a test, so the client must not follow them.
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("a client"),
        }
    }

    /// A POST whose status and raw body are looked at as they come.
    async fn raw(&self, url: String, body: Value) -> reqwest::Result<reqwest::Response> {
        self.http.post(url).json(&body).send().await
    }

    fn app_url(&self, method: &str) -> String {
        format!("{}/rest/{method}", self.mock.base_url())
    }

    async fn refresh(&self, refresh_token: &str) -> (u16, Value) {
        let query = [
            ("grant_type", "refresh_token"),
            ("client_id", &self.mock.client_id()),
            ("client_secret", &self.mock.client_secret()),
            ("refresh_token", refresh_token),
        ];
        let response = self
            .http
            .get(self.mock.token_endpoint())
            .query(&query)
            .send()
            .await
            .expect("request sent");
        let status = response.status().as_u16();
        (status, response.json().await.expect("a JSON answer"))
    }
}

#[tokio::test]
async fn rate_limit_is_off_by_default() {
    let p = Portal::start().await;
    for _ in 0..60 {
        assert_eq!(p.app(LIST, json!({})).await.0, 200);
    }
    assert_eq!(p.mock.rate_limited(), 0);
    assert_eq!(MockConfig::default().burst, 50);
    assert_eq!(MockConfig::default().rate_per_sec, 2.0);
}

#[tokio::test]
async fn leaky_bucket_answers_503_after_the_burst_and_drains_at_the_rate() {
    let config = MockConfig {
        rate_limit: true,
        rate_per_sec: 20.0,
        burst: 5,
        ..MockConfig::default()
    };
    let p = Arc::new(Portal::start_with(config).await);
    // At once, so that next to nothing drains meanwhile: the burst passes, most of the rest is
    // refused (all of it unless sending takes longer than a drain step of 50 ms).
    let mut calls = tokio::task::JoinSet::new();
    for i in 0..20 {
        let p = Arc::clone(&p);
        // Bad credentials count too.
        let token = if i % 2 == 0 {
            p.mock.access_token()
        } else {
            "nope".to_owned()
        };
        calls.spawn(async move { p.oauth(&token, LIST, json!({})).await });
    }
    let mut refused = 0;
    while let Some(answer) = calls.join_next().await {
        let answer = answer.expect("the call ran");
        if answer.0 == 503 {
            assert_error(&answer, 503, "QUERY_LIMIT_EXCEEDED", "Too many requests");
            refused += 1;
        }
    }
    assert!((1..=15).contains(&refused), "{refused} refused");
    assert_eq!(p.mock.rate_limited(), refused);
    assert_eq!(p.mock.received(LIST), 20);

    // 110 ms drain two requests at 20 per second (more on a slow machine, never fewer).
    tokio::time::sleep(Duration::from_millis(110)).await;
    assert_eq!(p.app(LIST, json!({})).await.0, 200);
    assert_eq!(p.app(LIST, json!({})).await.0, 200);

    p.mock.set_rate_limit(None);
    for _ in 0..10 {
        assert_eq!(p.app(LIST, json!({})).await.0, 200);
    }
    p.mock.set_rate_limit(Some((0.0, 1)));
    assert_eq!(p.app(LIST, json!({})).await.0, 200);
    assert_eq!(p.app(LIST, json!({})).await.0, 503);
}

#[tokio::test]
async fn operating_time_blocks_the_method_until_the_window_passes() {
    let window = Duration::from_millis(800);
    let config = MockConfig {
        operating_limit: 1.0,
        operating_window: window,
        ..MockConfig::default()
    };
    let p = Portal::start_with(config).await;
    p.mock.set_method_cost("MessageService.Sender.List", 0.6);
    let first = Instant::now();
    let answer = p.app(LIST, json!({})).await;
    assert_eq!(answer.0, 200);
    let time = &answer.1["time"];
    assert_eq!(time["operating"], 0.6);
    let reset_at = time["operating_reset_at"].as_i64().expect("a timestamp");
    let start = time["start"].as_f64().expect("a start");
    assert!((start..=start + 2.0).contains(&(reset_at as f64)), "{time}");

    let answer = p.app(LIST, json!({})).await;
    let operating = answer.1["time"]["operating"].as_f64().expect("a number");
    assert!((operating - 1.2).abs() < 1e-9, "{answer:?}");
    // Now above the limit: the next call is blocked before it runs, with nothing else in the
    // answer.
    let blocked = p.app(LIST, json!({})).await;
    let text = "Method is blocked due to operation time limit";
    assert_error(&blocked, 429, "OPERATION_TIME_LIMIT", text);
    // Other methods, other applications and the webhook keep working.
    let other = p.mock.other_app_access_token();
    assert_eq!(p.oauth(&other, LIST, json!({})).await.0, 200);
    assert_eq!(
        p.app("messageservice.sender.add", sender("s1")).await.0,
        200
    );
    let answer = p.app("messageservice.sender.add", sender("s2")).await;
    assert_eq!(answer.1["time"]["operating"], 0.0);

    tokio::time::sleep(window.saturating_sub(first.elapsed()) + Duration::from_millis(50)).await;
    let answer = p.app(LIST, json!({})).await;
    assert_eq!(answer.0, 200, "{answer:?}");
    assert_eq!(answer.1["time"]["operating"], 0.6);
}

#[tokio::test]
async fn access_tokens_expire() {
    let config = MockConfig {
        token_ttl: Duration::from_millis(300),
        ..MockConfig::default()
    };
    let p = Portal::start_with(config).await;
    assert_eq!(p.app(LIST, json!({})).await.0, 200);
    tokio::time::sleep(Duration::from_millis(350)).await;
    let expired = "The access token provided has expired.";
    assert_error(&p.app(LIST, json!({})).await, 401, "expired_token", expired);
    // Expired or not, a token is checked before the method.
    let answer = p.app("no.such.method", json!({})).await;
    assert_error(&answer, 401, "expired_token", expired);
    // Webhooks have no token to expire.
    let (bot, bot_token) = p.mock.bot();
    let chat = p.mock.create_chat();
    let send = json!({"botId": bot, "botToken": bot_token, "dialogId": format!("chat{chat}"), "fields": {"message": "Hi"}});
    result(p.webhook("imbot.v2.Chat.Message.send", send).await);

    let p = Portal::start().await;
    assert_eq!(p.app(LIST, json!({})).await.0, 200);
    p.mock.expire_access_tokens();
    for token in [p.mock.access_token(), p.mock.other_app_access_token()] {
        let answer = p.oauth(&token, LIST, json!({})).await;
        assert_error(&answer, 401, "expired_token", expired);
    }
    let answer = p.oauth("never-issued", LIST, json!({})).await;
    assert_error(&answer, 401, "NO_AUTH_FOUND", "Wrong authorization data");
}

#[tokio::test]
async fn refresh_rotates_the_refresh_token() {
    let p = Portal::start_with(MockConfig::default()).await;
    p.mock.expire_access_tokens();
    let old = p.mock.refresh_token();
    let (status, answer) = p.refresh(&old).await;
    assert_eq!(status, 200, "{answer}");
    for key in [
        "access_token",
        "expires",
        "expires_in",
        "scope",
        "domain",
        "server_endpoint",
        "status",
        "client_endpoint",
        "member_id",
        "user_id",
        "refresh_token",
        "application_token",
    ] {
        assert!(!answer[key].is_null(), "{key} in {answer}");
    }
    assert_eq!(answer["expires_in"], 3600);
    assert_eq!(answer["status"], "L");
    assert_eq!(answer["user_id"], ADMIN_USER_ID);
    assert_eq!(
        answer["client_endpoint"],
        format!("{}/rest/", p.mock.base_url())
    );
    let new = answer["refresh_token"].as_str().expect("a refresh token");
    assert_ne!(new, old);
    assert_eq!(p.mock.refresh_token(), new);
    assert_eq!(p.mock.refreshes(), 1);

    // The new access token acts as the same application and user.
    let access = answer["access_token"].as_str().expect("an access token");
    let added = p
        .oauth(access, "messageservice.sender.add", sender("s1"))
        .await;
    assert_eq!(result(added), true);
    assert_eq!(p.mock.providers(MAIN_APP), ["s1"]);

    // The spent refresh token is no good any more.
    let reused = p.refresh(&old).await;
    assert_error(&reused, 400, "invalid_grant", "Invalid refresh token");
    assert_eq!(p.mock.refreshes(), 1);

    // Wrong client credentials, by form POST this time.
    let form = format!(
        "grant_type=refresh_token&client_id={}&client_secret=wrong&refresh_token={new}",
        p.mock.client_id()
    );
    let response = p
        .http
        .post(p.mock.token_endpoint())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"], "invalid_client");
    let missing = p
        .http
        .get(p.mock.token_endpoint())
        .send()
        .await
        .expect("sent");
    let body: Value = missing.json().await.expect("JSON");
    assert_eq!(body["error"], "invalid_request");

    // The same by POST form succeeds with the right secret; the token endpoint is no REST call.
    let form = format!(
        "grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={new}",
        p.mock.client_id(),
        p.mock.client_secret()
    );
    let response = p
        .http
        .post(p.mock.token_endpoint())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(p.mock.refreshes(), 2);
    assert_eq!(p.mock.requests(), 1);
}

#[tokio::test]
async fn changed_domain_redirects_with_the_same_path_and_query() {
    let p = Portal::start_with(MockConfig::default()).await;
    result(p.app("messageservice.sender.add", sender("s1")).await);
    let old = p.mock.base_url();
    let new = p.mock.change_domain().await.expect("moved");
    assert_ne!(new, old);
    assert_eq!(p.mock.base_url(), old);
    assert_eq!(p.mock.current_base_url(), new);

    let token = p.mock.access_token();
    let response = p
        .raw(
            format!("{old}/rest/{LIST}.json?auth={token}&x=1"),
            json!({}),
        )
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 302);
    let location = response.headers()["location"].to_str().expect("ASCII");
    assert_eq!(location, format!("{new}/rest/{LIST}.json?auth={token}&x=1"));
    let webhook = p.mock.webhook_url();
    let response = p
        .raw(format!("{webhook}profile"), json!({}))
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 302);

    // The same portal answers at the new address.
    let answer = p
        .send(format!("{new}/rest/{LIST}"), json!({"auth": token}))
        .await;
    assert_eq!(result(answer), json!(["s1"]));
    // The token endpoint stays where it was and names the new portal address.
    let (status, answer) = p.refresh(&p.mock.refresh_token()).await;
    assert_eq!(status, 200);
    assert_eq!(answer["client_endpoint"], format!("{new}/rest/"));
}

#[tokio::test]
async fn faults_replace_the_answer_without_running_the_call() {
    let p = Portal::start().await;
    let add = "messageservice.sender.add";
    p.mock
        .inject_fault(Some("MessageService.Sender.Add"), Fault::Html500, 1);
    let response = p
        .raw(p.app_url(add), auth(&p, sender("s1")))
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 500);
    let kind = response.headers()["content-type"].to_str().expect("ASCII");
    assert!(kind.starts_with("text/html"), "{kind}");
    assert!(response.text().await.expect("a body").contains("<html>"));
    assert!(p.mock.providers(MAIN_APP).is_empty());

    let fault = Fault::ErrorWith200 {
        code: "INTERNAL_SERVER_ERROR".into(),
        description: "Internal server error".into(),
    };
    p.mock.inject_fault(None, fault, 1);
    let answer = p.app(add, sender("s1")).await;
    assert_error(
        &answer,
        200,
        "INTERNAL_SERVER_ERROR",
        "Internal server error",
    );

    let fault = Fault::Status {
        status: 502,
        body: "Bad Gateway".into(),
    };
    p.mock.inject_fault(Some(add), fault, 2);
    for _ in 0..2 {
        let response = p
            .raw(p.app_url(add), auth(&p, sender("s1")))
            .await
            .expect("sent");
        assert_eq!(response.status().as_u16(), 502);
        assert_eq!(response.text().await.expect("a body"), "Bad Gateway");
    }
    assert!(p.mock.providers(MAIN_APP).is_empty());
    // Used up: the call runs again, and other methods were never affected.
    assert_eq!(result(p.app(add, sender("s1")).await), true);
    assert_eq!(p.mock.received(add), 5);
    assert_eq!(p.mock.received("messageservice.sender.add.json"), 5);
}

#[tokio::test]
async fn faults_around_an_executed_call() {
    let p = Portal::start().await;
    let add = "messageservice.sender.add";

    p.mock.inject_fault(Some(add), Fault::TruncatedJson, 1);
    let response = p
        .raw(p.app_url(add), auth(&p, sender("s1")))
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 200);
    let text = response.text().await.expect("a body");
    assert!(text.starts_with("{\"result\":true"), "{text}");
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
    assert_eq!(p.mock.providers(MAIN_APP), ["s1"]);

    let delay = Duration::from_millis(200);
    p.mock.inject_fault(Some(add), Fault::Delay(delay), 1);
    let started = Instant::now();
    let answer = p.app(add, sender("s2")).await;
    assert!(started.elapsed() >= delay);
    assert!(
        answer.1["time"]["duration"].as_f64() >= Some(0.2),
        "{answer:?}"
    );
    assert_eq!(result(answer), true);

    p.mock.inject_fault(None, Fault::DropConnection, 1);
    let dropped = p.raw(p.app_url(add), auth(&p, sender("s3"))).await;
    assert!(dropped.is_err(), "{dropped:?}");
    // The portal did the work; the client just never heard.
    assert_eq!(p.mock.providers(MAIN_APP), ["s1", "s2", "s3"]);
    // And keeps serving.
    let list = p.app(LIST, json!({})).await;
    assert_eq!(result(list), json!(["s1", "s2", "s3"]));
    assert_eq!(p.mock.received(add), 3);
}

fn auth(p: &Portal, mut params: Value) -> Value {
    params["auth"] = json!(p.mock.access_token());
    params
}

// ---- batch ----

impl Portal {
    async fn batch(&self, body: Value) -> Value {
        result(self.app("batch", body).await)
    }
}

fn err(code: &str, description: &str) -> Value {
    json!({"error": code, "error_description": description})
}

const ADD_B1: &str =
    "messageservice.sender.add?CODE=b1&TYPE=SMS&HANDLER=https%3A%2F%2Fexample.com%2Fh&NAME[en]=B+1";

#[tokio::test]
async fn batch_runs_each_command_like_a_direct_call() {
    let p = Portal::start().await;
    p.mock.seed_crm_items(2, 60);
    // Written out by hand: a `json!` object would sort the commands by key.
    let body = format!(
        r#"{{"halt": 0, "auth": "{}", "cmd": {{
            "before": "messageservice.sender.list",
            "add": "{ADD_B1}",
            "again": "{ADD_B1}",
            "no_code": "messageservice.sender.add?TYPE=SMS&NAME=x&HANDLER=h",
            "nope": "no.such.method",
            "nested": "batch?cmd[0]=messageservice.sender.list",
            "items": "crm.item.list.json?entityTypeId=2&select[]=id&order[id]=DESC",
            "after": "messageservice.sender.list"
        }}}}"#,
        p.mock.access_token()
    );
    let response = p
        .http
        .post(format!("{}/rest/batch", p.mock.base_url()))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("sent");
    let answer: (u16, Value) = (
        response.status().as_u16(),
        response.json().await.expect("JSON"),
    );
    assert_eq!(answer.0, 200, "{answer:?}");
    let time = &answer.1["time"];
    assert!(
        time["start"].is_number() && time["date_finish"].is_string(),
        "{time}"
    );
    let r = &answer.1["result"];
    assert_eq!(r["result"]["before"], json!([]));
    assert_eq!(r["result"]["add"], json!(true));
    // Commands run in the order written: the provider added by `add` is listed by `after`.
    assert_eq!(r["result"]["after"], json!(["b1"]));
    let items = r["result"]["items"]["items"].as_array().expect("items");
    assert_eq!((items.len(), &items[0]["id"]), (50, &json!(60)));
    assert_eq!(
        p.mock.provider(MAIN_APP, "b1").expect("added")["NAME"],
        json!({"en": "B 1"})
    );
    assert_eq!(
        r["result_error"],
        json!({
            "again": err("ERROR_SENDER_ALREADY_INSTALLED", "Sender already installed!"),
            "no_code": err("ERROR_SENDER_VALIDATION_FAILURE", "Empty sender code!"),
            "nope": err("ERROR_METHOD_NOT_FOUND", "Method not found!"),
            "nested": err("ERROR_BATCH_METHOD_NOT_ALLOWED", "Method is not allowed for batch usage"),
        })
    );
    assert_eq!(r["result_total"], json!({"items": 60}));
    assert_eq!(r["result_next"], json!({"items": 50}));
    let times = r["result_time"].as_object().expect("keyed times");
    let mut keys: Vec<&str> = times.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["add", "after", "before", "items"]);
    let one = times["add"].as_object().expect("a time");
    let mut fields: Vec<&str> = one.keys().map(String::as_str).collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "date_finish",
            "date_start",
            "duration",
            "finish",
            "processing",
            "start"
        ]
    );
    // One request, eight commands; the commands are not requests of their own.
    assert_eq!((p.mock.requests(), p.mock.received("batch")), (1, 1));
    assert_eq!(p.mock.batch_commands(), 8);
    assert_eq!(p.mock.received("messageservice.sender.add"), 0);
}

#[tokio::test]
async fn batch_with_a_list_answers_lists_and_halts() {
    let p = Portal::start().await;
    let cmd = json!(["messageservice.sender.list", ADD_B1]);
    let r = p.batch(json!({"cmd": cmd})).await;
    assert_eq!(r["result"], json!([[], true]));
    for part in ["result_error", "result_total", "result_next"] {
        assert_eq!(r[part], json!([]), "{part}");
    }
    assert_eq!(r["result_time"].as_array().map(Vec::len), Some(2));

    // halt: the failing command ends the batch; what follows is absent everywhere and not run.
    let add_b2 = ADD_B1.replace("CODE=b1", "CODE=b2");
    let cmd = json!(["messageservice.sender.list", ADD_B1, add_b2]);
    let r = p.batch(json!({"halt": "true", "cmd": cmd})).await;
    assert_eq!(r["result"], json!([["b1"]]));
    let already = err(
        "ERROR_SENDER_ALREADY_INSTALLED",
        "Sender already installed!",
    );
    // Keys 1.. are no list without 0: an object keyed by index, as PHP's json_encode writes it.
    assert_eq!(r["result_error"], json!({"1": already}));
    assert_eq!(r["result_time"].as_array().map(Vec::len), Some(1));
    assert_eq!(p.mock.providers(MAIN_APP), ["b1"]);

    // Without halt the same batch runs on.
    let r = p.batch(json!({"halt": 0, "cmd": cmd})).await;
    assert_eq!(r["result"], json!({"0": ["b1"], "2": true}));
    assert_eq!(p.mock.providers(MAIN_APP), ["b1", "b2"]);
}

#[tokio::test]
async fn batch_runs_50_commands_and_refuses_the_rest() {
    let p = Portal::start().await;
    // The whole batch is one request for the rate limit.
    p.mock.set_rate_limit(Some((0.0, 1)));
    let cmd: Vec<Value> = (0..55)
        .map(|_| json!("messageservice.sender.list"))
        .collect();
    let r = p.batch(json!({"cmd": cmd})).await;
    assert_eq!(r["result"].as_array().map(Vec::len), Some(50));
    let exceeded = err("ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded");
    let expected: serde_json::Map<String, Value> = (50..55)
        .map(|i| (i.to_string(), exceeded.clone()))
        .collect();
    assert_eq!(r["result_error"], Value::Object(expected));
    assert_eq!(p.mock.batch_commands(), 55);
    let (status, _) = p
        .app("batch", json!({"cmd": ["messageservice.sender.list"]}))
        .await;
    assert_eq!((status, p.mock.rate_limited()), (503, 1));
}

#[tokio::test]
async fn batch_commands_spend_their_own_operating_time() {
    let p = Portal::start().await;
    p.mock.set_method_cost("messageservice.sender.list", 300.0);
    let list = "messageservice.sender.list";
    let r = p
        .batch(json!({"cmd": {"a": list, "b": list, "c": list}}))
        .await;
    assert_eq!(r["result"], json!({"a": [], "b": []}));
    let blocked = err(
        "OPERATION_TIME_LIMIT",
        "Method is blocked due to operation time limit",
    );
    assert_eq!(r["result_error"], json!({"c": blocked}));
    // Blocked directly too, but other methods are not.
    let answer = p.app(list, json!({})).await;
    assert_eq!(answer.0, 429);
}

#[tokio::test]
async fn batch_from_forms_queries_and_webhooks() {
    let p = Portal::start().await;
    p.mock.seed_crm_items(2, 60);
    let (_, bot_token) = p.mock.bot();
    // A webhook form: a bot list with its token, and an application-only method.
    let form = format!(
        "halt=0&cmd%5Bbots%5D=imbot.v2.Bot.list%3FbotToken%3D{bot_token}&cmd[senders]=messageservice.sender.list"
    );
    let response = p
        .http
        .post(format!("{}batch", p.mock.webhook_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .expect("sent");
    let body: Value = response.json().await.expect("JSON");
    let r = &body["result"];
    assert_eq!(
        r["result"]["bots"]["bots"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(
        r["result_error"],
        json!({"senders": err("ACCESS_DENIED", "Application context required")})
    );

    // Double encoding in the query string, as data-encoding.md shows it: filter[>id]=55.
    let url = format!(
        "{}/rest/batch.json?auth={}&cmd[0]=crm.item.list%3FentityTypeId%3D2%26filter%255B%253Eid%255D%3D55&cmd[1]=crm.item.list%3FentityTypeId%3D2%26filter[id]%3D%24result[0][items][4][id]",
        p.mock.base_url(),
        p.mock.access_token()
    );
    let body: Value = p
        .http
        .get(url)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    let r = &body["result"];
    let ids = |v: &Value| -> Vec<i64> {
        let items = v["items"].as_array().cloned().unwrap_or_default();
        items.iter().filter_map(|i| i["id"].as_i64()).collect()
    };
    assert_eq!(ids(&r["result"][0]), [56, 57, 58, 59, 60]);
    // The second command read the first one's result: `$result[0][items][4][id]`.
    assert_eq!(ids(&r["result"][1]), [60]);
    assert_eq!(r["result_total"], json!([5, 1]));
    assert_eq!(r["result_next"], json!([]));

    // Credentials are checked for the batch as a whole.
    let answer = p.oauth("nope", "batch", json!({"cmd": ["x"]})).await;
    assert_error(&answer, 401, "NO_AUTH_FOUND", "Wrong authorization data");
    assert_eq!(p.mock.batch_commands(), 4);
}

// ---- list methods ----

fn ids(page: &Value) -> Vec<i64> {
    let items = page["result"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    items.iter().filter_map(|i| i["id"].as_i64()).collect()
}

#[tokio::test]
async fn crm_item_list_pages_classically() {
    let p = Portal::start().await;
    p.mock.seed_crm_items(1038, 120);
    let page = |start: i64| {
        p.app(
            "crm.item.list",
            json!({"entityTypeId": 1038, "start": start}),
        )
    };
    let (status, first) = page(0).await;
    assert_eq!(status, 200);
    assert_eq!(ids(&first), (1..=50).collect::<Vec<_>>());
    assert_eq!((&first["total"], &first["next"]), (&json!(120), &json!(50)));
    let item = &first["result"]["items"][0];
    assert_eq!(
        (
            &item["title"],
            &item["assignedById"],
            &item["stageId"],
            &item["opportunity"]
        ),
        (
            &json!("Item 1"),
            &json!(ADMIN_USER_ID),
            &json!("NEW"),
            &json!(100)
        )
    );
    assert!(
        item["createdTime"]
            .as_str()
            .is_some_and(|t| t.ends_with("+00:00"))
    );
    let (_, second) = page(50).await;
    assert_eq!(ids(&second), (51..=100).collect::<Vec<_>>());
    assert_eq!(second["next"], json!(100));
    let (_, last) = page(100).await;
    assert_eq!(ids(&last), (101..=120).collect::<Vec<_>>());
    assert_eq!((&last["total"], last.get("next")), (&json!(120), None));
    let (_, past) = page(500).await;
    assert_eq!((ids(&past).len(), &past["total"]), (0, &json!(120)));

    // Descending, with a filter given as numeric strings.
    let query = json!({"entityTypeId": "1038", "order": {"ID": "desc"}, "filter": {">=id": "10", "<id": 13}});
    let (_, page) = p.app("crm.item.list", query).await;
    assert_eq!(ids(&page), [12, 11, 10]);
    assert_eq!(page["total"], json!(3));

    let query = json!({"entityTypeId": 1038, "filter": {"@id": [3, "5", 500], "!id": 5}});
    assert_eq!(ids(&p.app("crm.item.list", query).await.1), [3]);
    let query = json!({"entityTypeId": 1038, "filter": {"!@id": (2..=120).collect::<Vec<_>>()}});
    assert_eq!(ids(&p.app("crm.item.list", query).await.1), [1]);

    // The system types exist without items.
    let (_, leads) = p.app("crm.item.list", json!({"entityTypeId": 1})).await;
    assert_eq!((ids(&leads).len(), &leads["total"]), (0, &json!(0)));
}

#[tokio::test]
async fn crm_item_list_fast_mode_walks_by_id() {
    let p = Portal::start().await;
    p.mock.seed_crm_items(2, 120);
    // The loop of performance-huge-data.md.
    let (mut last, mut seen, mut calls) = (0, Vec::<i64>::new(), 0);
    loop {
        let query = json!({
            "entityTypeId": 2, "order": {"id": "ASC"}, "filter": {">id": last},
            "select": ["id", "title", "createdTime"], "start": -1,
        });
        let (status, page) = p.webhook("crm.item.list", query).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(
            (page.get("total"), page.get("next")),
            (None, None),
            "{page}"
        );
        let got = ids(&page);
        calls += 1;
        seen.extend(&got);
        match got.last() {
            Some(&id) if got.len() == 50 => last = id,
            _ => break,
        }
    }
    assert_eq!(seen, (1..=120).collect::<Vec<_>>());
    assert_eq!(calls, 3);
}

#[tokio::test]
async fn crm_item_list_errors_come_from_the_spec() {
    let p = Portal::start().await;
    p.mock.seed_crm_items(2, 3);
    let list = |q| p.app("crm.item.list", q);
    let answer = list(json!({"entityTypeId": 999})).await;
    assert_error(&answer, 400, "NOT_FOUND", "SPA not found");
    let answer = list(json!({"entityTypeId": 2, "filter": {"%nope": "x"}})).await;
    let text = "Invalid filter: field 'nope' is not allowed in filter";
    assert_error(&answer, 400, "INVALID_ARG_VALUE", text);
    let answer = list(json!({"entityTypeId": 2, "filter": {"%id": "1"}})).await;
    let text = "Invalid filter: field 'id' is not allowed in filter";
    assert_error(&answer, 400, "INVALID_ARG_VALUE", text);
    let answer = list(json!({"entityTypeId": 2, "filter": {">id": "abc"}})).await;
    let text = "Invalid filter: field 'id' has invalid value";
    assert_error(&answer, 400, "INVALID_ARG_VALUE", text);
    let answer = list(json!({"entityTypeId": 2, "order": {"nope": "ASC"}})).await;
    let text = "Invalid order: field 'nope' is not allowed in order";
    assert_error(&answer, 400, "INVALID_ARG_VALUE", text);
    let answer = list(json!({"entityTypeId": 2, "order": {"id": "UP"}})).await;
    let text = "Invalid order: allowed sort directions are ASC, DESC. But got 'UP' for field 'id'";
    assert_error(&answer, 400, "INVALID_ARG_VALUE", text);
}

#[tokio::test]
async fn bot_list_pages_with_offsets() {
    let p = Portal::start().await;
    p.mock.seed_bots(60);
    let (main_bot, token) = p.mock.bot();
    let (status, first) = p.app("imbot.v2.Bot.list", json!({})).await;
    assert_eq!(status, 200, "{first}");
    let bots = |page: &Value| -> Vec<i64> {
        let bots = page["result"]["bots"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        bots.iter().filter_map(|b| b["id"].as_i64()).collect()
    };
    let first_ids = bots(&first);
    assert_eq!(first_ids.len(), 50);
    assert_eq!(first_ids[0], main_bot);
    assert!(first_ids.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(first["result"]["hasNextPage"], json!(true));
    assert_eq!(first["result"]["users"].as_array().map(Vec::len), Some(50));
    let (_, rest) = p.app("imbot.v2.Bot.list", json!({"offset": 50})).await;
    assert_eq!(bots(&rest).len(), 11);
    assert_eq!(rest["result"]["hasNextPage"], json!(false));
    let (_, some) = p
        .app(
            "imbot.v2.Bot.list",
            json!({"limit": "5", "offset": "55", "filter": {"type": "bot"}}),
        )
        .await;
    let all: Vec<i64> = first_ids.iter().chain(&bots(&rest)).copied().collect();
    assert_eq!(bots(&some), all[55..60]);
    assert_eq!(some["result"]["hasNextPage"], json!(true));

    // Another application sees only its own bot; a webhook only the bot of its token.
    let (other_bot, _) = p.mock.other_app_bot();
    let other = p
        .oauth(
            &p.mock.other_app_access_token(),
            "imbot.v2.Bot.list",
            json!({}),
        )
        .await;
    assert_eq!(bots(&other.1), [other_bot]);
    let hook = p
        .webhook("imbot.v2.Bot.list", json!({"botToken": token}))
        .await;
    assert_eq!(bots(&hook.1), [main_bot]);
    let answer = p.webhook("imbot.v2.Bot.list", json!({})).await;
    assert_error(
        &answer,
        400,
        "BOT_TOKEN_NOT_SPECIFIED",
        "Bot token is not specified",
    );
    let unknown = p
        .app(
            "imbot.v2.Bot.list",
            json!({"filter": {"type": "supervisor"}}),
        )
        .await;
    assert_eq!(
        result(unknown),
        json!({"bots": [], "users": [], "hasNextPage": false})
    );
}

// ---- the SMS provider loop ----

/// Form pairs, decoded, in order.
fn form_pairs(body: &str) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let bytes = s.replace('+', " ").into_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
            match (bytes[i], hex) {
                (b'%', Some(b)) => {
                    out.push(b);
                    i += 3;
                }
                (b, _) => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        String::from_utf8(out).expect("UTF-8")
    }
    body.split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// A provider's handler: records every body and answers 403 unless `auth[application_token]` is
/// `token`.
async fn sms_handler(token: String) -> (String, Arc<std::sync::Mutex<Vec<String>>>) {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let app = axum::Router::new().route(
        "/sms",
        axum::routing::post(move |body: String| {
            let ok = form_pairs(&body)
                .iter()
                .any(|(k, v)| k == "auth[application_token]" && *v == token);
            record.lock().expect("not poisoned").push(body);
            let status = if ok {
                axum::http::StatusCode::OK
            } else {
                axum::http::StatusCode::FORBIDDEN
            };
            async move { status }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bound");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/sms"), seen)
}

#[tokio::test]
async fn deliver_sms_posts_the_documented_form_to_the_handler() {
    let p = Portal::start().await;
    let app_token = p.mock.application_token(MAIN_APP);
    assert_eq!(app_token.len(), 32);
    assert_ne!(app_token, p.mock.application_token(OTHER_APP));
    assert_eq!(p.mock.application_token("app.unknown"), "");
    let (url, seen) = sms_handler(app_token.clone()).await;
    let add = json!({"CODE": "prov", "TYPE": "SMS", "HANDLER": url, "NAME": "Provider"});
    assert_eq!(result(p.app("messageservice.sender.add", add).await), true);

    let text = "Hi & welcome: 100% [ok]";
    let delivered = p
        .mock
        .deliver_sms(MAIN_APP, "prov", "+49 170 1234567", text)
        .await
        .expect("delivered");
    assert_eq!(delivered.handler_status, 200);
    let body = seen.lock().expect("not poisoned")[0].clone();
    // Keys are encoded as http_build_query encodes them.
    assert!(
        body.starts_with("module_id=crm&bindings%5B0%5D%5BOWNER_TYPE_ID%5D=3&"),
        "{body}"
    );
    let pairs = form_pairs(&body);
    let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "module_id",
            "bindings[0][OWNER_TYPE_ID]",
            "bindings[0][OWNER_ID]",
            "properties[phone_number]",
            "properties[message_text]",
            "type",
            "code",
            "message_id",
            "message_to",
            "message_body",
            "ts",
            "auth[access_token]",
            "auth[expires]",
            "auth[expires_in]",
            "auth[scope]",
            "auth[domain]",
            "auth[server_endpoint]",
            "auth[status]",
            "auth[client_endpoint]",
            "auth[member_id]",
            "auth[user_id]",
            "auth[refresh_token]",
            "auth[application_token]",
        ]
    );
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("bindings[0][OWNER_ID]"), Some("1"));
    assert_eq!(get("message_id"), Some(delivered.message_id.as_str()));
    assert_eq!(get("message_to"), Some("+49 170 1234567"));
    assert_eq!(get("properties[phone_number]"), Some("+49 170 1234567"));
    assert_eq!(
        (get("message_body"), get("properties[message_text]")),
        (Some(text), Some(text))
    );
    assert_eq!((get("type"), get("code")), (Some("SMS"), Some("prov")));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let ts: u64 = get("ts").and_then(|t| t.parse().ok()).expect("ts");
    assert!(ts.abs_diff(now) < 60, "{ts} vs {now}");
    let expires: u64 = get("auth[expires]")
        .and_then(|t| t.parse().ok())
        .expect("expires");
    assert!(expires.abs_diff(now + 3600) < 60);
    assert_eq!(get("auth[expires_in]"), Some("3600"));
    assert_eq!(get("auth[status]"), Some("L"));
    assert_eq!(
        get("auth[user_id]"),
        Some(ADMIN_USER_ID.to_string().as_str())
    );
    let base = p.mock.base_url();
    assert_eq!(get("auth[domain]"), base.strip_prefix("http://"));
    assert_eq!(
        get("auth[client_endpoint]"),
        Some(format!("{base}/rest/").as_str())
    );
    assert_eq!(
        get("auth[server_endpoint]"),
        Some(format!("{base}/rest/").as_str())
    );
    assert!(get("auth[scope]").is_some_and(|s| s.contains("messageservice")));
    assert_eq!(get("auth[member_id]").map(str::len), Some(32));
    assert_eq!(
        get("auth[refresh_token]"),
        Some(p.mock.refresh_token().as_str())
    );
    assert_eq!(get("auth[application_token]"), Some(app_token.as_str()));

    // The handler's access token works: report the delivery with it.
    let token = get("auth[access_token]").expect("token").to_owned();
    let update = json!({"CODE": "prov", "MESSAGE_ID": delivered.message_id, "STATUS": "delivered"});
    let answer = p
        .oauth(&token, "messageservice.message.status.update", update)
        .await;
    assert_eq!(result(answer), true);
    assert_eq!(
        p.mock.message_statuses(&delivered.message_id),
        ["delivered"]
    );

    // A forged payload is refused by the handler.
    let forged = body.replace(&app_token, "forged");
    assert_eq!(
        p.mock.post_to_handler(&url, forged).await.expect("posted"),
        403
    );
    assert_eq!(seen.lock().expect("not poisoned").len(), 2);

    let missing = p.mock.deliver_sms(MAIN_APP, "nope", "1", "x").await;
    assert_eq!(
        missing.map_err(|e| e.kind()),
        Err(std::io::ErrorKind::NotFound)
    );
}

#[tokio::test]
async fn deliver_sms_to_an_unreachable_handler_fails() {
    let p = Portal::start().await;
    // A port that was free a moment ago: nothing listens there now.
    let closed = {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bound");
        l.local_addr().expect("addr")
    };
    let add = json!({"CODE": "gone", "TYPE": "SMS", "HANDLER": format!("http://{closed}/sms"), "NAME": "Gone"});
    assert_eq!(result(p.app("messageservice.sender.add", add).await), true);
    let answer = p.mock.deliver_sms(MAIN_APP, "gone", "1", "x").await;
    assert!(answer.is_err(), "{answer:?}");
    assert!(
        p.mock
            .post_to_handler("not a url", String::new())
            .await
            .is_err()
    );
}

/// An error entry marked `when: { not_admin: true }` answers a caller without administrator
/// rights, once the request is well-formed, for any method (this one has no behaviour of its
/// own); the administrator gets the method's answer.
#[tokio::test]
async fn an_administrators_only_method_refuses_other_users() {
    let p = Portal::start().await;
    let method = "crm.automation.trigger.list";
    let user = p.mock.user_access_token();
    let answer = p.oauth(&user, method, json!({})).await;
    assert_error(
        &answer,
        400,
        "ACCESS_DENIED",
        "Access denied! Admin permissions required",
    );
    let answer = p.app(method, json!({})).await;
    assert_eq!(answer.0, 200, "{answer:?}");
}
