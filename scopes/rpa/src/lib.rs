//! The methods of the Bitrix24 REST scope `rpa`, one per spec in `specs/rpa/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `rpa`, as
//! `bitrix_api::rpa`.

bitrix_api::bitrix_scope!("rpa");
