//! The methods of the Bitrix24 REST scope `sale`, one per spec in `specs/sale/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `sale`, as
//! `bitrix_api::sale`.

bitrix_api::bitrix_scope!("sale");
