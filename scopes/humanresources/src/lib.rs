//! The methods of the Bitrix24 REST scope `humanresources`, one per spec in `specs/humanresources/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `humanresources`, as
//! `bitrix_api::humanresources`.

bitrix_api::bitrix_scope!("humanresources");
