//! The methods of the Bitrix24 REST scope `call`, one per spec in `specs/call/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `call`, as
//! `bitrix_api::call`.

bitrix_api::bitrix_scope!("call");
