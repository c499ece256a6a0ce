//! The methods of the Bitrix24 REST scope `imconnector`, one per spec in `specs/imconnector/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `imconnector`, as
//! `bitrix_api::imconnector`.

bitrix_api::bitrix_scope!("imconnector");
