//! The methods of the Bitrix24 REST scope `salescenter`, one per spec in `specs/salescenter/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `salescenter`, as
//! `bitrix_api::salescenter`.

bitrix_api::bitrix_scope!("salescenter");
