//! The methods of the Bitrix24 REST scope `booking`, one per spec in `specs/booking/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `booking`, as
//! `bitrix_api::booking`.

bitrix_api::bitrix_scope!("booking");
