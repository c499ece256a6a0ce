//! The methods of the Bitrix24 REST scope `disk`, one per spec in `specs/disk/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `disk`, as
//! `bitrix_api::disk`.

bitrix_api::bitrix_scope!("disk");
