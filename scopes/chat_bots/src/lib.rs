//! The methods of the Bitrix24 REST scope `chat_bots`, one per spec in `specs/chat_bots/` (the list:
//! [`METHODS`]). Use them through `bitrix-api` and its cargo feature `chat_bots`, as
//! `bitrix_api::chat_bots`.

bitrix_api::bitrix_scope!("chat_bots");
