//! The methods of the Bitrix24 REST scope `tasks`, one per spec in `specs/tasks/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `tasks`, as
//! `bitrix_api::tasks`.

bitrix_api::bitrix_scope!("tasks");
