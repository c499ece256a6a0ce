//! The methods of the Bitrix24 REST scope `catalog`, one per spec in `specs/catalog/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `catalog`, as
//! `bitrix_api::catalog`.

bitrix_api::bitrix_scope!("catalog");
