//! The methods of the Bitrix24 REST scope `cashbox`, one per spec in `specs/cashbox/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `cashbox`, as
//! `bitrix_api::cashbox`.

bitrix_api::bitrix_scope!("cashbox");
