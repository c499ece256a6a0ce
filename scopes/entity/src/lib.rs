//! The methods of the Bitrix24 REST scope `entity`, one per spec in `specs/entity/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `entity`, as
//! `bitrix_api::entity`.

bitrix_api::bitrix_scope!("entity");
