//! The methods of the Bitrix24 REST scope `delivery`, one per spec in `specs/delivery/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `delivery`, as
//! `bitrix_api::delivery`.

bitrix_api::bitrix_scope!("delivery");
