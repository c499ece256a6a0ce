//! The methods of the Bitrix24 REST scope `mail`, one per spec in `specs/mail/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `mail`, as
//! `bitrix_api::mail`.

bitrix_api::bitrix_scope!("mail");
