//! The methods of the Bitrix24 REST scope `biconnector`, one per spec in `specs/biconnector/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `biconnector`, as
//! `bitrix_api::biconnector`.

bitrix_api::bitrix_scope!("biconnector");
