//! The methods of the Bitrix24 REST scope `messageservice`, one per spec in `specs/messageservice/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `messageservice`, as
//! `bitrix_api::messageservice`.

bitrix_api::bitrix_scope!("messageservice");
