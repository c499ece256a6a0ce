//! The methods of the Bitrix24 REST scope `note`, one per spec in `specs/note/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `note`, as
//! `bitrix_api::note`.

bitrix_api::bitrix_scope!("note");
