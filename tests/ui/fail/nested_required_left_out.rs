// Every MESSAGES item needs user, message and chat.
use bitrix_api::imopenlines::{DeleteMessageItem, DeleteMessageMessage, DeleteMessageUser};

fn main() {
    let _ = DeleteMessageItem::new(DeleteMessageUser::new("u-1"), DeleteMessageMessage::new("m-1"));
}
