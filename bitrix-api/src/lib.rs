//! A typed client for the Bitrix24 REST API, generated from YAML method specs.
//!
//! Every REST method is described by one YAML file under `specs/`; the `bitrix_method!` macro
//! turns it into a request type (required parameters in `new`, optional ones as setters), the
//! typed result, an enum of the method's documented error codes and client-side validation.
//! The methods live in one module per permission scope (such as [`messageservice`] or [`crm`]),
//! each behind a cargo feature of the same name, whose rustdoc lists its methods; [`methods()`]
//! lists them at run time. Search the docs for a REST name (`crm.item.list`) to find its type.
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

extern crate self as bitrix_api;

mod auth;
mod batch;
mod body;
mod client;
pub mod de;
mod decode;
mod encode;
mod error;
pub mod events;
pub mod form;
pub mod handler;
mod limits;
mod method;
mod paging;
mod redirect;
mod types;

pub use auth::{AuthError, AuthErrorKind, DEFAULT_TOKEN_ENDPOINT, OAuthApp, OAuthTokens};
pub use batch::{Batch, BatchCode, BatchReplies, Batchable, MAX_COMMANDS, Slot};
pub use bitrix_macros::{bitrix_method, bitrix_type};
pub use body::DEFAULT_MAX_BODY_SIZE;
pub use client::{Client, ClientBuilder, ConfigError};
pub use error::{
    ApiError, DecodeError, Error, Invalid, MethodError, SystemError, TransportError, TransportKind,
    ValidationError,
};
pub use limits::{RateLimit, RetryPolicy};
pub use method::{Method, MethodInfo, Text, Validate, Validator, is_given};
pub use paging::{CLASSIC_PAGE, PageStyle, Paged, fast_filter};
pub use redirect::RedirectPolicy;
pub use types::{AuthContext, LocalizedText, Reply, Secret, Time};

/// What generated code refers to; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::batch::decode_reply as decode_batch_reply;
    pub use crate::client::decode_answer;
    pub use crate::decode::{Decode, Mismatch, Obj as DecodeObj, Path, one_of};
    pub use crate::encode::{Obj, enum_value};
    pub use serde;
    pub use serde_json;
}

include!(concat!(env!("OUT_DIR"), "/methods.rs"));
