//! The methods of the Bitrix24 REST scope `main`, one per spec in `specs/main/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `main`, as
//! `bitrix_api::main`.

bitrix_api::bitrix_scope!("main");
