//! The methods of the Bitrix24 REST scope `user_userfield`, one per spec in `specs/user_userfield/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `user_userfield`, as
//! `bitrix_api::user_userfield`.

bitrix_api::bitrix_scope!("user_userfield");
