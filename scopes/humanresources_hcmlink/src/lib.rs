//! The methods of the Bitrix24 REST scope `humanresources_hcmlink`, one per spec in `specs/humanresources_hcmlink/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `humanresources_hcmlink`, as
//! `bitrix_api::humanresources_hcmlink`.

bitrix_api::bitrix_scope!("humanresources_hcmlink");
