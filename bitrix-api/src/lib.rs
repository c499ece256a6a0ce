//! A typed client for the Bitrix24 REST API, generated from YAML method specs.
//!
//! Every REST method is described by one YAML file under `specs/`; the `bitrix_method!` macro
//! turns it into a request type (required parameters in `new`, optional ones as setters), the
//! typed result, an enum of the method's documented error codes and client-side validation.
//! The methods live in one module per permission scope (such as [`messageservice`] or [`crm`]),
//! each behind a cargo feature of the same name and each a crate of its own (`bitrix-api-crm`),
//! so that the scopes build in parallel; the `METHODS` of each lists its methods in its rustdoc,
//! and [`methods()`] lists them at run time. Search the docs for a REST name (`crm.item.list`) to find its type.
//! A method without a spec is called by name: [`Client::call_raw`].
//!
//! # Ways in
//!
//! Each example below runs as it is: its hidden first lines start the fake portal,
//! `bitrix-mock`, and take the credentials from it; on a real portal they come from the portal.
//!
//! ## An incoming webhook
//!
//! A webhook (the portal's *Developer resources*) is a URL holding a user id and a secret code;
//! the client never shows the code in errors, `Debug` output or logs.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mock = bitrix_mock::MockPortal::start().await?;
//! # let webhook_url = mock.webhook_url();
//! use bitrix_api::{Client, crm::CrmItemList};
//!
//! // https://your.bitrix24.com/rest/1/<code>/
//! let client = Client::from_webhook(&webhook_url)?;
//! let deals = client.call(CrmItemList::new(2)).await?;
//! for deal in &deals.items {
//!     println!("{:?} {:?}", deal.id, deal.title);
//! }
//! // A method that has no spec, by name: its `result` as JSON.
//! let params = serde_json::json!({"entityTypeId": 2});
//! if let Ok(fields) = client.call_raw("crm.item.fields", params).await {
//!     println!("{fields}");
//! }
//! # Ok(()) }
//! ```
//!
//! ## An OAuth application, with a token store
//!
//! An installed application calls with an access token that lives an hour; given the refresh
//! token and the application's credentials, the client refreshes it on `expired_token` (once for
//! all concurrent calls) and hands the rotated tokens to a callback: store them there, the old
//! refresh token no longer works.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mock = bitrix_mock::MockPortal::start().await?;
//! # let (portal, access_token, refresh_token) =
//! #     (mock.base_url(), mock.access_token(), mock.refresh_token());
//! # let (client_id, client_secret) = (mock.client_id(), mock.client_secret());
//! # mock.expire_access_tokens();
//! use std::sync::{Arc, Mutex};
//! use bitrix_api::{ClientBuilder, OAuthApp, OAuthTokens, messageservice::MessageserviceSenderList};
//!
//! /// Where the application keeps its tokens: a database row in a real one.
//! #[derive(Default)]
//! struct TokenStore(Mutex<Option<(String, String)>>);
//!
//! impl TokenStore {
//!     fn save(&self, tokens: &OAuthTokens) {
//!         let pair = (tokens.access_token.expose().to_owned(), tokens.refresh_token.expose().to_owned());
//!         *self.0.lock().unwrap() = Some(pair);
//!     }
//! }
//!
//! let store = Arc::new(TokenStore::default());
//! let app = OAuthApp::new(client_id, client_secret);
//! # let app = app.token_endpoint(mock.token_endpoint());
//! let saver = store.clone();
//! let client = ClientBuilder::access_token(&portal, access_token)
//!     .refresh(refresh_token, app)
//!     .on_token_refresh(move |tokens| saver.save(tokens))
//!     .build()?;
//! // The access token has expired: the call refreshes it, stores the new pair, and goes on.
//! let senders = client.call(MessageserviceSenderList::new()).await?;
//! assert!(store.0.lock().unwrap().is_some());
//! # let _ = senders;
//! # Ok(()) }
//! ```
//!
//! ## A handler
//!
//! Bitrix24 POSTs PHP-style forms to an application's handlers (events, a message provider's
//! `HANDLER`). [`handler::Verifier`] reads them into the typed payloads of [`events`] and lets
//! through only those carrying the application's `application_token`; with the `axum` feature,
//! `handler::Verified` does both as an extractor.
//!
//! ```
//! use bitrix_api::{events::SmsHandlerRequest, handler::{HandlerError, Verifier}};
//!
//! // The token the portal gave the application at install (`ONAPPINSTALL`).
//! let verifier = Verifier::new("app-token-from-install");
//! let body = "code=my_sms&message_id=42&message_to=%2B4915100000000&message_body=Hi\
//!             &auth[application_token]=app-token-from-install";
//! let sms: SmsHandlerRequest = verifier.parse(body)?;
//! assert_eq!(sms.message_id.as_deref(), Some("42"));
//!
//! let forged = body.replace("app-token-from-install", "guessed");
//! assert!(matches!(verifier.parse::<SmsHandlerRequest>(&forged), Err(HandlerError::Forged)));
//! # Ok::<(), HandlerError>(())
//! ```
//!
//! ## The mock portal in your own tests
//!
//! `bitrix-mock` (a dev-dependency) serves every specced method on loopback, with the portal's
//! errors, paging, limits and token expiry, and lets a test look inside.
//!
//! ```
//! use bitrix_api::{Client, Error, messageservice::*};
//! use bitrix_mock::MockPortal;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // In a `#[tokio::test]`:
//! let mock = MockPortal::start().await?;
//! let client = Client::with_access_token(&mock.base_url(), mock.access_token())?;
//! let add = MessageserviceSenderAdd::new("my_sms", SenderType::Sms, "https://sms.example.com/h", "SMS");
//! assert!(client.call(add.clone()).await?);
//! assert_eq!(mock.providers(bitrix_mock::MAIN_APP), ["my_sms"]);
//! match client.call(add).await {
//!     Err(Error::Method { code: MessageserviceSenderAddError::ErrorSenderAlreadyInstalled, .. }) => {}
//!     other => panic!("{other:?}"),
//! }
//! # Ok(()) }
//! ```
//!
//! # Errors
//!
//! [`Error`] comes in layers: [`Error::Method`] carries one of the method's documented codes,
//! [`Error::System`] the codes any call may return, [`Error::Other`] any other code;
//! `Validation`, `Transport`, `Decode` and `Auth` are the client's own, and
//! [`std::error::Error::source`] gives their cause (the HTTP stack's error, the JSON error).
//! `Error` without a type parameter is the error of any method: `?` turns a typed error into it.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use bitrix_api::{Client, Error, messageservice::*};
//!
//! let client = Client::with_access_token("https://example.bitrix24.com", "access-token")?;
//! let request = MessageserviceSenderAdd::new(
//!     "my_sms",
//!     SenderType::Sms,
//!     "https://sms.example.com/handler",
//!     [("en", "My SMS"), ("de", "Mein SMS")],
//! );
//! match client.call(request).await {
//!     Ok(true) => println!("registered"),
//!     Ok(false) => println!("the portal said no"),
//!     Err(Error::Method { code: MessageserviceSenderAddError::ErrorSenderAlreadyInstalled, .. }) => {
//!         println!("already registered")
//!     }
//!     Err(e) => return Err(e.into()),
//! }
//! # Ok(()) }
//! ```
#![doc = include_str!(concat!(env!("OUT_DIR"), "/scopes.md"))]

pub use bitrix_core::*;

include!(concat!(env!("OUT_DIR"), "/scopes.rs"));
