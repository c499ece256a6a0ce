// The generated API used as a consumer would: required params in `new`, optional ones chained.
use bitrix_api::imbot::ImbotV2ChatMessageDelete;
use bitrix_api::imopenlines::{DeleteMessageChat, DeleteMessageItem, DeleteMessageMessage, DeleteMessageUser, ImconnectorDeleteMessages};
use bitrix_api::messageservice::{MessageStatus, MessageserviceMessageStatusUpdate, MessageserviceSenderAdd, SenderType};

fn main() {
    let _ = MessageserviceSenderAdd::new("sms.1", SenderType::Sms, "https://h.example/x", [("en", "SMS"), ("de", "SMS")])
        .description("An SMS provider");
    let _ = MessageserviceMessageStatusUpdate::new("sms.1", "m-1", MessageStatus::Delivered);
    let _ = ImbotV2ChatMessageDelete::new(100, 5).bot_token("secret").complete(true);
    let item = DeleteMessageItem::new(
        DeleteMessageUser::new("u-1"),
        DeleteMessageMessage::new("m-1"),
        DeleteMessageChat::new("c-1"),
    );
    let _ = ImconnectorDeleteMessages::new("my_connector", 1, vec![item]);
}
