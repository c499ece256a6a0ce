//! The methods of the Bitrix24 REST scope `imopenlines`, one per spec in `specs/imopenlines/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `imopenlines`, as
//! `bitrix_api::imopenlines`.

bitrix_api::bitrix_scope!("imopenlines");
