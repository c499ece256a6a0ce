//! The methods of the Bitrix24 REST scope `bizproc`, one per spec in `specs/bizproc/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `bizproc`, as
//! `bitrix_api::bizproc`.

bitrix_api::bitrix_scope!("bizproc");
