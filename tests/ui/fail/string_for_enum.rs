// STATUS is an enum, not free text.
use bitrix_api::messageservice::MessageserviceMessageStatusUpdate;

fn main() {
    let _ = MessageserviceMessageStatusUpdate::new("sms.1", "m-1", "delivered");
}
