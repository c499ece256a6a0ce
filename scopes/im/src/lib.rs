//! The methods of the Bitrix24 REST scope `im`, one per spec in `specs/im/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `im`, as
//! `bitrix_api::im`.

bitrix_api::bitrix_scope!("im");
