//! The methods of the Bitrix24 REST scope `user`, one per spec in `specs/user/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `user`, as
//! `bitrix_api::user`.

bitrix_api::bitrix_scope!("user");
