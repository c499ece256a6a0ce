//! The methods of the Bitrix24 REST scope `log`, one per spec in `specs/log/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `log`, as
//! `bitrix_api::log`.

bitrix_api::bitrix_scope!("log");
