//! The runtime of the `bitrix-api` crate: the client, authentication, limits, errors, lenient
//! decoding, validation, batches and paging, and the traits the generated methods implement.
//!
//! Use it through `bitrix-api`, which re-exports all of it together with the generated methods
//! of each scope (one crate per scope, such as `bitrix-api-crm`, behind a cargo feature of the
//! scope's name).

extern crate self as bitrix_api;

mod auth;
mod batch;
mod body;
mod client;
mod de;
mod decode;
mod encode;
mod error;
pub mod events;
mod file;
pub mod form;
pub mod handler;
mod limits;
mod method;
mod paging;
mod params;
mod query;
mod raw;
mod redirect;
mod types;

pub use auth::{AuthError, AuthErrorKind, DEFAULT_TOKEN_ENDPOINT, OAuthApp, OAuthTokens};
pub use batch::{Batch, BatchCode, BatchReplies, Batchable, MAX_COMMANDS, Slot};
pub use bitrix_macros::{bitrix_method, bitrix_scope, bitrix_type};
pub use body::DEFAULT_MAX_BODY_SIZE;
pub use client::{Client, ClientBuilder, ConfigError};
pub use error::{
    ApiError, DecodeError, Error, Invalid, MethodError, SystemError, TransportError, TransportKind,
    Untyped, ValidationError,
};
pub use file::FileData;
pub use limits::{RateLimit, RetryPolicy};
pub use method::{Method, MethodInfo, Validator};
pub use paging::{PageStyle, Paged};
pub use query::{Fields, Filter, Order, user_field};
pub use raw::{RawCall, RawCallWithTime};
pub use redirect::RedirectPolicy;
pub use types::{AuthContext, LocalizedText, Reply, Secret, Time};

/// What generated code refers to; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::batch::decode_reply as decode_batch_reply;
    pub use crate::client::decode_answer;
    pub use crate::decode::{Decode, Mismatch, Obj as DecodeObj, Path, first_fit, one_of};
    pub use crate::encode::{Obj, enum_value};
    pub use crate::params::{Param, Params, ToParam};
    pub use serde;
    pub use serde_json;
}
