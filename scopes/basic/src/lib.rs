//! The methods of the Bitrix24 REST scope `basic`, one per spec in `specs/basic/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `basic`, as
//! `bitrix_api::basic`.

bitrix_api::bitrix_scope!("basic");
