//! The methods of the Bitrix24 REST scope `placement`, one per spec in `specs/placement/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `placement`, as
//! `bitrix_api::placement`.

bitrix_api::bitrix_scope!("placement");
