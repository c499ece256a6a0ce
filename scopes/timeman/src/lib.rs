//! The methods of the Bitrix24 REST scope `timeman`, one per spec in `specs/timeman/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `timeman`, as
//! `bitrix_api::timeman`.

bitrix_api::bitrix_scope!("timeman");
