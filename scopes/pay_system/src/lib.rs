//! The methods of the Bitrix24 REST scope `pay_system`, one per spec in `specs/pay_system/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `pay_system`, as
//! `bitrix_api::pay_system`.

bitrix_api::bitrix_scope!("pay_system");
