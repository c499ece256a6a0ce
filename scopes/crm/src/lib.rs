//! The methods of the Bitrix24 REST scope `crm`, one per spec in `specs/crm/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `crm`, as
//! `bitrix_api::crm`.

bitrix_api::bitrix_scope!("crm");
