//! The methods of the Bitrix24 REST scope `sign_b2e`, one per spec in `specs/sign_b2e/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `sign_b2e`, as
//! `bitrix_api::sign_b2e`.

bitrix_api::bitrix_scope!("sign_b2e");
