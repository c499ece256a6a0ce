//! The methods of the Bitrix24 REST scope `mailservice`, one per spec in `specs/mailservice/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `mailservice`, as
//! `bitrix_api::mailservice`.

bitrix_api::bitrix_scope!("mailservice");
