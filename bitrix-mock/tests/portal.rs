//! The mock portal over real HTTP, as an SDK sees it.

use bitrix_mock::{ADMIN_USER_ID, DEFAULT_LINE, MAIN_APP, MockPortal, OTHER_APP, USER_ID};
use std::sync::Arc;

use serde_json::{Value, json};

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
    let send = json!({"botId": bot, "dialogId": format!("chat{chat}"), "fields": {"forwardIds": {"u-1": original}}});
    let sent = result(p.app("imbot.v2.Chat.Message.send", send).await);
    let copy = sent["uuidMap"]["u-1"].as_i64().expect("a copy");
    assert_eq!(sent["id"], copy);
    assert_eq!(p.mock.message_text(copy), p.mock.message_text(original));
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
    let answer = p.app("imconnector.register", nameless).await;
    assert_error(
        &answer,
        400,
        "ERROR_ARGUMENT",
        "Argument 'ID' is null or empty",
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
