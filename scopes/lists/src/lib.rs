//! The methods of the Bitrix24 REST scope `lists`, one per spec in `specs/lists/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `lists`, as
//! `bitrix_api::lists`.

bitrix_api::bitrix_scope!("lists");
