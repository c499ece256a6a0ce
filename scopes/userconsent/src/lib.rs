//! The methods of the Bitrix24 REST scope `userconsent`, one per spec in `specs/userconsent/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `userconsent`, as
//! `bitrix_api::userconsent`.

bitrix_api::bitrix_scope!("userconsent");
