//! End-to-end tests: the typed client against the mock portal over real HTTP.
//!
//! For each of the thirteen methods: the success path (the typed result and the portal's state
//! afterwards) and every documented error the portal can be made to answer. Errors the typed API
//! cannot send (a required parameter left out, an enum value it does not have) are sent as raw
//! requests; errors it refuses before sending are checked on both sides: the client's
//! `Error::Validation`, and the portal's documented answer to the same raw request. Then the auth
//! layers, the `time` block, credentials kept out of Debug, Display and traces, and the decoding
//! of every documented example of every spec.
//!
//! Expected statuses are read from the specs ([`documented`]), so every assertion on an error
//! also proves that its code and description are documented for the method.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use bitrix_api::imbot::{
    ChatMessageSendFields, ChatMessageSendKeyboard, ChatMessageUpdateFields,
    ImbotV2ChatMessageDelete, ImbotV2ChatMessageDeleteError, ImbotV2ChatMessageSend,
    ImbotV2ChatMessageSendError, ImbotV2ChatMessageUpdate, ImbotV2ChatMessageUpdateError,
    KeyboardButton, KeyboardRemoval, KeyboardUpdate,
};
use bitrix_api::imopenlines::{
    ConnectorIcon, DeleteMessageChat, DeleteMessageItem, DeleteMessageMessage, DeleteMessageUser,
    ImconnectorActivate, ImconnectorActivateError, ImconnectorDeleteMessages,
    ImconnectorDeleteMessagesError, ImconnectorRegister, ImconnectorRegisterError,
    ImconnectorSendMessages, ImconnectorSendMessagesError, ImconnectorUpdateMessages,
    ImconnectorUpdateMessagesError, SendMessageChat, SendMessageDisableCrm, SendMessageItem,
    SendMessageMessage, SendMessageSkipPhoneValidate, SendMessageUser, UpdateMessageChat,
    UpdateMessageItem, UpdateMessageMessage, UpdateMessageUser,
};
use bitrix_api::messageservice::{
    MessageStatus, MessageserviceMessageStatusUpdate, MessageserviceMessageStatusUpdateError,
    MessageserviceSenderAdd, MessageserviceSenderAddError, MessageserviceSenderDelete,
    MessageserviceSenderDeleteError, MessageserviceSenderList, MessageserviceSenderListError,
    MessageserviceSenderUpdate, MessageserviceSenderUpdateError, SenderType,
};
use bitrix_api::{
    AuthContext, Client, ClientBuilder, Error, Method, MethodError, RetryPolicy, SystemError,
};
use bitrix_mock::{ADMIN_USER_ID, DEFAULT_LINE, Fault, MAIN_APP, MockPortal, OTHER_APP};
use bitrix_spec::Spec;
use serde_json::{Value, json};

// =============================================================================================
// Specs: what the pages document
// =============================================================================================

/// Every spec under `specs/`, by REST method name, each loaded with its scope's shared types.
pub(crate) fn specs() -> &'static BTreeMap<String, Spec> {
    static SPECS: OnceLock<BTreeMap<String, Spec>> = OnceLock::new();
    SPECS.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
        let files = bitrix_spec::spec_files(&dir).expect("the specs directory is readable");
        assert!(!files.is_empty(), "no spec under {}", dir.display());
        files
            .iter()
            .map(|file| {
                let name = file.strip_prefix(&dir).unwrap_or(file);
                let name = name.display().to_string();
                let spec = bitrix_spec::load_file(&dir, &name).unwrap_or_else(|diags| {
                    let diags: Vec<String> = diags.iter().map(ToString::to_string).collect();
                    panic!("{name} does not load:\n{}", diags.join("\n"))
                });
                (spec.method.clone(), spec)
            })
            .collect()
    })
}

/// The HTTP status `method`'s spec documents for `code` with `description`. Panics when the spec
/// documents no such answer, so no test can expect an undocumented one.
#[track_caller]
fn documented(method: &str, code: &str, description: &str) -> u16 {
    let spec = specs().get(method);
    let spec = spec.unwrap_or_else(|| panic!("no spec for {method}"));
    spec.errors
        .iter()
        .find(|e| e.code == code && e.description == description)
        .unwrap_or_else(|| panic!("{method} documents no {code} {description:?}"))
        .status
}

/// A documented error answer of the raw API; its status comes from the spec.
#[derive(Debug, Clone, Copy)]
struct Answer {
    code: &'static str,
    description: &'static str,
}

const fn answer(code: &'static str, description: &'static str) -> Answer {
    Answer { code, description }
}

// =============================================================================================
// The portal, its clients, raw requests and the assertions on them
// =============================================================================================

const HANDLER: &str = "https://sms.example.com/handler";
const PLACEMENT: &str = "https://connector.example.com/placement";
const CONNECTOR: &str = "e2e_connector";
const ICON: &str = "data:image/svg+xml;charset=US-ASCII,%3Csvg%2F%3E";
const EXT_USER: &str = "ext-user-1";
const EXT_CHAT: &str = "ext-chat-1";
/// Nothing listens on the discard port of loopback.
const CLOSED_PORT: &str = "http://127.0.0.1:9";
/// One quick retry: the retry path runs (and traces) without the default backoff's wait.
const QUICK_RETRY: RetryPolicy = RetryPolicy {
    max_attempts: 2,
    base_delay: Duration::from_millis(1),
    max_delay: Duration::from_millis(1),
    max_total_wait: Duration::from_secs(1),
};

/// A fresh mock portal and a plain HTTP client for raw requests to it.
struct Portal {
    mock: MockPortal,
    http: reqwest::Client,
}

impl Portal {
    async fn start() -> Portal {
        Portal {
            mock: MockPortal::start().await.expect("the mock portal starts"),
            http: reqwest::Client::new(),
        }
    }

    fn token_client(&self, token: String) -> Client {
        Client::with_access_token(&self.mock.base_url(), token).expect("a valid client")
    }

    /// [`MAIN_APP`] acting for the administrator.
    fn app(&self) -> Client {
        self.token_client(self.mock.access_token())
    }

    /// [`MAIN_APP`] acting for a user who is not an administrator.
    fn user(&self) -> Client {
        self.token_client(self.mock.user_access_token())
    }

    /// [`OTHER_APP`] acting for the administrator.
    fn other_app(&self) -> Client {
        self.token_client(self.mock.other_app_access_token())
    }

    /// The administrator's incoming webhook.
    fn webhook(&self) -> Client {
        Client::from_webhook(&self.mock.webhook_url()).expect("a valid webhook client")
    }

    /// `params` sent as they are, as the administrator of [`MAIN_APP`] or through the webhook.
    async fn raw(&self, context: AuthContext, method: &str, mut params: Value) -> (u16, Value) {
        let url = match context {
            AuthContext::Application => {
                params["auth"] = json!(self.mock.access_token());
                format!("{}/rest/{method}", self.mock.base_url())
            }
            AuthContext::Webhook => format!("{}{method}", self.mock.webhook_url()),
        };
        let response = self.http.post(url).json(&params).send().await;
        let response = response.expect("the mock portal answers");
        let status = response.status().as_u16();
        (status, response.json().await.expect("a JSON answer"))
    }

    /// The raw request, made in `context`, must get exactly the documented answer.
    async fn expect_raw_in(&self, context: AuthContext, method: &str, params: Value, a: Answer) {
        let status = documented(method, a.code, a.description);
        let got = self.raw(context, method, params).await;
        let expected = json!({"error": a.code, "error_description": a.description});
        assert_eq!(got, (status, expected), "{method}");
    }

    /// [`Portal::expect_raw_in`] as the administrator of [`MAIN_APP`].
    async fn expect_raw(&self, method: &str, params: Value, a: Answer) {
        self.expect_raw_in(AuthContext::Application, method, params, a)
            .await;
    }

    /// The client must refuse `request` naming `param`, and send nothing.
    async fn expect_invalid<M: Method>(&self, client: &Client, request: M, param: &str)
    where
        M::Output: Debug,
    {
        let sent = self.mock.requests();
        match client.call(request).await {
            Err(Error::Validation(e)) => {
                assert_eq!(e.method, M::NAME);
                assert!(e.problems.iter().any(|p| p.param == param), "{e}");
                assert!(e.to_string().contains(param), "{e}");
            }
            other => panic!("{}: expected invalid {param}, got {other:?}", M::NAME),
        }
        let reached = self.mock.requests() != sent;
        assert!(!reached, "a refused request reached the portal");
    }

    /// A request the typed client refuses naming `param`, and whose raw form, made in the
    /// client's auth context, the portal answers as documented.
    async fn expect_refused<M: Method>(
        &self,
        client: &Client,
        request: M,
        param: &str,
        raw: Value,
        a: Answer,
    ) where
        M::Output: Debug,
    {
        self.expect_invalid(client, request, param).await;
        self.expect_raw_in(client.auth_context(), M::NAME, raw, a)
            .await;
    }
}

/// The call must succeed; its typed result.
async fn ok<M: Method>(client: &Client, request: M) -> M::Output {
    match client.call(request).await {
        Ok(result) => result,
        Err(e) => panic!("{} failed: {e}\n{e:?}", M::NAME),
    }
}

/// The call must fail with the documented error `code` worded `description`, with the status
/// the spec gives.
async fn expect_error<M: Method>(client: &Client, request: M, code: M::Error, description: &str)
where
    M::Output: Debug,
{
    let status = documented(M::NAME, code.code(), description);
    match client.call(request).await {
        Err(Error::Method { code: got, detail }) => {
            assert_eq!(got, code, "{detail}");
            assert_eq!(detail.method, M::NAME);
            assert_eq!(detail.code, code.code());
            assert_eq!(detail.status, status, "{detail}");
            assert_eq!(detail.description, description, "{detail}");
        }
        other => panic!("{}: expected {code:?}, got {other:?}", M::NAME),
    }
}

/// `params` without `key`.
fn without(mut params: Value, key: &str) -> Value {
    params.as_object_mut().expect("an object").remove(key);
    params
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

fn sender(code: &str) -> MessageserviceSenderAdd {
    let name = [("en", "E2E SMS"), ("de", "E2E-SMS")];
    MessageserviceSenderAdd::new(code, SenderType::Sms, HANDLER, name)
}

/// The name [`sender`] registers, as the portal stores it.
fn sender_name() -> Value {
    json!({"de": "E2E-SMS", "en": "E2E SMS"})
}

/// The raw parameters of a valid `messageservice.sender.add`.
fn raw_sender(code: &str) -> Value {
    json!({"CODE": code, "TYPE": "SMS", "HANDLER": HANDLER, "NAME": "E2E SMS"})
}

fn status_update(code: &str, id: &str, status: MessageStatus) -> MessageserviceMessageStatusUpdate {
    MessageserviceMessageStatusUpdate::new(code, id, status)
}

fn register(id: &str) -> ImconnectorRegister {
    ImconnectorRegister::new(id, "E2E connector", ConnectorIcon::new(ICON), PLACEMENT)
}

fn send_item(message_id: &str, text: &str) -> SendMessageItem {
    SendMessageItem::new(
        SendMessageUser::new(EXT_USER).name("Jane"),
        SendMessageMessage::new().id(message_id).text(text),
        SendMessageChat::new(EXT_CHAT).name("Support"),
    )
}

fn update_item(message_id: &str, text: &str) -> UpdateMessageItem {
    UpdateMessageItem::new(
        UpdateMessageUser::new(EXT_USER),
        UpdateMessageMessage::new().id(message_id).text(text),
        UpdateMessageChat::new(EXT_CHAT),
    )
}

fn delete_item(message_id: &str) -> DeleteMessageItem {
    DeleteMessageItem::new(
        DeleteMessageUser::new(EXT_USER),
        DeleteMessageMessage::new(message_id),
        DeleteMessageChat::new(EXT_CHAT),
    )
}

fn send_messages(line: i64, id: &str) -> ImconnectorSendMessages {
    ImconnectorSendMessages::new(CONNECTOR, line, vec![send_item(id, "Hi")])
}

fn update_messages(line: i64, id: &str) -> ImconnectorUpdateMessages {
    ImconnectorUpdateMessages::new(CONNECTOR, line, vec![update_item(id, "Edited")])
}

fn delete_messages(line: i64, id: &str) -> ImconnectorDeleteMessages {
    ImconnectorDeleteMessages::new(CONNECTOR, line, vec![delete_item(id)])
}

/// The raw parameters of a valid connector message call on the default line.
fn raw_messages() -> Value {
    let message = json!({"user": {"id": EXT_USER}, "message": {"id": "m-1", "text": "Hi"}, "chat": {"id": EXT_CHAT}});
    json!({"CONNECTOR": CONNECTOR, "LINE": DEFAULT_LINE, "MESSAGES": [message]})
}

/// A bot of [`MAIN_APP`], its token, and a group chat it is a member of.
struct BotChat {
    bot: i64,
    token: String,
    chat: i64,
}

impl BotChat {
    fn new(mock: &MockPortal) -> BotChat {
        let (bot, token) = mock.bot();
        let chat = mock.create_chat();
        BotChat { bot, token, chat }
    }

    fn dialog(&self) -> String {
        format!("chat{}", self.chat)
    }

    fn send(&self, text: &str) -> ImbotV2ChatMessageSend {
        let fields = ChatMessageSendFields::new().message(text);
        ImbotV2ChatMessageSend::new(self.bot, self.dialog()).fields(fields)
    }

    fn update(&self, message: i64, text: &str) -> ImbotV2ChatMessageUpdate {
        let fields = ChatMessageUpdateFields::new().message(text);
        ImbotV2ChatMessageUpdate::new(self.bot, message, fields)
    }

    fn delete(&self, message: i64) -> ImbotV2ChatMessageDelete {
        ImbotV2ChatMessageDelete::new(self.bot, message)
    }

    fn raw_send(&self) -> Value {
        json!({"botId": self.bot, "dialogId": self.dialog(), "fields": {"message": "Hi"}})
    }

    fn raw_update(&self, message: i64) -> Value {
        json!({"botId": self.bot, "messageId": message, "fields": {"message": "Hi"}})
    }

    fn raw_delete(&self, message: i64) -> Value {
        json!({"botId": self.bot, "messageId": message})
    }
}

impl Portal {
    /// Registers provider `code` for [`MAIN_APP`] through the client.
    async fn add_sender(&self, code: &str) {
        assert!(ok(&self.app(), sender(code)).await);
    }

    /// Registers provider `code` and sends a message through it as the CRM would; the
    /// MESSAGE_ID its handler received.
    async fn sms(&self, code: &str) -> String {
        self.add_sender(code).await;
        let id = self.mock.send_sms(MAIN_APP, code, "+15550100", "Hello");
        id.expect("the provider is registered")
    }

    /// Registers [`CONNECTOR`] and sends external message `id` through it on the default line.
    async fn connector_message(&self, id: &str, text: &str) {
        self.mock.register_connector(MAIN_APP, CONNECTOR);
        let items = vec![send_item(id, text)];
        let request = ImconnectorSendMessages::new(CONNECTOR, DEFAULT_LINE, items);
        assert!(ok(&self.app(), request).await.success);
    }

    /// The stored text of external message `id` on the default line, if the portal holds it.
    fn stored(&self, id: &str) -> Option<Option<String>> {
        let mock = &self.mock;
        mock.connector_message(MAIN_APP, CONNECTOR, DEFAULT_LINE, EXT_CHAT, id)
    }
}

// =============================================================================================
// messageservice.sender.add
// =============================================================================================

const EMPTY_DATA: Answer = answer("ERROR_SENDER_VALIDATION_FAILURE", "Empty data!");
const EMPTY_CODE: Answer = answer("ERROR_SENDER_VALIDATION_FAILURE", "Empty sender code!");
const WRONG_CODE: Answer = answer("ERROR_SENDER_VALIDATION_FAILURE", "Wrong sender code!");
const EMPTY_NAME: Answer = answer("ERROR_SENDER_VALIDATION_FAILURE", "Empty sender NAME!");
const EMPTY_TYPE: Answer = answer(
    "ERROR_SENDER_VALIDATION_FAILURE",
    "Empty sender message TYPE!",
);
const UNKNOWN_TYPE: Answer = answer(
    "ERROR_SENDER_VALIDATION_FAILURE",
    "Unknown sender message TYPE!",
);

#[tokio::test]
async fn sender_add_registers_the_provider() {
    let p = Portal::start().await;
    assert!(ok(&p.app(), sender("e2e.sms-1").description("Sends SMS")).await);
    assert_eq!(p.mock.providers(MAIN_APP), ["e2e.sms-1"]);
    assert!(p.mock.providers(OTHER_APP).is_empty());
    let stored = p.mock.provider(MAIN_APP, "e2e.sms-1");
    let expected = json!({"CODE": "e2e.sms-1", "TYPE": "SMS", "HANDLER": HANDLER, "NAME": sender_name(), "DESCRIPTION": "Sends SMS"});
    assert_eq!(stored, Some(expected));
}

#[tokio::test]
async fn sender_add_twice_is_already_installed() {
    let p = Portal::start().await;
    p.add_sender("sms").await;
    let code = MessageserviceSenderAddError::ErrorSenderAlreadyInstalled;
    expect_error(&p.app(), sender("sms"), code, "Sender already installed!").await;
    assert_eq!(p.mock.providers(MAIN_APP), ["sms"]);
}

#[tokio::test]
async fn sender_add_code_with_invalid_characters_is_refused() {
    let p = Portal::start().await;
    let (request, raw) = (sender("no spaces!"), raw_sender("no spaces!"));
    p.expect_refused(&p.app(), request, "CODE", raw, WRONG_CODE)
        .await;
    assert!(p.mock.providers(MAIN_APP).is_empty());
}

#[tokio::test]
async fn sender_add_without_code_is_refused() {
    let p = Portal::start().await;
    let raw = without(raw_sender("x"), "CODE");
    p.expect_refused(&p.app(), sender(""), "CODE", raw, EMPTY_CODE)
        .await;
}

#[tokio::test]
async fn sender_add_without_name_is_refused() {
    let p = Portal::start().await;
    let request = MessageserviceSenderAdd::new("sms", SenderType::Sms, HANDLER, "");
    let raw = without(raw_sender("sms"), "NAME");
    p.expect_refused(&p.app(), request, "NAME", raw, EMPTY_NAME)
        .await;
}

#[tokio::test]
async fn sender_add_without_type_raw() {
    let p = Portal::start().await;
    let raw = without(raw_sender("sms"), "TYPE");
    p.expect_raw(MessageserviceSenderAdd::NAME, raw, EMPTY_TYPE)
        .await;
}

#[tokio::test]
async fn sender_add_with_unknown_type_raw() {
    let p = Portal::start().await;
    let mut raw = raw_sender("sms");
    raw["TYPE"] = json!("FAX");
    p.expect_raw(MessageserviceSenderAdd::NAME, raw, UNKNOWN_TYPE)
        .await;
}

#[tokio::test]
async fn sender_add_without_any_parameter_raw() {
    let p = Portal::start().await;
    p.expect_raw(MessageserviceSenderAdd::NAME, json!({}), EMPTY_DATA)
        .await;
}

// =============================================================================================
// messageservice.sender.update
// =============================================================================================

const CODE_REQUIRED: Answer = answer("ERROR_SENDER_CODE_REQUIRED", "CODE is required!");
const NOTHING_TO_UPDATE: Answer = answer(
    "ERROR_SENDER_OTHER_PARAMS_REQUIRED",
    "At least one other parameter is required!",
);

#[tokio::test]
async fn sender_update_changes_the_provider() {
    let p = Portal::start().await;
    p.add_sender("sms").await;
    let rename = MessageserviceSenderUpdate::new("sms").name([("en", "Renamed")]);
    assert!(ok(&p.app(), rename).await);
    let stored = p.mock.provider(MAIN_APP, "sms").expect("stored");
    assert_eq!(stored["NAME"], json!({"en": "Renamed"}));
    assert_eq!(stored["HANDLER"], HANDLER);

    let handler = "https://sms.example.com/v2";
    let moved = MessageserviceSenderUpdate::new("sms").handler(handler);
    assert!(ok(&p.app(), moved.description("Moved")).await);
    let stored = p.mock.provider(MAIN_APP, "sms").expect("stored");
    assert_eq!(stored["HANDLER"], handler);
    assert_eq!(stored["DESCRIPTION"], "Moved");
    assert_eq!(stored["NAME"], json!({"en": "Renamed"}));
}

#[tokio::test]
async fn sender_update_of_unknown_provider_is_not_found() {
    let p = Portal::start().await;
    let request = MessageserviceSenderUpdate::new("absent").name("x");
    let code = MessageserviceSenderUpdateError::ErrorSenderNotFound;
    expect_error(&p.app(), request, code, "Sender not found!").await;
}

#[tokio::test]
async fn sender_update_without_code_is_refused() {
    let p = Portal::start().await;
    let request = MessageserviceSenderUpdate::new("").name("x");
    let raw = json!({"NAME": "x"});
    p.expect_refused(&p.app(), request, "CODE", raw, CODE_REQUIRED)
        .await;
}

#[tokio::test]
async fn sender_update_without_anything_to_change_is_refused() {
    let p = Portal::start().await;
    p.add_sender("sms").await;
    let request = MessageserviceSenderUpdate::new("sms");
    let (param, raw) = ("HANDLER|NAME|DESCRIPTION", json!({"CODE": "sms"}));
    p.expect_refused(&p.app(), request, param, raw, NOTHING_TO_UPDATE)
        .await;
}

/// The portal treats "" as not given, so an empty NAME alone is refused with
/// ERROR_SENDER_OTHER_PARAMS_REQUIRED; the client must refuse it before sending, as it refuses
/// the request without NAME.
#[tokio::test]
async fn sender_update_with_only_an_empty_name_is_refused_before_sending() {
    let p = Portal::start().await;
    p.add_sender("sms").await;
    let request = MessageserviceSenderUpdate::new("sms").name("");
    p.expect_invalid(&p.app(), request, "HANDLER|NAME|DESCRIPTION")
        .await;
}

// =============================================================================================
// messageservice.sender.delete
// =============================================================================================

#[tokio::test]
async fn sender_delete_removes_the_provider() {
    let p = Portal::start().await;
    p.add_sender("sms1").await;
    p.add_sender("sms2").await;
    assert!(ok(&p.app(), MessageserviceSenderDelete::new("sms1")).await);
    assert_eq!(p.mock.providers(MAIN_APP), ["sms2"]);
    assert_eq!(p.mock.provider(MAIN_APP, "sms1"), None);
}

#[tokio::test]
async fn sender_delete_of_unknown_provider_is_not_found() {
    let p = Portal::start().await;
    let request = MessageserviceSenderDelete::new("absent");
    let code = MessageserviceSenderDeleteError::ErrorSenderNotFound;
    expect_error(&p.app(), request, code, "Sender not found!").await;
}

#[tokio::test]
async fn sender_delete_code_with_invalid_characters_is_refused() {
    let p = Portal::start().await;
    let (request, raw) = (
        MessageserviceSenderDelete::new("a/b"),
        json!({"CODE": "a/b"}),
    );
    p.expect_refused(&p.app(), request, "CODE", raw, WRONG_CODE)
        .await;
}

#[tokio::test]
async fn sender_delete_without_code_is_refused() {
    let p = Portal::start().await;
    let request = MessageserviceSenderDelete::new("");
    p.expect_refused(&p.app(), request, "CODE", json!({}), EMPTY_CODE)
        .await;
}

// =============================================================================================
// messageservice.sender.list
// =============================================================================================

#[tokio::test]
async fn sender_list_returns_the_applications_codes() {
    let p = Portal::start().await;
    let none = ok(&p.app(), MessageserviceSenderList::new()).await;
    assert!(none.is_empty(), "{none:?}");
    p.add_sender("sms1").await;
    p.add_sender("sms2").await;
    assert!(ok(&p.other_app(), sender("theirs")).await);
    let codes = ok(&p.app(), MessageserviceSenderList::new()).await;
    assert_eq!(codes, ["sms1", "sms2"]);
    assert_eq!(codes, p.mock.providers(MAIN_APP));
}

// =============================================================================================
// messageservice.message.status.update
// =============================================================================================

const STATUS_INCORRECT: Answer = answer(
    "ERROR_MESSAGE_STATUS_INCORRECT",
    "Message status incorrect!",
);

#[tokio::test]
async fn status_update_records_the_statuses() {
    let p = Portal::start().await;
    let id = p.sms("sms").await;
    for status in [MessageStatus::Sent, MessageStatus::Delivered] {
        assert!(ok(&p.app(), status_update("sms", &id, status)).await);
    }
    assert_eq!(p.mock.message_statuses(&id), ["sent", "delivered"]);
}

#[tokio::test]
async fn status_update_of_unknown_message_is_not_found() {
    let p = Portal::start().await;
    p.add_sender("sms").await;
    let request = status_update("sms", "absent", MessageStatus::Failed);
    let code = MessageserviceMessageStatusUpdateError::ErrorMessageNotFound;
    expect_error(&p.app(), request, code, "Message not found!").await;
}

#[tokio::test]
async fn status_update_code_with_invalid_characters_is_refused() {
    let p = Portal::start().await;
    let request = status_update("s m s", "m-1", MessageStatus::Sent);
    let raw = json!({"CODE": "s m s", "MESSAGE_ID": "m-1", "STATUS": "sent"});
    p.expect_refused(&p.app(), request, "CODE", raw, WRONG_CODE)
        .await;
}

#[tokio::test]
async fn status_update_without_code_is_refused() {
    let p = Portal::start().await;
    let request = status_update("", "m-1", MessageStatus::Sent);
    let raw = json!({"MESSAGE_ID": "m-1", "STATUS": "sent"});
    p.expect_refused(&p.app(), request, "CODE", raw, EMPTY_CODE)
        .await;
}

#[tokio::test]
async fn status_update_with_unknown_status_raw() {
    let p = Portal::start().await;
    let id = p.sms("sms").await;
    let raw = json!({"CODE": "sms", "MESSAGE_ID": id, "STATUS": "read"});
    p.expect_raw(
        MessageserviceMessageStatusUpdate::NAME,
        raw,
        STATUS_INCORRECT,
    )
    .await;
    assert!(p.mock.message_statuses(&id).is_empty());
}

// =============================================================================================
// imconnector.register
// =============================================================================================

#[tokio::test]
async fn register_creates_a_connector_that_can_be_activated() {
    let p = Portal::start().await;
    let line = p.mock.add_open_line(true);
    let activate = || ImconnectorActivate::new(CONNECTOR, line, "1");
    // Before registration the application has no such connector to activate.
    assert!(p.app().call(activate()).await.is_err());

    let registered = ok(&p.app(), register(CONNECTOR).chat_group(false)).await;
    assert!(registered.result);
    assert_eq!(registered.error, None);
    assert_eq!(registered.error_description, None);
    assert!(!p.mock.connector_active(MAIN_APP, CONNECTOR, line));
    assert!(ok(&p.app(), activate()).await);
    assert!(p.mock.connector_active(MAIN_APP, CONNECTOR, line));
    assert!(!p.mock.connector_active(OTHER_APP, CONNECTOR, line));
}

#[tokio::test]
async fn register_id_with_a_dot_is_refused_before_sending() {
    let p = Portal::start().await;
    p.expect_invalid(&p.app(), register("my.connector"), "ID")
        .await;
}

#[tokio::test]
async fn register_without_id_name_icon_or_handler_is_refused_before_sending() {
    let p = Portal::start().await;
    let (app, icon) = (p.app(), || ConnectorIcon::new(ICON));
    p.expect_invalid(&app, register(""), "ID").await;
    let no_name = ImconnectorRegister::new(CONNECTOR, "", icon(), PLACEMENT);
    p.expect_invalid(&app, no_name, "NAME").await;
    let no_icon = ImconnectorRegister::new(CONNECTOR, "n", ConnectorIcon::new(""), PLACEMENT);
    p.expect_invalid(&app, no_icon, "ICON.DATA_IMAGE").await;
    let no_handler = ImconnectorRegister::new(CONNECTOR, "n", icon(), "");
    p.expect_invalid(&app, no_handler, "PLACEMENT_HANDLER")
        .await;
}

/// The portal reports registration failures inside a successful answer (HTTP 200,
/// `result: {result: false, error, error_description}`); the client makes them the typed error.
#[tokio::test]
async fn register_failures_inside_the_result_are_typed_errors() {
    let p = Portal::start().await;
    let body = json!({
        "result": {"result": false, "error": "NO_APPLICATION_ID", "error_description": "Failed to get application ID"},
        "time": {"start": 1.0, "finish": 1.1, "duration": 0.1},
    });
    p.mock.inject_fault(
        Some("imconnector.register"),
        Fault::Status {
            status: 200,
            body: body.to_string(),
        },
        1,
    );
    let err = p.app().call(register(CONNECTOR)).await.unwrap_err();
    match &err {
        Error::Method { code, detail } => {
            assert_eq!(*code, ImconnectorRegisterError::NoApplicationId);
            assert_eq!(
                (detail.status, detail.description.as_str()),
                (200, "Failed to get application ID")
            );
        }
        other => panic!("expected the documented error, got {other:?}"),
    }
    // A successful registration is still an output.
    let done = p.app().call(register(CONNECTOR)).await.unwrap();
    assert!(done.result);

    // The mock portal answers a request the client would have refused in the same shape.
    let (status, body) = p
        .raw(
            AuthContext::Application,
            "imconnector.register",
            json!({"NAME": "n", "ICON": {"DATA_IMAGE": ICON}, "PLACEMENT_HANDLER": PLACEMENT}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["result"], json!(false), "{body}");
    assert_eq!(
        body["result"]["error"],
        json!("CONNECTOR_ID_REQUIRED"),
        "{body}"
    );
}

// =============================================================================================
// imconnector.activate
// =============================================================================================

const NO_CONNECTOR: Answer = answer("ERROR_ARGUMENT", "Argument 'CONNECTOR' is null or empty");
const NO_LINE: Answer = answer("ERROR_ARGUMENT", "Argument 'LINE' is null or empty");
const NO_ACTIVE: Answer = answer("ERROR_ARGUMENT", "Argument 'ACTIVE' is null or empty");
const NO_MESSAGES: Answer = answer("ERROR_ARGUMENT", "Argument 'MESSAGES' is null or empty");

#[tokio::test]
async fn activate_switches_the_connector_on_and_off() {
    let p = Portal::start().await;
    p.mock.register_connector(MAIN_APP, CONNECTOR);
    let line = p.mock.add_open_line(true);
    assert!(ok(&p.app(), ImconnectorActivate::new(CONNECTOR, line, "1")).await);
    assert!(p.mock.connector_active(MAIN_APP, CONNECTOR, line));
    assert!(!p.mock.connector_active(MAIN_APP, CONNECTOR, DEFAULT_LINE));
    assert!(ok(&p.app(), ImconnectorActivate::new(CONNECTOR, line, "0")).await);
    assert!(!p.mock.connector_active(MAIN_APP, CONNECTOR, line));
}

#[tokio::test]
async fn activate_without_connector_is_refused() {
    let p = Portal::start().await;
    let request = ImconnectorActivate::new("", DEFAULT_LINE, "1");
    let raw = json!({"LINE": DEFAULT_LINE, "ACTIVE": "1"});
    p.expect_refused(&p.app(), request, "CONNECTOR", raw, NO_CONNECTOR)
        .await;
}

#[tokio::test]
async fn activate_without_active_is_refused() {
    let p = Portal::start().await;
    p.mock.register_connector(MAIN_APP, CONNECTOR);
    let request = ImconnectorActivate::new(CONNECTOR, DEFAULT_LINE, "");
    let raw = json!({"CONNECTOR": CONNECTOR, "LINE": DEFAULT_LINE});
    p.expect_refused(&p.app(), request, "ACTIVE", raw, NO_ACTIVE)
        .await;
    assert!(!p.mock.connector_active(MAIN_APP, CONNECTOR, DEFAULT_LINE));
}

#[tokio::test]
async fn activate_without_line_raw() {
    let p = Portal::start().await;
    let raw = json!({"CONNECTOR": CONNECTOR, "ACTIVE": "1"});
    p.expect_raw(ImconnectorActivate::NAME, raw, NO_LINE).await;
}

// =============================================================================================
// imconnector.send.messages
// =============================================================================================

#[tokio::test]
async fn send_messages_passes_the_message_into_the_open_line() {
    let p = Portal::start().await;
    p.mock.register_connector(MAIN_APP, CONNECTOR);
    let item = SendMessageItem::new(
        SendMessageUser::new(EXT_USER).skip_phone_validate(SendMessageSkipPhoneValidate::Y),
        SendMessageMessage::new()
            .id("m-1")
            .text("Good afternoon")
            .disable_crm(SendMessageDisableCrm::Y),
        SendMessageChat::new(EXT_CHAT)
            .name("Support")
            .url("https://example.com/chats/1"),
    );
    let request = ImconnectorSendMessages::new(CONNECTOR, DEFAULT_LINE, vec![item]);
    let sent = ok(&p.app(), request).await;
    assert!(sent.success);
    let [item] = &sent.data.result[..] else {
        panic!("one result per message: {sent:?}");
    };
    assert!(item.success && item.errors.is_none(), "{item:?}");
    assert!(item.user.is_some_and(|u| u > 0), "{item:?}");
    let message = item.message.as_ref().expect("the message block");
    assert_eq!(message.id.as_deref(), Some("m-1"));
    assert_eq!(message.text.as_deref(), Some("Good afternoon"));
    let chat = item.chat.as_ref().expect("the chat block");
    assert_eq!(chat.id.as_deref(), Some(EXT_CHAT));
    assert_eq!(chat.name.as_deref(), Some("Support"));
    let link = "Link to the original post: https://example.com/chats/1";
    assert_eq!(chat.description.as_deref(), Some(link));
    let extra = item.extra.as_ref().expect("the extra block");
    let flags = (extra.skip_phone_validate, extra.disable_tracker);
    assert_eq!(flags, (Some(true), Some(true)));
    let session = item.session.as_ref().expect("the session block");
    assert!(
        session.id.is_some() && session.chat_id.is_some(),
        "{session:?}"
    );

    assert_eq!(p.stored("m-1"), Some(Some("Good afternoon".to_owned())));
}

#[tokio::test]
async fn send_messages_on_an_inactive_line_is_not_active_line() {
    let p = Portal::start().await;
    p.mock.register_connector(MAIN_APP, CONNECTOR);
    let line = p.mock.add_open_line(false);
    let code = ImconnectorSendMessagesError::NotActiveLine;
    let description = "The line with this ID is inactive or does not exist";
    expect_error(&p.app(), send_messages(line, "m-1"), code, description).await;
    let stored = p
        .mock
        .connector_message(MAIN_APP, CONNECTOR, line, EXT_CHAT, "m-1");
    assert_eq!(stored, None);
}

#[tokio::test]
async fn send_messages_through_an_unregistered_connector_has_no_provider() {
    let p = Portal::start().await;
    let request = send_messages(DEFAULT_LINE, "m-1");
    let code = ImconnectorSendMessagesError::ImconnectorNoCorrectProvider;
    let description = "Failed to find a suitable provider for the connector";
    expect_error(&p.app(), request, code, description).await;
    assert_eq!(p.stored("m-1"), None);
}

#[tokio::test]
async fn send_messages_without_connector_is_refused() {
    let p = Portal::start().await;
    let request = ImconnectorSendMessages::new("", DEFAULT_LINE, vec![send_item("m-1", "Hi")]);
    let raw = without(raw_messages(), "CONNECTOR");
    p.expect_refused(&p.app(), request, "CONNECTOR", raw, NO_CONNECTOR)
        .await;
}

#[tokio::test]
async fn send_messages_without_messages_is_refused() {
    let p = Portal::start().await;
    let request = ImconnectorSendMessages::new(CONNECTOR, DEFAULT_LINE, Vec::new());
    let raw = without(raw_messages(), "MESSAGES");
    p.expect_refused(&p.app(), request, "MESSAGES", raw, NO_MESSAGES)
        .await;
}

#[tokio::test]
async fn send_messages_without_line_raw() {
    let p = Portal::start().await;
    let raw = without(raw_messages(), "LINE");
    p.expect_raw(ImconnectorSendMessages::NAME, raw, NO_LINE)
        .await;
}

/// The three documented answers to a malformed MESSAGES, each given where its `when` path
/// points: the value, an item, a member of an item.
#[tokio::test]
async fn send_messages_malformed_messages_raw() {
    let p = Portal::start().await;
    let cases = [
        (
            json!("not a list"),
            "The value of an argument 'MESSAGES' must be of type array",
        ),
        (
            json!([5]),
            "The MESSAGES parameter must be an array of messages (arrays)",
        ),
        (
            json!([{"user": {"id": "u-1"}, "message": {"id": "m-1", "text": "Hi"}}]),
            "The incorrect structure of a message inside MESSAGES parameter",
        ),
    ];
    for (messages, description) in cases {
        let mut raw = raw_messages();
        raw["MESSAGES"] = messages;
        let expected = answer("ERROR_ARGUMENT", description);
        p.expect_raw(ImconnectorSendMessages::NAME, raw, expected)
            .await;
    }
}

// =============================================================================================
// imconnector.update.messages
// =============================================================================================

#[tokio::test]
async fn update_messages_changes_the_stored_message() {
    let p = Portal::start().await;
    p.connector_message("m-1", "Hello").await;
    let updated = ok(&p.app(), update_messages(DEFAULT_LINE, "m-1")).await;
    assert!(updated.success);
    let [item] = &updated.data.result[..] else {
        panic!("one result per message: {updated:?}");
    };
    assert!(item.success, "{item:?}");
    let message = item.message.as_ref().expect("the message block");
    assert_eq!(message.id.as_deref(), Some("m-1"));
    assert_eq!(message.text.as_deref(), Some("Edited"));
    let chat = item.chat.as_ref().expect("the chat block");
    assert_eq!(chat.id.as_deref(), Some(EXT_CHAT));
    assert_eq!(p.stored("m-1"), Some(Some("Edited".to_owned())));
}

#[tokio::test]
async fn update_messages_of_an_unknown_message_fails_that_item() {
    let p = Portal::start().await;
    p.connector_message("m-1", "Hello").await;
    let updated = ok(&p.app(), update_messages(DEFAULT_LINE, "m-2")).await;
    let [item] = &updated.data.result[..] else {
        panic!("one result per message: {updated:?}");
    };
    assert!(!item.success, "{item:?}");
    assert!(
        item.errors.as_ref().is_some_and(|e| !e.is_empty()),
        "{item:?}"
    );
    assert_eq!(p.stored("m-2"), None);
    assert_eq!(p.stored("m-1"), Some(Some("Hello".to_owned())));
}

#[tokio::test]
async fn update_messages_on_an_inactive_line_is_not_active_line() {
    let p = Portal::start().await;
    p.mock.register_connector(MAIN_APP, CONNECTOR);
    let line = p.mock.add_open_line(false);
    let code = ImconnectorUpdateMessagesError::NotActiveLine;
    let description = "The line with this ID is inactive or does not exist";
    expect_error(&p.app(), update_messages(line, "m-1"), code, description).await;
}

#[tokio::test]
async fn update_messages_through_an_unregistered_connector_has_no_provider() {
    let p = Portal::start().await;
    let request = update_messages(DEFAULT_LINE, "m-1");
    let code = ImconnectorUpdateMessagesError::ImconnectorNoCorrectProvider;
    let description = "Failed to find a suitable provider for the connector";
    expect_error(&p.app(), request, code, description).await;
}

#[tokio::test]
async fn update_messages_without_connector_is_refused() {
    let p = Portal::start().await;
    let items = vec![update_item("m-1", "x")];
    let request = ImconnectorUpdateMessages::new("", DEFAULT_LINE, items);
    let raw = without(raw_messages(), "CONNECTOR");
    p.expect_refused(&p.app(), request, "CONNECTOR", raw, NO_CONNECTOR)
        .await;
}

#[tokio::test]
async fn update_messages_without_messages_is_refused() {
    let p = Portal::start().await;
    let request = ImconnectorUpdateMessages::new(CONNECTOR, DEFAULT_LINE, Vec::new());
    let raw = without(raw_messages(), "MESSAGES");
    p.expect_refused(&p.app(), request, "MESSAGES", raw, NO_MESSAGES)
        .await;
}

/// "Pass either `text` or `files`": a rule inside each item's `message`, checked by the client
/// and by the portal.
#[tokio::test]
async fn update_messages_needs_a_text_or_files() {
    let p = Portal::start().await;
    let item = UpdateMessageItem::new(
        UpdateMessageUser::new(EXT_USER),
        UpdateMessageMessage::new().id("m-1"),
        UpdateMessageChat::new(EXT_CHAT),
    );
    let request = ImconnectorUpdateMessages::new(CONNECTOR, DEFAULT_LINE, vec![item]);
    p.expect_invalid(&p.app(), request, "MESSAGES[0].message.text|files")
        .await;
    // The page documents no answer of its own for it: the portal's generic argument error.
    let mut raw = raw_messages();
    raw["MESSAGES"][0]["message"] = json!({"id": "m-1"});
    let got = p
        .raw(
            AuthContext::Application,
            ImconnectorUpdateMessages::NAME,
            raw,
        )
        .await;
    let why = "`MESSAGES[0].message`: give at least one of text, files";
    let expected = json!({"error": "ERROR_ARGUMENT", "error_description": why});
    assert_eq!(got, (400, expected));
}

#[tokio::test]
async fn update_messages_without_line_raw() {
    let p = Portal::start().await;
    let raw = without(raw_messages(), "LINE");
    p.expect_raw(ImconnectorUpdateMessages::NAME, raw, NO_LINE)
        .await;
}

// =============================================================================================
// imconnector.delete.messages
// =============================================================================================

#[tokio::test]
async fn delete_messages_removes_the_stored_message() {
    let p = Portal::start().await;
    p.connector_message("m-1", "Hello").await;
    p.connector_message("m-2", "Again").await;
    let deleted = ok(&p.app(), delete_messages(DEFAULT_LINE, "m-1")).await;
    assert!(deleted.success);
    let [item] = &deleted.data.result[..] else {
        panic!("one result per message: {deleted:?}");
    };
    assert!(item.success, "{item:?}");
    assert!(item.user.is_some_and(|u| u > 0), "{item:?}");
    let message = item.message.as_ref().expect("the message block");
    assert_eq!(message.id.as_deref(), Some("m-1"));
    let chat = item.chat.as_ref().expect("the chat block");
    assert_eq!(chat.id.as_deref(), Some(EXT_CHAT));
    assert_eq!(p.stored("m-1"), None);
    assert_eq!(p.stored("m-2"), Some(Some("Again".to_owned())));
}

#[tokio::test]
async fn delete_messages_on_an_inactive_line_is_not_active_line() {
    let p = Portal::start().await;
    p.connector_message("m-1", "Hello").await;
    let line = p.mock.add_open_line(false);
    let code = ImconnectorDeleteMessagesError::NotActiveLine;
    let description = "Line with such ID is inactive or does not exist";
    expect_error(&p.app(), delete_messages(line, "m-1"), code, description).await;
    assert_eq!(p.stored("m-1"), Some(Some("Hello".to_owned())));
}

#[tokio::test]
async fn delete_messages_through_an_unregistered_connector_has_no_provider() {
    let p = Portal::start().await;
    let request = delete_messages(DEFAULT_LINE, "m-1");
    let code = ImconnectorDeleteMessagesError::ImconnectorNoCorrectProvider;
    let description = "Could not find a suitable provider for the connector";
    expect_error(&p.app(), request, code, description).await;
}

#[tokio::test]
async fn delete_messages_without_connector_is_refused() {
    let p = Portal::start().await;
    let request = ImconnectorDeleteMessages::new("", DEFAULT_LINE, vec![delete_item("m-1")]);
    let raw = without(raw_messages(), "CONNECTOR");
    p.expect_refused(&p.app(), request, "CONNECTOR", raw, NO_CONNECTOR)
        .await;
}

#[tokio::test]
async fn delete_messages_without_messages_is_refused() {
    let p = Portal::start().await;
    let request = ImconnectorDeleteMessages::new(CONNECTOR, DEFAULT_LINE, Vec::new());
    let raw = without(raw_messages(), "MESSAGES");
    p.expect_refused(&p.app(), request, "MESSAGES", raw, NO_MESSAGES)
        .await;
}

#[tokio::test]
async fn delete_messages_without_line_raw() {
    let p = Portal::start().await;
    let raw = without(raw_messages(), "LINE");
    p.expect_raw(ImconnectorDeleteMessages::NAME, raw, NO_LINE)
        .await;
}

// =============================================================================================
// imbot.v2.Chat.Message.send
// =============================================================================================

const NO_BOT_ID: Answer = answer("BOT_ID_REQUIRED", "Bot ID is required");
const NO_BOT_TOKEN: Answer = answer("BOT_TOKEN_NOT_SPECIFIED", "Bot token is not specified");
const OWNED_ELSEWHERE: &str = "Bot is registered by another application";
const UNKNOWN_BOT: i64 = 999_999;

#[tokio::test]
async fn bot_send_posts_the_message() {
    let p = Portal::start().await;
    let b = BotChat::new(&p.mock);
    let sent = ok(&p.app(), b.send("Hello")).await;
    let forwarded = sent.uuid_map.as_ref().is_some_and(|m| !m.is_empty());
    assert!(!forwarded, "{sent:?}");
    assert_eq!(p.mock.message_text(sent.id).as_deref(), Some("Hello"));
    assert_eq!(p.mock.message_author(sent.id), Some(b.bot));
    assert_eq!(p.mock.chat_messages(b.chat), [sent.id]);
}

#[tokio::test]
async fn bot_send_forwards_messages_and_maps_their_uuids() {
    let p = Portal::start().await;
    let b = BotChat::new(&p.mock);
    let original = p.mock.post_message(b.chat, ADMIN_USER_ID);
    let uuid = "6f1c2a34-0000-4000-8000-000000000001".to_owned();
    let forward = BTreeMap::from([(uuid.clone(), original)]);
    let fields = ChatMessageSendFields::new().forward_ids(forward);
    let request = ImbotV2ChatMessageSend::new(b.bot, b.dialog()).fields(fields);
    let sent = ok(&p.app(), request).await;
    let copy = sent.uuid_map.as_ref().and_then(|m| m.get(&uuid).copied());
    assert_eq!(copy, Some(sent.id), "{sent:?}");
    assert_ne!(sent.id, original);
    assert_eq!(p.mock.message_text(sent.id), p.mock.message_text(original));
    assert_eq!(p.mock.message_author(sent.id), Some(b.bot));
}

#[tokio::test]
async fn bot_send_forward_ids_are_at_most_100_uuids() {
    let p = Portal::start().await;
    let b = BotChat::new(&p.mock);
    let original = p.mock.post_message(b.chat, ADMIN_USER_ID);
    let send = |forward: BTreeMap<String, i64>| {
        let fields = ChatMessageSendFields::new().forward_ids(forward);
        ImbotV2ChatMessageSend::new(b.bot, b.dialog()).fields(fields)
    };
    let not_a_uuid = BTreeMap::from([("u-1".to_owned(), original)]);
    p.expect_invalid(&p.app(), send(not_a_uuid), "fields.forwardIds")
        .await;
    let many = (0..101)
        .map(|i| (format!("6f1c2a34-0000-4000-8000-{i:012}"), original))
        .collect();
    p.expect_invalid(&p.app(), send(many), "fields.forwardIds")
        .await;
    let hundred = (0..100)
        .map(|i| (format!("6f1c2a34-0000-4000-8000-{i:012}"), original))
        .collect();
    let sent = ok(&p.app(), send(hundred)).await;
    assert_eq!(sent.uuid_map.map(|m| m.len()), Some(100));
}

#[tokio::test]
async fn bot_send_without_content_is_empty_message() {
    let p = Portal::start().await;
    let b = BotChat::new(&p.mock);
    let request = ImbotV2ChatMessageSend::new(b.bot, b.dialog());
    let code = ImbotV2ChatMessageSendError::EmptyMessage;
    expect_error(&p.app(), request, code, "Message is empty").await;
    assert!(p.mock.chat_messages(b.chat).is_empty());
}

#[tokio::test]
async fn bot_send_forwarding_only_unknown_messages_is_sending_failed() {
    let p = Portal::start().await;
    let b = BotChat::new(&p.mock);
    let uuid = "6f1c2a34-0000-4000-8000-000000000002".to_owned();
    let fields = ChatMessageSendFields::new().forward_ids(BTreeMap::from([(uuid, 999_999)]));
    let request = ImbotV2ChatMessageSend::new(b.bot, b.dialog()).fields(fields);
    let code = ImbotV2ChatMessageSendError::SendingFailed;
    expect_error(&p.app(), request, code, "Sending failed").await;
    assert!(p.mock.chat_messages(b.chat).is_empty());
}

#[tokio::test]
async fn bot_send_to_a_chat_it_is_not_in_is_access_denied() {
    let p = Portal::start().await;
    let b = BotChat::new(&p.mock);
    assert!(p.mock.remove_chat_member(b.chat, b.bot));
    let code = ImbotV2ChatMessageSendError::AccessDenied;
    expect_error(&p.app(), b.send("Hello"), code, "Access denied").await;
    assert!(p.mock.chat_messages(b.chat).is_empty());
}

#[tokio::test]
async fn bot_send_as_unknown_bot_is_bot_not_found() {
    let p = Portal::start().await;
    let b = BotChat::new(&p.mock);
    let request = BotChat {
        bot: UNKNOWN_BOT,
        ..b
    }
    .send("Hello");
    let code = ImbotV2ChatMessageSendError::BotNotFound;
    expect_error(&p.app(), request, code, "Bot not found").await;
}

#[tokio::test]
async fn bot_send_without_bot_id_raw() {
    let p = Portal::start().await;
    let b = BotChat::new(&p.mock);
    let raw = without(b.raw_send(), "botId");
    p.expect_raw(ImbotV2ChatMessageSend::NAME, raw, NO_BOT_ID)
        .await;
}

// =============================================================================================
// imbot.v2.Chat.Message.update
// =============================================================================================

#[tokio::test]
async fn bot_update_changes_its_message() {
    let p = Portal::start().await;
    let b = BotChat::new(&p.mock);
    let id = p.mock.post_message(b.chat, b.bot);
    assert!(ok(&p.app(), b.update(id, "Edited")).await.result);
    assert_eq!(p.mock.message_text(id).as_deref(), Some("Edited"));
}

/// The keyboard is a list of buttons or `"N"` (`one_of`): either shape is sent as the page
/// shows it, and the portal takes both.
#[tokio::test]
async fn bot_update_sets_or_removes_the_keyboard() {
    let p = Portal::start().await;
    let b = BotChat::new(&p.mock);
    let id = p.mock.post_message(b.chat, b.bot);
    let mut button = KeyboardButton::default();
    button.text = Some("Yes".into());
    button.command = Some("yes".into());
    for keyboard in [
        KeyboardUpdate::Buttons(vec![button.clone()]),
        KeyboardUpdate::Remove(KeyboardRemoval::N),
    ] {
        let fields = ChatMessageUpdateFields::new().keyboard(keyboard.clone());
        let request = ImbotV2ChatMessageUpdate::new(b.bot, id, fields);
        let sent = serde_json::to_value(&request).unwrap();
        let expected = match keyboard {
            KeyboardUpdate::Remove(_) => json!("N"),
            _ => json!([{"TEXT": "Yes", "COMMAND": "yes"}]),
        };
        assert_eq!(sent["fields"]["keyboard"], expected);
        assert!(ok(&p.app(), request).await.result);
    }
}

/// `attach` and `keyboard` may come as JSON text (`json_string`): the portal reads the text as
/// the value it encodes, and refuses a text that encodes neither form as it refuses the value.
#[tokio::test]
async fn bot_send_reads_attach_and_keyboard_given_as_json_text() {
    let p = Portal::start().await;
    let b = BotChat::new(&p.mock);
    let method = "imbot.v2.Chat.Message.send";
    let attach = json!({"ID": 1, "COLOR_TOKEN": "primary", "BLOCKS": [{"MESSAGE": "Hi"}]});
    let keyboard = json!([{"TEXT": "Open", "LINK": "https://example.com"}]);
    let mut params = b.raw_send();
    params["fields"]["attach"] = json!(attach.to_string());
    params["fields"]["keyboard"] = json!(keyboard.to_string());
    let (status, answer) = p.raw(AuthContext::Application, method, params).await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer["result"]["id"].as_i64().is_some(), "{answer}");

    // The full form without its `BLOCKS`, as text and as the value: the same refusal.
    for attach in [json!(json!({"ID": 1}).to_string()), json!({"ID": 1})] {
        let mut params = b.raw_send();
        params["fields"]["attach"] = attach;
        let (status, answer) = p.raw(AuthContext::Application, method, params).await;
        // The one error the page documents for a `fields` the portal refuses.
        assert_eq!(
            (status, &answer["error"]),
            (400, &json!("EMPTY_MESSAGE")),
            "{answer}"
        );
    }

    // The typed client sends the value itself.
    let mut button = KeyboardButton::default();
    button.text = Some("Open".into());
    button.link = Some("https://example.com".into());
    let fields = ChatMessageSendFields::new()
        .message("Hi")
        .keyboard(ChatMessageSendKeyboard::Buttons(vec![button]));
    let request = ImbotV2ChatMessageSend::new(b.bot, b.dialog()).fields(fields);
    assert_eq!(
        serde_json::to_value(&request).unwrap()["fields"]["keyboard"],
        keyboard
    );
    assert!(ok(&p.app(), request).await.id > 0);
}

#[tokio::test]
async fn bot_update_of_a_message_not_its_own_is_access_denied() {
    let p = Portal::start().await;
    let b = BotChat::new(&p.mock);
    let theirs = p.mock.post_message(b.chat, ADMIN_USER_ID);
    let before = p.mock.message_text(theirs);
    let code = ImbotV2ChatMessageUpdateError::AccessDenied;
    expect_error(&p.app(), b.update(theirs, "Edited"), code, "Access denied").await;
    assert_eq!(p.mock.message_text(theirs), before);
}

#[tokio::test]
async fn bot_update_as_unknown_bot_is_bot_not_found() {
    let p = Portal::start().await;
    let b = BotChat::new(&p.mock);
    let id = p.mock.post_message(b.chat, b.bot);
    let request = BotChat {
        bot: UNKNOWN_BOT,
        ..b
    }
    .update(id, "Edited");
    let code = ImbotV2ChatMessageUpdateError::BotNotFound;
    expect_error(&p.app(), request, code, "Bot not found").await;
}

#[tokio::test]
async fn bot_update_without_bot_id_raw() {
    let p = Portal::start().await;
    let b = BotChat::new(&p.mock);
    let id = p.mock.post_message(b.chat, b.bot);
    let raw = without(b.raw_update(id), "botId");
    p.expect_raw(ImbotV2ChatMessageUpdate::NAME, raw, NO_BOT_ID)
        .await;
}

// =============================================================================================
// imbot.v2.Chat.Message.delete
// =============================================================================================

#[tokio::test]
async fn bot_delete_removes_its_message() {
    let p = Portal::start().await;
    let b = BotChat::new(&p.mock);
    let id = ok(&p.app(), b.send("Hello")).await.id;
    assert!(ok(&p.app(), b.delete(id).complete(true)).await.result);
    assert!(!p.mock.message_exists(id));
}

#[tokio::test]
async fn bot_delete_of_a_missing_message_is_access_denied() {
    let p = Portal::start().await;
    let b = BotChat::new(&p.mock);
    let code = ImbotV2ChatMessageDeleteError::AccessDenied;
    expect_error(&p.app(), b.delete(999_999), code, "Access denied").await;
}

#[tokio::test]
async fn bot_delete_as_unknown_bot_is_bot_not_found() {
    let p = Portal::start().await;
    let b = BotChat::new(&p.mock);
    let id = p.mock.post_message(b.chat, b.bot);
    let request = ImbotV2ChatMessageDelete::new(UNKNOWN_BOT, id);
    let code = ImbotV2ChatMessageDeleteError::BotNotFound;
    expect_error(&p.app(), request, code, "Bot not found").await;
    assert!(p.mock.message_exists(id));
}

#[tokio::test]
async fn bot_delete_without_bot_id_raw() {
    let p = Portal::start().await;
    let b = BotChat::new(&p.mock);
    let id = p.mock.post_message(b.chat, b.bot);
    let raw = without(b.raw_delete(id), "botId");
    p.expect_raw(ImbotV2ChatMessageDelete::NAME, raw, NO_BOT_ID)
        .await;
    assert!(p.mock.message_exists(id));
}

// =============================================================================================
// Auth layers
// =============================================================================================

const APP_CONTEXT_REQUIRED: &str = "Application context required";
const ADMIN_ONLY: &str = "Access denied!";
const WRONG_AUTH_TYPE: &str =
    "Current authorization type is denied for this method Application context required";

#[tokio::test]
async fn webhook_gets_application_context_required_from_messageservice() {
    let p = Portal::start().await;
    let id = p.sms("sms").await;
    let hook = p.webhook();
    let code = MessageserviceSenderAddError::AccessDenied;
    expect_error(&hook, sender("hooked"), code, APP_CONTEXT_REQUIRED).await;
    let request = MessageserviceSenderUpdate::new("sms").name("Hooked");
    let code = MessageserviceSenderUpdateError::AccessDenied;
    expect_error(&hook, request, code, APP_CONTEXT_REQUIRED).await;
    let request = MessageserviceSenderDelete::new("sms");
    let code = MessageserviceSenderDeleteError::AccessDenied;
    expect_error(&hook, request, code, APP_CONTEXT_REQUIRED).await;
    let code = MessageserviceSenderListError::AccessDenied;
    expect_error(
        &hook,
        MessageserviceSenderList::new(),
        code,
        APP_CONTEXT_REQUIRED,
    )
    .await;
    let request = status_update("sms", &id, MessageStatus::Sent);
    let code = MessageserviceMessageStatusUpdateError::AccessDenied;
    expect_error(&hook, request, code, APP_CONTEXT_REQUIRED).await;

    assert_eq!(p.mock.providers(MAIN_APP), ["sms"]);
    let stored = p.mock.provider(MAIN_APP, "sms").expect("stored");
    assert_eq!(stored["NAME"], sender_name());
    assert!(p.mock.message_statuses(&id).is_empty());
}

#[tokio::test]
async fn webhook_gets_wrong_auth_type_from_imconnector() {
    let p = Portal::start().await;
    let (hook, line) = (p.webhook(), DEFAULT_LINE);
    let code = ImconnectorRegisterError::WrongAuthType;
    expect_error(&hook, register(CONNECTOR), code, WRONG_AUTH_TYPE).await;
    let request = ImconnectorActivate::new(CONNECTOR, line, "1");
    let code = ImconnectorActivateError::WrongAuthType;
    expect_error(&hook, request, code, WRONG_AUTH_TYPE).await;
    let code = ImconnectorSendMessagesError::WrongAuthType;
    expect_error(&hook, send_messages(line, "m-1"), code, WRONG_AUTH_TYPE).await;
    let code = ImconnectorUpdateMessagesError::WrongAuthType;
    expect_error(&hook, update_messages(line, "m-1"), code, WRONG_AUTH_TYPE).await;
    let code = ImconnectorDeleteMessagesError::WrongAuthType;
    expect_error(&hook, delete_messages(line, "m-1"), code, WRONG_AUTH_TYPE).await;
    assert!(!p.mock.connector_active(MAIN_APP, CONNECTOR, line));
    assert_eq!(p.stored("m-1"), None);
}

/// The answer must be the system error NO_AUTH_FOUND, as the system errors page words it.
#[track_caller]
fn assert_no_auth<E: MethodError>(result: Result<(), Error<E>>) {
    let (status, description) = (401, "Wrong authorization data");
    let documented = bitrix_spec::SYSTEM_ERRORS.contains(&("NO_AUTH_FOUND", status, description));
    assert!(documented, "the system errors page documents NO_AUTH_FOUND");
    match result {
        Err(Error::System {
            code: SystemError::NoAuthFound,
            detail,
        }) => {
            assert_eq!(detail.code, "NO_AUTH_FOUND");
            assert_eq!(detail.status, status, "{detail}");
            assert_eq!(detail.description, description, "{detail}");
        }
        other => panic!("expected NO_AUTH_FOUND, got {other:?}"),
    }
}

#[tokio::test]
async fn bad_credentials_are_no_auth_found() {
    let p = Portal::start().await;
    let b = BotChat::new(&p.mock);
    let forged = "0123456789abcdef0123456789abcdef";
    let url = format!(
        "{}/rest/{ADMIN_USER_ID}/{}/",
        p.mock.base_url(),
        &forged[..16]
    );
    let forged_hook = Client::from_webhook(&url).expect("a valid webhook client");
    for client in [p.token_client(forged.to_owned()), forged_hook] {
        let list = client.call(MessageserviceSenderList::new()).await;
        assert_no_auth(list.map(drop));
        let activate = ImconnectorActivate::new(CONNECTOR, DEFAULT_LINE, "1");
        assert_no_auth(client.call(activate).await.map(drop));
        let send = b.send("Hello").bot_token(b.token.as_str());
        assert_no_auth(client.call(send).await.map(drop));
    }
    assert!(p.mock.chat_messages(b.chat).is_empty());
}

#[tokio::test]
async fn non_admin_gets_access_denied_from_sender_methods() {
    let p = Portal::start().await;
    p.add_sender("sms").await;
    let user = p.user();
    let code = MessageserviceSenderAddError::AccessDenied;
    expect_error(&user, sender("mine"), code, ADMIN_ONLY).await;
    let request = MessageserviceSenderUpdate::new("sms").name("Mine");
    let code = MessageserviceSenderUpdateError::AccessDenied;
    expect_error(&user, request, code, ADMIN_ONLY).await;
    let request = MessageserviceSenderDelete::new("sms");
    let code = MessageserviceSenderDeleteError::AccessDenied;
    expect_error(&user, request, code, ADMIN_ONLY).await;
    let code = MessageserviceSenderListError::AccessDenied;
    expect_error(&user, MessageserviceSenderList::new(), code, ADMIN_ONLY).await;

    assert_eq!(p.mock.providers(MAIN_APP), ["sms"]);
    let stored = p.mock.provider(MAIN_APP, "sms").expect("stored");
    assert_eq!(stored["NAME"], sender_name());
}

#[tokio::test]
async fn non_admin_cannot_report_the_status_of_another_users_message() {
    let p = Portal::start().await;
    let id = p.sms("sms").await;
    let request = status_update("sms", &id, MessageStatus::Sent);
    let code = MessageserviceMessageStatusUpdateError::AccessDenied;
    expect_error(&p.user(), request, code, ADMIN_ONLY).await;
    assert!(p.mock.message_statuses(&id).is_empty());
}

#[tokio::test]
async fn webhook_bot_call_without_bot_token_is_refused_before_sending() {
    let p = Portal::start().await;
    let b = BotChat::new(&p.mock);
    let id = p.mock.post_message(b.chat, b.bot);
    let hook = p.webhook();
    p.expect_invalid(&hook, b.send("Hello"), "botToken").await;
    p.expect_invalid(&hook, b.update(id, "Edited"), "botToken")
        .await;
    p.expect_invalid(&hook, b.delete(id), "botToken").await;
    assert!(p.mock.message_exists(id));
}

#[tokio::test]
async fn webhook_bot_call_without_bot_token_raw_is_bot_token_not_specified() {
    let p = Portal::start().await;
    let b = BotChat::new(&p.mock);
    let id = p.mock.post_message(b.chat, b.bot);
    let calls = [
        (ImbotV2ChatMessageSend::NAME, b.raw_send()),
        (ImbotV2ChatMessageUpdate::NAME, b.raw_update(id)),
        (ImbotV2ChatMessageDelete::NAME, b.raw_delete(id)),
    ];
    for (method, raw) in calls {
        p.expect_raw_in(AuthContext::Webhook, method, raw, NO_BOT_TOKEN)
            .await;
    }
    assert!(p.mock.message_exists(id));
    assert_eq!(p.mock.chat_messages(b.chat), [id]);
}

/// The portal treats an empty botToken as not given (BOT_TOKEN_NOT_SPECIFIED), so under a
/// webhook the client must refuse it before sending, as it refuses a missing one.
#[tokio::test]
async fn webhook_bot_call_with_an_empty_bot_token_is_refused_before_sending() {
    let p = Portal::start().await;
    let b = BotChat::new(&p.mock);
    let request = b.send("Hello").bot_token("");
    p.expect_invalid(&p.webhook(), request, "botToken").await;
}

#[tokio::test]
async fn webhook_bot_calls_with_the_bot_token_succeed() {
    let p = Portal::start().await;
    let b = BotChat::new(&p.mock);
    let (hook, token) = (p.webhook(), b.token.as_str());
    let id = ok(&hook, b.send("Hello").bot_token(token)).await.id;
    assert_eq!(p.mock.message_author(id), Some(b.bot));
    assert!(
        ok(&hook, b.update(id, "Edited").bot_token(token))
            .await
            .result
    );
    assert_eq!(p.mock.message_text(id).as_deref(), Some("Edited"));
    assert!(ok(&hook, b.delete(id).bot_token(token)).await.result);
    assert!(!p.mock.message_exists(id));
}

#[tokio::test]
async fn bot_of_another_application_is_ownership_error() {
    let p = Portal::start().await;
    let b = BotChat::new(&p.mock);
    let (bot, token) = p.mock.other_app_bot();
    let id = p.mock.post_message(b.chat, bot);
    let theirs = BotChat { bot, token, ..b };
    let app = p.app();
    let code = ImbotV2ChatMessageSendError::BotOwnershipError;
    expect_error(&app, theirs.send("Hello"), code, OWNED_ELSEWHERE).await;
    let code = ImbotV2ChatMessageUpdateError::BotOwnershipError;
    expect_error(&app, theirs.update(id, "Edited"), code, OWNED_ELSEWHERE).await;
    let code = ImbotV2ChatMessageDeleteError::BotOwnershipError;
    expect_error(&app, theirs.delete(id), code, OWNED_ELSEWHERE).await;
    // Under a webhook the token names the owner: another bot's token proves nothing.
    let (mine, _) = p.mock.bot();
    let request = ImbotV2ChatMessageDelete::new(mine, id).bot_token(theirs.token.as_str());
    expect_error(&p.webhook(), request, code, OWNED_ELSEWHERE).await;
    assert_eq!(p.mock.chat_messages(theirs.chat), [id]);
    assert_eq!(p.mock.message_text(id), Some(format!("Message from {bot}")));
}

#[tokio::test]
async fn bot_deletes_another_authors_message_only_as_chat_admin() {
    let p = Portal::start().await;
    let b = BotChat::new(&p.mock);
    let theirs = p.mock.post_message(b.chat, ADMIN_USER_ID);
    let code = ImbotV2ChatMessageDeleteError::AccessDenied;
    expect_error(&p.app(), b.delete(theirs), code, "Access denied").await;
    assert!(p.mock.message_exists(theirs));

    assert!(p.mock.make_chat_admin(b.chat, b.bot));
    assert!(ok(&p.app(), b.delete(theirs)).await.result);
    assert!(!p.mock.message_exists(theirs));
}

// =============================================================================================
// The `time` block
// =============================================================================================

#[tokio::test]
async fn call_with_time_returns_the_time_block() {
    let p = Portal::start().await;
    p.add_sender("sms").await;
    let reply = p
        .app()
        .call_with_time(MessageserviceSenderList::new())
        .await;
    let reply = reply.expect("the call succeeds");
    assert_eq!(reply.result, ["sms"]);
    let time = reply.time.expect("a time block");
    assert!(time.duration.is_some_and(|d| d >= 0.0), "{time:?}");
    let (start, finish) = (time.start.expect("start"), time.finish.expect("finish"));
    assert!(start > 0.0 && finish >= start, "{time:?}");
    assert!(
        time.operating_reset_at.is_some_and(|r| r >= start),
        "{time:?}"
    );
    assert!(
        time.date_start.is_some() && time.date_finish.is_some(),
        "{time:?}"
    );
}

// =============================================================================================
// Secrets never show
// =============================================================================================

/// Which layer an error is expected from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layer {
    Validation,
    Method,
    System,
    Transport,
}

/// The Debug and Display of the error `result` must hold, after checking its layer.
fn rendered<T: Debug, E: MethodError>(result: Result<T, Error<E>>, layer: Layer) -> [String; 2] {
    let error = result.expect_err("the call fails");
    let got = match &error {
        Error::Validation(_) => Layer::Validation,
        Error::Method { .. } => Layer::Method,
        Error::System { .. } => Layer::System,
        Error::Transport(_) => Layer::Transport,
        other => panic!("expected a {layer:?} error, got {other:?}"),
    };
    assert_eq!(got, layer, "{error:?}");
    [format!("{error:?}"), error.to_string()]
}

/// A client with working credentials, one whose credentials the portal refuses, and one pointed
/// at a closed port with the working credentials (retrying once).
struct Clients {
    working: Client,
    refused: Client,
    unreachable: Client,
}

impl Clients {
    /// Provokes an error of each layer with requests that carry `bot_token` where one can;
    /// returns the Debug of the clients and requests and the Debug and Display of every error.
    async fn provoke(&self, bot: i64, bot_token: &str) -> Vec<String> {
        let delete = || ImbotV2ChatMessageDelete::new(bot, 999_999).bot_token(bot_token);
        let send = ImbotV2ChatMessageSend::new(bot, "").bot_token(bot_token);
        let mut shown = vec![
            format!("{:?}", self.working),
            format!("{:?}", self.refused),
            format!("{:?}", self.unreachable),
            format!("{:?}", delete()),
            format!("{send:?}"),
        ];
        let (working, bad_code) = (
            &self.working,
            MessageserviceSenderDelete::new("not a code!"),
        );
        let absent = MessageserviceSenderDelete::new("absent");
        let errors = [
            rendered(working.call(bad_code).await, Layer::Validation),
            rendered(working.call(send).await, Layer::Validation),
            rendered(working.call(delete()).await, Layer::Method),
            rendered(working.call(absent).await, Layer::Method),
            rendered(self.refused.call(delete()).await, Layer::System),
            rendered(self.unreachable.call(delete()).await, Layer::Transport),
            rendered(
                self.unreachable.call(MessageserviceSenderList::new()).await,
                Layer::Transport,
            ),
        ];
        shown.extend(errors.into_iter().flatten());
        shown
    }
}

/// Captures what a fmt subscriber at TRACE level writes on this thread while it lives (the
/// tests run on a current-thread runtime, so the client, the HTTP stack and the mock all trace
/// here).
struct Traces {
    buffer: Arc<Mutex<Vec<u8>>>,
    _guard: tracing::subscriber::DefaultGuard,
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl io::Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let mut buffer = self.0.lock().unwrap_or_else(|e| e.into_inner());
        buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Traces {
    fn capture() -> Traces {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&buffer);
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
            .with_writer(move || Sink(Arc::clone(&sink)))
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        Traces { buffer, _guard }
    }

    /// What was traced; it must not be empty, or the test could not fail.
    fn text(&self) -> String {
        let buffer = self.buffer.lock().unwrap_or_else(|e| e.into_inner());
        let text = String::from_utf8_lossy(&buffer).into_owned();
        assert!(!text.is_empty(), "nothing was traced");
        text
    }
}

#[track_caller]
fn assert_hidden(secrets: &[&str], shown: &[String]) {
    for secret in secrets {
        assert!(secret.len() >= 8, "too short to be a telling secret");
        for text in shown {
            assert!(!text.contains(secret), "a credential shows in:\n{text}");
        }
    }
}

#[tokio::test]
async fn webhook_client_shows_neither_its_code_nor_a_bot_token() {
    let p = Portal::start().await;
    let traces = Traces::capture();
    let url = p.mock.webhook_url();
    let code = url.trim_end_matches('/').rsplit('/').next();
    let code = code.expect("the webhook code");
    let forged = "f0e1d2c3b4a59687";
    let hook = |base: &str, code: &str| {
        let url = format!("{base}/rest/{ADMIN_USER_ID}/{code}/");
        ClientBuilder::webhook(&url).expect("a valid webhook URL")
    };
    let build = |builder: ClientBuilder| builder.build().expect("a valid client");
    let clients = Clients {
        working: p.webhook(),
        refused: build(hook(&p.mock.base_url(), forged)),
        unreachable: build(hook(CLOSED_PORT, code).retry(QUICK_RETRY)),
    };
    let (bot, bot_token) = p.mock.bot();
    let mut shown = clients.provoke(bot, &bot_token).await;
    shown.push(format!("{:?}", hook(CLOSED_PORT, code)));
    shown.push(traces.text());
    assert_hidden(&[code, forged, &bot_token], &shown);
}

#[tokio::test]
async fn access_token_client_shows_neither_its_token_nor_a_bot_token() {
    let p = Portal::start().await;
    let traces = Traces::capture();
    let token = p.mock.access_token();
    let forged = "0f1e2d3c4b5a69780f1e2d3c4b5a6978";
    let unreachable = || ClientBuilder::access_token(CLOSED_PORT, token.as_str());
    let clients = Clients {
        working: p.app(),
        refused: p.token_client(forged.to_owned()),
        unreachable: unreachable().retry(QUICK_RETRY).build().expect("valid"),
    };
    let (bot, bot_token) = p.mock.bot();
    let mut shown = clients.provoke(bot, &bot_token).await;
    shown.push(format!("{:?}", unreachable()));
    shown.push(traces.text());
    assert_hidden(&[&token, forged, &bot_token], &shown);
}

/// A request's `Debug` shows its parameters under their wire names, and a credential among them
/// as `***`, nested ones included.
#[test]
fn a_request_shows_its_parameters_but_not_its_credentials() {
    let token = "b0t-t0k3n-never-shown";
    let request = ImbotV2ChatMessageDelete::new(7, 42).bot_token(token);
    let shown = format!("{request:?}");
    assert!(!shown.contains(token), "{shown}");
    assert!(
        shown.contains("botToken") && shown.contains("***"),
        "{shown}"
    );
    assert!(shown.contains("42"), "{shown}");
    let body = serde_json::to_value(&request).unwrap();
    assert_eq!(body["botToken"], token, "the credential is still sent");
}
