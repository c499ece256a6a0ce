//! The methods of the Bitrix24 REST scope `userfieldconfig`, one per spec in `specs/userfieldconfig/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `userfieldconfig`, as
//! `bitrix_api::userfieldconfig`.

bitrix_api::bitrix_scope!("userfieldconfig");
