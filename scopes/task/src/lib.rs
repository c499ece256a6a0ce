//! The methods of the Bitrix24 REST scope `task`, one per spec in `specs/task/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `task`, as
//! `bitrix_api::task`.

bitrix_api::bitrix_scope!("task");
