//! The methods of the Bitrix24 REST scope `landing`, one per spec in `specs/landing/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `landing`, as
//! `bitrix_api::landing`.

bitrix_api::bitrix_scope!("landing");
