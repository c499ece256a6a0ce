//! The methods of the Bitrix24 REST scope `imbot`, one per spec in `specs/imbot/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `imbot`, as
//! `bitrix_api::imbot`.

bitrix_api::bitrix_scope!("imbot");
