//! The methods of the Bitrix24 REST scope `calendar`, one per spec in `specs/calendar/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `calendar`, as
//! `bitrix_api::calendar`.

bitrix_api::bitrix_scope!("calendar");
