//! The methods of the Bitrix24 REST scope `documentgenerator`, one per spec in `specs/documentgenerator/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `documentgenerator`, as
//! `bitrix_api::documentgenerator`.

bitrix_api::bitrix_scope!("documentgenerator");
