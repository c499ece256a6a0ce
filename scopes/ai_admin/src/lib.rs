//! The methods of the Bitrix24 REST scope `ai_admin`, one per spec in `specs/ai_admin/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `ai_admin`, as
//! `bitrix_api::ai_admin`.

bitrix_api::bitrix_scope!("ai_admin");
