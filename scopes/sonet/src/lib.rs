//! The methods of the Bitrix24 REST scope `sonet`, one per spec in `specs/sonet/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `sonet`, as
//! `bitrix_api::sonet`.

bitrix_api::bitrix_scope!("sonet");
