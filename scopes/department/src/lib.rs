//! The methods of the Bitrix24 REST scope `department`, one per spec in `specs/department/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `department`, as
//! `bitrix_api::department`.

bitrix_api::bitrix_scope!("department");
