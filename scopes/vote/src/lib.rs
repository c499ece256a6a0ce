//! The methods of the Bitrix24 REST scope `vote`, one per spec in `specs/vote/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `vote`, as
//! `bitrix_api::vote`.

bitrix_api::bitrix_scope!("vote");
