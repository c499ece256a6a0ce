//! The methods of the Bitrix24 REST scope `socialnetwork`, one per spec in `specs/socialnetwork/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `socialnetwork`, as
//! `bitrix_api::socialnetwork`.

bitrix_api::bitrix_scope!("socialnetwork");
