//! The methods of the Bitrix24 REST scope `telephony`, one per spec in `specs/telephony/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `telephony`, as
//! `bitrix_api::telephony`.

bitrix_api::bitrix_scope!("telephony");
